// `vipcts plugin-host SO`: contains a C-ABI implementation (harness/include/vipcts/vipcts.h) in its own
// process and speaks the exec protocol (docs/formats.md §3) for it on stdin/stdout, so the `plugin:` adapter
// supervises plugin crashes and hangs exactly like any exec: implementation.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "harness/core/suite.hpp"

namespace vipcts {

// Loads so_path and serves requests until shutdown or end of input. Returns the process exit code: 0 after
// shutdown or EOF; 2 when the plugin cannot be loaded (dlopen failure, missing vipcts_entry, ABI mismatch) or
// the input is not the protocol, after one line on stderr naming so_path and the cause. A load failure also
// answers the first request (hello) with an error carrying that line, so the adapter can quote it.
// While serving, the plugin's own writes to stdout are redirected to stderr: they cannot corrupt the
// protocol.
int plugin_host_main(const std::string& so_path,
                     const std::function<const Suite*(std::string_view)>& find_suite);

}  // namespace vipcts
