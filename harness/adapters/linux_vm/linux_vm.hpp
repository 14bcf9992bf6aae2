// `--impl linux-vm:KERNEL[,iommu=intel|amd|virtio][,boot-timeout=SECONDS]`: the vfio suite's operations
// (docs/vfio-operations.md) executed by a real Debian kernel in a QEMU TCG VM (vm.hpp), through the guest
// agent. Missing QEMU, kernel or busybox does not end the run: the implementation then claims no feature, so
// every vector is reported not applicable, and its version says why.
#pragma once

#include <memory>
#include <string>

#include "harness/core/implementation.hpp"

namespace vipcts {

// SPEC is what follows "linux-vm:". Throws InputError on a malformed spec, and when a VM that has everything
// it needs fails to boot (with QEMU's and the console's last words).
std::unique_ptr<Implementation> make_linux_vm_implementation(const std::string& spec,
                                                             const ImplementationOptions& options);

}  // namespace vipcts
