// A client for QEMU's qtest protocol (one text command per line on the child's stdin, one reply per line on
// its stdout; lines starting with "IRQ" are asynchronous and dropped) plus QMP over a unix socket. The QEMU
// process is an implementation under test: it may crash or hang on what we send, so every wait has a
// deadline, a dead child is reported with its signal, and the destructor always terminates (SIGTERM, then
// SIGKILL) and reaps it.
//
// Throughput: commands can be queued and sent as one write (pipelined); replies are then read in order from a
// buffered reader. Bulk memory goes through b64write/b64read (far cheaper than per-word commands).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vipcts::qemu {

// QEMU stopped answering: it died (message names the exit status or signal) or missed a deadline.
class QemuDied : public std::runtime_error {
 public:
  QemuDied(const std::string& what, bool timeout) : std::runtime_error(what), timed_out(timeout) {}
  bool timed_out;
};

// QEMU answered "FAIL ..." or something that is not a qtest reply: our command was wrong.
class QtestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct QemuOptions {
  std::string binary;             // e.g. "qemu-system-aarch64" (looked up in PATH)
  std::vector<std::string> args;  // machine, devices... (the qtest/QMP/display options are added)
  bool qmp = false;               // also open a QMP socket
  unsigned start_timeout_ms = 10000;
  unsigned timeout_ms = 5000;  // per command (reset on every reply)
  std::string stderr_log;      // QEMU's stderr goes here ("" = /dev/null)
};

class Qtest {
 public:
  // Starts QEMU and waits for its first qtest reply. Throws QemuDied if it exits or does not answer in time.
  explicit Qtest(const QemuOptions& options);
  ~Qtest();
  Qtest(const Qtest&) = delete;
  Qtest& operator=(const Qtest&) = delete;

  pid_t pid() const { return pid_; }
  const std::vector<std::string>& argv() const { return argv_; }

  // ---- Synchronous commands (each one round trip) ----
  uint64_t read(unsigned bytes, uint64_t addr);  // readb/readw/readl/readq
  uint32_t readl(uint64_t addr) { return static_cast<uint32_t>(read(4, addr)); }
  uint64_t readq(uint64_t addr) { return read(8, addr); }
  void write(unsigned bytes, uint64_t addr, uint64_t value);
  void writel(uint64_t addr, uint32_t v) { write(4, addr, v); }
  void writeq(uint64_t addr, uint64_t v) { write(8, addr, v); }
  std::vector<uint8_t> b64read(uint64_t addr, size_t len);
  void b64write(uint64_t addr, std::span<const uint8_t> data);
  // Any command; returns the reply line without "OK" (e.g. "0x1234"), throws QtestError on FAIL.
  std::string command(std::string_view line);

  // ---- Pipelined commands: queue any number, then flush() sends them and collects every reply ----
  size_t queue(std::string_view line);  // returns the index of its reply in what flush() returns
  void queue_write(unsigned bytes, uint64_t addr, uint64_t value);
  void queue_b64write(uint64_t addr, std::span<const uint8_t> data);
  // `len` bytes of `byte` from addr: one short line however long the range (b64write of zeros costs QEMU a
  // main-loop iteration per KiB of text: qtest reads at most 1024 bytes at a time, softmmu/qtest.c).
  void queue_memset(uint64_t addr, uint64_t len, uint8_t byte);
  size_t queue_read(unsigned bytes, uint64_t addr);
  size_t queue_b64read(uint64_t addr, size_t len);
  // Writes the queue while reading replies (so neither pipe can fill up and deadlock) and returns one reply
  // per queued command, without its "OK" (e.g. "0x1234"). Throws QtestError after all replies are in if any
  // was FAIL.
  std::vector<std::string> flush();
  size_t queued() const { return pending_; }
  // Reply decoders.
  static uint64_t value(const std::string& reply);
  static std::vector<uint8_t> bytes(const std::string& reply, size_t expect_len);

  // ---- QMP (only with options.qmp) ----
  // Sends {"execute": NAME, "arguments": ARGS_JSON} and returns the "return" value as JSON text; throws
  // QtestError with QMP's error description. Events received meanwhile are dropped.
  std::string qmp(std::string_view name, std::string_view args_json = "{}");
  // Waits for the QMP event NAME (e.g. "RESET" after system_reset, which QEMU performs after answering the
  // command); an event that came in while qmp() waited for its answer counts. Consumes it.
  void qmp_event(std::string_view name);

  // SIGTERM, wait up to 1 s, then SIGKILL; always reaped. Safe to call twice.
  void shutdown();
  // Whether the child is still running (reaps it if not; then `exit_description()` says how it ended).
  bool alive();
  std::string exit_description() const { return exit_; }

 private:
  std::string read_line(int fd, std::string& buf, unsigned timeout_ms, bool drop_irq);
  // Moves complete reply lines from inbuf_ into replies; returns how many.
  size_t take_replies(std::vector<std::string>& replies);
  [[noreturn]] void died(const std::string& context, bool timeout);
  // QEMU's user and system CPU time so far, from /proc ("unknown" elsewhere).
  std::string cpu_time() const;
  void connect_qmp(const std::string& path, unsigned timeout_ms);

  pid_t pid_ = -1;
  int to_ = -1, from_ = -1, qmp_fd_ = -1;
  std::string inbuf_, qmpbuf_, outq_, qmp_path_;
  std::vector<std::string> qmp_events_;  // names of events received and not yet waited for
  size_t pending_ = 0;
  // Round trips, commands, bytes each way and time spent waiting, printed at exit when VIPCTS_QTEST_STATS is
  // set.
  uint64_t stat_flushes_ = 0, stat_commands_ = 0, stat_sent_ = 0, stat_received_ = 0;
  double stat_wait_s_ = 0;
  unsigned timeout_ms_;
  std::vector<std::string> argv_;
  std::string exit_;
};

// Standard base64 (RFC 4648), as qtest's b64read/b64write use it.
std::string base64_encode(std::span<const uint8_t> data);
std::vector<uint8_t> base64_decode(std::string_view text);

}  // namespace vipcts::qemu
