// reference: the suites' own executable models (reference/<area>/), answered in-process.
#include <algorithm>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "harness/adapters/adapters.hpp"
#include "harness/adapters/in_process.hpp"
#include "harness/core/errors.hpp"
#include "vipcts_version.hpp"

namespace vipcts {
namespace {

class ReferenceImplementation final : public Implementation {
 public:
  ReferenceImplementation(const std::vector<const Suite*>& suites, std::string profile) {
    info_.id = "reference";
    info_.name = "vipcts-reference";
    info_.version = VIPCTS_VERSION;
    // The vectors file's: the reference answers for whichever profile it is checked against.
    info_.profile = std::move(profile);
    // The reference implements every feature of its suites: nothing is ever "not applicable" to it.
    for (const Suite* suite : suites)
      for (std::string& f : suite->features())
        if (std::find(info_.features.begin(), info_.features.end(), f) == info_.features.end())
          info_.features.push_back(std::move(f));
  }

  const ImplementationInfo& info() const override { return info_; }

  // A state the model rejects is a malformed vector, not a behaviour of an implementation: the InputError
  // (naming the field) propagates so the run ends with exit code 2. Anything else the model throws is our
  // bug, reported as an error verdict rather than a crash of the whole run.
  Observation open(const Suite& suite, const ScenarioHeader& header) override {
    session_.reset();
    try {
      session_ = suite.open_reference_profile(header.state.text(), info_.profile);
    } catch (const InputError&) {
      throw;
    } catch (const std::exception& e) {
      return {ObservationKind::Error, {}, std::string("reference model: ") + e.what()};
    }
    return {ObservationKind::Outcome, Json::object(), {}};
  }

  std::vector<Observation> apply(std::span<const Json> requests) override {
    return apply_each(
        requests, session_.get(),
        [](SuiteSession& s, const Json& r, Observation& o) { o.outcome = s.apply(r); }, kPrefix, true);
  }

  std::vector<Observation> apply_text(std::span<const std::string_view> requests) override {
    return apply_each(
        requests, session_.get(),
        [](SuiteSession& s, std::string_view r, Observation& o) { o.text = s.apply_text(r); }, kPrefix, true);
  }

  void close() override { session_.reset(); }

 private:
  static constexpr std::string_view kPrefix = "reference model: ";
  ImplementationInfo info_;
  std::unique_ptr<SuiteSession> session_;
};

}  // namespace

std::unique_ptr<Implementation> make_reference_implementation(std::vector<const Suite*> suites,
                                                              std::string profile) {
  return std::make_unique<ReferenceImplementation>(suites, std::move(profile));
}

}  // namespace vipcts
