// QEMU process, initramfs cache and agent channel of the linux-vm adapter (vm.hpp).
#include "harness/adapters/linux_vm/vm.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/core/sha256.hpp"

#ifndef VIPCTS_LINUX_VM_AGENT
#define VIPCTS_LINUX_VM_AGENT ""
#endif
#ifndef VIPCTS_LINUX_VM_MKINITRAMFS
#define VIPCTS_LINUX_VM_MKINITRAMFS ""
#endif
#ifndef VIPCTS_LINUX_VM_CACHE
#define VIPCTS_LINUX_VM_CACHE ""
#endif

namespace vipcts::linux_vm {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

bool executable_on_path(const std::string& name) {
  std::string path = env_or("PATH", "/usr/bin:/bin");
  std::stringstream ss(path);
  for (std::string dir; std::getline(ss, dir, ':');)
    if (!dir.empty() && access((dir + "/" + name).c_str(), X_OK) == 0) return true;
  return false;
}

// Version-aware comparison of kernel releases ("6.1.0-9" < "6.1.0-57").
bool release_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
      while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
      unsigned long long x = std::stoull(a.substr(i, i2 - i)), y = std::stoull(b.substr(j, j2 - j));
      if (x != y) return x < y;
      i = i2;
      j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() + 0 && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out += static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

Reply parse_reply(const std::string& line) {
  Reply r;
  r.line = line;
  std::stringstream ss(line);
  std::string word;
  ss >> word;
  r.ok = word == "ok";
  while (ss >> word) {
    size_t eq = word.find('=');
    if (eq == std::string::npos) continue;
    r.kv[word.substr(0, eq)] = percent_decode(word.substr(eq + 1));
  }
  if (r.ok) {
    r.ret = std::stoll(r.at("ret"));
    r.err = std::stoi(r.at("errno"));
  }
  return r;
}

}  // namespace

std::string iommu_name(Iommu iommu) {
  switch (iommu) {
    case Iommu::Intel:
      return "intel";
    case Iommu::Amd:
      return "amd";
    case Iommu::Virtio:
      return "virtio";
  }
  return "?";
}

std::string percent_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c <= ' ' || c == '%' || c == '=' || c >= 0x7f) {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02x", c);
      out += b;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

const std::string& Reply::at(const std::string& key) const {
  auto it = kv.find(key);
  if (it == kv.end()) throw std::runtime_error("agent answer lacks `" + key + "`: " + line);
  return it->second;
}

uint64_t Reply::u64(const std::string& key) const {
  return std::stoull(at(key), nullptr, 0);
}

std::string resolve_kernel(const std::string& want, std::string& why) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/boot", ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("vmlinuz-", 0) != 0) continue;
    std::string release = name.substr(8);
    if (release == want || release.rfind(want + ".", 0) == 0 || release.rfind(want + "-", 0) == 0)
      found.push_back(release);
  }
  if (found.empty()) {
    why = "no kernel /boot/vmlinuz-" + want + "* installed (Debian: linux-image-amd64 for 6.1, " +
          "linux-image-6.12-amd64 for 6.12; scripts/setup.sh installs both)";
    return "";
  }
  std::sort(found.begin(), found.end(), release_less);
  return found.back();
}

std::string missing_prerequisites(const std::string& release) {
  std::vector<std::string> missing;
  if (!executable_on_path("qemu-system-x86_64"))
    missing.push_back("qemu-system-x86_64 (package qemu-system-x86)");
  // busybox-static installs /bin/busybox; the dynamic `busybox` package would not run in the initramfs.
  std::string bb = read_file("/bin/busybox");
  if (bb.size() < 64 || bb.find("/lib64/ld-linux") != std::string::npos)
    missing.push_back("a static /bin/busybox (package busybox-static)");
  if (!executable_on_path("cpio")) missing.push_back("cpio");
  if (!executable_on_path("modprobe") && access("/sbin/modprobe", X_OK) != 0)
    missing.push_back("modprobe (kmod)");
  if (!release.empty()) {
    if (access(("/boot/vmlinuz-" + release).c_str(), R_OK) != 0)
      missing.push_back("/boot/vmlinuz-" + release + " (readable)");
    if (access(("/lib/modules/" + release + "/modules.dep").c_str(), R_OK) != 0)
      missing.push_back("/lib/modules/" + release);
  }
  std::string agent = env_or("VIPCTS_LINUX_VM_AGENT", VIPCTS_LINUX_VM_AGENT);
  if (agent.empty() || access(agent.c_str(), X_OK) != 0)
    missing.push_back("the guest agent (build target vipcts_vm_agent: " + (agent.empty() ? "?" : agent) +
                      ")");
  std::string out;
  for (const auto& m : missing) out += (out.empty() ? "" : ", ") + m;
  return out;
}

