#include "vectors.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "errors.hpp"
#include "json_text.hpp"

namespace vipcts {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string type_name(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::null:
      return "null";
    case Json::value_t::number_float:
      return "a fractional number";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return j.is_number_integer() && j.get<int64_t>() < 0 ? "a negative number" : "a number";
    default:
      return "an invalid value";
  }
}

// Field checks shared by both encodings. `where` is "FILE:LINE" context, `obj` the owning object's name.
class Checker {
 public:
  Checker(const std::string& path, size_t line) : path_(path), line_(line) {}
  [[noreturn]] void fail(const std::string& field, const std::string& msg) const {
    throw InputError(located(path_, line_, field + ": " + msg));
  }
  void only_keys(const Json& j, const std::string& obj,
                 std::initializer_list<std::string_view> allowed) const {
    for (const auto& [k, v] : j.items()) {
      bool ok = false;
      for (auto a : allowed) ok = ok || a == k;
      if (!ok) fail(obj + "." + k, "unknown key");
    }
  }
  const Json& need(const Json& j, const std::string& obj, const char* key) const {
    auto it = j.find(key);
    if (it == j.end()) fail(obj + "." + key, "missing");
    return *it;
  }
  std::string string(const Json& j, const std::string& field, bool nonempty = true) const {
    if (!j.is_string()) fail(field, "expected a string, found " + type_name(j));
    if (nonempty && j.get_ref<const std::string&>().empty()) fail(field, "must not be empty");
    return j.get<std::string>();
  }
  uint64_t u64(const Json& j, const std::string& field) const {
    if (j.is_number_unsigned()) return j.get<uint64_t>();
    if (j.is_number_integer() && j.get<int64_t>() >= 0) return uint64_t(j.get<int64_t>());
    if (j.is_number_integer()) fail(field, "out of range: must not be negative");
    fail(field, "expected a non-negative integer, found " + type_name(j));
  }
  std::vector<std::string> strings(const Json& j, const std::string& field) const {
    if (!j.is_array()) fail(field, "expected an array of strings, found " + type_name(j));
    std::vector<std::string> out;
    for (size_t i = 0; i < j.size(); ++i) out.push_back(string(j[i], field + "[" + std::to_string(i) + "]"));
    return out;
  }
  std::vector<std::string> opt_strings(const Json& j, const std::string& obj, const char* key) const {
    auto it = j.find(key);
    if (it == j.end()) return {};
    return strings(*it, obj + "." + key);
  }

 private:
  const std::string& path_;
  size_t line_;
};

VectorHeader parse_header(const Json& j, const Checker& c, bool jsonl) {
  VectorHeader h;
  if (!j.is_object()) c.fail("header", "expected an object, found " + type_name(j));
  if (jsonl) {
    c.only_keys(j, "header", {"type", "format", "suite", "seed", "profile", "generator", "spec_sha256"});
    std::string type = c.string(c.need(j, "header", "type"), "header.type");
    if (type != "vectors") c.fail("header.type", "expected \"vectors\" on line 1, found \"" + type + "\"");
  } else {
    c.only_keys(j, "", {"vectors", "suite", "seed", "profile", "generator", "spec_sha256", "scenarios"});
  }
  const char* fkey = jsonl ? "format" : "vectors";
  uint64_t format = c.u64(c.need(j, jsonl ? "header" : "", fkey), jsonl ? "header.format" : "vectors");
  if (format != 1)
    c.fail(jsonl ? "header.format" : "vectors", "unsupported format " + std::to_string(format));
  h.format = 1;
  std::string obj = jsonl ? "header" : "";
  auto name = [&](const char* k) { return jsonl ? std::string("header.") + k : std::string(k); };
  h.suite = c.string(c.need(j, obj, "suite"), name("suite"));
  h.seed = c.u64(c.need(j, obj, "seed"), name("seed"));
  if (auto it = j.find("profile"); it != j.end()) h.profile = c.string(*it, name("profile"), false);
  if (auto it = j.find("generator"); it != j.end()) h.generator = c.string(*it, name("generator"), false);
  if (auto it = j.find("spec_sha256"); it != j.end())
    h.spec_sha256 = c.string(*it, name("spec_sha256"), false);
  return h;
}

