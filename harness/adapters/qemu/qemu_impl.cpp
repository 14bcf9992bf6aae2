// `--impl qemu:PROFILE` (harness/adapters/implementations.cpp routes it here when this library is linked in).
#include "harness/adapters/adapters.hpp"
#include "harness/core/errors.hpp"
#include "smmu_qemu.hpp"

namespace vipcts {

std::unique_ptr<Implementation> make_qemu_implementation(const std::string& spec,
                                                         const ImplementationOptions& options,
                                                         const Suite* suite, const std::string& stderr_log) {
  const std::string profile = spec.substr(spec.find(':') + 1);
  if (suite != nullptr && suite->name() != "smmu")
    throw InputError("--impl " + spec + ": QEMU profiles exist for the smmu suite only (virt-smmuv3)");
  return qemu::make_qemu_smmu_implementation(spec, profile, options, stderr_log);
}

}  // namespace vipcts