std::string initramfs_for(const std::string& release) {
  const std::string agent = env_or("VIPCTS_LINUX_VM_AGENT", VIPCTS_LINUX_VM_AGENT);
  const std::string script = env_or("VIPCTS_LINUX_VM_MKINITRAMFS", VIPCTS_LINUX_VM_MKINITRAMFS);
  std::string cache = env_or("VIPCTS_LINUX_VM_CACHE", VIPCTS_LINUX_VM_CACHE);
  if (cache.empty()) cache = (fs::temp_directory_path() / "vipcts-linux-vm").string();
  Sha256 h;
  h.update(read_file(agent));
  h.update(read_file(script));
  const std::string path = cache + "/initramfs-" + release + "-" + h.hex_digest().substr(0, 16) + ".cpio.gz";
  if (access(path.c_str(), R_OK) == 0) return path;
  std::error_code ec;
  fs::create_directories(cache, ec);
  // The script writes OUT.tmp.PID and renames, so concurrent first runs cannot see half a file.
  std::string cmd = "'" + script + "' '" + release + "' '" + agent + "' '" + path + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + script);
  std::string output;
  char b[512];
  while (size_t n = fread(b, 1, sizeof b, p)) output.append(b, n);
  int status = pclose(p);
  if (status != 0 || access(path.c_str(), R_OK) != 0)
    throw std::runtime_error("building the initramfs for " + release + " failed: " + output);
  return path;
}

Vm::Vm(VmConfig config) : config_(std::move(config)) {
  std::string tmpl = (fs::temp_directory_path() / "vipcts-vm-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  dir_ = tmpl;
}

Vm::~Vm() {
  kill();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::vector<std::string> Vm::qemu_argv(const std::string& initrd) const {
  std::string append = "console=ttyS0 panic=-1 quiet loglevel=4";
  std::vector<std::string> iommu_dev;
  switch (config_.iommu) {
    case Iommu::Intel:
      append += " intel_iommu=on";  // Debian: CONFIG_INTEL_IOMMU_DEFAULT_ON is not set
      iommu_dev = {"-device", "intel-iommu,intremap=on"};
      break;
    case Iommu::Amd:
      iommu_dev = {"-device", "amd-iommu"};
      break;
    case Iommu::Virtio:
      // Without interrupt remapping type1 refuses SET_IOMMU (EPERM) unless this is set.
      append += " vfio_iommu_type1.allow_unsafe_interrupts=1";
      iommu_dev = {"-device", "virtio-iommu-pci"};
      break;
  }
  for (const auto& w : config_.cmdline) append += " " + w;
  std::vector<std::string> a = {"qemu-system-x86_64",
                                "-machine",
                                "q35",
                                "-accel",
                                "tcg",
                                "-cpu",
                                "max",
                                "-smp",
                                "1",
                                "-m",
                                "1G",
                                "-nodefaults",
                                "-display",
                                "none",
                                "-no-reboot",
                                "-kernel",
                                "/boot/vmlinuz-" + config_.release,
                                "-initrd",
                                initrd,
                                "-append",
                                append,
                                "-serial",
                                "file:" + dir_ + "/console.log"};
  a.insert(a.end(), iommu_dev.begin(), iommu_dev.end());
  const std::vector<std::string> devices = {
      // edu's default DMA mask is 28 bits; the agent's scratch page lives just below 4 GiB.
      "-device", "edu,id=edu0,dma_mask=0xffffffffffffffff",
      // e1000e behind a switch: its own IOMMU group (QEMU's ports have ACS), MSI-X, no host driver loaded.
      "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1", "-device",
      "x3130-upstream,id=up1,bus=rp1", "-device", "xio3130-downstream,id=dn1,bus=up1,chassis=2,slot=0",
      "-device", "e1000e,id=nic0,bus=dn1", "-device", "virtio-serial-pci", "-chardev",
      "socket,id=agent,path=" + dir_ + "/agent.sock,server=on,wait=off", "-device",
      "virtserialport,chardev=agent,name=agent", "-monitor", "unix:" + dir_ + "/mon.sock,server=on,wait=off"};
  a.insert(a.end(), devices.begin(), devices.end());
  return a;
}

void Vm::boot() {
  start(false);
}

bool Vm::restore_snapshot() {
  if (!has_snapshot_) return false;
  start(true);
  ++restores_;
  return true;
}

// One HMP command over a fresh monitor connection; returns what QEMU printed before its next prompt.
std::string Vm::monitor(const std::string& command, unsigned timeout_ms) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s/mon.sock", dir_.c_str());
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0 || connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (s >= 0) close(s);
    throw std::runtime_error("cannot connect to the QEMU monitor");
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string got;
  auto until_prompt = [&] {
    while (got.find("(qemu) ") == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{s, POLLIN, 0};
      if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) return false;
      char b[4096];
      ssize_t n = recv(s, b, sizeof b, 0);
      if (n <= 0) return false;
      got.append(b, static_cast<size_t>(n));
    }
    return true;
  };
  bool ok = until_prompt();
  got.clear();
  std::string line = command + "\n";
  ok = ok && send(s, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size()) &&
       until_prompt();
  close(s);
  if (!ok) throw std::runtime_error("no answer from the QEMU monitor to `" + command + "`");
  return got;
}

