// `vipcts plugin-host SO` (plugin_host.hpp): the exec protocol (docs/formats.md §3) in front of a C-ABI
// plugin.
#include "harness/adapters/plugin_host.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "harness/adapters/plugin_loader.hpp"
#include "harness/core/json.hpp"
#include "harness/core/json_text.hpp"
#include "vipcts_version.hpp"

namespace vipcts {
namespace {

constexpr int kProtocolVersion = 1;

void say(const std::string& line) {
  std::string text = "vipcts plugin-host: " + line + "\n";
  ssize_t ignored = write(2, text.data(), text.size());
  (void)ignored;
}

bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

void append_id(std::string& out, const Json& id) {
  out += "{\"id\":";
  out += id.dump();
}

void respond(std::string& out, const Json& id, const Json& result) {
  append_id(out, id);
  out += ",\"result\":";
  out += result.dump();
  out += "}\n";
}

void respond_error(std::string& out, const Json& id, const std::string& message) {
  append_id(out, id);
  out += ",\"error\":{\"message\":";
  out += Json(message).dump();
  out += "}}\n";
}

// An operation request in the shape vipcts writes it, {"id":N,"method":"M","params":{…}} (compact, the
// canonical subset of harness/core/json_text.hpp): `request` is then the same without the id,
// {"method":"M","params":{…}}, built in `buffer`. False for anything else (the DOM path handles it).
bool scan_request(std::string_view line, uint64_t& id, std::string_view& method, std::string& buffer) {
  JsonCursor c(line);
  if (!c.lit("{\"id\":") || !c.u64(id) || !c.lit(",")) return false;
  const size_t rest = c.pos();
  std::string_view params;
  if (!c.lit("\"method\":") || !c.string(method) || !c.lit(",\"params\":") || !c.value(params) ||
      !c.lit("}") || !c.at_end())
    return false;
  buffer.assign("{");
  buffer.append(line.substr(rest));
  return true;
}

// {"id":N,"method":"open","params":{"suite":"S","scenario":"…","state":{…}}}, as vipcts writes it.
bool scan_open(std::string_view line, uint64_t& id, std::string_view& suite, std::string_view& state) {
  JsonCursor c(line);
  std::string_view scenario;
  return c.lit("{\"id\":") && c.u64(id) && c.lit(R"(,"method":"open","params":{"suite":)") &&
         c.string(suite) && c.lit(R"(,"scenario":)") && c.string(scenario) && c.lit(R"(,"state":)") &&
         c.peek() == '{' && c.value(state) && c.lit("}}") && c.at_end();
}

bool is_lifecycle(std::string_view method) {
  return method == "hello" || method == "open" || method == "close" || method == "shutdown";
}

// Reads stdin in chunks and hands back complete lines.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  // false at EOF (a trailing partial line is dropped: the adapter always ends lines).
  bool next(std::string& line) {
    while (true) {
      size_t nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        line.assign(buf_, pos_, nl - pos_);
        pos_ = nl + 1;
        return true;
      }
      if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
      }
      if (!fill()) return false;
    }
  }
  // Whether a complete line is already buffered (so answers can wait and go out in one write).
  bool has_line() const { return buf_.find('\n', pos_) != std::string::npos; }

 private:
  bool fill() {
    char chunk[1 << 16];
    while (true) {
      ssize_t n = read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buf_.append(chunk, static_cast<size_t>(n));
      return true;
    }
  }
  int fd_;
  std::string buf_;
  size_t pos_ = 0;
};

}  // namespace

