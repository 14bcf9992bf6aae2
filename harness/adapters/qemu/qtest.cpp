#include "qtest.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

namespace vipcts::qemu {
namespace {

using Clock = std::chrono::steady_clock;

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    const char* abbrev = sigabbrev_np(WTERMSIG(status));
    return std::string("killed by ") +
           (abbrev ? std::string("SIG") + abbrev : std::to_string(WTERMSIG(status)));
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "ended with wait status " + std::to_string(status);
}

void hex(std::string& out, uint64_t v) {
  char buf[24];
  out += "0x";
  auto r = std::to_chars(buf, buf + sizeof buf, v, 16);
  out.append(buf, r.ptr);
}

uint64_t parse_hex(std::string_view s) {
  if (s.starts_with("0x")) s.remove_prefix(2);
  uint64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size())
    throw QtestError("qtest: expected a hex value, found '" + std::string(s) + "'");
  return v;
}

const char* size_letter(unsigned bytes) {
  switch (bytes) {
    case 1:
      return "b";
    case 2:
      return "w";
    case 4:
      return "l";
    case 8:
      return "q";
  }
  throw std::invalid_argument("qtest: access size must be 1, 2, 4 or 8 bytes");
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::string base64_encode(std::span<const uint8_t> d) {
  std::string out((d.size() + 2) / 3 * 4, '=');
  char* o = out.data();
  size_t i = 0;
  for (; i + 3 <= d.size(); i += 3, o += 4) {
    const uint32_t v = (uint32_t{d[i]} << 16) | (uint32_t{d[i + 1]} << 8) | d[i + 2];
    o[0] = kB64[v >> 18];
    o[1] = kB64[(v >> 12) & 63];
    o[2] = kB64[(v >> 6) & 63];
    o[3] = kB64[v & 63];
  }
  if (i < d.size()) {  // one or two bytes left: the '=' padding is already in place
    uint32_t v = uint32_t{d[i]} << 16;
    if (i + 1 < d.size()) v |= uint32_t{d[i + 1]} << 8;
    o[0] = kB64[v >> 18];
    o[1] = kB64[(v >> 12) & 63];
    if (i + 1 < d.size()) o[2] = kB64[(v >> 6) & 63];
  }
  return out;
}

std::vector<uint8_t> base64_decode(std::string_view t) {
  static const auto table = [] {
    std::array<int8_t, 256> a{};
    a.fill(-1);
    for (int i = 0; i < 64; ++i) a[static_cast<uint8_t>(kB64[i])] = static_cast<int8_t>(i);
    return a;
  }();
  auto sextet = [&](char c) {
    const int v = table[static_cast<uint8_t>(c)];
    if (v < 0) throw QtestError("qtest: invalid base64 character in a b64read reply");
    return static_cast<uint32_t>(v);
  };
  // Whole groups of four characters first (the replies are mostly event records and slots: kilobytes), then
  // the last group, which may be short or padded.
  const size_t body = t.empty() ? 0 : (t.size() - 1) / 4 * 4;
  std::vector<uint8_t> out(body / 4 * 3);
  uint8_t* o = out.data();
  for (size_t i = 0; i < body; i += 4, o += 3) {
    const uint32_t v = sextet(t[i]) << 18 | sextet(t[i + 1]) << 12 | sextet(t[i + 2]) << 6 | sextet(t[i + 3]);
    o[0] = static_cast<uint8_t>(v >> 16);
    o[1] = static_cast<uint8_t>(v >> 8);
    o[2] = static_cast<uint8_t>(v);
  }
  uint32_t acc = 0;
  int bits = 0;
  for (char c : t.substr(body)) {
    if (c == '=') break;
    acc = (acc << 6) | sextet(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  return out;
}

Qtest::Qtest(const QemuOptions& o) : timeout_ms_(o.timeout_ms) {
  // A write to a QEMU that died must fail with EPIPE rather than kill vipcts; a handler of an embedding
  // program is left alone.
  struct sigaction old {};
  if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) signal(SIGPIPE, SIG_IGN);
  argv_ = {o.binary, "-qtest", "stdio", "-qtest-log", "none", "-display", "none", "-nodefaults"};
  if (o.qmp) {
    char tmpl[] = "/tmp/vipcts-qmp-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    qmp_path_ = std::string(tmpl) + "/qmp.sock";
    argv_.push_back("-qmp");
    argv_.push_back("unix:" + qmp_path_ + ",server=on,wait=off");
  }
  argv_.insert(argv_.end(), o.args.begin(), o.args.end());

  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const int err = open(o.stderr_log.empty() ? "/dev/null" : o.stderr_log.c_str(),
                       O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  std::vector<char*> cargv;
  for (auto& a : argv_) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    // QEMU must not outlive vipcts: a leaked TCG instance spins a core.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    setpgid(0, 0);
    dup2(in[0], 0);
    dup2(out[1], 1);
    if (err >= 0) dup2(err, 2);
    execvp(cargv[0], cargv.data());
    std::fprintf(stderr, "vipcts: cannot execute %s: %s\n", cargv[0], std::strerror(errno));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  if (err >= 0) close(err);
  to_ = in[1];
  from_ = out[0];
  fcntl(to_, F_SETFL, fcntl(to_, F_GETFL) | O_NONBLOCK);  // flush() interleaves writes and reads
  // The first reply proves the qtest channel works (and QEMU accepted its command line).
  const unsigned saved = timeout_ms_;
  timeout_ms_ = o.start_timeout_ms;
  try {
    command("readl 0x0");
  } catch (const QtestError&) {
    // Any reply will do: address 0 may be unassigned on some machines.
  }
  timeout_ms_ = saved;
  if (o.qmp) connect_qmp(qmp_path_, o.start_timeout_ms);
}

Qtest::~Qtest() {
  if (std::getenv("VIPCTS_QTEST_STATS") && stat_flushes_)
    std::fprintf(
        stderr,
        "qtest: %llu round trips, %llu commands, %llu bytes sent, %llu received, %.3f s waiting (%.1f us "
        "per round trip); QEMU's CPU time %s\n",
        static_cast<unsigned long long>(stat_flushes_), static_cast<unsigned long long>(stat_commands_),
        static_cast<unsigned long long>(stat_sent_), static_cast<unsigned long long>(stat_received_),
        stat_wait_s_, 1e6 * stat_wait_s_ / static_cast<double>(stat_flushes_), cpu_time().c_str());
  shutdown();
}

std::string Qtest::cpu_time() const {
  // utime and stime, fields 14 and 15 of /proc/PID/stat (proc(5)), counted after the command name's ')'.
  std::FILE* f = pid_ > 0 ? std::fopen(("/proc/" + std::to_string(pid_) + "/stat").c_str(), "r") : nullptr;
  if (!f) return "unknown";
  char buf[1024];
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');
  unsigned long long utime = 0, stime = 0;
  if (!p || std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
    return "unknown";
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  char out[64];
  std::snprintf(out, sizeof out, "%.2f s user + %.2f s sys", static_cast<double>(utime) / hz,
                static_cast<double>(stime) / hz);
  return out;
}

void Qtest::shutdown() {
  if (to_ >= 0) close(to_);
  if (from_ >= 0) close(from_);
  if (qmp_fd_ >= 0) close(qmp_fd_);
  to_ = from_ = qmp_fd_ = -1;
  if (pid_ > 0) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_ = describe_status(status);
    } else {
      kill(pid_, SIGTERM);
      const auto deadline = Clock::now() + std::chrono::milliseconds(1000);
      pid_t r = 0;
      while ((r = waitpid(pid_, &status, WNOHANG)) == 0 && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (r == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
      if (exit_.empty()) exit_ = describe_status(status);
    }
    pid_ = -1;
  }
  if (!qmp_path_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(qmp_path_).parent_path(), ec);
    qmp_path_.clear();
  }
}

bool Qtest::alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    exit_ = describe_status(status);
    pid_ = -1;
    return false;
  }
  return true;
}

void Qtest::died(const std::string& context, bool timeout) {
  std::string what;
  if (timeout) {
    what = "QEMU did not answer " + context + " within " + std::to_string(timeout_ms_) + " ms";
  } else {
    // Give the kernel a moment to report the exit status that explains the EOF.
    for (int i = 0; i < 200 && alive(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    what = "QEMU " + (exit_.empty() ? std::string("closed its qtest channel") : exit_) + " (" + context + ")";
  }
  shutdown();
  throw QemuDied(what, timeout);
}

std::string Qtest::read_line(int fd, std::string& buf, unsigned timeout_ms, bool drop_irq) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  size_t scanned = 0;
  for (;;) {
    const size_t nl = buf.find('\n', scanned);
    if (nl != std::string::npos) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      scanned = 0;
      if (drop_irq && line.starts_with("IRQ")) continue;
      return line;
    }
    scanned = buf.size();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) died("a command", true);
    pollfd p{fd, POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) died("a command", true);
    char chunk[65536];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) died("reading a reply", false);
    buf.append(chunk, static_cast<size_t>(n));
  }
}

