// The default generated vector set exercises every clause of spec/smmu.yaml: the union of the clauses the
// reference model reports (Outcome::clauses) over all operations covers the file.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "reference/smmu/translate.hpp"
#include "spec_support.hpp"

namespace vipcts::smmu {
namespace {

TEST(SpecCoverage, DefaultVectorSetExercisesEveryClause) {
  const ClauseFile& file = spec_test::clause_file();
  gen::Options o = spec_test::options(1, 100);  // the defaults of `vipcts gen smmu`
  std::set<std::string> covered;
  size_t scenarios = 0;
  gen::generate(o, [&](const gen::ScenarioSpec& s) {
    ++scenarios;
    SparseMemory memory = s.memory;
    for (const Transaction& t : s.transactions) {
      const Outcome out = translate(memory, s.regs, t);
      EXPECT_NE(out.status, Status::Unmodelled) << s.id << ": generators must stay inside the model's scope";
      out.clauses.for_each([&](Clause c) { covered.insert(std::string(clause_id(c))); });
      apply_updates(memory, out);
    }
  });
  std::string uncovered;
  for (const ClauseInfo& c : file.clauses)
    if (!covered.count(c.id)) uncovered += " " + c.id;
  EXPECT_TRUE(uncovered.empty()) << "clauses not exercised by " << scenarios << " scenarios:" << uncovered;
}

TEST(SpecCoverage, RandomScenariosAloneReachMostClauses) {
  // The random generators on their own (no Z3) should reach at least 80 % of the clauses.
  const ClauseFile& file = spec_test::clause_file();
  std::set<std::string> covered;
  gen::generate(spec_test::options(3, 300, /*boundary=*/false), [&](const gen::ScenarioSpec& s) {
    covered.insert(s.clauses.begin(), s.clauses.end());
  });
  size_t n = 0;
  std::string uncovered;
  for (const ClauseInfo& c : file.clauses) {
    if (covered.count(c.id)) ++n;
    else uncovered += " " + c.id;
  }
  EXPECT_GE(n * 5, file.clauses.size() * 4) << "random scenarios miss:" << uncovered;
}

}  // namespace
}  // namespace vipcts::smmu