ScenarioHeader parse_scenario(const Json& j, const Checker& c, bool jsonl) {
  ScenarioHeader s;
  if (!j.is_object()) c.fail("scenario", "expected an object, found " + type_name(j));
  if (jsonl)
    c.only_keys(j, "scenario", {"type", "id", "clauses", "features", "state"});
  else
    c.only_keys(j, "scenario", {"id", "clauses", "features", "state", "ops"});
  s.id = c.string(c.need(j, "scenario", "id"), "scenario.id");
  s.clauses = c.opt_strings(j, "scenario", "clauses");
  s.features = c.opt_strings(j, "scenario", "features");
  const Json& state = c.need(j, "scenario", "state");
  if (!state.is_object()) c.fail("scenario.state", "expected an object, found " + type_name(state));
  s.state = state;
  return s;
}

Operation parse_op(const Json& j, const Checker& c, uint64_t expected_index, bool jsonl) {
  Operation op;
  if (!j.is_object()) c.fail("op", "expected an object, found " + type_name(j));
  if (jsonl)
    c.only_keys(j, "op", {"type", "index", "request", "expect", "clauses", "features"});
  else
    c.only_keys(j, "op", {"index", "request", "expect", "clauses", "features"});
  auto idx = j.find("index");
  if (jsonl && idx == j.end()) c.fail("op.index", "missing");
  op.index = expected_index;
  if (idx != j.end()) {
    uint64_t found = c.u64(*idx, "op.index");
    if (found != expected_index)
      c.fail("op.index", "expected " + std::to_string(expected_index) + ", found " + std::to_string(found));
  }
  const Json& request = c.need(j, "op", "request");
  if (!request.is_object()) c.fail("op.request", "expected an object, found " + type_name(request));
  c.string(c.need(request, "op.request", "method"), "op.request.method");
  const Json& expect = c.need(j, "op", "expect");
  if (!expect.is_object()) c.fail("op.expect", "expected an object, found " + type_name(expect));
  op.request = request;
  op.expect = expect;
  op.clauses = c.opt_strings(j, "op", "clauses");
  op.features = c.opt_strings(j, "op", "features");
  return op;
}

// Reads a list of non-empty strings into `out`, reusing its strings' buffers.
bool scan_strings(JsonCursor& c, std::vector<std::string>& out) {
  size_t n = 0;
  if (!c.lit("[")) return false;
  if (!c.lit("]")) {
    do {
      std::string_view s;
      if (!c.string(s) || s.empty()) return false;
      if (n < out.size())
        out[n].assign(s);
      else
        out.emplace_back(s);
      ++n;
    } while (c.lit(","));
    if (!c.lit("]")) return false;
  }
  out.resize(n);
  return true;
}

// One shared ClauseList per distinct list text (ClauseList). Bounded, so that a file of ever-new lists keeps
// memory flat: past kMaxLists, lists are read without sharing.
class ClauseInterner {
 public:
  // A list of non-empty strings at the cursor.
  bool read(JsonCursor& c, ClauseList& out) {
    if (c.peek() != '[') return false;
    // Most lists are known: try the text up to the first ']' as a key. A hit equals a list checked when it
    // was added, and what follows it is checked by the caller; a miss (new list, or a ']' inside an id)
    // takes the full path.
    const std::string_view rest = c.rest();
    if (const size_t end = rest.find(']'); end != std::string_view::npos) {
      if (auto it = lists_.find(rest.substr(0, end + 1)); it != lists_.end()) {
        c.skip(end + 1);
        out = it->second;
        return true;
      }
    }
    std::string_view text;
    if (!c.value(text)) return false;
    if (auto it = lists_.find(text); it != lists_.end()) {
      out = it->second;
      return true;
    }
    JsonCursor items(text);
    if (!scan_strings(items, scratch_)) return false;
    out = ClauseList(scratch_);
    if (lists_.size() < kMaxLists) lists_.emplace(std::string(text), out);
    return true;
  }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  static constexpr size_t kMaxLists = 4096;
  std::unordered_map<std::string, ClauseList, Hash, std::equal_to<>> lists_;
  std::vector<std::string> scratch_;
};

