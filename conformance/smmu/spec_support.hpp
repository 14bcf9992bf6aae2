// Shared helpers of the spec_* conformance tests: where spec/smmu.yaml is, and the generated vector sets.
#pragma once

#include <string>
#include <vector>

#include "generators/smmu/generate.hpp"
#include "harness/core/clauses.hpp"

namespace vipcts::smmu::spec_test {

inline std::string spec_file() { return std::string(VIPCTS_SPEC_DIR) + "/smmu.yaml"; }

inline const ClauseFile& clause_file() {
  static const ClauseFile file = load_clause_file(spec_file());
  return file;
}

inline std::vector<gen::ScenarioSpec> generate_all(const gen::Options& options) {
  std::vector<gen::ScenarioSpec> out;
  gen::generate(options, [&](const gen::ScenarioSpec& s) { out.push_back(s); });
  return out;
}

inline gen::Options options(uint64_t seed, uint64_t count, bool boundary = true) {
  gen::Options o;
  o.seed = seed;
  o.count = count;
  o.boundary = boundary;
  o.spec_file = spec_file();
  return o;
}

}  // namespace vipcts::smmu::spec_test
