// The clause list of the model (reference/smmu/clause.hpp) and spec/smmu.yaml name the same clauses, and every
// SMT predicate in the file is satisfiable and falsifiable.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "reference/smmu/clause.hpp"
#include "spec_support.hpp"

namespace vipcts::smmu {
namespace {

TEST(SpecClauses, EveryEnumValueIsInTheSpec) {
  const ClauseFile& file = spec_test::clause_file();
  std::string missing;
  for (size_t i = 0; i < kClauseCount; ++i) {
    const std::string id(clause_id(static_cast<Clause>(i)));
    if (file.find(id) == nullptr) missing += " " + id;
  }
  EXPECT_TRUE(missing.empty()) << "clauses of clause.hpp missing from " << file.path << ":" << missing;
}

TEST(SpecClauses, EverySpecClauseIsAnEnumValue) {
  const ClauseFile& file = spec_test::clause_file();
  std::set<std::string> ids;
  for (size_t i = 0; i < kClauseCount; ++i) ids.insert(std::string(clause_id(static_cast<Clause>(i))));
  std::string extra;
  for (const ClauseInfo& c : file.clauses)
    if (!ids.count(c.id)) extra += " " + c.id;
  EXPECT_TRUE(extra.empty()) << "clauses of " << file.path << " the model does not know:" << extra;
  EXPECT_EQ(file.clauses.size(), kClauseCount);
}

TEST(SpecClauses, EnumOrderFollowsTheSpec) {
  // clause.hpp promises the file order; ids are stable, so a reordering is a review point, not noise.
  const ClauseFile& file = spec_test::clause_file();
  for (size_t i = 0; i < kClauseCount && i < file.clauses.size(); ++i)
    EXPECT_EQ(clause_id(static_cast<Clause>(i)), file.clauses[i].id) << "position " << i;
}

TEST(SpecClauses, ClauseIdsAreDistinct) {
  std::set<std::string> ids;
  for (size_t i = 0; i < kClauseCount; ++i)
    EXPECT_TRUE(ids.insert(std::string(clause_id(static_cast<Clause>(i)))).second) << clause_id(static_cast<Clause>(i));
}

}  // namespace
}  // namespace vipcts::smmu
