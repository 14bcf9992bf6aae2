// exec: an implementation in a child process speaking JSON Lines on stdin/stdout (docs/formats.md §3).
//
// Supervision (ARCHITECTURE.md, "Isolation"): every operation has a deadline of timeout_ms after the previous
// response; a child that exits, is killed, stops answering or writes something that is not the protocol gives
// that operation a crash / timeout / error observation, and is killed (whole process group, so grandchildren
// started by /bin/sh or a wrapper die too) and reaped. The next operation restarts it, repeats hello,
// re-opens the scenario and replays the operations of the scenario that preceded the failed one, so later
// operations see the state they would have seen.
//
// Hot path: requests are serialised once, written in batches (one write() per window of `batch` requests, the
// pipe polled both ways so a child that answers before reading everything cannot deadlock us), responses are
// split from one reusable buffer and parsed straight from it.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "harness/adapters/adapters.hpp"
#include "harness/core/errors.hpp"
#include "harness/core/json_text.hpp"
#include "vipcts_version.hpp"

namespace vipcts {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kProtocolVersion = 1;  // docs/formats.md §3

// Writes to a child that died must fail with EPIPE, not kill vipcts. Only replaces the default disposition,
// so an embedding program's own SIGPIPE handler is left alone.
void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction old {};
    if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) {
      struct sigaction sa {};
      sa.sa_handler = SIG_IGN;
      sigemptyset(&sa.sa_mask);
      sigaction(SIGPIPE, &sa, nullptr);
    }
  });
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) return "killed by " + signal_name(WTERMSIG(status));
  if (WIFEXITED(status)) {
    int code = WEXITSTATUS(status);
    std::string text = "exited with status " + std::to_string(code);
    // A shell that did not exec its command reports a child killed by signal N as status 128+N.
    if (code > 128 && code < 128 + 65) text += " (128+" + signal_name(code - 128) + ")";
    return text;
  }
  return "ended with wait status " + std::to_string(status);
}

// Pipes must not land on fds 0-2 (possible when vipcts itself runs with them closed), or the dup2 calls in
// the child would clobber each other.
int above_stdio(int fd) {
  if (fd > 2) return fd;
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  close(fd);
  return moved;
}

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// One child process and its two pipe ends.
class Child {
 public:
  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { kill_and_reap(); }

  bool running() const { return pid_ > 0; }
  int in_fd() const { return in_fd_; }
  int out_fd() const { return out_fd_; }

