// An implementation under test, as the runner drives it: claims (hello), then per scenario open, a pipelined
// stream of operations, close. Out-of-process implementations turn crashes and hangs into per-operation
// observations and restart themselves; the runner never sees an exception from them for that.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "json.hpp"
#include "scenario.hpp"
#include "suite.hpp"

namespace vipcts {

struct ImplementationInfo {
  std::string id;    // as given on the command line: "reference", "plugin:PATH", "exec:COMMAND"
  std::string name;  // what the implementation calls itself
  std::string version;
  std::vector<std::string> features;  // claimed features, across suites ("smmu.s1", ...)
  std::string profile;                // declared behaviour profile, "" = suite default
};

enum class ObservationKind { Outcome, Error, Crash, Timeout };

struct Observation {
  Observation(ObservationKind k = ObservationKind::Outcome, Json o = {}, std::string m = {})
      : kind(k), outcome(std::move(o)), message(std::move(m)) {}
  ObservationKind kind = ObservationKind::Outcome;
  Json outcome;         // when kind == Outcome, from apply()
  std::string message;  // why, for the other kinds ("killed by SIGSEGV", "no answer in 2000 ms", ...)
  std::string text;     // when kind == Outcome, from apply_text(): the outcome as compact JSON text
};

struct ImplementationOptions {
  unsigned timeout_ms = 5000;  // per operation (out-of-process only)
  unsigned batch = 256;        // operations in flight at once (pipelining)
  std::string vipcts_exe;      // path of the running vipcts, for the plugin host
  std::string profile;         // `reference` follows it (the vectors file's); the others declare their own
};

class Implementation {
 public:
  virtual ~Implementation() = default;
  virtual const ImplementationInfo& info() const = 0;
  // Loads a scenario's state. A crash, timeout or error here applies to every operation of the scenario.
  virtual Observation open(const Suite& suite, const ScenarioHeader& header) = 0;
  // Applies requests in order; returns exactly one observation per request. If the implementation dies on
  // one, that one gets Crash/Timeout, the implementation is restarted, the scenario re-opened and the
  // operations before it replayed, and the rest continue.
  virtual std::vector<Observation> apply(std::span<const Json> requests) = 0;
  // The runner's hot path: the same as apply(), with each request and outcome as compact JSON text (an
  // outcome in Observation::text, as answered or dump()ed; `outcome` stays null). The default goes
  // through apply(); implementations that speak text (exec) or have a suite's text fast path (reference,
  // plugin-inproc) override it to build no DOM.
  virtual std::vector<Observation> apply_text(std::span<const std::string_view> requests);
  virtual void close() = 0;
};

// IMPL: "reference" | "plugin:PATH.so" | "exec:COMMAND LINE". Throws InputError on an unusable spec or when
// the implementation cannot start or answers hello wrongly.
std::unique_ptr<Implementation> make_implementation(const std::string& spec,
                                                    const ImplementationOptions& options);

}  // namespace vipcts