// The running guest saved to DIR/snap (HMP migrate to a file), then resumed. Taken right after boot, while
// the agent waits for a request, so a restore (a new QEMU with -incoming) is a fresh kernel in about 0.2 s of
// guest work instead of a boot.
bool Vm::take_snapshot() {
  try {
    monitor("migrate_set_parameter max-bandwidth 100G", 5000);
    const std::string refused = monitor("migrate \"exec:cat > " + dir_ + "/snap\"", 5000);
    // A device that cannot migrate (QEMU 7.2's amd-iommu) makes QEMU refuse at once, and `info migrate` then
    // has no status to wait for.
    const bool started = refused.find("rror") == std::string::npos;
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (started && Clock::now() < deadline) {
      std::string st = monitor("info migrate", 5000);
      if (st.find("Migration status:") == std::string::npos) break;
      if (st.find("Migration status: completed") != std::string::npos) {
        monitor("cont", 5000);
        has_snapshot_ = true;
        return true;
      }
      if (st.find("Migration status: failed") != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    monitor("cont", 5000);
  } catch (const std::exception&) {
  }
  return false;
}

void Vm::start(bool incoming) {
  kill();
  const std::string initrd = initramfs_for(config_.release);
  std::vector<std::string> argv = qemu_argv(initrd);
  if (incoming) {
    argv.push_back("-incoming");
    argv.push_back("exec:cat " + dir_ + "/snap");
  }
  std::vector<char*> args;
  for (const auto& s : argv) args.push_back(const_cast<char*>(s.c_str()));
  args.push_back(nullptr);
  const std::string log = dir_ + "/qemu.log";
  fs::remove(dir_ + "/agent.sock");
  fs::remove(dir_ + "/mon.sock");
  fs::remove(dir_ + "/console.log");
  const auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid < 0) throw VmFailure(false, std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    setpgid(0, 0);
    // QEMU must never outlive vipcts, however vipcts ends.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int null = open("/dev/null", O_RDONLY);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (null >= 0) dup2(null, 0);
    if (out >= 0) {
      dup2(out, 1);
      dup2(out, 2);
    }
    execvp(args[0], args.data());
    _exit(127);
  }
  setpgid(pid, pid);
  pid_ = pid;
  if (!incoming) ++boots_;

  const auto deadline = t0 + std::chrono::milliseconds(config_.boot_timeout_ms);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s/agent.sock", dir_.c_str());
  while (true) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw VmFailure(false, "qemu exited before the agent socket appeared: " + read_file(log));
    }
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s >= 0 && connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      sock_ = s;
      break;
    }
    if (s >= 0) close(s);
    if (Clock::now() > deadline) {
      kill();
      throw VmFailure(true, "qemu did not open the agent socket in time");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // The guest opens its port only once init has loaded the modules: until then our bytes wait in the socket.
  Reply hello;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  std::string line = "hello\n";
  if (send(sock_, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    kill();
    throw VmFailure(false, "cannot write to the agent socket");
  }
  hello = parse_reply(read_line(static_cast<unsigned>(std::max<long long>(left, 1))));
  (incoming ? restore_seconds_ : boot_seconds_) = std::chrono::duration<double>(Clock::now() - t0).count();
  kernel_ = hello.ok ? hello.at("kernel") : "";
  if (!hello.ok || kernel_ != config_.release) {
    kill();
    throw VmFailure(false, "unexpected hello from the agent: " + hello.line);
  }
}

std::string Vm::read_line(unsigned timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    size_t nl = buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    int status;
    if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      kill();
      throw VmFailure(false, "the VM died; console: " + console_tail(6));
    }
    if (left <= 0) {
      kill();
      throw VmFailure(true, "no answer from the agent in " + std::to_string(timeout_ms) +
                                " ms; console: " + console_tail(6));
    }
    pollfd p{sock_, POLLIN, 0};
    int rc = poll(&p, 1, static_cast<int>(std::min<long long>(left, 200)));
    if (rc > 0) {
      char b[4096];
      ssize_t n = recv(sock_, b, sizeof b, 0);
      if (n > 0) {
        buf_.append(b, static_cast<size_t>(n));
      } else if (n == 0) {
        kill();
        throw VmFailure(false, "the agent channel closed; console: " + console_tail(6));
      }
    }
  }
}

Reply Vm::call(const std::string& line) {
  if (sock_ < 0) throw VmFailure(false, "the VM is not running");
  std::string l = line + "\n";
  size_t off = 0;
  while (off < l.size()) {
    ssize_t n = send(sock_, l.data() + off, l.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      kill();
      throw VmFailure(false, std::string("writing to the agent: ") + std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  return parse_reply(read_line(config_.op_timeout_ms));
}

void Vm::kill() {
  if (sock_ >= 0) close(sock_);
  sock_ = -1;
  buf_.clear();
  if (pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
}

std::string Vm::console_tail(size_t lines) const {
  std::string text = read_file(dir_ + "/console.log") + read_file(dir_ + "/qemu.log");
  std::vector<std::string> all;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);)
    if (!l.empty()) all.push_back(l);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += all[i] + " | ";
  return out;
}

}  // namespace vipcts::linux_vm
