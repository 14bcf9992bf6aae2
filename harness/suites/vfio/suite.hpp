// The `vfio` suite: VFIO type1 / iommufd DMA mapping, device lifecycle and I/O page faults with kernel
// profiles. Binds the reference model (reference/vfio), the generators (generators/vfio) and the C ABI
// (vipcts_vfio.h) to the harness; payloads are docs/vfio-operations.md.
#pragma once

#include "harness/core/suite.hpp"

namespace vipcts::vfio {

class VfioSuite final : public Suite {
 public:
  std::string_view name() const override { return "vfio"; }
  std::string_view clause_file() const override { return "vfio.yaml"; }
  std::vector<std::string> features() const override;
  std::vector<std::string> methods() const override;

  std::unique_ptr<SuiteSession> open_reference(const Json& state) const override;
  uint32_t abi_version() const override;
  // suite_table is a const vipcts_vfio_ops*.
  std::unique_ptr<SuiteSession> open_plugin(const void* suite_table, const Json& state) const override;
  Comparison compare(const Json& expected, const Json& observed) const override;
  void generate(const GenerateOptions& options, ScenarioSink& sink) const override;
};

const Suite& vfio_suite();

}  // namespace vipcts::vfio
