// Loading a C-ABI implementation (harness/include/vipcts/vipcts.h), shared by the plugin host and
// plugin-inproc.
#pragma once

#include <string>

#include "harness/core/implementation.hpp"
#include "vipcts/vipcts.h"

namespace vipcts {

struct LoadedPlugin {
  void* handle = nullptr;  // from dlopen; never closed while a table from it may be in use
  const vipcts_implementation* impl = nullptr;
};

// dlopen + vipcts_entry(VIPCTS_ABI_VERSION) + ABI check. Returns "" or one line saying what failed (without
// the path, which the caller puts in front).
std::string load_plugin(const std::string& path, LoadedPlugin& out);

// What the plugin claims (name, version, features, profile); NULL strings become "".
ImplementationInfo plugin_info(const vipcts_implementation& impl, const std::string& id);

}  // namespace vipcts