// The fast path for an op line (docs/formats.md §1.1): the canonical line `gen` writes, read without a DOM;
// request and expect are kept as their text. False for any other line, which then takes the strict DOM path
// (parse_op) and is accepted or rejected there exactly as before.
bool scan_op_line(std::string_view line, uint64_t expected_index, Operation& op, ClauseInterner& interner) {
  JsonCursor c(line);
  uint64_t index = 0;
  std::string_view request, expect, method;
  if (!c.lit(R"({"type":"op","index":)") || !c.u64(index) || index != expected_index ||
      !c.lit(R"(,"request":)") || c.peek() != '{' || !c.value(request) || !c.lit(R"(,"expect":)") ||
      c.peek() != '{' || !c.value(expect))
    return false;
  JsonCursor m(request);  // op.request.method: a non-empty string (canonical requests start with it)
  if (!m.lit(R"({"method":)") || !m.string(method) || method.empty()) return false;
  if (c.lit(R"(,"clauses":)")) {
    if (!interner.read(c, op.clauses)) return false;
  } else {
    op.clauses = ClauseList();
  }
  if (c.lit(R"(,"features":)")) {
    if (!scan_strings(c, op.features)) return false;
  } else {
    op.features.clear();
  }
  if (!c.lit("}") || !c.at_end()) return false;
  op.index = index;
  op.request.assign_text(request);
  op.expect.assign_text(expect);
  return true;
}

// The same for a scenario line: the state is kept as its text.
bool scan_scenario_line(std::string_view line, ScenarioHeader& s) {
  JsonCursor c(line);
  std::string_view id, state;
  if (!c.lit(R"({"type":"scenario","id":)") || !c.string(id) || id.empty()) return false;
  if (c.lit(R"(,"clauses":)")) {
    if (!scan_strings(c, s.clauses)) return false;
  } else {
    s.clauses.clear();
  }
  if (c.lit(R"(,"features":)")) {
    if (!scan_strings(c, s.features)) return false;
  } else {
    s.features.clear();
  }
  if (!c.lit(R"(,"state":)") || c.peek() != '{' || !c.value(state) || !c.lit("}") || !c.at_end())
    return false;
  s.id.assign(id);
  s.state.assign_text(state);
  return true;
}

// ---- YAML <-> JSON values
// ------------------------------------------------------------------------------------- YAML plain scalars
// are typed the way a person expects in a vector file: decimal integers, true/false and null/~ are typed;
// everything else, hex included (`0x40001234`), is a string, matching the JSON encoding where wide values are
// hex strings (docs/formats.md). Quoted scalars are always strings.

