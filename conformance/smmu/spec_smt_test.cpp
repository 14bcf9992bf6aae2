// The Z3 bridge (generators/common/smt.hpp) on hand-written predicates, independent of spec/smmu.yaml.
#include <gtest/gtest.h>

#include <set>

#include "generators/common/smt.hpp"
#include "harness/core/errors.hpp"

namespace vipcts {
namespace {

// Start level for a 4 KB granule: 3 - floor((N - 1 - 12) / 9), N = 64 - t0sz (DDI 0487 M.a.a J1).
const char* kStartLevel =
    "(= level ((_ extract 1 0) (bvsub #x03 (bvudiv (bvsub (bvsub #x40 ((_ zero_extend 2) t0sz)) #x0d) #x09))))";

SmtPredicate start_level() { return SmtPredicate({{"t0sz", 6}, {"level", 2}}, kStartLevel, "test:START_LEVEL"); }

TEST(Smt, EvaluateMatchesTheFormula) {
  const SmtPredicate p = start_level();
  for (uint64_t t = 16; t <= 39; ++t) {
    const uint64_t level = 3 - (64 - t - 1 - 12) / 9;
    for (uint64_t l = 0; l < 4; ++l) EXPECT_EQ(p.evaluate({{"t0sz", t}, {"level", l}}), l == level) << t << " " << l;
  }
}

TEST(Smt, EvaluateRejectsMissingUnknownAndOversizedValues) {
  const SmtPredicate p = start_level();
  EXPECT_THROW(p.evaluate({{"t0sz", 16}}), InputError);
  EXPECT_THROW(p.evaluate({{"t0sz", 16}, {"level", 0}, {"extra", 1}}), InputError);
  EXPECT_THROW(p.evaluate({{"t0sz", 64}, {"level", 0}}), InputError);
}

TEST(Smt, SolveHonoursWantAndConstraints) {
  const SmtPredicate p = start_level();
  const auto yes = p.solve(true, {"(= t0sz (_ bv25 6))"}, 3);
  ASSERT_TRUE(yes);
  EXPECT_EQ(yes->at("t0sz"), 25u);
  EXPECT_EQ(yes->at("level"), 1u);
  const auto no = p.solve(false, {"(= t0sz (_ bv25 6))", "(= level #b01)"});
  EXPECT_FALSE(no);
  const auto wrong = p.solve(false, {"(= t0sz (_ bv16 6))"});
  ASSERT_TRUE(wrong);
  EXPECT_NE(wrong->at("level"), 0u);
  EXPECT_FALSE(p.evaluate(*wrong));
}

TEST(Smt, SolveIsDeterministic) {
  const SmtPredicate a = start_level(), b = start_level();
  EXPECT_EQ(a.solve(true, {}, 5), b.solve(true, {}, 5));
  EXPECT_EQ(a.enumerate(false, 10, {}, 5), b.enumerate(false, 10, {}, 5));
}

TEST(Smt, EnumerateGivesDistinctSolutions) {
  const SmtPredicate p = start_level();
  const auto all = p.enumerate(true, 100);
  EXPECT_EQ(all.size(), 64u);  // a function of t0sz: exactly one level per 6-bit t0sz
  std::set<SmtValues> distinct(all.begin(), all.end());
  EXPECT_EQ(distinct.size(), all.size());
  for (const auto& v : all) EXPECT_TRUE(p.evaluate(v));
  EXPECT_EQ(p.enumerate(true, 3).size(), 3u);
}

TEST(Smt, SatisfiableDetectsVacuousAndContradictoryPredicates) {
  const SmtPredicate valid({{"x", 4}}, "(bvule x #xf)", "valid");
  EXPECT_TRUE(valid.satisfiable(true));
  EXPECT_FALSE(valid.satisfiable(false));
  const SmtPredicate contra({{"x", 4}}, "(and (= x #x1) (= x #x2))", "contra");
  EXPECT_FALSE(contra.satisfiable(true));
  EXPECT_TRUE(contra.satisfiable(false));
  EXPECT_TRUE(start_level().satisfiable(true));
  EXPECT_TRUE(start_level().satisfiable(false));
}

TEST(Smt, BadPredicatesAreInputErrorsNamingTheClause) {
  try {
    SmtPredicate({{"a", 3}}, "(= a b)", "spec/smmu.yaml:12: X.Y");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("spec/smmu.yaml:12: X.Y"), std::string::npos) << e.what();
  }
  EXPECT_THROW(SmtPredicate({{"a", 3}}, "(bvadd a a)", "w"), InputError);  // not a Bool
  EXPECT_THROW(SmtPredicate({{"a", 65}}, "true", "w"), InputError);
  EXPECT_THROW(SmtPredicate({{"a", 3}, {"a", 3}}, "true", "w"), InputError);
  EXPECT_THROW(SmtPredicate({{"a", 3}}, "", "w"), InputError);
  const SmtPredicate p({{"a", 3}}, "(= a #b101)", "w");
  EXPECT_THROW(p.solve(true, {"(= a q)"}), InputError);
}

TEST(Smt, SixtyFourBitFields) {
  const SmtPredicate p({{"va", 64}, {"top", 1}}, "(= top ((_ extract 63 63) va))", "w");
  EXPECT_TRUE(p.evaluate({{"va", ~uint64_t{0}}, {"top", 1}}));
  const auto s = p.solve(true, {"(= va #x8000000000000000)"});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->at("top"), 1u);
  EXPECT_EQ(bv_literal(5, 6), "(_ bv5 6)");
  EXPECT_EQ(bv_literal(~uint64_t{0}, 4), "(_ bv15 4)");
}

}  // namespace
}  // namespace vipcts
