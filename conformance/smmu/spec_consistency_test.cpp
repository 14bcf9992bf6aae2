// Spec inconsistencies: a clause predicate that no field values satisfy says nothing can conform; one that no
// field values falsify is vacuous and cannot catch a wrong answer. Both are errors in spec/smmu.yaml.
#include <gtest/gtest.h>

#include <map>

#include "generators/smmu/boundary.hpp"
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
  const ClauseFile& file = spec_test::clause_file();
  std::map<std::string, size_t> per_clause;
  gen::generate_boundary(file, 1, [&](const gen::ScenarioSpec& s) {
    const std::string prefix = "smmu-b-";
    const std::string rest = s.id.substr(prefix.size());
    per_clause[rest.substr(0, rest.find("-"))]++;
  });
  for (const ClauseInfo& c : file.clauses) {
    if (c.smt.empty()) continue;
    EXPECT_GE(per_clause[c.id], 2u) << c.id << ": Z3 found too few boundary scenarios";
    EXPECT_LE(per_clause[c.id], 80u) << c.id;
  }
}

}  // namespace
}  // namespace vipcts::smmu
