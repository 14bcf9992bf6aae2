// A suite plugs an area (smmu, later doe, msix, pcie_fabric, vfio) into the harness: its clause file, its
// reference model, its generators, the operations an implementation answers, and how outcomes compare.
// The harness core knows areas only through this interface.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scenario.hpp"

namespace vipcts {

// The reference model (or a C-ABI implementation) bound to one scenario's state.
class SuiteSession {
 public:
  virtual ~SuiteSession() = default;
  // Answers one request ({"method","params"}) with an outcome. Throws InputError on a malformed request.
  virtual Json apply(const Json& request) = 0;
  // The same over compact JSON text (the runner's hot path); the result is compact JSON text. The
  // default goes through apply(); a suite with a text codec overrides it to build no DOM.
  virtual std::string apply_text(std::string_view request) { return apply(Json::parse(request)).dump(); }
  // Clause ids the last apply() exercised (reference sessions only; empty otherwise).
  virtual std::vector<std::string> last_clauses() const { return {}; }
};

struct Comparison {
  bool match = true;
  std::string diff;  // one line: "event.type: expected F_ACCESS, observed F_PERMISSION; ..."
};

class ScenarioSink {
 public:
  virtual ~ScenarioSink() = default;
  virtual void begin(const ScenarioHeader& header) = 0;
  virtual void op(const Operation& op) = 0;
  virtual void end() = 0;
};

struct ClauseInfo;  // spec/loader/clause.hpp

struct GenerateOptions {
  uint64_t seed = 1;
  uint64_t count = 100;  // random scenarios
  bool boundary = true;  // add the Z3 boundary scenarios of every predicate clause
  bool random = true;
  std::string spec_dir;            // where the clause files are
  unsigned ops_per_scenario = 16;  // random transactions per random scenario
  std::string platform;            // "" or a platform the suite knows (smmu: "qemu-virt")
  std::string profile;             // "" (default) or one of Suite::profiles(): for whom the outcomes are
};

class Suite {
 public:
  virtual ~Suite() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view clause_file() const = 0;  // file name under spec/, e.g. "smmu.yaml"
  virtual std::vector<std::string> features() const = 0;
  virtual std::vector<std::string> methods() const = 0;

  // Throws InputError (naming the field) if the state is malformed.
  virtual std::unique_ptr<SuiteSession> open_reference(const Json& state) const = 0;
  // Bridge to a C-ABI implementation: suite_table is what vipcts_implementation::suite() returned.
  virtual uint32_t abi_version() const = 0;
  virtual std::unique_ptr<SuiteSession> open_plugin(const void* suite_table, const Json& state) const = 0;

  virtual Comparison compare(const Json& expected, const Json& observed) const = 0;
  // The same over compact JSON text (the runner's hot path: a vector's expectation as read, an outcome as
  // answered). The default parses both and calls compare().
  virtual Comparison compare_text(std::string_view expected, std::string_view observed) const {
    return compare(Json::parse(expected), Json::parse(observed));
  }

  // Check a scenario's state and an operation (request and expected outcome) as they are read from a vectors
  // file, before anything runs them: malformed input is the input's fault (exit 2), never an implementation's
  // failure. Throw InputError naming the field; the runner adds the file and line. The defaults accept all.
  virtual void check_state(const Json& state) const { (void)state; }

  // Text twins of check_state, open_reference and open_plugin: the state as compact JSON text, as read from
  // a vectors file or an exec `open` request (docs/formats.md §1.1, fast path). The defaults parse it and
  // call the DOM versions; a suite with a text codec overrides them to build no DOM.
  virtual void check_state_text(std::string_view state) const { check_state(Json::parse(state)); }
  virtual std::unique_ptr<SuiteSession> open_reference_text(std::string_view state) const {
    return open_reference(Json::parse(state));
  }
  virtual std::unique_ptr<SuiteSession> open_plugin_text(const void* suite_table,
                                                         std::string_view state) const {
    return open_plugin(suite_table, Json::parse(state));
  }
  // Called for every operation read: a suite with a text codec checks op.request.text() and op.expect.text()
  // without building their DOMs.
  virtual void check_operation(const Operation& op) const { (void)op; }

  // Profiles (docs/implementing.md §5): named variants of the reference where the architecture leaves an
  // implementation a legal choice. An implementation declares one (hello `profile`, the C ABI's `profile`), a
  // vectors file is generated for one (`gen --profile`, the header's `profile`), and a run needs the two to
  // be the same. The first is the default, also spelt "". Empty: the suite checks no declared profile (vfio,
  // whose kernel profiles are scenario state, selected per scenario through features).
  virtual std::vector<std::string> profiles() const { return {}; }
  // The reference model under one of profiles() ("" = the default), for `run --impl reference` on a vectors
  // file generated for that profile. The default ignores the profile.
  virtual std::unique_ptr<SuiteSession> open_reference_profile(std::string_view state,
                                                               std::string_view profile) const {
    (void)profile;
    return open_reference_text(state);
  }

  // Writes scenarios, with the reference's expected outcomes, to sink. Same options -> same scenarios.
  virtual void generate(const GenerateOptions& options, ScenarioSink& sink) const = 0;
};

// `profile` as one of suite.profiles(), "" for the default (so a file generated for it is the same as one
// generated without a profile). Throws InputError naming the value and the known profiles when it is not one
// of them; a suite without profiles accepts only "".
std::string canonical_profile(const Suite& suite, std::string_view profile);

const Suite* find_suite(std::string_view name);
std::vector<const Suite*> all_suites();

}  // namespace vipcts