int plugin_host_main(const std::string& so_path,
                     const std::function<const Suite*(std::string_view)>& find_suite) {
  // The protocol gets private copies of stdin/stdout; the plugin's own printf goes to stderr and its reads of
  // stdin see EOF, so neither can corrupt the conversation.
  std::fflush(stdout);
  const int proto_in = fcntl(0, F_DUPFD_CLOEXEC, 3);
  const int proto_out = fcntl(1, F_DUPFD_CLOEXEC, 3);
  if (proto_in < 0 || proto_out < 0) {
    say(so_path + ": cannot duplicate stdin/stdout: " + std::strerror(errno));
    return 2;
  }
  dup2(2, 1);
  if (int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC); null_fd >= 0) {
    dup2(null_fd, 0);
    close(null_fd);
  }

  LineReader in(proto_in);
  std::string line, out;

  LoadedPlugin plugin;
  std::string why = load_plugin(so_path, plugin);
  if (!why.empty()) {
    std::string message = so_path + ": " + why;
    say(message);
    // Answer the hello too, so the adapter's error quotes the cause even when stderr goes to a log.
    if (!isatty(proto_in) && in.next(line)) {
      Json request = Json::parse(line, nullptr, false);
      Json id = request.is_object() && request.contains("id") ? request["id"] : Json(0);
      respond_error(out, id, message);
      write_all(proto_out, out);
    }
    return 2;
  }
  const vipcts_implementation& impl = *plugin.impl;
  const std::string impl_name = impl.name ? impl.name : so_path;

  const Suite* suite = nullptr;
  std::unique_ptr<SuiteSession> session;
  uint64_t line_no = 0;
  std::string request_text;
  // Pipelining: answer everything already received in one write, but never hold an answer back while
  // waiting for more input. False when vipcts went away.
  // open: a new session of the suite on the state (its text).
  auto open = [&](const Json& id, const std::string& name, std::string_view state) {
    session.reset();
    suite = find_suite(name);
    const void* table = nullptr;
    if (!suite) {
      respond_error(out, id, "vipcts plugin-host does not know suite '" + name + "'");
    } else if (table = impl.suite ? impl.suite(name.c_str(), suite->abi_version()) : nullptr; !table) {
      respond_error(out, id,
                    impl_name + " does not implement suite " + name + " (suite ABI " +
                        std::to_string(suite->abi_version()) + ")");
    } else {
      session = suite->open_plugin_text(table, state);
      respond(out, id, Json::object());
    }
  };
  auto answered = [&] {
    if (in.has_line()) return true;
    const bool ok = write_all(proto_out, out);
    out.clear();
    return ok;
  };
  while (in.next(line)) {
    ++line_no;
    if (line.empty()) continue;
    // The hot path: an operation, answered from text to text (SuiteSession::apply_text), and open, without
    // a DOM.
    uint64_t fast_id = 0;
    std::string_view fast_method, fast_suite, fast_state;
    if (scan_open(line, fast_id, fast_suite, fast_state)) {
      try {
        open(Json(fast_id), std::string(fast_suite), fast_state);
      } catch (const std::exception& e) {
        respond_error(out, Json(fast_id), e.what());
      }
      if (!answered()) return 0;
      continue;
    }
    if (session && scan_request(line, fast_id, fast_method, request_text) && !is_lifecycle(fast_method)) {
      try {
        std::string result = session->apply_text(request_text);
        out += "{\"id\":";
        out += std::to_string(fast_id);
        out += ",\"result\":";
        out += result;
        out += "}\n";
      } catch (const std::exception& e) {
        respond_error(out, Json(fast_id), e.what());
      }
      if (!answered()) return 0;
      continue;
    }
    Json request = Json::parse(line, nullptr, false);
    if (request.is_discarded() || !request.is_object() || !request.contains("id") ||
        !request["id"].is_number_integer() || !request.contains("method") || !request["method"].is_string()) {
      say("stdin:" + std::to_string(line_no) + ": not an exec protocol request (docs/formats.md §3)");
      write_all(proto_out, out);
      return 2;
    }
    const Json id = request["id"];
    const std::string method = request["method"].get<std::string>();
    Json params = request.contains("params") ? std::move(request["params"]) : Json::object();
    try {
      if (method == "hello") {
        auto protocol = params.is_object() ? params.find("protocol") : params.end();
        if (protocol != params.end() && *protocol != kProtocolVersion) {
          respond_error(out, id, "protocol " + protocol->dump() + " not supported (plugin-host speaks 1)");
        } else {
          Json result = Json::object();
          result["protocol"] = kProtocolVersion;
          result["name"] = impl.name ? impl.name : "";
          result["version"] = impl.version ? impl.version : "";
          Json features = Json::array();
          if (impl.features)
            for (const char* const* f = impl.features; *f; ++f) features.push_back(*f);
          result["features"] = std::move(features);
          result["profile"] = impl.profile ? impl.profile : "";
          respond(out, id, result);
        }
      } else if (method == "open") {
        open(id, params.value("suite", std::string()),
             params.contains("state") ? params["state"].dump() : "{}");
      } else if (method == "close") {
        session.reset();
        respond(out, id, Json::object());
      } else if (method == "shutdown") {
        session.reset();
        respond(out, id, Json::object());
        write_all(proto_out, out);
        return 0;
      } else if (!session) {
        respond_error(out, id, "'" + method + "' without an open scenario");
      } else {
        Json op = Json::object();
        op["method"] = method;
        op["params"] = std::move(params);
        respond(out, id, session->apply(op));
      }
    } catch (const std::exception& e) {
      respond_error(out, id, e.what());
    }
    if (!answered()) return 0;
  }
  session.reset();
  return 0;
}

}  // namespace vipcts
