// The implementations vipcts can drive (harness/core/implementation.hpp): the reference model in-process, any
// program speaking the exec protocol (docs/formats.md §3), and C-ABI plugins
// (harness/include/vipcts/vipcts.h), either contained in a `vipcts plugin-host` child process or loaded
// in-process for speed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/core/implementation.hpp"
#include "harness/core/suite.hpp"

namespace vipcts {

// How an out-of-process implementation is started and supervised.
struct ExecConfig {
  std::string id;                 // info().id and the prefix of every message: "exec:CMD", "plugin:PATH"
  std::vector<std::string> argv;  // executed directly (execv, no shell); exec:CMD uses {"/bin/sh","-c",CMD}
  unsigned timeout_ms = 5000;     // per operation: since the previous response (also bounds hello)
  unsigned batch = 256;           // requests in flight at once
  // Starting an interpreter or a VM (and every restart) can take far longer than answering one operation:
  // 0 = max(timeout_ms, 10000).
  unsigned hello_timeout_ms = 0;
  std::string stderr_log;  // the child's stderr is appended here; "" = inherited from vipcts
};

// Starts the process and exchanges hello; throws InputError ("ID: no hello within N ms", "ID: exited with
// status 2 before hello", "ID: hello refused: ...", "ID: bad hello: ...") when it cannot.
std::unique_ptr<Implementation> make_exec_implementation(const ExecConfig& config);

// The reference model of the suites it is given (claims all their features), under `profile` (one of the
// suite's profiles, "" = the default), which it declares.
std::unique_ptr<Implementation> make_reference_implementation(std::vector<const Suite*> suites,
                                                              std::string profile = {});

// dlopen in this process: no isolation (a crash in the plugin ends vipcts), for benchmarks and debugging.
// Throws InputError on dlopen failure, a missing vipcts_entry or an ABI version mismatch.
std::unique_ptr<Implementation> make_inproc_plugin_implementation(const std::string& id,
                                                                  const std::string& path);

// As make_implementation(spec, options) (harness/core/implementation.hpp), but "reference" claims exactly the
// features of `suite` instead of those of every registered suite. Preferred by the runner, which knows its
// suite.
std::unique_ptr<Implementation> make_implementation(const std::string& spec,
                                                    const ImplementationOptions& options, const Suite& suite);

// Same, with the child's stderr appended to stderr_log ("" = inherited).
std::unique_ptr<Implementation> make_implementation(const std::string& spec,
                                                    const ImplementationOptions& options, const Suite* suite,
                                                    const std::string& stderr_log);

// Path of the running executable (/proc/self/exe), for `plugin:` when options.vipcts_exe is empty.
std::string self_executable();

}  // namespace vipcts
