// The `smmu` suite: Arm SMMUv3 stage-1 translation (IHI 0070 G.b), 4 KB granule. Binds the reference model
// (reference/smmu), the generator (generators/smmu) and the C ABI (vipcts_smmu.h) to the harness through the
// Suite interface, with the payloads of docs/formats.md §2.
#pragma once

#include "harness/core/suite.hpp"

namespace vipcts::smmu {

class SmmuSuite final : public Suite {
 public:
  std::string_view name() const override { return "smmu"; }
  std::string_view clause_file() const override { return "smmu.yaml"; }
  std::vector<std::string> features() const override;
  std::vector<std::string> methods() const override { return {"translate"}; }
  // `pbha-combine=RULE` for each PbhaCombine, stage 2 wins first (the default): how the implementation
  // combines stage-1 and stage-2 PBHA of a nested translation, which the architecture leaves open
  // (SMMU.PBHA.COMBINE). The rule only changes the `pbha` of translations where both stages enable PBHA.
  std::vector<std::string> profiles() const override;

  // The reference answers an unmodelled configuration with {"status":"unmodelled"}, which compare() reports
  // as a mismatch on every implementation (never a silent pass, never a crash).
  std::unique_ptr<SuiteSession> open_reference(const Json& state) const override;
  uint32_t abi_version() const override;
  // suite_table is a const vipcts_smmu_ops*. Throws std::runtime_error if the plugin's open() returns NULL or
  // (in apply) translate() returns non-zero; InputError if the state is malformed.
  std::unique_ptr<SuiteSession> open_plugin(const void* suite_table, const Json& state) const override;
  // The text twins, through codec_text.hpp's fast path where it can.
  std::unique_ptr<SuiteSession> open_reference_text(std::string_view state) const override;
  std::unique_ptr<SuiteSession> open_reference_profile(std::string_view state,
                                                       std::string_view profile) const override;
  std::unique_ptr<SuiteSession> open_plugin_text(const void* suite_table,
                                                 std::string_view state) const override;
  void check_state_text(std::string_view state) const override;

  // docs/formats.md §2.3. A malformed `expected` is an input error (InputError, path "expect..."); a
  // malformed `observed` is a mismatch whose diff names the field ("observed.event.type: unknown event type
  // 'X'").
  Comparison compare(const Json& expected, const Json& observed) const override;
  // The same from text, decoded by codec_text.hpp's fast path where it can.
  Comparison compare_text(std::string_view expected, std::string_view observed) const override;
  void check_state(const Json& state) const override;
  void check_operation(const Operation& op) const override;

  // Runs generators/smmu and, for each scenario, the reference model over its transactions in order (applying
  // hardware updates between them) to produce the expected outcomes, under options.profile.
  void generate(const GenerateOptions& options, ScenarioSink& sink) const override;

 private:
  // open_plugin with the state decoded by decode() (after the operation table is checked).
  template <typename Decode>
  static std::unique_ptr<SuiteSession> open_plugin_with(const void* suite_table, const Decode& decode);
};

// The one instance, for the registry.
const Suite& smmu_suite();

}  // namespace vipcts::smmu
