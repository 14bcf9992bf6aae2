// Spec inconsistencies: a clause predicate that no field values satisfy says nothing can conform; one that no
// field values falsify is vacuous and cannot catch a wrong answer. Both are errors in spec/smmu.yaml.
#include <gtest/gtest.h>

#include <map>

#include "generators/smmu/boundary.hpp"
#include "generators/smmu/stage2_scenarios.hpp"
#include "spec_support.hpp"

namespace vipcts::smmu {
namespace {

TEST(SpecConsistency, EveryPredicateIsSatisfiableAndFalsifiable) {
  const auto statuses = gen::check_predicates(spec_test::clause_file());
  EXPECT_FALSE(statuses.empty()) << "no clause of " << spec_test::spec_file() << " has an smt predicate";
  for (const auto& s : statuses) {
    EXPECT_TRUE(s.satisfiable) << s.id << ": predicate is unsatisfiable (no field values make it true)";
    EXPECT_TRUE(s.falsifiable) << s.id << ": predicate is valid (no field values make it false)";
  }
}

TEST(SpecConsistency, EveryPredicateClauseGetsBoundaryScenarios) {
  // Stage-1 clauses: Z3-aimed boundary scenarios (smmu-b-<id>-...). Stage-2, nested and PBHA-combine clauses:
  // the fixed stage-2 edge scenarios (smmu-s2-...: S2SL0 x S2T0SZ sweeps, OA boundaries, each ILLEGAL field,
  // faults at each CLASS), counted by the clauses the model exercises on them.
  const ClauseFile& file = spec_test::clause_file();
  std::map<std::string, size_t> per_clause;
  gen::generate_boundary(file, 1, [&](const gen::ScenarioSpec& s) {
    const std::string prefix = "smmu-b-";
    const std::string rest = s.id.substr(prefix.size());
    per_clause[rest.substr(0, rest.find("-"))]++;
  });
  std::map<std::string, size_t> per_s2_clause;
  gen::generate_s2_fixed_scenarios(1, [&](gen::ScenarioSpec& s) {
    gen::finish_scenario(s);
    for (const std::string& id : s.clauses) per_s2_clause[id]++;
  });
  for (const ClauseInfo& c : file.clauses) {
    if (c.smt.empty()) continue;
    if (gen::is_stage2_clause(c.id)) {
      EXPECT_GE(per_s2_clause[c.id], 2u) << c.id << ": too few stage-2 edge scenarios";
      EXPECT_EQ(per_clause[c.id], 0u) << c.id << ": stage-2 clauses are not aimed with stage-1 knobs";
      continue;
    }
    EXPECT_GE(per_clause[c.id], 2u) << c.id << ": Z3 found too few boundary scenarios";
    EXPECT_LE(per_clause[c.id], 80u) << c.id;
  }
}

}  // namespace
}  // namespace vipcts::smmu