size_t Qtest::take_replies(std::vector<std::string>& replies) {
  size_t n = 0, pos = 0;
  for (size_t nl; (nl = inbuf_.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    std::string_view line(inbuf_.data() + pos, nl - pos);
    if (line.starts_with("IRQ")) continue;  // asynchronous interrupt notifications
    replies.emplace_back(line);
    ++n;
  }
  inbuf_.erase(0, pos);
  return n;
}

std::vector<std::string> Qtest::flush() {
  std::vector<std::string> replies;
  if (pending_ == 0) return replies;
  if (to_ < 0) throw QemuDied("QEMU is not running", false);
  std::string q;
  q.swap(outq_);
  const size_t n = pending_;
  pending_ = 0;
  replies.reserve(n);
  ++stat_flushes_;
  stat_commands_ += n;
  stat_sent_ += q.size();
  const auto started = Clock::now();
  size_t sent = 0;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_);
  while (replies.size() < n) {
    pollfd p[2] = {{from_, POLLIN, 0}, {to_, static_cast<short>(sent < q.size() ? POLLOUT : 0), 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) died("a command", true);
    const int r = poll(p, 2, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) died("a command", true);
    if (sent < q.size() && (p[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t w = ::write(to_, q.data() + sent, q.size() - sent);
      if (w < 0 && errno != EINTR && errno != EAGAIN) died("while sending a command", false);
      if (w > 0) sent += static_cast<size_t>(w);
    }
    if (p[0].revents & (POLLIN | POLLERR | POLLHUP)) {
      char chunk[65536];
      const ssize_t got = ::read(from_, chunk, sizeof chunk);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) died("reading a reply", false);
      inbuf_.append(chunk, static_cast<size_t>(got));
      stat_received_ += static_cast<uint64_t>(got);
      if (take_replies(replies) > 0) deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_);
    }
  }
  stat_wait_s_ += std::chrono::duration<double>(Clock::now() - started).count();
  for (auto& r : replies) {
    if (r.starts_with("OK")) {
      r.erase(0, r.size() > 3 ? 3 : r.size());
    } else {
      throw QtestError("qtest: " +
                       (r.starts_with("FAIL") ? r : "unexpected reply '" + r.substr(0, 80) + "'"));
    }
  }
  return replies;
}

uint64_t Qtest::value(const std::string& reply) {
  return parse_hex(reply);
}

std::vector<uint8_t> Qtest::bytes(const std::string& reply, size_t expect_len) {
  std::vector<uint8_t> d = base64_decode(reply);
  if (d.size() != expect_len)
    throw QtestError("qtest: b64read returned " + std::to_string(d.size()) + " bytes, asked " +
                     std::to_string(expect_len));
  return d;
}

std::string Qtest::command(std::string_view line) {
  const size_t i = queue(line);
  return flush()[i];
}

size_t Qtest::queue(std::string_view line) {
  outq_ += line;
  outq_ += '\n';
  return pending_++;
}

uint64_t Qtest::read(unsigned bytes, uint64_t addr) {
  const size_t i = queue_read(bytes, addr);
  return value(flush()[i]);
}

void Qtest::write(unsigned bytes, uint64_t addr, uint64_t value) {
  queue_write(bytes, addr, value);
  flush();
}

std::vector<uint8_t> Qtest::b64read(uint64_t addr, size_t len) {
  const size_t i = queue_b64read(addr, len);
  return bytes(flush()[i], len);
}

void Qtest::b64write(uint64_t addr, std::span<const uint8_t> data) {
  queue_b64write(addr, data);
  flush();
}

size_t Qtest::queue_read(unsigned bytes, uint64_t addr) {
  std::string c = std::string("read") + size_letter(bytes) + ' ';
  hex(c, addr);
  return queue(c);
}

size_t Qtest::queue_b64read(uint64_t addr, size_t len) {
  std::string c = "b64read ";
  hex(c, addr);
  c += ' ';
  hex(c, len);
  return queue(c);
}

void Qtest::queue_write(unsigned bytes, uint64_t addr, uint64_t value) {
  outq_ += "write";
  outq_ += size_letter(bytes);
  outq_ += ' ';
  hex(outq_, addr);
  outq_ += ' ';
  hex(outq_, value);
  outq_ += '\n';
  ++pending_;
}

void Qtest::queue_b64write(uint64_t addr, std::span<const uint8_t> data) {
  if (data.empty()) return;
  outq_ += "b64write ";
  hex(outq_, addr);
  outq_ += ' ';
  hex(outq_, data.size());
  outq_ += ' ';
  outq_ += base64_encode(data);
  outq_ += '\n';
  ++pending_;
}

void Qtest::queue_memset(uint64_t addr, uint64_t len, uint8_t byte) {
  if (len == 0) return;
  outq_ += "memset ";
  hex(outq_, addr);
  outq_ += ' ';
  hex(outq_, len);
  outq_ += ' ';
  hex(outq_, byte);
  outq_ += '\n';
  ++pending_;
}

void Qtest::connect_qmp(const std::string& path, unsigned timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  for (;;) {
    qmp_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(qmp_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) break;
    close(qmp_fd_);
    qmp_fd_ = -1;
    if (Clock::now() > deadline) died("the QMP connection", true);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  read_line(qmp_fd_, qmpbuf_, timeout_ms_, false);  // the greeting
  qmp("qmp_capabilities");
}

std::string Qtest::qmp(std::string_view name, std::string_view args_json) {
  if (qmp_fd_ < 0) throw QtestError("QMP is not enabled for this QEMU");
  std::string req =
      R"({"execute":")" + std::string(name) + R"(","arguments":)" + std::string(args_json) + "}\n";
  for (std::string_view d = req; !d.empty();) {
    const ssize_t n = ::write(qmp_fd_, d.data(), d.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      died("while sending a QMP command", false);
    }
    d.remove_prefix(static_cast<size_t>(n));
  }
  for (;;) {
    const std::string line = read_line(qmp_fd_, qmpbuf_, timeout_ms_, false);
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) throw QtestError("QMP: not JSON: " + line.substr(0, 80));
    if (j.contains("event")) {
      if (qmp_events_.size() < 64)
        qmp_events_.push_back(j["event"].is_string() ? j["event"].get<std::string>() : "");
      continue;
    }
    if (j.contains("error"))
      throw QtestError("QMP " + std::string(name) + ": " + j["error"].value("desc", std::string("error")));
    if (j.contains("return")) return j["return"].dump();
  }
}

void Qtest::qmp_event(std::string_view name) {
  if (qmp_fd_ < 0) throw QtestError("QMP is not enabled for this QEMU");
  for (;;) {
    if (const auto it = std::find(qmp_events_.begin(), qmp_events_.end(), name); it != qmp_events_.end()) {
      qmp_events_.erase(qmp_events_.begin(), it + 1);
      return;
    }
    const std::string line = read_line(qmp_fd_, qmpbuf_, timeout_ms_, false);
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) throw QtestError("QMP: not JSON: " + line.substr(0, 80));
    if (j.contains("event") && j["event"].is_string()) qmp_events_.push_back(j["event"].get<std::string>());
  }
}

}  // namespace vipcts::qemu
