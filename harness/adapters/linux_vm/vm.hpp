// One Debian kernel booted under QEMU (TCG, never KVM) with an emulated IOMMU, QEMU's edu and an e1000e
// bound to vfio-pci, and the vipcts agent (agent/agent.c) answering primitive operations over virtio-serial.
// Wire format: harness/adapters/linux_vm/README.md. Facts this relies on: the shared notes linux-vm.md,
// re-verified and corrected in the README.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace vipcts::linux_vm {

enum class Iommu { Intel, Amd, Virtio };

std::string iommu_name(Iommu iommu);

struct VmConfig {
  std::string release;  // kernel release, as in /boot/vmlinuz-RELEASE and /lib/modules/RELEASE
  Iommu iommu = Iommu::Intel;
  std::vector<std::string> cmdline;   // extra kernel command-line words (module.param=value)
  unsigned boot_timeout_ms = 180000;  // TCG on a loaded 2-core host: boots took 4-13 s, allow far more
  unsigned op_timeout_ms = 20000;     // one agent request (a DMA probe takes 0.3-1 s)
};

// Finds the installed kernel for KERNEL as written after `linux-vm:` ("6.1", "6.12", or a full release such
// as "6.1.0-57-amd64"): the newest /boot/vmlinuz-R with R == KERNEL or R starting with KERNEL + "." or "-".
// Returns "" and sets why when there is none.
std::string resolve_kernel(const std::string& want, std::string& why);

// What is missing on this machine to boot a VM for `release` ("" = nothing): QEMU, static busybox, cpio,
// modprobe, the kernel image and its modules.
std::string missing_prerequisites(const std::string& release);

// The initramfs for `release` with the current agent: built by mkinitramfs.sh on first use and cached under
// the cache directory, keyed by kernel release and the SHA-256 of agent binary and builder script. Throws
// std::runtime_error when it cannot be built.
std::string initramfs_for(const std::string& release);

// The agent's answer to one request line: "ok ret=R errno=E key=value..." or "bad msg=...".
struct Reply {
  bool ok = false;  // false: the agent refused the request as malformed (our bug, never a kernel answer)
  long long ret = 0;
  int err = 0;
  std::map<std::string, std::string> kv;                // percent-decoded
  std::string line;                                     // as received
  const std::string& at(const std::string& key) const;  // throws std::runtime_error naming the key
  uint64_t u64(const std::string& key) const;
};

// A VM that died or stopped answering. `timeout` tells which.
struct VmFailure : std::runtime_error {
  VmFailure(bool timeout, const std::string& what) : std::runtime_error(what), timeout(timeout) {}
  bool timeout;
};

std::string percent_encode(const std::string& s);

class Vm {
 public:
  explicit Vm(VmConfig config);
  ~Vm();
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  // Starts QEMU and waits for the agent's hello. Throws VmFailure (with the console's last lines).
  void boot();
  // Saves the running guest to a file and resumes it; false if QEMU could not (the VM keeps running).
  bool take_snapshot();
  // Replaces the VM by the saved one (a new QEMU with -incoming); false if there is no snapshot. Throws
  // VmFailure as boot() does.
  bool restore_snapshot();
  bool running() const { return pid_ > 0; }
  // Kills QEMU (whole process group) and reaps it. Safe to call at any time.
  void kill();

  // Sends one request line, returns the answer. Throws VmFailure on timeout or death (the VM is then killed).
  Reply call(const std::string& line);

  const VmConfig& config() const { return config_; }
  const std::string& kernel() const { return kernel_; }  // uname -r of the guest
  double boot_seconds() const { return boot_seconds_; }  // QEMU start -> agent hello, wall clock
  std::string console_tail(size_t lines) const;
  unsigned boots() const { return boots_; }
  unsigned restores() const { return restores_; }
  double restore_seconds() const { return restore_seconds_; }  // QEMU start -> hello, last restore

 private:
  std::vector<std::string> qemu_argv(const std::string& initrd) const;
  std::string read_line(unsigned timeout_ms);
  void start(bool incoming);
  std::string monitor(const std::string& command, unsigned timeout_ms);

  VmConfig config_;
  std::string dir_;  // per-VM temporary directory: sockets, console log, QEMU's stderr
  pid_t pid_ = -1;
  int sock_ = -1;
  std::string buf_;
  std::string kernel_;
  double boot_seconds_ = 0;
  unsigned boots_ = 0;
  unsigned restores_ = 0;
  double restore_seconds_ = 0;
  bool has_snapshot_ = false;
};

}  // namespace vipcts::linux_vm