bool is_decimal(std::string_view s) {
  size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

bool is_float(std::string_view s) {
  if (s.empty()) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  bool digits = false, dot = false, exp = false;
  for (; i < s.size(); ++i) {
    char ch = s[i];
    if (ch >= '0' && ch <= '9') {
      digits = true;
    } else if (ch == '.' && !dot && !exp) {
      dot = true;
    } else if ((ch == 'e' || ch == 'E') && digits && !exp) {
      exp = true;
      digits = false;
      if (i + 1 < s.size() && (s[i + 1] == '+' || s[i + 1] == '-')) ++i;
    } else {
      return false;
    }
  }
  return digits && (dot || exp);
}

Json infer_plain(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (is_decimal(s)) {
    errno = 0;
    if (s[0] == '-') {
      long long v = std::strtoll(s.c_str(), nullptr, 10);
      if (errno != ERANGE) return int64_t(v);
    } else {
      unsigned long long v = std::strtoull(s.c_str(), nullptr, 10);
      if (errno != ERANGE) return uint64_t(v);
    }
    return s;  // out of range: kept as text so the field check reports it
  }
  if (is_float(s)) return std::strtod(s.c_str(), nullptr);
  return s;
}

size_t yaml_line(const YAML::Node& n) {
  auto m = n.Mark();
  return m.line < 0 ? 0 : size_t(m.line) + 1;
}

Json yaml_to_json(const YAML::Node& n, const std::string& path) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags plain scalars "?" and quoted ones "!".
      if (n.Tag() == "!") return n.Scalar();
      return infer_plain(n.Scalar());
    case YAML::NodeType::Sequence: {
      Json a = Json::array();
      for (const auto& e : n) a.push_back(yaml_to_json(e, path));
      return a;
    }
    case YAML::NodeType::Map: {
      Json o = Json::object();
      for (auto it = n.begin(); it != n.end(); ++it) {
        if (!it->first.IsScalar())
          throw InputError(located(path, yaml_line(it->first), "keys must be strings"));
        const std::string& k = it->first.Scalar();
        if (o.contains(k)) throw InputError(located(path, yaml_line(it->first), k + ": duplicate key"));
        o[k] = yaml_to_json(it->second, path);
      }
      return o;
    }
    default:
      return nullptr;
  }
}

bool needs_quotes(const std::string& s) {
  if (!infer_plain(s).is_string()) return true;
  // Also quote what other YAML readers (YAML 1.1: hex, octal, yes/no) would not read back as this string.
  char c0 = s[0];
  if ((c0 >= '0' && c0 <= '9') || c0 == '-' || c0 == '+' || c0 == '.') return true;
  std::string lower;
  for (char ch : s) lower += char(std::tolower(static_cast<unsigned char>(ch)));
  return lower == "yes" || lower == "no" || lower == "on" || lower == "off" || lower == "y" || lower == "n";
}

bool all_scalars(const Json& a) {
  for (const auto& e : a)
    if (e.is_structured()) return false;
  return true;
}

void emit_json(YAML::Emitter& out, const Json& j) {
  switch (j.type()) {
    case Json::value_t::object:
      if (j.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
      }
      out << YAML::BeginMap;
      for (const auto& [k, v] : j.items()) {
        out << YAML::Key;
        if (needs_quotes(k)) out << YAML::DoubleQuoted;
        out << k << YAML::Value;
        emit_json(out, v);
      }
      out << YAML::EndMap;
      return;
    case Json::value_t::array:
      if (all_scalars(j)) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& e : j) emit_json(out, e);
      out << YAML::EndSeq;
      return;
    case Json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      if (needs_quotes(s)) out << YAML::DoubleQuoted;
      out << s;
      return;
    }
    case Json::value_t::boolean:
      out << (j.get<bool>() ? "true" : "false");
      return;
    case Json::value_t::number_unsigned:
    case Json::value_t::number_integer:
    case Json::value_t::number_float:
      out << j.dump();  // nlohmann's shortest round-trip spelling
      return;
    default:
      out << YAML::Null;  // a plain "null" string would be quoted ("null"), and read back as a string
      return;
  }
}

}  // namespace

VectorEncoding vector_encoding(const std::string& path) {
  if (ends_with(path, ".jsonl")) return VectorEncoding::Jsonl;
  if (ends_with(path, ".yaml") || ends_with(path, ".yml")) return VectorEncoding::Yaml;
  throw InputError(located(path, 0, "unknown vector file type (expected .jsonl, .yaml or .yml)"));
}

// ---- reader
// ---------------------------------------------------------------------------------------------------

