// Hand-computed cases for 2-level Stream tables (Arm IHI 0070 G.b §3.3.1.2, §5.1, §6.3.24, §6.3.25), one or
// more per clause; test suites are named after the clause ids. The scenario fixture writes the STE where a
// linear table would have it; these tests move it into a level-2 array of their own.
#include <gtest/gtest.h>

#include "model_support.hpp"
#include "reference/smmu/stream_table.hpp"

namespace vipcts::smmu::test {
namespace {

using gen::kBlock1G;

constexpr uint64_t kSteVa = 0x40001234;
constexpr uint64_t kL1 = 0x100000;  // the level-1 array (kStrtab)
constexpr uint64_t kSteL2 = 0x300000;  // level-2 arrays, 64 KB apart

// IDR0.ST_LEVEL = 2-level, STRTAB_BASE_CFG = {FMT, SPLIT, LOG2SIZE}.
void two_level(Scenario& s, unsigned split_field, unsigned log2size = 16, unsigned fmt = 1) {
  s.regs.idr0 |= 1u << 27;
  s.regs.strtab_base_cfg = (fmt << 16) | (split_field << 6) | log2size;
}

// An L1STD for the L1 index of sid, its level-2 array at kSteL2 + 64 KB * index.
uint64_t put_l1std(Scenario& s, uint32_t sid, unsigned split, unsigned span) {
  const uint64_t l2 = kSteL2 + 0x10000 * uint64_t{sid >> split};
  s.mem.write64(kL1 + 8 * uint64_t{sid >> split}, l2 | span);
  return l2;
}

// Runs sid with its STE at `ste_addr` (the fixture's CD and a 1 GB block at kSteVa).
Outcome run_at(Scenario& s, uint32_t sid, uint64_t ste_addr, Trace* trace = nullptr) {
  s.tt0->map(0x40000000, kBlock1G, 0x80000000);
  gen::write_words(s.mem, ste_addr, gen::encode_ste(s.ste));
  gen::write_words(s.mem, kCd, gen::encode_cd(s.cd));
  Transaction t;
  t.stream_id = sid;
  t.iova = kSteVa;
  return translate(s.mem, s.regs, t, trace);
}

// ---- SMMU.STRTAB.FMT
TEST(SMMU_STRTAB_FMT, ReservedSplitBehavesAsSix) {
  for (unsigned split_field : {0u, 7u, 9u, 31u}) {
    Scenario s;
    two_level(s, split_field);
    EXPECT_EQ(strtab_split(s.regs), 6u) << split_field;
    const uint32_t sid = 0x45;  // L1 index 1, L2 index 5 with SPLIT 6
    const uint64_t l2 = put_l1std(s, sid, 6, 7);
    EXPECT_EQ(run_at(s, sid, l2 + 5 * 64).status, Status::Translated) << split_field;
  }
}
TEST(SMMU_STRTAB_FMT, ReservedFmtIsLinear) {
  Scenario s;
  two_level(s, 8, 8, 2);  // FMT 0b10: behaves as linear
  EXPECT_EQ(run_at(s, 3, kStrtab + 3 * 64).status, Status::Translated);
}
TEST(SMMU_STRTAB_FMT, TwoLevelWithoutStLevelIsUnmodelled) {
  Scenario s;
  two_level(s, 6);
  s.regs.idr0 &= ~(3u << 27);  // FMT is RES0 without IDR0.ST_LEVEL: not guessed
  EXPECT_EQ(run_at(s, 0, kSteL2).status, Status::Unmodelled);
}

// ---- SMMU.STRTAB.L1STD_ADDRESS
TEST(SMMU_STRTAB_L1STD_ADDRESS, IndexIsSidAboveSplitAndBaseAlignedToLevel1Size) {
  Scenario s;
  two_level(s, 8, 16);  // 256 L1STDs: 2 KB level-1 array
  s.regs.strtab_base = kL1 | 0x7c0;
  EXPECT_EQ(l1std_address(s.regs, 0x1234), kL1 + 8 * 0x12);
  s.regs.strtab_base_cfg = (1u << 16) | (8u << 6) | 4u;  // LOG2SIZE < SPLIT: one L1STD, aligned to 64 bytes
  EXPECT_EQ(l1std_address(s.regs, 0xf), (kL1 | 0x7c0) + 0);
}
TEST(SMMU_STRTAB_L1STD_ADDRESS, Log2SizeAboveSidsizeStillAlignsWithLiteralLog2Size) {
  Scenario s;
  two_level(s, 6, 20);
  s.regs.idr1 = (s.regs.idr1 & ~0x3fu) | 10;  // SIDSIZE 10: range check uses 10, alignment the literal 20
  s.regs.strtab_base = kL1 | 0x1fc0;          // below the 2^(20-6+3) = 128 KB alignment
  EXPECT_EQ(l1std_address(s.regs, 0x3ff), kL1 + 8 * (0x3ff >> 6));
}

// ---- SMMU.STRTAB.L1STD_SPAN
TEST(SMMU_STRTAB_L1STD_SPAN, SpanZeroIsCBadStreamidNotCBadSte) {
  Scenario s;
  two_level(s, 6);
  const uint64_t l2 = put_l1std(s, 0x80, 6, 0);
  const Outcome o = run_at(s, 0x80, l2);
  ASSERT_TRUE(has_event(o, EventType::C_BAD_STREAMID));
  EXPECT_EQ(o.event->stream_id, 0x80u);
}
TEST(SMMU_STRTAB_L1STD_SPAN, StreamIdBeyondSpanIsInvalid) {
  for (uint32_t sid : {0x103u, 0x104u}) {
    Scenario s;
    two_level(s, 8);
    const uint64_t l2 = put_l1std(s, 0x100, 8, 3);  // 4 STEs: StreamID[7:0] 0..3
    const Outcome o = run_at(s, sid, l2 + (sid & 0xff) * 64);
    if (sid == 0x103) {
      EXPECT_EQ(o.status, Status::Translated);
    } else {
      EXPECT_TRUE(has_event(o, EventType::C_BAD_STREAMID));
    }
  }
}
TEST(SMMU_STRTAB_L1STD_SPAN, SpanBeyondSplitPlusOneAndReservedAreInvalid) {
  for (unsigned span : {8u, 11u, 12u, 31u}) {
    Scenario s;
    two_level(s, 6);
    const uint64_t l2 = put_l1std(s, 0x40, 6, span);
    EXPECT_TRUE(has_event(run_at(s, 0x40, l2), EventType::C_BAD_STREAMID)) << span;
  }
  Scenario s;
  two_level(s, 6);
  const uint64_t l2 = put_l1std(s, 0x40, 6, 7);  // SPLIT + 1: the whole 64-STE array
  EXPECT_EQ(run_at(s, 0x7f, l2 + 63 * 64).status, Status::Translated);
}
TEST(SMMU_STRTAB_L1STD_SPAN, RecinvsidClearSuppressesRecord) {
  Scenario s;
  two_level(s, 6);
  s.regs.cr2 = 0;
  const uint64_t l2 = put_l1std(s, 0x40, 6, 0);
  const Outcome o = run_at(s, 0x40, l2);
  EXPECT_EQ(o.status, Status::Terminated);
  EXPECT_FALSE(o.event.has_value());
}

// ---- SMMU.STRTAB.L2_STE_ADDRESS
TEST(SMMU_STRTAB_L2_STE_ADDRESS, L2PtrAlignedToArraySize) {
  Scenario s;
  two_level(s, 10);
  const uint32_t sid = 0x400 | 0x1f;
  const uint64_t l2 = kSteL2 + 0x10000;
  s.mem.write64(kL1 + 8, l2 | 0x7c0 | 6);  // 32 STEs = 2 KB: L2Ptr[10:6] are treated as 0
  Trace trace;
  EXPECT_EQ(run_at(s, sid, l2 + 0x1f * 64, &trace).status, Status::Translated);
  const Witness* w = find_witness(trace, Clause::STRTAB_L2_STE_ADDRESS);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(field_of(*w, "ste_addr"), l2 + 0x1f * 64);
}
TEST(SMMU_STRTAB_L2_STE_ADDRESS, SteBeyondOasIsUnmodelled) {
  Scenario s;
  two_level(s, 6);
  s.regs.idr5 = (s.regs.idr5 & ~7u) | 0;  // OAS 32 bits
  s.mem.write64(kL1, (uint64_t{1} << 33) | 7);
  Transaction t;
  t.iova = kSteVa;
  EXPECT_EQ(translate(s.mem, s.regs, t).status, Status::Unmodelled);
}

}  // namespace
}  // namespace vipcts::smmu::test
