#include "harness/adapters/plugin_loader.hpp"

#include <dlfcn.h>

namespace vipcts {

std::string load_plugin(const std::string& path, LoadedPlugin& out) {
  // RTLD_LOCAL: two plugins (or a plugin and vipcts) may define the same symbols without interfering.
  // dlopen searches the library path for a name without '/': "./x.so" is what a user means by "x.so".
  std::string where = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = dlopen(where.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    return std::string("dlopen failed: ") + (why ? why : "unknown error");
  }
  auto entry = reinterpret_cast<vipcts_entry_fn>(dlsym(handle, VIPCTS_ENTRY_SYMBOL));
  if (!entry) {
    dlclose(handle);
    return "no exported symbol " VIPCTS_ENTRY_SYMBOL
           " (declare it extern \"C\" and give it default visibility)";
  }
  const vipcts_implementation* impl = entry(VIPCTS_ABI_VERSION);
  if (!impl) {
    dlclose(handle);
    return "vipcts_entry(" + std::to_string(VIPCTS_ABI_VERSION) + ") returned NULL: ABI version " +
           std::to_string(VIPCTS_ABI_VERSION) + " not supported by the plugin";
  }
  if (impl->abi_version != VIPCTS_ABI_VERSION) {
    uint32_t got = impl->abi_version;
    dlclose(handle);
    return "ABI version mismatch: plugin built for " + std::to_string(got) + ", vipcts speaks " +
           std::to_string(VIPCTS_ABI_VERSION);
  }
  out.handle = handle;
  out.impl = impl;
  return "";
}

ImplementationInfo plugin_info(const vipcts_implementation& impl, const std::string& id) {
  ImplementationInfo info;
  info.id = id;
  info.name = impl.name ? impl.name : "";
  info.version = impl.version ? impl.version : "";
  info.profile = impl.profile ? impl.profile : "";
  if (impl.features)
    for (const char* const* f = impl.features; *f; ++f) info.features.emplace_back(*f);
  return info;
}

}  // namespace vipcts