struct VectorReader::Impl {
  std::string path;
  bool jsonl = true;
  // JSONL
  static constexpr std::streamsize kReadBuffer = 1 << 20;
  std::unique_ptr<char[]> read_buffer = std::make_unique<char[]>(kReadBuffer);
  std::ifstream in;
  size_t lineno = 0;
  std::string line;  // the last line read (its buffer is reused)
  ClauseInterner interner;
  // YAML
  YAML::Node root;
  YAML::Node scenarios;
  size_t yaml_scenario = 0, yaml_op = 0;
  // both
  bool in_scenario = false;
  uint64_t next_index = 0;
  std::optional<VectorEvent>
      pending;  // a scenario line read while the previous scenario still needed its End
  // Scenario ids must be unique (resume and --scenario rely on it): one entry per scenario, not per op.
  std::map<std::string, size_t> id_lines;

  void check_unique(const ScenarioHeader& s, size_t line) {
    auto [it, fresh] = id_lines.emplace(s.id, line);
    if (!fresh)
      throw InputError(located(
          path, line,
          "scenario.id: duplicate `" + s.id + "` (first at line " + std::to_string(it->second) + ")"));
  }

  // Reads one line into `line`; false at end of file. Memory is bounded by the longest line.
  bool read_line() {
    if (!std::getline(in, line)) {
      if (in.bad()) throw InputError(located(path, lineno + 1, "read error"));
      return false;
    }
    ++lineno;
    return true;
  }

  // Parses the line just read (the strict path: every error located).
  void parse_line(Json& j) {
    bool no_newline = in.eof();
    if (line.empty() || line.find_first_not_of(" \t\r") == std::string::npos)
      throw InputError(located(path, lineno, "empty line"));
    try {
      j = Json::parse(line);
    } catch (const Json::parse_error& e) {
      if (no_newline)
        throw InputError(located(path, lineno, "truncated line (no newline and not valid JSON)"));
      std::string msg = e.what();
      auto pos = msg.find("] ");
      throw InputError(
          located(path, lineno, "invalid JSON: " + (pos == std::string::npos ? msg : msg.substr(pos + 2))));
    }
  }

  bool read_json_line(Json& j) {
    if (!read_line()) return false;
    parse_line(j);
    return true;
  }

  // A scenario line was read into `begin`: it becomes the next event, after the previous scenario's End.
  bool begin_scenario(VectorEvent&& begin, VectorEvent& ev) {
    begin.kind = VectorEventKind::ScenarioBegin;
    begin.line = lineno;
    check_unique(begin.scenario, lineno);
    if (in_scenario) {
      pending = std::move(begin);
      in_scenario = false;
      ev.kind = VectorEventKind::ScenarioEnd;
      ev.line = lineno;
      return true;
    }
    ev = std::move(begin);
    in_scenario = true;
    next_index = 0;
    return true;
  }

  bool next_jsonl(VectorEvent& ev) {
    if (pending) {
      ev = std::move(*pending);
      pending.reset();
      in_scenario = true;
      next_index = 0;
      return true;
    }
    if (!read_line()) {
      if (in_scenario) {
        in_scenario = false;
        ev.kind = VectorEventKind::ScenarioEnd;
        ev.line = lineno;
        return true;
      }
      return false;
    }
    if (in_scenario && scan_op_line(line, next_index, ev.op, interner)) {
      ev.kind = VectorEventKind::Op;
      ev.line = lineno;
      ++next_index;
      return true;
    }
    VectorEvent begin;
    if (scan_scenario_line(line, begin.scenario)) return begin_scenario(std::move(begin), ev);
    Json j;
    parse_line(j);
    Checker c(path, lineno);
    if (!j.is_object()) c.fail("type", "expected an object, found " + type_name(j));
    std::string type = c.string(c.need(j, "", "type"), "type");
    if (type == "scenario") {
      begin.scenario = parse_scenario(j, c, true);
      return begin_scenario(std::move(begin), ev);
    }
    if (type == "op") {
      if (!in_scenario) c.fail("op", "operation before any scenario");
      ev.kind = VectorEventKind::Op;
      ev.line = lineno;
      ev.op = parse_op(j, c, next_index, true);
      ++next_index;
      return true;
    }
    if (type == "vectors") c.fail("type", "a second header (\"vectors\") inside the file");
    c.fail("type", "unknown type \"" + type + "\" (expected scenario or op)");
  }