  // Returns "" on success, else why the process could not be started.
  std::string spawn(const std::vector<std::string>& argv, const std::string& stderr_log) {
    ignore_sigpipe_once();
    int to_child[2], from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
    if (pipe2(from_child, O_CLOEXEC) != 0) {
      int e = errno;
      close(to_child[0]);
      close(to_child[1]);
      return std::string("pipe: ") + std::strerror(e);
    }
    for (int* fd : {&to_child[0], &to_child[1], &from_child[0], &from_child[1]}) *fd = above_stdio(*fd);
    int err_fd = -1;
    if (!stderr_log.empty()) {
      err_fd = open(stderr_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (err_fd >= 0) err_fd = above_stdio(err_fd);
      if (err_fd < 0) {
        int e = errno;
        for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1]}) close(fd);
        return "cannot open stderr log " + stderr_log + ": " + std::strerror(e);
      }
    }
    // Everything the child needs is prepared before fork: between fork and exec it may only make
    // async-signal-safe calls (vipcts can be multi-threaded with --jobs).
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    long max_fd = sysconf(_SC_OPEN_MAX);
    if (max_fd < 0 || max_fd > 65536) max_fd = 65536;

    pid_t pid = fork();
    if (pid < 0) {
      int e = errno;
      for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1], err_fd})
        if (fd >= 0) close(fd);
      return std::string("fork: ") + std::strerror(e);
    }
    if (pid == 0) {
      // Own process group: a timeout kills the command and everything it started.
      setpgid(0, 0);
      // SIG_IGN survives exec: give the child the default SIGPIPE back, and an empty signal mask.
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      sigemptyset(&dfl.sa_mask);
      sigaction(SIGPIPE, &dfl, nullptr);
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      if (dup2(to_child[0], 0) < 0 || dup2(from_child[1], 1) < 0 || (err_fd >= 0 && dup2(err_fd, 2) < 0))
        _exit(127);
      // Nothing else of vipcts's leaks into the implementation.
      if (close_range(3, ~0U, 0) != 0)
        for (long fd = 3; fd < max_fd; ++fd) close(static_cast<int>(fd));
      execvp(args[0], args.data());
      static const char msg[] = "vipcts: cannot execute the implementation\n";
      ssize_t ignored = write(2, msg, sizeof msg - 1);
      (void)ignored;
      _exit(127);
    }
    // Also from the parent, so a kill sent before the child ran setpgid still reaches the group.
    setpgid(pid, pid);
    close(to_child[0]);
    close(from_child[1]);
    if (err_fd >= 0) close(err_fd);
    pid_ = pid;
    in_fd_ = to_child[1];
    out_fd_ = from_child[0];
    fcntl(in_fd_, F_SETFL, fcntl(in_fd_, F_GETFL) | O_NONBLOCK);
    fcntl(out_fd_, F_SETFL, fcntl(out_fd_, F_GETFL) | O_NONBLOCK);
    // Larger pipes mean fewer wake-ups per batch; the default size works too.
    fcntl(in_fd_, F_SETPIPE_SZ, 1 << 18);
    fcntl(out_fd_, F_SETPIPE_SZ, 1 << 18);
    return "";
  }

  // After EOF on stdout: waits until `deadline` for the child to exit, then kills what is left of its group
  // and reaps it. Returns how it ended.
  std::string finish(Clock::time_point deadline) {
    if (pid_ <= 0) return "not running";
    close_fd(in_fd_);
    bool exited = false;
    for (auto pause = std::chrono::microseconds(50);; pause = std::min(pause * 2, decltype(pause)(5000))) {
      siginfo_t info{};
      // WNOWAIT: the leader stays a zombie, so its pid (the group id) cannot be reused before the group kill.
      if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == pid_) {
        exited = true;
        break;
      }
      if (Clock::now() >= deadline) break;
      std::this_thread::sleep_for(pause);
    }
    int status = reap();
    if (!exited) return "closed its stdout without exiting (killed)";
    return describe_status(status);
  }

  // Kills the process group and reaps the leader. Returns the wait status (or -1 if nothing ran).
  int kill_and_reap() { return pid_ > 0 ? reap() : -1; }

 private:
  int reap() {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    close_fd(in_fd_);
    close_fd(out_fd_);
    return status;
  }

  pid_t pid_ = -1;
  int in_fd_ = -1;
  int out_fd_ = -1;
};

// Splits the child's stdout into lines without copying them.
class LineBuffer {
 public:
  // Next complete line (without '\n'), or nullopt.
  std::optional<std::string_view> next() {
    if (pos_ == len_) return std::nullopt;
    const char* start = data_.get() + pos_;
    const void* nl = std::memchr(start, '\n', len_ - pos_);
    if (!nl) return std::nullopt;
    size_t n = static_cast<const char*>(nl) - start;
    pos_ += n + 1;
    return std::string_view(start, n);
  }
  // Reads what is available: >0 bytes read, 0 = EOF, -1 = nothing now (EAGAIN/EINTR), -2 = error.
  ssize_t fill(int fd) {
    if (pos_ == len_) {
      pos_ = len_ = 0;
    } else if (pos_ > 0 && len_ + kChunk > cap_) {
      std::memmove(data_.get(), data_.get() + pos_, len_ - pos_);
      len_ -= pos_;
      pos_ = 0;
    }
    if (len_ + kChunk > cap_) {
      size_t cap = std::max(cap_ * 2, len_ + kChunk);
      std::unique_ptr<char[]> bigger(new char[cap]);
      if (len_) std::memcpy(bigger.get(), data_.get(), len_);
      data_ = std::move(bigger);
      cap_ = cap;
    }
    ssize_t n = read(fd, data_.get() + len_, cap_ - len_);
    if (n > 0) len_ += static_cast<size_t>(n);
    if (n < 0) return (errno == EAGAIN || errno == EINTR) ? -1 : -2;
    return n;
  }
  void clear() { pos_ = len_ = 0; }

 private:
  static constexpr size_t kChunk = 1 << 16;
  std::unique_ptr<char[]> data_;
  size_t cap_ = 0, len_ = 0, pos_ = 0;
};

