// 52-bit addresses with the 4 KB and 16 KB granules (CD.DS with IDR5.DS, FEAT_LPA2 behaviour) and 52-bit VAs
// (IDR5.VAX): hand-computed cases for each clause DS changes, and a walk property over random DS tables
// (RapidCheck; failures shrink to the fewest mappings). Arm IHI 0070 G.b §5.4 (DS, TxSZ, TTBx, SHx, IPS),
// §6.3.6 (IDR5.DS, VAX); Arm DDI 0487 M.a.a J1.1 (AArch64.S1LeafBase, NextTableBase, BlockDescSupported).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <stdexcept>

#include "generators/smmu/vmsa_tables.hpp"
#include "model_support.hpp"
#include "reference/smmu/walk.hpp"

namespace vipcts::smmu {
namespace {

using test::Scenario;

constexpr uint64_t kAbove48 = uint64_t{1} << 49;  // a table address only DS can express with 4 KB / 16 KB
// Leaf attributes: AF = 1, AP[2:1] = 01 (read/write at EL0 and EL1: the transactions are unprivileged).
constexpr uint64_t kLeafRw = (uint64_t{1} << 10) | (uint64_t{1} << 6);

// An SMMU with 52-bit OAS, the 4 KB and 16 KB granules, DS and 52-bit VAs (IDR5.DS requires VAX, §6.3.6).
void lpa2_registers(SmmuRegisters& regs, bool ds = true) {
  regs.idr5 = (regs.idr5 & ~7u) | 6u | (1u << 4) | (1u << 5) | (1u << 10) | (ds ? 1u << 7 : 0u);
}

// A block descriptor (type 0b01) with AF and AP read/write: no granule has blocks at level -1.
constexpr uint64_t ds_block_at_level_minus1() {
  return kLeafRw | 1;
}

// Stage-1 tables of granule g over ia_bits VA bits, 52-bit descriptors when ds, at `base`; the CD uses them
// through TTB0 with IPS 52.
gen::VmsaTableBuilder use_tables(Scenario& s, Granule g, unsigned ia_bits, uint64_t base, bool ds) {
  gen::VmsaTableBuilder b(s.mem, base, g, ia_bits, vmsa::s1_start_level(g, ia_bits), true, ds);
  s.cd.t0sz = 64 - ia_bits;
  s.cd.tg0 = g == Granule::K4 ? 0 : g == Granule::K16 ? 2 : 1;
  s.cd.ttb0 = b.root();
  s.cd.ips = 6;
  s.cd.ds = ds;
  return b;
}

TEST(SMMU_S1_OUTPUT_ADDRESS, DsTakesOa51to50FromBits9to8And49to48FromBits49to48) {
  // A 4 KB page descriptor: OA[47:12] = 0x1234_5678_9000 from bits [47:12], OA[51:50] = 0b10 from [9:8],
  // OA[49:48] = 0b01 from [49:48]: OA = 0x9_1234_5678_9000.
  const uint64_t desc = 0x0001'1234'5678'9003ull | (uint64_t{2} << 8);
  EXPECT_EQ(vmsa::leaf_base(desc, Granule::K4, 3, true, false), 0x9'1234'5678'9000ull);
  EXPECT_EQ(vmsa::leaf_base(desc, Granule::K4, 3, false, false),
            0x1234'5678'9000ull);  // DS = 0: bits ignored
}

TEST(SMMU_S1_DESC_TABLE, DsNextTableAddressHasBits51to48) {
  const uint64_t desc = 0x0003'0000'0040'0003ull | (uint64_t{1} << 8);
  EXPECT_EQ(vmsa::next_table_base(desc, Granule::K16, true, false), 0x7'0000'0040'0000ull);
}

TEST(SMMU_CD_TTB_RANGE, DsAllowsTablesAbove48Bits) {
  for (const bool ds : {true, false}) {
    Scenario s;
    lpa2_registers(s.regs);
    auto b = use_tables(s, Granule::K4, 48, kAbove48, ds);
    b.map(0x4000'0000, 3, 0xf'0000'1234'5000ull, kLeafRw);
    const Outcome o = s.run(0x4000'0abc);
    if (ds) {
      ASSERT_EQ(o.status, Status::Translated);
      EXPECT_EQ(o.output_address, 0xf'0000'1234'5abcull);
    } else {
      // The TTB above 2^48 with a 4 KB granule and DS = 0 makes the CD ILLEGAL.
      EXPECT_TRUE(test::has_event(o, EventType::C_BAD_CD));
    }
  }
}

TEST(SMMU_CD_TTB_RANGE, CdDsWithoutIdr5DsIsRes0) {
  Scenario s;
  lpa2_registers(s.regs, false);
  auto b = use_tables(s, Granule::K4, 48, kAbove48, true);
  b.map(0x4000'0000, 3, 0x1234'5000, kLeafRw);
  EXPECT_TRUE(test::has_event(s.run(0x4000'0000), EventType::C_BAD_CD));
}

TEST(SMMU_CD_TXSZ_RANGE, VaxWithDsAllowsTxsz12For16k) {
  for (const bool ds : {true, false}) {
    Scenario s;
    lpa2_registers(s.regs);
    auto b = use_tables(s, Granule::K16, 52, 0x100'0000, true);
    s.cd.ds = ds;
    const uint64_t va = 0xa'bcde'f000'0000ull;  // above 2^48: only a 52-bit VA range holds it
    b.map(va, 3, 0x8'0000'0000'4000ull, kLeafRw);
    const Outcome o = s.run(va + 0x123);
    if (ds) {
      ASSERT_EQ(o.status, Status::Translated);
      EXPECT_EQ(o.output_address, 0x8'0000'0000'4123ull);
      EXPECT_EQ(o.level, 3);
    } else {
      EXPECT_TRUE(test::has_event(o, EventType::C_BAD_CD));  // TxSZ 12 needs DS with a 16 KB granule
    }
  }
}

TEST(SMMU_CD_TXSZ_RANGE, Txsz11IsIllegalEvenWithDs) {
  Scenario s;
  lpa2_registers(s.regs);
  use_tables(s, Granule::K16, 52, 0x100'0000, true);
  s.cd.t0sz = 11;
  EXPECT_TRUE(test::has_event(s.run(0x1000), EventType::C_BAD_CD));
}

TEST(SMMU_S1_ATTRIBUTES, DsTakesShareabilityFromCdSh0) {
  Scenario s;
  lpa2_registers(s.regs);
  auto b = use_tables(s, Granule::K4, 48, 0x100'0000, true);
  s.cd.sh0 = 2;  // Outer Shareable
  // The leaf's bits [9:8] are OA[51:50] = 0b11 here, not its shareability.
  b.map(0x2000, 3, 0xc'0000'0000'0000ull, kLeafRw);
  const Outcome o = s.run(0x2010);
  ASSERT_EQ(o.status, Status::Translated);
  EXPECT_EQ(o.output_address, 0xc'0000'0000'0010ull);
  EXPECT_EQ(o.attrs.sh, 2);
}

TEST(SMMU_S1_DESC_BLOCK_LEVEL, DsAllows4kLevel0And16kLevel1Blocks) {
  struct Case {
    Granule g;
    int level;
  };
  for (const Case c : {Case{Granule::K4, 0}, Case{Granule::K16, 1}}) {
    for (const bool ds : {true, false}) {
      Scenario s;
      lpa2_registers(s.regs);
      auto b = use_tables(s, c.g, 48, 0x100'0000, ds);
      const uint64_t size = uint64_t{1} << vmsa::level_shift(c.g, c.level);
      b.map(size, c.level, 3 * size, kLeafRw);
      const Outcome o = s.run(size + 0x1234);
      if (ds) {
        ASSERT_EQ(o.status, Status::Translated);
        EXPECT_EQ(o.output_address, 3 * size + 0x1234);
      } else {
        EXPECT_TRUE(test::has_event(o, EventType::F_TRANSLATION));  // no such block without DS
      }
    }
  }
}

TEST(SMMU_CD_IPS_EFFECTIVE, DsGives52BitOutputTo4k) {
  for (const bool ds : {true, false}) {
    Scenario s;
    lpa2_registers(s.regs);
    auto b = use_tables(s, Granule::K4, 48, 0x100'0000, ds);
    b.map(0x5000, 3, uint64_t{1} << 48, kLeafRw);  // 2^48: beyond 48 bits, inside 52
    const Outcome o = s.run(0x5000);
    if (ds) {
      ASSERT_EQ(o.status, Status::Translated);
      EXPECT_EQ(o.output_address, uint64_t{1} << 48);
    } else {
      // Without DS the descriptor cannot hold OA[48]: the builder wrote a 48-bit OA of 0 (bits [49:48] are
      // RES0 there), so the walk translates to 0; eff_IPS is 48.
      ASSERT_EQ(o.status, Status::Translated);
      EXPECT_EQ(o.output_address, 0u);
    }
  }
}

// The output address of a read of va + off through a 4 KB DS walk of ia_bits that maps page va to oa; ~0 when
// the read does not translate.
uint64_t page_walk_output(unsigned ia_bits, uint64_t va, uint64_t oa, uint64_t off) {
  Scenario s;
  lpa2_registers(s.regs);
  use_tables(s, Granule::K4, ia_bits, 0x100'0000, true).map(va, 3, oa, kLeafRw);
  const Outcome o = s.run(va + off);
  return o.status == Status::Translated ? o.output_address : ~uint64_t{0};
}

TEST(SMMU_S1_WALK_START_LEVEL, FourKbWalksOfMoreThan48BitsStartAtLevelMinus1) {
  // TxSZ 12 with a 4 KB granule and DS: level -1 resolves VA[51:48] (DDI 0487 AArch64.S1StartLevel: 3 -
  // (51 - 12) / 9 = -1). VA 0x000A_0080_8060_4567: L-1 index 0xA, L0 1, L1 2, L2 3, L3 4.
  Scenario s;
  lpa2_registers(s.regs);
  auto b = use_tables(s, Granule::K4, 52, 0x100'0000, true);
  const uint64_t va = 0x000A'0080'8060'4567ull;
  b.map(va, 3, 0xD'1234'5678'9000ull, kLeafRw);
  Trace trace;
  const Outcome o = s.run(va, AccessKind::Read, false, &trace);
  ASSERT_EQ(o.status, Status::Translated);
  EXPECT_EQ(o.output_address, 0xD'1234'5678'9567ull);
  const Witness* w = test::find_witness(trace, Clause::S1_WALK_START_LEVEL);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(test::field_of(*w, "level"), 7u);  // -1 in the clause's 3-bit two's complement field
  const Witness* first = test::find_witness(trace, Clause::S1_WALK_INDEX);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(test::field_of(*first, "index"), 0xAu);
  EXPECT_EQ(test::field_of(*first, "desc_addr"), b.root() + 0x50);
  // With 49 VA bits the level -1 table has two entries: VA[48].
  EXPECT_EQ(page_walk_output(49, uint64_t{1} << 48, 0x5000, 0x123), 0x5123u);
}

TEST(SMMU_S1_DESC_BLOCK_LEVEL, NoBlockAtLevelMinus1) {
  // A type 0b01 descriptor at level -1 is a Translation fault, reported at level -1.
  Scenario s;
  lpa2_registers(s.regs);
  auto b = use_tables(s, Granule::K4, 52, 0x100'0000, true);
  s.mem.write64(b.root() + 8, ds_block_at_level_minus1());
  const Outcome o = s.run((uint64_t{1} << 48) | 0x1000);
  EXPECT_TRUE(test::has_event(o, EventType::F_TRANSLATION));
  EXPECT_EQ(o.level, -1);
}

// Any DS walk (4 KB and 16 KB up to 52 VA bits) over tables anywhere below 2^52 gives base + offset.
RC_GTEST_PROP(SMMU_S1_OUTPUT_ADDRESS, DsWalkGivesBasePlusOffset, ()) {
  const Granule g = *rc::gen::element(Granule::K4, Granule::K16);
  const unsigned ia_bits = *rc::gen::inRange(vmsa::granule_bits(g) + 1, 53u);  // 4 KB from level -1 too
  const uint64_t base = *rc::gen::element(uint64_t{0x4000'0000}, kAbove48, uint64_t{0xf} << 48);
  SparseMemory mem;
  gen::VmsaTableBuilder b(mem, base, g, ia_bits, vmsa::s1_start_level(g, ia_bits), true, true);
  WalkParams p;
  p.ttb = b.root();
  p.txsz = 64 - ia_bits;
  p.eff_ips = 52;
  p.granule = g;
  p.ds = true;
  p.pamax = 52;
  const int n = *rc::gen::inRange(1, 6);
  for (int i = 0; i < n; ++i) {
    std::vector<int> levels;
    for (int l = vmsa::s1_start_level(g, ia_bits); l <= 3; ++l)
      if (l == 3 || vmsa::block_allowed(g, l, true, 52)) levels.push_back(l);
    const int level = *rc::gen::elementOf(levels);
    const uint64_t size = uint64_t{1} << vmsa::level_shift(g, level);
    const uint64_t ia = *rc::gen::arbitrary<uint64_t>() & mask(ia_bits - 1, 0) & ~(size - 1);
    const uint64_t oa = *rc::gen::arbitrary<uint64_t>() & mask(51, 0) & ~(size - 1);
    try {
      b.map(ia, level, oa, kLeafRw);
    } catch (const std::invalid_argument&) {
      continue;
    }
    const uint64_t off = *rc::gen::arbitrary<uint64_t>() & (size - 1);
    Outcome out;
    const WalkResult w = s1_walk(mem, p, ia + off, out, nullptr);
    RC_ASSERT(w.fault == S1Fault::None);
    RC_ASSERT(w.oa == oa + off);
    RC_ASSERT(w.level == static_cast<unsigned>(level));
  }
}

}  // namespace
}  // namespace vipcts::smmu
