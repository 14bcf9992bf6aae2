// plugin-inproc:PATH.so: a C-ABI implementation loaded into vipcts itself. No isolation: a crash or hang in
// the plugin is one of vipcts. For benchmarks and debuggers; `plugin:PATH.so` (implementations.cpp) is the
// same plugin contained in a `vipcts plugin-host` child process.
#include <dlfcn.h>

#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "harness/adapters/adapters.hpp"
#include "harness/adapters/in_process.hpp"
#include "harness/adapters/plugin_loader.hpp"
#include "harness/core/errors.hpp"

namespace vipcts {
namespace {

class InprocPluginImplementation final : public Implementation {
 public:
  InprocPluginImplementation(const std::string& id, const std::string& path) {
    std::string why = load_plugin(path, plugin_);
    if (!why.empty()) throw InputError(id + ": " + why);
    info_ = plugin_info(*plugin_.impl, id);
  }

  ~InprocPluginImplementation() override {
    session_.reset();  // the plugin's close() runs before its code is unmapped
    if (plugin_.handle) dlclose(plugin_.handle);
  }

  const ImplementationInfo& info() const override { return info_; }

  // Everything the plugin or the suite's bridge rejects is the plugin's answer (verdict error), as for
  // plugin:.
  Observation open(const Suite& suite, const ScenarioHeader& header) override {
    session_.reset();
    const std::string name(suite.name());
    const void* table =
        plugin_.impl->suite ? plugin_.impl->suite(name.c_str(), suite.abi_version()) : nullptr;
    if (!table)
      return {ObservationKind::Error,
              {},
              "the plugin does not implement suite " + name + " (suite ABI " +
                  std::to_string(suite.abi_version()) + ")"};
    try {
      session_ = suite.open_plugin_text(table, header.state.text());
    } catch (const std::exception& e) {
      return {ObservationKind::Error, {}, e.what()};
    }
    return {ObservationKind::Outcome, Json::object(), {}};
  }

  std::vector<Observation> apply(std::span<const Json> requests) override {
    return apply_each(
        requests, session_.get(),
        [](SuiteSession& s, const Json& r, Observation& o) { o.outcome = s.apply(r); }, "", false);
  }

  std::vector<Observation> apply_text(std::span<const std::string_view> requests) override {
    return apply_each(
        requests, session_.get(),
        [](SuiteSession& s, std::string_view r, Observation& o) { o.text = s.apply_text(r); }, "", false);
  }

  void close() override { session_.reset(); }

 private:
  LoadedPlugin plugin_;
  ImplementationInfo info_;
  std::unique_ptr<SuiteSession> session_;
};

}  // namespace

std::unique_ptr<Implementation> make_inproc_plugin_implementation(const std::string& id,
                                                                  const std::string& path) {
  return std::make_unique<InprocPluginImplementation>(id, path);
}

}  // namespace vipcts
