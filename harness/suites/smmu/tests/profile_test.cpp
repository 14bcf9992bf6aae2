// SMMU.PBHA.COMBINE through the suite: the profile (`pbha-combine=stage2-wins|or|impdef`) picks the rule the
// reference answers with, so the expected outcomes of a nested translation where both stages enable PBHA
// depend on it; under impdef its `pbha` is "unknown" and not compared. Everything else is the same.
#include <gtest/gtest.h>

#include <string>

#include "generators/smmu/stage2_scenarios.hpp"
#include "harness/core/errors.hpp"
#include "harness/suites/smmu/codec.hpp"
#include "harness/suites/smmu/codec_text.hpp"
#include "harness/suites/smmu/suite.hpp"

namespace vipcts::smmu {
namespace {

// A nested scenario with every PBHA bit enabled at both stages (IDR3.PBHA and HAD, CD.HAD0, HWU0 = 0xf,
// STE.S2HWU = 0xf); the leaves' PBHA values come from the seed.
gen::ScenarioSpec nested_pbha(uint64_t seed) {
  gen::S2Plan p;
  p.nested = true;
  p.sl0 = 1;
  p.ia2 = 40;
  p.idr3_pbha = true;
  p.s2hwu = 0xf;
  p.had0 = true;
  p.hwu0 = 0xf;
  p.seed = seed;
  return gen::build_s2_scenario(p);
}

struct Answers {
  std::string stage2_wins, or_rule, impdef;
};

TEST(SMMU_PBHA_COMBINE, ExpectedOutcomesDependOnTheProfile) {
  const Suite& suite = smmu_suite();
  size_t differing = 0, translated = 0;
  for (uint64_t seed = 0; seed < 16; ++seed) {
    const gen::ScenarioSpec s = nested_pbha(seed);
    const std::string state = codec::encode_state(s.regs, s.memory).dump();
    auto s2w = suite.open_reference_profile(state, "");
    auto orr = suite.open_reference_profile(state, "pbha-combine=or");
    auto imp = suite.open_reference_profile(state, "pbha-combine=impdef");
    for (const Transaction& t : s.transactions) {
      const std::string request = codec::encode_request(t).dump();
      const Answers a{s2w->apply_text(request), orr->apply_text(request), imp->apply_text(request)};
      // The text fast path and the DOM agree on every answer, "pbha":"unknown" included.
      for (const std::string* text : {&a.stage2_wins, &a.or_rule, &a.impdef}) {
        codec::WireOutcome w;
        if (codec::decode_outcome_text(*text, w)) {
          EXPECT_EQ(w.pbha_unknown, codec::decode_outcome(Json::parse(*text), codec::Path("x")).pbha_unknown);
        }
      }
      if (a.stage2_wins.find("\"status\":\"translated\"") == std::string::npos) {
        EXPECT_EQ(a.stage2_wins, a.or_rule);  // the rule changes nothing but the output PBHA
        EXPECT_EQ(a.stage2_wins, a.impdef);
        continue;
      }
      ++translated;
      // Both stages enable every bit: the combination is the implementation's, never predicted under impdef.
      EXPECT_NE(a.impdef.find("\"pbha\":\"unknown\""), std::string::npos) << a.impdef;
      // impdef compares everything but the PBHA: either rule's answer passes.
      EXPECT_TRUE(suite.compare_text(a.impdef, a.stage2_wins).match) << a.impdef << " vs " << a.stage2_wins;
      EXPECT_TRUE(suite.compare_text(a.impdef, a.or_rule).match);
      // An answer of "unknown" to a vector that predicts a value is a failure.
      EXPECT_FALSE(suite.compare_text(a.stage2_wins, a.impdef).match);
      if (a.stage2_wins == a.or_rule) continue;
      ++differing;
      const Comparison c = suite.compare_text(a.stage2_wins, a.or_rule);
      EXPECT_FALSE(c.match);
      EXPECT_EQ(c.diff.rfind("pbha: expected ", 0), 0u) << c.diff;  // only the PBHA differs
      EXPECT_EQ(c.diff.find(';'), std::string::npos) << c.diff;
    }
  }
  EXPECT_GT(translated, 0u);
  EXPECT_GT(differing, 0u) << "no nested translation where stage 2 wins and OR differ";
}

TEST(SMMU_PBHA_COMBINE, ProfilesOfTheSuite) {
  const Suite& suite = smmu_suite();
  ASSERT_EQ(suite.profiles().size(), 3u);
  EXPECT_EQ(suite.profiles().front(), "pbha-combine=stage2-wins");  // the default
  EXPECT_EQ(canonical_profile(suite, ""), "");
  EXPECT_EQ(canonical_profile(suite, "pbha-combine=stage2-wins"), "");  // the default is written as ""
  EXPECT_EQ(canonical_profile(suite, "pbha-combine=or"), "pbha-combine=or");
  EXPECT_EQ(canonical_profile(suite, "pbha-combine=impdef"), "pbha-combine=impdef");
  for (const char* bad : {"pbha-combine=and", "or", "pbha-combine=", "linux-6.1"}) {
    try {
      canonical_profile(suite, bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("unknown profile `") + bad + "`"), std::string::npos)
          << e.what();
    }
    EXPECT_THROW(suite.open_reference_profile("{}", bad), InputError);
  }
}

}  // namespace
}  // namespace vipcts::smmu