struct Failure {
  size_t index;  // which of the exchanged requests did not get its answer: the oldest unanswered one
  ObservationKind kind;
  std::string message;
  size_t in_flight = 1;  // requests sent (or queued) but unanswered at the failure, from `index` on
  // The failure came before the exchanged requests: at the previous scenario's close, or at this scenario's
  // open sent ahead of them.
  bool in_prefix = false;
};

// A request serialised once: the JSON object text without its leading '{', so "{\"id\":N," + tail is the
// line.
std::string request_tail(std::string_view request) {
  return std::string(request.substr(request.empty() ? 0 : 1));
}

// A response in the shape implementations normally write, {"id":N,"result":VALUE} with VALUE compact JSON
// in the canonical subset (harness/core/json_text.hpp), read without a DOM. False for anything else, which
// the strict DOM path then accepts or reports.
bool scan_result(std::string_view line, uint64_t& id, std::string_view& result) {
  JsonCursor c(line);
  return c.lit("{\"id\":") && c.u64(id) && c.lit(",\"result\":") && c.value(result) && c.lit("}") &&
         c.at_end();
}

std::string excerpt(std::string_view line) {
  constexpr size_t kMax = 80;
  std::string out(line.substr(0, kMax));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  if (line.size() > kMax) out += "...";
  return out;
}

class ExecImplementation final : public Implementation {
 public:
  explicit ExecImplementation(ExecConfig config) : config_(std::move(config)) {
    if (config_.batch == 0) config_.batch = 1;
    if (config_.timeout_ms == 0) config_.timeout_ms = 1;
    info_.id = config_.id;
    if (auto failure = start()) throw InputError(config_.id + ": " + failure->message);
  }

  ~ExecImplementation() override {
    if (!child_.running()) return;
    // Polite first: collect a pending close, ask for shutdown, let it exit; then the group kill in finish().
    std::string shutdown = R"("method":"shutdown","params":{}})";
    exchange({&shutdown, 1});
    auto grace = Clock::now() + std::chrono::milliseconds(std::min(config_.timeout_ms, 1000u));
    if (child_.running()) child_.finish(grace);
  }

  const ImplementationInfo& info() const override { return info_; }

  Observation open(const Suite& suite, const ScenarioHeader& header) override {
    in_scenario_ = true;
    scenario_failure_.reset();
    log_.clear();
    if (given_up_) return fail_scenario({ObservationKind::Error, {}, *given_up_});
    open_tail_.clear();
    open_tail_ += R"("method":"open","params":{"suite":)";
    open_tail_ += Json(std::string(suite.name())).dump();
    open_tail_ += R"(,"scenario":)";
    open_tail_ += Json(header.id).dump();
    open_tail_ += R"(,"state":)";
    open_tail_ += header.state.text();
    open_tail_ += "}}";

    if (!child_.running()) {
      if (auto failure = start())
        return fail_scenario({failure->kind, {}, "restart failed: " + failure->message});
    }
    // open is not awaited: it goes out in front of the scenario's first operations (after the previous
    // scenario's close), so a scenario costs one round trip, not two. Its answer is checked when they come
    // back; if it was refused, the operations' answers are discarded and each gets the open's failure, as if
    // they had never been sent (docs/formats.md §3).
    open_pending_ = true;
    Observation accepted;
    accepted.text = "{}";
    return accepted;
  }

  // The protocol is text: apply() is apply_text() with DOMs around it.
  std::vector<Observation> apply(std::span<const Json> requests) override {
    std::vector<std::string> texts;
    texts.reserve(requests.size());
    for (const Json& r : requests) texts.push_back(r.dump());
    std::vector<std::string_view> views(texts.begin(), texts.end());
    std::vector<Observation> out = apply_text(views);
    for (Observation& o : out)
      if (o.kind == ObservationKind::Outcome) o.outcome = Json::parse(o.text);
    return out;
  }