  bool next_yaml(VectorEvent& ev) {
    if (!scenarios || yaml_scenario >= scenarios.size()) return false;
    YAML::Node s = scenarios[yaml_scenario];
    size_t line = yaml_line(s);
    Checker c(path, line);
    if (!in_scenario) {
      Json j = yaml_to_json(s, path);
      ev.kind = VectorEventKind::ScenarioBegin;
      ev.line = line;
      ev.scenario = parse_scenario(j, c, false);
      if (j.contains("ops") && !j["ops"].is_array()) c.fail("scenario.ops", "expected a list");
      check_unique(ev.scenario, line);
      in_scenario = true;
      yaml_op = 0;
      return true;
    }
    YAML::Node ops = s["ops"];
    if (ops && ops.IsSequence() && yaml_op < ops.size()) {
      YAML::Node o = ops[yaml_op];
      Checker oc(path, yaml_line(o));
      ev.kind = VectorEventKind::Op;
      ev.line = yaml_line(o);
      ev.op = parse_op(yaml_to_json(o, path), oc, yaml_op, false);
      ++yaml_op;
      return true;
    }
    ev.kind = VectorEventKind::ScenarioEnd;
    ev.line = line;
    in_scenario = false;
    ++yaml_scenario;
    return true;
  }
};

VectorReader::VectorReader() = default;
VectorReader::~VectorReader() = default;

void VectorReader::open(const std::string& path, std::string_view expected_suite) {
  path_ = path;
  impl_ = std::make_unique<Impl>();
  impl_->path = path;
  impl_->jsonl = vector_encoding(path) == VectorEncoding::Jsonl;
  if (impl_->jsonl) {
    // Lines are read through a 1 MB buffer: vectors files are hundreds of MB.
    impl_->in.rdbuf()->pubsetbuf(impl_->read_buffer.get(), Impl::kReadBuffer);
    impl_->in.open(path, std::ios::binary);
    if (!impl_->in) throw InputError(located(path, 0, std::string("cannot read: ") + std::strerror(errno)));
    Json j;
    if (!impl_->read_json_line(j)) throw InputError(located(path, 1, "header: missing (empty file)"));
    header_ = parse_header(j, Checker(path, 1), true);
  } else {
    try {
      impl_->root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
      throw InputError(located(path, 0, "cannot read"));
    } catch (const YAML::ParserException& e) {
      throw InputError(located(path, e.mark.line < 0 ? 0 : size_t(e.mark.line) + 1, e.msg));
    }
    const YAML::Node& root = impl_->root;
    Checker c(path, yaml_line(root));
    if (!root.IsMap()) c.fail("vectors", "expected a map with keys vectors, suite, seed, scenarios");
    // Header fields only: scenarios are converted one at a time by next().
    Json h = Json::object();
    for (auto it = root.begin(); it != root.end(); ++it) {
      std::string k = it->first.Scalar();
      if (h.contains(k)) Checker(path, yaml_line(it->first)).fail(k, "duplicate key");
      h[k] = k == "scenarios" ? Json(nullptr) : yaml_to_json(it->second, path);
    }
    header_ = parse_header(h, c, false);
    impl_->scenarios = root["scenarios"];
    if (!impl_->scenarios) c.fail("scenarios", "missing");
    if (!impl_->scenarios.IsSequence() && !impl_->scenarios.IsNull())
      Checker(path, yaml_line(impl_->scenarios)).fail("scenarios", "expected a list");
    if (impl_->scenarios.IsNull()) impl_->scenarios = YAML::Node();
  }
  if (!expected_suite.empty() && header_.suite != expected_suite)
    throw InputError(located(path, impl_->jsonl ? 1 : 0,
                             "suite: the file holds vectors for `" + header_.suite + "`, not `" +
                                 std::string(expected_suite) + "`"));
}

