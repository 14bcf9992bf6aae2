// spec/vfio.yaml and the model agree on the clause list, and every clause is exercised by generated vectors.
#include <gtest/gtest.h>

#include <set>

#include "generators/vfio/boundary.hpp"
#include "support.hpp"

namespace vipcts::vfio {
namespace {

TEST(VfioSpec, ClauseFileLoadsAndMatchesTheModelInOrder) {
  const ClauseFile& f = test::clause_file();
  EXPECT_EQ(f.suite, "vfio");
  ASSERT_EQ(f.clauses.size(), kClauseCount);
  for (size_t i = 0; i < kClauseCount; ++i)
    EXPECT_EQ(f.clauses[i].id, clause_id(static_cast<Clause>(i))) << i;
}

TEST(VfioSpec, EveryPredicateClauseHasAWitnessAndEveryWitnessAPredicate) {
  std::set<std::string> witnessed;
  for (const gen::Witness& w : gen::witnesses()) {
    const ClauseInfo* c = test::clause_file().find(w.clause);
    ASSERT_NE(c, nullptr) << w.clause;
    EXPECT_FALSE(c->smt.empty()) << w.clause;
    for (const std::string& o : w.outputs) {
      bool known = false;
      for (const ClauseField& f : c->fields) known |= f.name == o;
      EXPECT_TRUE(known) << w.clause << ": output " << o << " is not a field";
    }
    witnessed.insert(w.clause);
  }
  for (const ClauseInfo& c : test::clause_file().clauses)
    if (!c.smt.empty()) {
      EXPECT_TRUE(witnessed.count(c.id)) << c.id << " has a predicate but no witness";
    }
}

// Every clause is covered by at least one operation of the default vector set (directed + boundary + random).
TEST(VfioSpec, EveryClauseIsCoveredByTheDefaultVectors) {
  std::set<std::string> covered;
  for (const gen::Scenario& s : test::generate_all(1, 100))
    for (const gen::Op& op : s.ops)
      op.outcome.clauses.for_each([&](Clause c) { covered.insert(std::string(clause_id(c))); });
  for (const ClauseInfo& c : test::clause_file().clauses)
    EXPECT_TRUE(covered.count(c.id)) << c.id << " not covered";
}

// Random scenarios alone (no directed or boundary help) still reach most clauses: the generators are not
// inert.
TEST(VfioSpec, RandomScenariosReachTheCoreClauses) {
  std::set<std::string> covered;
  for (const gen::Scenario& s : test::generate_all(3, 300, false))
    for (const gen::Op& op : s.ops)
      op.outcome.clauses.for_each([&](Clause c) { covered.insert(std::string(clause_id(c))); });
  for (const char* id :
       {"VFIO.TYPE1.MAP.OVERLAP", "VFIO.TYPE1.UNMAP.V2_BISECT", "VFIO.TYPE1.UNMAP.V1_PARTIAL",
        "VFIO.TYPE1.MAP.ENTRY_LIMIT", "VFIO.TYPE1.MAP.WRAP", "VFIO.DMA.EFFECT", "VFIO.IOMMUFD.IOAS.UNMAP",
        "VFIO.IOMMUFD.IOAS.MAP.AUTO", "VFIO.IOPF.RESPONSE", "VFIO.IOMMUFD.COMPAT.UNMAP"})
    EXPECT_TRUE(covered.count(id)) << id;
}

TEST(VfioSpec, GenerationIsDeterministicAndIdsAreUnique) {
  const auto a = test::generate_all(11, 40), b = test::generate_all(11, 40);
  ASSERT_EQ(a.size(), b.size());
  std::set<std::string> ids;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    ASSERT_EQ(a[i].ops.size(), b[i].ops.size()) << a[i].id;
    for (size_t j = 0; j < a[i].ops.size(); ++j) EXPECT_EQ(a[i].ops[j].outcome.ret, b[i].ops[j].outcome.ret);
    EXPECT_TRUE(ids.insert(a[i].id).second) << "duplicate id " << a[i].id;
  }
}

TEST(VfioSpec, GeneratedVectorsNeverContainUnmodelledOutcomes) {
  for (const gen::Scenario& s : test::generate_all(5, 200))
    for (const gen::Op& op : s.ops) EXPECT_FALSE(op.outcome.unmodelled) << s.id;
}

}  // namespace
}  // namespace vipcts::vfio
