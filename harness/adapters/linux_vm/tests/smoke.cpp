// Boots each kernel named on the command line ("6.1", "6.12") with intel-iommu and checks a fixed sequence
// of primitive operations against what the VFIO type1 uapi documents (include/uapi/linux/vfio.h) and what a
// DMA through the emulated IOMMU must do. Exit 77 (ctest SKIP) only when QEMU, the kernels or busybox are
// not installed; any wrong answer fails.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "harness/adapters/linux_vm/vm.hpp"

using namespace vipcts::linux_vm;

namespace {

int failures = 0;

void check(bool ok, const std::string& what, const Reply& r) {
  std::printf("  %-58s %s\n", what.c_str(), ok ? "ok" : ("FAIL: " + r.line).c_str());
  if (!ok) ++failures;
}

// ret/errno of one call.
bool is(const Reply& r, long long ret, int err = 0) {
  return r.ok && r.ret == ret && r.err == err;
}

void run(const std::string& release) {
  VmConfig config;
  config.release = release;
  config.iommu = Iommu::Intel;
  Vm vm(config);
  vm.boot();
  std::printf("%s: booted in %.2f s\n", release.c_str(), vm.boot_seconds());
  const auto t0 = std::chrono::steady_clock::now();
  Reply edu = vm.call("find vendor=0x1234 device=0x11e8");
  check(is(edu, 0) && edu.at("driver") == "vfio-pci", "edu bound to vfio-pci", edu);
  Reply nic = vm.call("find vendor=0x8086 device=0x10d3");
  check(is(nic, 0) && nic.at("driver") == "vfio-pci" && nic.at("group") != edu.at("group"),
        "e1000e bound to vfio-pci, in its own group", nic);
  check(is(vm.call("pool base=0x100000000000 size=0x400000"), 0), "pool at a fixed address", edu);
  Reply c = vm.call("open path=/dev/vfio/vfio");
  check(c.ok && c.ret > 2, "open /dev/vfio/vfio", c);
  const std::string cf = std::to_string(c.ret);
  check(is(vm.call("ioctl fd=" + cf + " cmd=GET_API_VERSION"), 0), "VFIO_GET_API_VERSION = 0", c);
  Reply r = vm.call("ioctl fd=" + cf + " cmd=CHECK_EXTENSION arg=3");
  check(is(r, 1), "CHECK_EXTENSION(TYPE1v2) = 1", r);
  r = vm.call("ioctl fd=" + cf + " cmd=SET_IOMMU arg=3");
  check(is(r, -1, 22), "SET_IOMMU before any group is attached: EINVAL", r);
  Reply g = vm.call("open path=/dev/vfio/" + edu.at("group"));
  check(g.ok && g.ret > 2, "open the edu group", g);
  const std::string gf = std::to_string(g.ret);
  r = vm.call("group_status fd=" + gf);
  check(is(r, 0) && r.at("flags") == "1", "group status VIABLE", r);
  check(is(vm.call("set_container fd=" + gf + " container=" + cf), 0), "GROUP_SET_CONTAINER", r);
  r = vm.call("group_status fd=" + gf);
  check(is(r, 0) && r.at("flags") == "3", "group status VIABLE|CONTAINER_SET", r);
  check(is(vm.call("ioctl fd=" + cf + " cmd=SET_IOMMU arg=3"), 0), "SET_IOMMU(TYPE1v2)", r);
  r = vm.call("iommu_info fd=" + cf + " argsz=4096");
  check(is(r, 0) && r.at("pgsizes") == "0x40201000" &&
            r.at("ranges") == "0x0-0xfedfffff,0xfef00000-0x7fffffffff",
        "GET_INFO: VT-d 4K|2M|1G, 39-bit aperture minus the MSI window", r);
  r = vm.call("map fd=" + cf + " vaddr=0x100000000000 iova=0x100000 size=0x2000 flags=3");
  check(is(r, 0), "MAP_DMA 8 KiB RW", r);
  r = vm.call("map fd=" + cf + " vaddr=0x100000000000 iova=0x101000 size=0x1000 flags=3");
  check(is(r, -1, 17), "MAP_DMA overlapping: EEXIST", r);
  r = vm.call("map fd=" + cf + " vaddr=0x100000000000 iova=0x200800 size=0x1000 flags=3");
  check(is(r, -1, 22), "MAP_DMA misaligned IOVA: EINVAL", r);
  r = vm.call("unmap fd=" + cf + " iova=0x101000 size=0x1000");
  check(is(r, -1, 22), "UNMAP_DMA bisecting a v2 mapping: EINVAL", r);
  Reply d = vm.call("get_device fd=" + gf + " name=" + edu.at("bdf"));
  check(d.ok && d.ret > 2, "GROUP_GET_DEVICE_FD", d);
  const std::string df = std::to_string(d.ret);
  r = vm.call("probe dir=w dev=" + df + " container=" + cf + " iova=0x101008 len=8");
  check(is(r, 0) && r.at("dma") == "landed" && r.at("pool_off") == "0x1008",
        "edu DMA write lands at pool+0x1008", r);
  r = vm.call("probe dir=r dev=" + df + " container=" + cf + " iova=0x100ff8 len=16");
  check(is(r, 0) && r.at("dma") == "landed" && r.at("pool_off") == "0xff8", "edu DMA read across the 2 pages",
        r);
  r = vm.call("probe dir=w dev=" + df + " container=" + cf + " iova=0x102000 len=8");
  check(is(r, 0) && r.at("dma") == "blocked" && r.at("faults") != "0",
        "edu DMA write to unmapped IOVA: blocked, fault logged", r);
  r = vm.call("unmap fd=" + cf + " iova=0x0 size=0x0 flags=2");
  check(is(r, 0) && r.at("size") == "0x2000", "UNMAP_DMA ALL returns 8 KiB", r);
  r = vm.call("probe dir=r dev=" + df + " container=" + cf + " iova=0x100000 len=8");
  check(is(r, 0) && r.at("dma") == "blocked", "edu DMA read after unmap: blocked", r);
  r = vm.call("reset");
  check(is(r, 0), "reset closes the scenario's fds", r);
  // Snapshot, dirty the kernel state, restore: the restored guest has the pristine state again.
  const bool snap = vm.take_snapshot();
  check(snap, "snapshot of the running guest", r);
  Reply c2 = vm.call("open path=/dev/vfio/vfio");
  check(c2.ok && c2.ret > 2, "open a container after the snapshot", c2);
  check(snap && vm.restore_snapshot(), "restore the snapshot (new QEMU, -incoming)", r);
  std::printf("  restore took %.2f s\n", vm.restore_seconds());
  r = vm.call("close fd=" + std::to_string(c2.ret));
  check(is(r, -1, 9), "the container opened after the snapshot is gone: EBADF", r);
  r = vm.call("iommu_info fd=" + cf + " argsz=4096");
  check(is(r, -1, 9), "and so are the fds closed before it", r);
  std::printf("%s: %.2f s for the operations\n", release.c_str(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

}  // namespace

int main(int argc, char** argv) {
  int ran = 0;
  for (int i = 1; i < argc; ++i) {
    std::string why;
    std::string release = resolve_kernel(argv[i], why);
    std::string missing = release.empty() ? why : missing_prerequisites(release);
    if (!missing.empty()) {
      std::printf("%s: skipped: %s\n", argv[i], missing.c_str());
      continue;
    }
    try {
      run(release);
      ++ran;
    } catch (const std::exception& e) {
      std::printf("%s: FAIL: %s\n", argv[i], e.what());
      ++failures;
    }
  }
  if (failures) return 1;
  return ran ? 0 : 77;
}