  std::vector<Observation> apply_text(std::span<const std::string_view> requests) override {
    std::vector<Observation> out(requests.size());
    if (!in_scenario_) {
      for (auto& o : out) o = {ObservationKind::Error, {}, "apply() without an open scenario"};
      return out;
    }
    std::vector<std::string> tails;
    tails.reserve(requests.size());
    for (std::string_view r : requests) tails.push_back(request_tail(r));

    size_t done = 0;
    while (done < requests.size()) {
      if (given_up_ && !scenario_failure_) fail_scenario({ObservationKind::Error, {}, *given_up_});
      if (scenario_failure_) {
        for (size_t k = done; k < out.size(); ++k) out[k] = *scenario_failure_;
        break;
      }
      if (!child_.running()) {
        if (auto failure = restore_scenario()) {
          fail_scenario({failure->kind, {}, "restart after a failure: " + failure->message});
          continue;
        }
      }
      std::span<std::string> rest(tails.data() + done, tails.size() - done);
      auto failure = exchange(rest, [&](size_t k, Observation&& obs) {
        out[done + k] = std::move(obs);
        log_.push_back(std::move(rest[k]));
      });
      if (failure && failure->in_prefix) {
        // Nothing came back from the open (or the previous scenario's close): the failure belongs to it or
        // to an operation in flight with it (a child that buffers its answers loses them all). The open is
        // sent again alone first, then the operations are isolated as usual.
        child_.kill_and_reap();
        open_answer_.reset();
        if (auto refused = open_now()) {
          open_refused_ = true;
          fail_scenario(std::move(*refused));
          continue;
        }
        const size_t suspects = std::min(failure->in_flight, requests.size() - done);
        if (suspects <= 1) {
          out[done] = {failure->kind, {}, failure->message};
          ++done;
        } else {
          done = isolate(tails, out, done, suspects, *failure);
        }
        continue;
      }
      if (settle_open(failure)) continue;
      if (!failure) {
        protocol_errors_in_a_row_ = 0;
        break;
      }
      child_.kill_and_reap();
      const size_t first = done + failure->index;
      if (failure->index > 0) protocol_errors_in_a_row_ = 0;  // it answered some requests properly
      // A protocol violation (not JSON, wrong id) is the answer to exactly the request it stands in for:
      // answers come in order, so there is nothing to isolate. An implementation that keeps answering with
      // garbage is given up after kMaxProtocolErrorsInARow restarts, so that a run against it ends in error
      // verdicts instead of a restart per operation.
      if (failure->kind == ObservationKind::Error) {
        out[first] = {failure->kind, {}, failure->message};
        done = first + 1;
        if (++protocol_errors_in_a_row_ >= kMaxProtocolErrorsInARow)
          given_up_ = "gave up after " + std::to_string(protocol_errors_in_a_row_) +
                      " protocol errors in a row, the last: " + failure->message;
        continue;
      }
      const size_t suspects = std::min(failure->in_flight, requests.size() - first);
      if (suspects <= 1) {
        out[first] = {failure->kind, {}, failure->message};
        done = first + 1;
        continue;
      }
      done = isolate(tails, out, first, suspects, *failure);
    }
    return out;
  }

  void close() override {
    // The close response is collected lazily by the next exchange (usually already waiting in the pipe), so
    // a scenario costs one round trip (its open goes with its operations).
    const bool opened = !open_pending_ && !open_refused_;
    open_pending_ = false;
    open_refused_ = false;
    if (child_.running() && in_scenario_ && opened) {
      pending_close_tail_ = R"("method":"close","params":{}})";
      pending_close_ = true;
    }
    in_scenario_ = false;
    scenario_failure_.reset();
    log_.clear();
  }

 private:
  Observation fail_scenario(Observation obs) {
    scenario_failure_ = obs;
    return obs;
  }

  // The scenario's open, sent alone and awaited (on a fresh child if needed). Returns the failure every
  // operation of the scenario then gets, worded as the runner words an open failure, or nothing.
  std::optional<Observation> open_now() {
    if (!child_.running()) {
      if (auto failure = start())
        return Observation{failure->kind, {}, "open: restart failed: " + failure->message};
    }
    Observation result;
    auto failure = exchange({&open_tail_, 1}, [&](size_t, Observation&& obs) { result = std::move(obs); });
    if (failure) {
      child_.kill_and_reap();
      return Observation{failure->kind, {}, "open: " + failure->message};
    }
    if (result.kind != ObservationKind::Outcome) {
      result.message = "open: " + result.message;
      return result;
    }
    return std::nullopt;
  }