bool VectorReader::next(VectorEvent& event) {
  if (!impl_) throw std::logic_error("VectorReader::next before open");
  return impl_->jsonl ? impl_->next_jsonl(event) : impl_->next_yaml(event);
}

// ---- writer
// ---------------------------------------------------------------------------------------------------

std::string jsonl_header_line(const VectorHeader& h) {
  Json j = {{"type", "vectors"}, {"format", h.format}, {"suite", h.suite}, {"seed", h.seed}};
  if (!h.profile.empty()) j["profile"] = h.profile;
  if (!h.generator.empty()) j["generator"] = h.generator;
  if (!h.spec_sha256.empty()) j["spec_sha256"] = h.spec_sha256;
  return j.dump();
}

std::string jsonl_scenario_line(const ScenarioHeader& s) {
  std::string line = R"({"type":"scenario","id":)";
  append_json_string(line, s.id);
  line += R"(,"clauses":)";
  append_json_strings(line, s.clauses);
  line += R"(,"features":)";
  append_json_strings(line, s.features);
  line += R"(,"state":)";
  line += s.state.text();
  line += '}';
  return line;
}

void append_json_strings(std::string& out, const std::vector<std::string>& list) {
  out += '[';
  for (size_t i = 0; i < list.size(); ++i) {
    if (i != 0) out += ',';
    append_json_string(out, list[i]);
  }
  out += ']';
}

// Written from the values' texts (what the DOM's dump() would write, without building it).
std::string jsonl_op_line(const Operation& op) {
  std::string line = R"({"type":"op","index":)";
  line += std::to_string(op.index);
  line += R"(,"request":)";
  line += op.request.text();
  line += R"(,"expect":)";
  line += op.expect.text();
  line += R"(,"clauses":)";
  line += op.clauses.json();
  line += R"(,"features":)";
  append_json_strings(line, op.features);
  line += '}';
  return line;
}

struct VectorWriter::Impl {
  std::string path, tmp;
  VectorEncoding enc;
  FILE* f = nullptr;
  YAML::Emitter yaml;
  bool in_scenario = false, any_scenario = false, finished = false;
  uint64_t next_index = 0;

  void put(const std::string& line) {
    if (std::fwrite(line.data(), 1, line.size(), f) != line.size() || std::fputc('\n', f) == EOF)
      throw InputError(located(tmp, 0, std::string("write error: ") + std::strerror(errno)));
  }
};

VectorWriter::VectorWriter(const std::string& path, const VectorHeader& header)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->tmp = path + ".tmp";
  impl_->enc = vector_encoding(path);
  impl_->f = std::fopen(impl_->tmp.c_str(), "wb");
  if (!impl_->f)
    throw InputError(located(impl_->tmp, 0, std::string("cannot write: ") + std::strerror(errno)));
  if (impl_->enc == VectorEncoding::Jsonl) {
    impl_->put(jsonl_header_line(header));
  } else {
    auto& y = impl_->yaml;
    y << YAML::BeginMap;
    y << YAML::Key << "vectors" << YAML::Value << header.format;
    y << YAML::Key << "suite" << YAML::Value;
    emit_json(y, header.suite);
    y << YAML::Key << "seed" << YAML::Value << header.seed;
    if (!header.profile.empty()) {
      y << YAML::Key << "profile" << YAML::Value;
      emit_json(y, header.profile);
    }
    if (!header.generator.empty()) {
      y << YAML::Key << "generator" << YAML::Value;
      emit_json(y, header.generator);
    }
    if (!header.spec_sha256.empty()) {
      y << YAML::Key << "spec_sha256" << YAML::Value;
      emit_json(y, header.spec_sha256);
    }
    y << YAML::Key << "scenarios" << YAML::Value << YAML::BeginSeq;
  }
}

