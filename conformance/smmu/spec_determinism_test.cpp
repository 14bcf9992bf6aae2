// `vipcts gen --seed S` is byte-stable: the same options give the same scenarios (ids, registers, memory
// words, transactions); a different seed gives different random scenarios.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "generators/common/seeded.hpp"
#include "spec_support.hpp"

namespace vipcts::smmu {
namespace {

bool same_regs(const SmmuRegisters& a, const SmmuRegisters& b) {
  return a.idr0 == b.idr0 && a.idr1 == b.idr1 && a.idr3 == b.idr3 && a.idr5 == b.idr5 && a.cr0 == b.cr0 &&
         a.cr2 == b.cr2 && a.gbpa == b.gbpa && a.strtab_base == b.strtab_base &&
         a.strtab_base_cfg == b.strtab_base_cfg;
}

bool same_txn(const Transaction& a, const Transaction& b) {
  return a.stream_id == b.stream_id && a.ssv == b.ssv && a.substream_id == b.substream_id &&
         a.iova == b.iova && a.access == b.access && a.privileged == b.privileged;
}

void expect_same(const std::vector<gen::ScenarioSpec>& a, const std::vector<gen::ScenarioSpec>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(a[i].id);
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].clauses, b[i].clauses);
    EXPECT_EQ(a[i].features, b[i].features);
    EXPECT_TRUE(same_regs(a[i].regs, b[i].regs));
    const auto wa = a[i].memory.nonzero_words(), wb = b[i].memory.nonzero_words();
    ASSERT_EQ(wa.size(), wb.size());
    for (size_t j = 0; j < wa.size(); ++j) {
      EXPECT_EQ(wa[j].addr, wb[j].addr);
      EXPECT_EQ(wa[j].value, wb[j].value);
    }
    ASSERT_EQ(a[i].transactions.size(), b[i].transactions.size());
    for (size_t j = 0; j < a[i].transactions.size(); ++j)
      EXPECT_TRUE(same_txn(a[i].transactions[j], b[i].transactions[j]));
  }
}

TEST(SpecDeterminism, SameSeedSameScenarios) {
  const auto a = spec_test::generate_all(spec_test::options(42, 60));
  const auto b = spec_test::generate_all(spec_test::options(42, 60));
  expect_same(a, b);
}

TEST(SpecDeterminism, RandomScenarioDependsOnlyOnSeedAndIndex) {
  // Scenario smmu-9-5 is the same whether 6 or 40 scenarios are generated: replayable from its id.
  // The stage-2 random scenarios (one per four) follow the stage-1 ones: smmu-s2r-9-1 likewise.
  const auto small = spec_test::generate_all(spec_test::options(9, 6, false));
  const auto large = spec_test::generate_all(spec_test::options(9, 40, false));
  ASSERT_EQ(small.size(), 6u + 2u + 2u + 2u);
  ASSERT_EQ(large.size(), 40u + 10u + 10u + 10u);
  expect_same(std::vector<gen::ScenarioSpec>(small.begin(), small.begin() + 6),
              std::vector<gen::ScenarioSpec>(large.begin(), large.begin() + 6));
  expect_same(std::vector<gen::ScenarioSpec>(small.begin() + 6, small.begin() + 8),
              std::vector<gen::ScenarioSpec>(large.begin() + 40, large.begin() + 42));
  // And the 2-level Stream table ones (smmu-st2-9-i) after those.
  expect_same(std::vector<gen::ScenarioSpec>(small.begin() + 8, small.begin() + 10),
              std::vector<gen::ScenarioSpec>(large.begin() + 50, large.begin() + 52));
  // And the SubstreamID ones (smmu-ssid-9-i) after those.
  expect_same(std::vector<gen::ScenarioSpec>(small.begin() + 10, small.end()),
              std::vector<gen::ScenarioSpec>(large.begin() + 60, large.begin() + 62));
  EXPECT_EQ(small[11].id, "smmu-ssid-9-1");
  EXPECT_EQ(small[5].id, "smmu-9-5");
  EXPECT_EQ(small[7].id, "smmu-s2r-9-1");
}

TEST(SpecDeterminism, DifferentSeedsDiffer) {
  const auto a = spec_test::generate_all(spec_test::options(1, 20, false));
  const auto b = spec_test::generate_all(spec_test::options(2, 20, false));
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i)
    same += a[i].memory.nonzero_words().size() == b[i].memory.nonzero_words().size() &&
            a[i].transactions.front().iova == b[i].transactions.front().iova;
  EXPECT_LT(same, 3u);
}

TEST(SpecDeterminism, ScenarioIdsAreUniqueAndWellFormed) {
  const auto all = spec_test::generate_all(spec_test::options(5, 30));
  std::set<std::string> ids;
  for (const auto& s : all) {
    EXPECT_TRUE(ids.insert(s.id).second) << s.id;
    EXPECT_TRUE(s.id.rfind("smmu-5-", 0) == 0 || s.id.rfind("smmu-b-SMMU.", 0) == 0 ||
                s.id.rfind("smmu-g-5-", 0) == 0 || s.id.rfind("smmu-s2-5-", 0) == 0 ||
                s.id.rfind("smmu-s2r-5-", 0) == 0 || s.id.rfind("smmu-st2-5-", 0) == 0 ||
                s.id.rfind("smmu-ssid-5-", 0) == 0)
        << s.id;
    EXPECT_FALSE(s.transactions.empty()) << s.id;
    EXPECT_TRUE(std::is_sorted(s.clauses.begin(), s.clauses.end())) << s.id;
    EXPECT_TRUE(std::is_sorted(s.features.begin(), s.features.end())) << s.id;
  }
}

TEST(SpecDeterminism, SeededGeneratorIsStable) {
  // Pinned values: if RapidCheck's Random or our derive_seed ever change, every published seed changes
  // meaning.
  EXPECT_EQ(derive_seed(1, 0), derive_seed(1, 0));
  EXPECT_NE(derive_seed(1, 0), derive_seed(1, 1));
  EXPECT_NE(derive_seed(1, 0), derive_seed(2, 0));
  const auto g = rc::gen::inRange<uint64_t>(0, uint64_t{1} << 40);
  EXPECT_EQ(generate_seeded(g, 77), generate_seeded(g, 77));
}

}  // namespace
}  // namespace vipcts::smmu