  // After an exchange that carried the scenario's open and got its answer: if the open was refused, the
  // scenario fails with it and the operations' answers are void. Returns true when it took over the scenario.
  bool settle_open(const std::optional<Failure>& failure) {
    std::optional<Observation> answer = std::move(open_answer_);
    open_answer_.reset();
    if (!answer || answer->kind == ObservationKind::Outcome) return false;
    // The implementation answered the open with an error; it may have answered the operations too, or died
    // on them: a child in an unknown state is not reused.
    if (failure) child_.kill_and_reap();
    open_refused_ = true;
    answer->message = "open: " + answer->message;
    fail_scenario(std::move(*answer));
    return true;
  }

  // Several requests were in flight when the child failed, and a child that buffers its answers may not have
  // sent those it had already computed: the failure belongs to one of them, not necessarily the oldest. Each
  // is re-sent alone on a restored child; the first that fails alone gets the verdict, those before it their
  // answers. If none fails alone, the oldest keeps the original failure, marked as not reproduced, rather
  // than the failure being lost. Returns the index to continue from.
  size_t isolate(std::vector<std::string>& tails, std::vector<Observation>& out, size_t first,
                 size_t suspects, const Failure& original) {
    for (size_t k = first; k < first + suspects; ++k) {
      if (!child_.running()) {
        if (auto failure = restore_scenario()) {
          fail_scenario({failure->kind, {}, "restart after a failure: " + failure->message});
          return k;
        }
      }
      auto failure = exchange({&tails[k], 1}, [&](size_t, Observation&& obs) {
        out[k] = std::move(obs);
        log_.push_back(std::move(tails[k]));
      });
      if (failure) {
        child_.kill_and_reap();
        out[k] = {failure->kind, {}, failure->message};
        return k + 1;
      }
    }
    out[first] = {original.kind,
                  {},
                  original.message + " (with " + std::to_string(suspects) +
                      " requests in flight; not reproduced when they were re-sent one at a time)"};
    return first + suspects;
  }

  // Starts the child and exchanges hello (docs/formats.md §3). On failure the child is gone.
  std::optional<Failure> start() {
    next_id_ = 0;
    pending_close_ = false;
    reader_.clear();
    std::string why = child_.spawn(config_.argv, config_.stderr_log);
    if (!why.empty()) return Failure{0, ObservationKind::Crash, why};
    std::string hello = R"("method":"hello","params":{"protocol":1,"vipcts":")" VIPCTS_VERSION R"("}})";
    Observation answer;
    const unsigned hello_ms = hello_timeout_ms();
    auto failure = exchange(
        {&hello, 1}, [&](size_t, Observation&& obs) { answer = std::move(obs); }, hello_ms);
    if (failure) {
      child_.kill_and_reap();
      if (failure->kind == ObservationKind::Timeout)
        failure->message = "no hello within " + std::to_string(hello_ms) + " ms";
      else
        failure->message += " before answering hello";
      return failure;
    }
    std::string bad;
    if (answer.kind == ObservationKind::Error) {
      bad = "hello refused: " + answer.message;
    } else {
      bad = parse_hello(Json::parse(answer.text));
    }
    if (!bad.empty()) {
      child_.kill_and_reap();
      return Failure{0, ObservationKind::Error, bad};
    }
    return std::nullopt;
  }

  unsigned hello_timeout_ms() const {
    return config_.hello_timeout_ms ? config_.hello_timeout_ms : std::max(config_.timeout_ms, 10000u);
  }

  // Fills info_ from a hello result; returns "" or what is wrong with it.
  std::string parse_hello(const Json& r) {
    if (!r.is_object()) return "bad hello: result is not an object";
    auto protocol = r.find("protocol");
    if (protocol == r.end() || !protocol->is_number_integer())
      return "bad hello: result.protocol: expected an integer";
    if (protocol->get<int64_t>() != kProtocolVersion)
      return "bad hello: result.protocol: vipcts speaks protocol " + std::to_string(kProtocolVersion) +
             ", the implementation " + protocol->dump();
    auto text = [&](const char* key, std::string& into) -> std::string {
      auto it = r.find(key);
      if (it == r.end() || it->is_null()) return "";
      if (!it->is_string()) return std::string("bad hello: result.") + key + ": expected a string";
      into = it->get<std::string>();
      return "";
    };
    ImplementationInfo info;
    info.id = config_.id;
    const std::initializer_list<std::pair<const char*, std::string*>> texts = {
        {"name", &info.name}, {"version", &info.version}, {"profile", &info.profile}};
    for (auto [key, field] : texts)
      if (auto why = text(key, *field); !why.empty()) return why;
    auto features = r.find("features");
    if (features == r.end() || !features->is_array()) return "bad hello: result.features: expected an array";
    for (const Json& f : *features) {
      if (!f.is_string()) return "bad hello: result.features: expected strings";
      info.features.push_back(f.get<std::string>());
    }
    info_ = std::move(info);
    return "";
  }