VectorWriter::~VectorWriter() {
  if (impl_ && !impl_->finished) {
    if (impl_->f) std::fclose(impl_->f);
    std::remove(impl_->tmp.c_str());
  }
}

void VectorWriter::begin(const ScenarioHeader& s) {
  if (impl_->in_scenario) end();
  impl_->in_scenario = impl_->any_scenario = true;
  impl_->next_index = 0;
  if (impl_->enc == VectorEncoding::Jsonl) {
    impl_->put(jsonl_scenario_line(s));
    return;
  }
  auto& y = impl_->yaml;
  y << YAML::BeginMap;
  y << YAML::Key << "id" << YAML::Value;
  emit_json(y, s.id);
  y << YAML::Key << "clauses" << YAML::Value;
  emit_json(y, Json(s.clauses));
  y << YAML::Key << "features" << YAML::Value;
  emit_json(y, Json(s.features));
  y << YAML::Key << "state" << YAML::Value;
  emit_json(y, s.state);
  y << YAML::Key << "ops" << YAML::Value << YAML::BeginSeq;
}

void VectorWriter::op(const Operation& op) {
  if (!impl_->in_scenario) throw std::logic_error("VectorWriter::op outside a scenario");
  // Indexes are positional in the formats; a generator handing out another index has a bug.
  if (op.index != impl_->next_index)
    throw std::logic_error("VectorWriter::op: index " + std::to_string(op.index) + ", expected " +
                           std::to_string(impl_->next_index));
  ++impl_->next_index;
  if (impl_->enc == VectorEncoding::Jsonl) {
    impl_->put(jsonl_op_line(op));
    return;
  }
  auto& y = impl_->yaml;
  y << YAML::BeginMap;
  y << YAML::Key << "request" << YAML::Value;
  emit_json(y, op.request);
  y << YAML::Key << "expect" << YAML::Value;
  emit_json(y, op.expect);
  y << YAML::Key << "clauses" << YAML::Value;
  emit_json(y, Json(op.clauses.ids()));
  y << YAML::Key << "features" << YAML::Value;
  emit_json(y, Json(op.features));
  y << YAML::EndMap;
}

void VectorWriter::end() {
  if (!impl_->in_scenario) return;
  impl_->in_scenario = false;
  if (impl_->enc == VectorEncoding::Yaml) impl_->yaml << YAML::EndSeq << YAML::EndMap;
}

void VectorWriter::finish() {
  if (impl_->finished) return;
  end();
  if (impl_->enc == VectorEncoding::Yaml) {
    auto& y = impl_->yaml;
    y << YAML::EndSeq << YAML::EndMap;
    if (!y.good()) throw std::logic_error("VectorWriter: YAML emitter: " + y.GetLastError());
    std::string text = y.c_str();
    text += '\n';
    if (std::fwrite(text.data(), 1, text.size(), impl_->f) != text.size())
      throw InputError(located(impl_->tmp, 0, std::string("write error: ") + std::strerror(errno)));
  }
  bool bad = std::fflush(impl_->f) != 0;
  bad = std::fclose(impl_->f) != 0 || bad;
  impl_->f = nullptr;
  if (bad) throw InputError(located(impl_->tmp, 0, std::string("write error: ") + std::strerror(errno)));
  std::error_code ec;
  std::filesystem::rename(impl_->tmp, impl_->path, ec);
  if (ec) throw InputError(located(impl_->path, 0, "cannot rename " + impl_->tmp + ": " + ec.message()));
  impl_->finished = true;
}

}  // namespace vipcts
