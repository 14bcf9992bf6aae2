// The IMPL spec of `vipcts run --impl IMPL` (harness/core/implementation.hpp).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "harness/adapters/adapters.hpp"
#include "harness/adapters/linux_vm/linux_vm.hpp"
#include "harness/core/errors.hpp"

namespace vipcts {

// Defined by the suite registry (vipcts_suites), which links against vipcts_core and not the other way round:
// a weak reference lets the two-argument make_implementation("reference") claim the features of every
// registered suite when the registry is linked in (as in the vipcts executable), and none otherwise.
std::vector<const Suite*> all_suites() __attribute__((weak));
// Defined by harness/adapters/qemu when it is linked in (the vipcts executable): `qemu:PROFILE`.
std::unique_ptr<Implementation> make_qemu_implementation(const std::string& spec, const ImplementationOptions& options,
                                                         const Suite* suite, const std::string& stderr_log)
    __attribute__((weak));

namespace {

constexpr const char* kForms =
    "reference, exec:COMMAND, plugin:PATH.so, plugin-inproc:PATH.so, qemu:virt-smmuv3 or "
    "linux-vm:KERNEL[,iommu=intel|amd|virtio]";

std::string after(const std::string& spec, std::string_view prefix) {
  return spec.compare(0, prefix.size(), prefix) == 0 ? spec.substr(prefix.size()) : std::string();
}

bool starts_with(const std::string& spec, std::string_view prefix) {
  return spec.rfind(prefix, 0) == 0;
}

void require_readable(const std::string& spec, const std::string& path) {
  if (access(path.c_str(), R_OK) != 0)
    throw InputError("--impl " + spec + ": " + path + ": " + std::strerror(errno));
}

}  // namespace

std::string self_executable() {
  std::vector<char> buf(4096);
  ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size());
  if (n <= 0 || static_cast<size_t>(n) >= buf.size())
    throw InputError("cannot find the vipcts executable (/proc/self/exe) for the plugin host");
  return std::string(buf.data(), static_cast<size_t>(n));
}

std::unique_ptr<Implementation> make_implementation(const std::string& spec,
                                                    const ImplementationOptions& options, const Suite* suite,
                                                    const std::string& stderr_log) {
  if (spec == "reference") {
    std::vector<const Suite*> suites;
    if (suite)
      suites.push_back(suite);
    else if (&all_suites != nullptr)
      suites = all_suites();
    return make_reference_implementation(suites, options.profile);
  }
  auto exec_config = [&](std::vector<std::string> argv) {
    ExecConfig config;
    config.id = spec;
    config.argv = std::move(argv);
    config.timeout_ms = options.timeout_ms;
    config.batch = options.batch;
    config.stderr_log = stderr_log;
    return config;
  };
  if (starts_with(spec, "exec:")) {
    std::string command = after(spec, "exec:");
    if (command.find_first_not_of(" \t") == std::string::npos)
      throw InputError("--impl exec: needs a command, e.g. exec:python3 impl.py");
    return make_exec_implementation(exec_config({"/bin/sh", "-c", command}));
  }
  if (starts_with(spec, "plugin:")) {
    std::string path = after(spec, "plugin:");
    if (path.empty()) throw InputError("--impl plugin: needs a shared object, e.g. plugin:./libmy_smmu.so");
    require_readable(spec, path);
    std::string exe = options.vipcts_exe.empty() ? self_executable() : options.vipcts_exe;
    // Run directly, not through a shell: the path needs no quoting.
    return make_exec_implementation(exec_config({exe, "plugin-host", path}));
  }
  if (starts_with(spec, "plugin-inproc:")) {
    std::string path = after(spec, "plugin-inproc:");
    if (path.empty())
      throw InputError("--impl plugin-inproc: needs a shared object, e.g. plugin-inproc:./libx.so");
    require_readable(spec, path);
    return make_inproc_plugin_implementation(spec, path);
  }
  if (starts_with(spec, "qemu:")) {
    if (&make_qemu_implementation == nullptr) throw InputError("--impl " + spec + ": QEMU adapters are not linked in");
    return make_qemu_implementation(spec, options, suite, stderr_log);
  }
  if (starts_with(spec, "linux-vm:")) return make_linux_vm_implementation(after(spec, "linux-vm:"), options);
  throw InputError("--impl: unknown implementation '" + spec + "'; expected " + kForms);
}

std::unique_ptr<Implementation> make_implementation(const std::string& spec,
                                                    const ImplementationOptions& options,
                                                    const Suite& suite) {
  return make_implementation(spec, options, &suite, "");
}

std::unique_ptr<Implementation> make_implementation(const std::string& spec,
                                                    const ImplementationOptions& options) {
  return make_implementation(spec, options, nullptr, "");
}

}  // namespace vipcts