  // After a failure in a scenario: a fresh child, re-opened, with the scenario's answered operations replayed
  // (their answers discarded).
  std::optional<Failure> restore_scenario() {
    if (auto failure = start()) return failure;
    Observation opened;
    auto failure = exchange({&open_tail_, 1}, [&](size_t, Observation&& obs) { opened = std::move(obs); });
    if (!failure && opened.kind != ObservationKind::Outcome)
      failure = Failure{0, opened.kind, "re-open refused: " + opened.message};
    if (!failure) failure = exchange(log_);
    if (failure) child_.kill_and_reap();
    return failure;
  }

  using OnAnswer = std::function<void(size_t, Observation&&)>;

  // Sends `tails` as requests (at most config_.batch unanswered at a time) after first collecting a pending
  // close response, and hands each answer to on_answer in order. Stops at the first request the child fails:
  // it is then dead or must be killed by the caller.
  std::optional<Failure> exchange(std::span<std::string> tails, const OnAnswer& on_answer = {},
                                  unsigned timeout_ms = 0) {
    if (timeout_ms == 0) timeout_ms = config_.timeout_ms;
    if (!child_.running()) return Failure{0, ObservationKind::Crash, "not running"};
    // In front of the requests: the previous scenario's close (answer discarded) and this scenario's open
    // (answer kept in open_answer_), when they are pending.
    const bool with_close = pending_close_, with_open = open_pending_;
    const size_t skip = size_t{with_close} + size_t{with_open};
    const size_t total = skip + tails.size();
    std::string close_tail;
    if (with_close) close_tail = std::move(pending_close_tail_);
    pending_close_ = false;
    open_pending_ = false;
    const uint64_t first_id = next_id_;
    auto tail_at = [&](size_t k) -> const std::string& {
      if (k >= skip) return tails[k - skip];
      return with_close && k == 0 ? close_tail : open_tail_;
    };

    const auto timeout = std::chrono::milliseconds(timeout_ms);
    auto deadline = Clock::now() + timeout;
    size_t queued = 0, answered = 0, written = 0;
    bool write_closed = false;
    write_buf_.clear();
    auto fail = [&](ObservationKind kind, std::string message) {
      size_t index = answered > skip ? answered - skip : 0;
      size_t sent = queued > skip ? queued - skip : 0;
      Failure f{index, kind, std::move(message), sent > index ? sent - index : 1};
      f.in_prefix = answered < skip;
      return f;
    };

    // An answer in order: to on_answer (the close's is dropped, the open's kept), and the deadline starts
    // again.
    auto deliver = [&](Observation&& obs) {
      if (answered >= skip) {
        if (on_answer) on_answer(answered - skip, std::move(obs));
      } else if (with_open && answered == skip - 1) {
        open_answer_ = std::move(obs);
      }
      ++answered;
      deadline = Clock::now() + timeout;
    };
    while (true) {
      // 1. Answers already read.
      while (answered < total) {
        auto line = reader_.next();
        if (!line) break;
        if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
        if (line->empty()) continue;
        const uint64_t want = first_id + answered;
        uint64_t fast_id = 0;
        std::string_view fast_result;
        if (scan_result(*line, fast_id, fast_result) && fast_id == want) {
          Observation obs;
          obs.text.assign(fast_result);
          deliver(std::move(obs));
          continue;
        }
        Json response = Json::parse(line->begin(), line->end(), nullptr, /*allow_exceptions=*/false);
        if (response.is_discarded() || !response.is_object())
          return fail(ObservationKind::Error, "response is not a JSON object: " + excerpt(*line));
        auto id = response.find("id");
        if (id == response.end() || !id->is_number_unsigned() || id->get<uint64_t>() != want)
          return fail(ObservationKind::Error, "response id " +
                                                  (id == response.end() ? "missing" : id->dump()) +
                                                  ", expected " + std::to_string(want));
        Observation obs;
        if (auto result = response.find("result"); result != response.end()) {
          obs.text = result->dump();
        } else if (auto error = response.find("error"); error != response.end()) {
          obs.kind = ObservationKind::Error;
          auto message = error->is_object() ? error->find("message") : error->end();
          obs.message =
              (message != error->end() && message->is_string()) ? message->get<std::string>() : error->dump();
        } else {
          return fail(ObservationKind::Error,
                      "response " + std::to_string(want) + " has neither result nor error");
        }
        deliver(std::move(obs));
      }
      if (answered == total) break;

      // 2. Keep the window full: one write() carries many requests.
      if (!write_closed) {
        if (written == write_buf_.size()) {
          write_buf_.clear();
          written = 0;
        }
        while (queued < total && queued - answered < config_.batch) {
          const std::string& tail = tail_at(queued);
          char digits[24];
          auto end = std::to_chars(digits, digits + sizeof digits, first_id + queued).ptr;
          write_buf_ += "{\"id\":";
          write_buf_.append(digits, end);
          if (!tail.empty() && tail[0] != '}') write_buf_ += ',';
          write_buf_ += tail;
          write_buf_ += '\n';
          ++queued;
        }
        if (written < write_buf_.size()) {
          ssize_t n = write(child_.in_fd(), write_buf_.data() + written, write_buf_.size() - written);
          if (n > 0) {
            written += static_cast<size_t>(n);
          } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            // EPIPE: it stopped reading (probably died). Its remaining answers are still read, then EOF.
            write_closed = true;
          }
        }
      }

      // 3. Wait for answers (or room in the pipe).
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0)
        return fail(ObservationKind::Timeout, "no answer in " + std::to_string(timeout_ms) + " ms");
      pollfd fds[2] = {{child_.out_fd(), POLLIN, 0}, {child_.in_fd(), POLLOUT, 0}};
      const bool want_write = !write_closed && written < write_buf_.size();
      int rc = poll(fds, want_write ? 2 : 1, static_cast<int>(std::min<long long>(left, 1 << 30)));
      if (rc < 0 && errno != EINTR)
        return fail(ObservationKind::Crash, std::string("poll: ") + std::strerror(errno));
      if (rc <= 0) continue;
      if (fds[0].revents) {
        ssize_t n = reader_.fill(child_.out_fd());
        if (n == 0 || n == -2) {
          // EOF: it exited or closed stdout. Give it the operation timeout to finish dying, to report how.
          std::string how = child_.finish(Clock::now() + std::min(timeout, std::chrono::milliseconds(2000)));
          return fail(ObservationKind::Crash, how);
        }
      }
    }
    next_id_ = first_id + total;
    return std::nullopt;
  }

  static constexpr unsigned kMaxProtocolErrorsInARow = 8;

  ExecConfig config_;
  ImplementationInfo info_;
  unsigned protocol_errors_in_a_row_ = 0;
  std::optional<std::string> given_up_;  // set: every further operation gets an error, without a restart
  Child child_;
  LineBuffer reader_;
  std::string write_buf_;
  uint64_t next_id_ = 0;

  bool in_scenario_ = false;
  std::string open_tail_;                        // the scenario's open request, kept for a restart
  std::vector<std::string> log_;                 // the scenario's answered requests, kept for a replay
  std::optional<Observation> scenario_failure_;  // set: every further operation of the scenario gets it
  bool pending_close_ = false;
  std::string pending_close_tail_;
  bool open_pending_ = false;               // open_tail_ goes out with the next exchange
  bool open_refused_ = false;               // this scenario's open failed: no close is owed
  std::optional<Observation> open_answer_;  // the answer to the open sent by the last exchange
};

}  // namespace

std::unique_ptr<Implementation> make_exec_implementation(const ExecConfig& config) {
  if (config.argv.empty()) throw InputError(config.id + ": nothing to execute");
  return std::make_unique<ExecImplementation>(config);
}

}  // namespace vipcts
