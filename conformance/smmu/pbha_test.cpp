// SMMU.PBHA.*: the PBHA enables, the per-stage values and the stage-1/stage-2 combine rules of the profile
// (reference/smmu/pbha.hpp), exhaustively over every enable combination and descriptor value.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "reference/smmu/pbha.hpp"

namespace vipcts::smmu {
namespace {

TEST(SMMU_PBHA_ENABLES, Stage1NeedsIdr3PbhaHadAndHadxAndHwu) {
  for (unsigned m = 0; m < 8; ++m)
    for (unsigned hwu = 0; hwu < 16; ++hwu) {
      const bool pbha = m & 1, had = m & 2, hadx = m & 4;
      EXPECT_EQ(s1_pbha_enables(pbha, had, hadx, hwu), (pbha && had && hadx) ? hwu : 0u) << m << " " << hwu;
    }
}

TEST(SMMU_PBHA_ENABLES, Stage2NeedsOnlyIdr3PbhaAndS2Hwu) {
  for (unsigned hwu = 0; hwu < 16; ++hwu) {
    EXPECT_EQ(s2_pbha_enables(true, hwu), hwu);
    EXPECT_EQ(s2_pbha_enables(false, hwu), 0u);
  }
}

TEST(SMMU_PBHA_S2POE, AnyS2HwuWithS2PoeIsIllegal) {
  for (unsigned hwu = 0; hwu < 16; ++hwu) {
    EXPECT_EQ(s2hwu_with_s2poe_illegal(true, true, hwu), hwu != 0);
    EXPECT_FALSE(s2hwu_with_s2poe_illegal(true, false, hwu));
    EXPECT_FALSE(s2hwu_with_s2poe_illegal(false, true, hwu));  // S2POE is RES0 without IDR3.S2PO
  }
}

TEST(SMMU_PBHA_LEAF, ValueIsLeafBits62To59MaskedByTheEnables) {
  for (unsigned v = 0; v < 16; ++v)
    for (unsigned en = 0; en < 16; ++en) {
      const uint64_t desc = (uint64_t{v} << 59) | 0x0000'0000'4000'0743;  // bits outside 62:59 do not matter
      EXPECT_EQ(stage_pbha(desc, static_cast<uint8_t>(en)), v & en);
      EXPECT_EQ(stage_pbha(desc | (uint64_t{1} << 63) | (uint64_t{0xf} << 55), static_cast<uint8_t>(en)),
                v & en);
    }
}

// Reference semantics of the rules, bit by bit, written independently of combine_pbha.
unsigned combine_bitwise(PbhaCombine rule, unsigned s1v, unsigned s1e, unsigned s2v, unsigned s2e) {
  unsigned out = 0;
  for (unsigned b = 0; b < 4; ++b) {
    const bool e1 = (s1e >> b) & 1, e2 = (s2e >> b) & 1, v1 = (s1v >> b) & 1, v2 = (s2v >> b) & 1;
    bool o = false;
    if (rule == PbhaCombine::Stage2Wins)
      o = e2 ? v2 : (e1 && v1);
    else
      o = (e1 && v1) || (e2 && v2);
    out |= unsigned{o} << b;
  }
  return out;
}

TEST(SMMU_PBHA_COMBINE, EveryRuleOnEveryValueAndEnableCombination) {
  for (PbhaCombine rule : {PbhaCombine::Stage2Wins, PbhaCombine::Or, PbhaCombine::ImpDef})
    for (unsigned x = 0; x < (1u << 16); ++x) {
      const unsigned s1v = x & 15, s1e = (x >> 4) & 15, s2v = (x >> 8) & 15, s2e = (x >> 12) & 15;
      const auto got = combine_pbha(rule, uint8_t(s1v), uint8_t(s1e), uint8_t(s2v), uint8_t(s2e));
      if (s1e == 0 || s2e == 0) {
        // One stage enables nothing: the other stage's value, whatever the rule.
        ASSERT_TRUE(got.has_value());
        EXPECT_EQ(*got, s1e == 0 ? (s2v & s2e) : (s1v & s1e));
      } else if (rule == PbhaCombine::ImpDef) {
        EXPECT_FALSE(got.has_value());
      } else {
        ASSERT_TRUE(got.has_value());
        EXPECT_EQ(*got, combine_bitwise(rule, s1v, s1e, s2v, s2e)) << x;
      }
    }
}

TEST(SMMU_PBHA_COMBINE, Stage2WinsForcesEveryS2EnabledBit) {
  // "stage 2 wins": a hypervisor that enables stage-2 bit n controls output bit n whatever stage 1 says.
  for (unsigned x = 0; x < (1u << 16); ++x) {
    const unsigned s1v = x & 15, s1e = (x >> 4) & 15, s2v = (x >> 8) & 15, s2e = (x >> 12) & 15;
    const auto got =
        combine_pbha(PbhaCombine::Stage2Wins, uint8_t(s1v), uint8_t(s1e), uint8_t(s2v), uint8_t(s2e));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got & s2e, s2v & s2e) << x;
  }
}

TEST(SMMU_PBHA_COMBINE, ProfileNamesRoundTrip) {
  for (PbhaCombine c : {PbhaCombine::Stage2Wins, PbhaCombine::Or, PbhaCombine::ImpDef}) {
    PbhaCombine back = PbhaCombine::ImpDef;
    ASSERT_TRUE(parse_pbha_combine(pbha_combine_name(c), back));
    EXPECT_EQ(back, c);
  }
  PbhaCombine ignored;
  EXPECT_FALSE(parse_pbha_combine("stage1-wins", ignored));
}

RC_GTEST_PROP(SMMU_PBHA_LEAF, DisabledBitsNeverReachTheOutput, (uint64_t desc, uint8_t s1e, uint8_t s2e)) {
  const uint8_t e1 = s1e & 15, e2 = s2e & 15;
  for (PbhaCombine rule : {PbhaCombine::Stage2Wins, PbhaCombine::Or}) {
    const auto out = combine_pbha(rule, leaf_pbha_bits(desc), e1, leaf_pbha_bits(desc), e2);
    RC_ASSERT(out.has_value());
    RC_ASSERT((*out & ~(e1 | e2) & 15) == 0);
  }
}

}  // namespace
}  // namespace vipcts::smmu
