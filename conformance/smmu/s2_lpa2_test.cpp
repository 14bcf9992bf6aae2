// LPA2 at stage 2 (STE.S2DS with IDR5.DS): hand-computed cases for each clause S2DS changes. Stage 2 only
// (STE.Config 0b110, the input address is the IPA), tables written descriptor by descriptor at addresses
// computed here from the architecture's index formula, so a walk that indexes or starts wrongly reads zeros.
// Arm IHI 0070 G.b §5.2 (S2DS, S2SL0, S2SL0_2, S2T0SZ, S2TTB, S2PS, S2SH0), §6.3.6 (IDR5.DS); Arm DDI 0487
// M.a.a J1.1 (AArch64.S2StartLevel, S2InvalidSL, S2InconsistentSL, S2LeafBase, NextTableBase).
#include <gtest/gtest.h>

#include "generators/smmu/page_table.hpp"
#include "model_support.hpp"
#include "reference/smmu/translate.hpp"

namespace vipcts::smmu {
namespace {

constexpr uint64_t kS2Strtab = 0x10000;
constexpr uint64_t kRoot = 0x0100'0000;  // the stage-2 start table (aligned to 64 KB: 16 concatenated 4 KB)
// A stage-2 page or block: Normal Write-Back (MemAttr 0b1111), S2AP read/write, AF.
constexpr uint64_t kS2Leaf = (uint64_t{0xf} << 2) | (uint64_t{3} << 6) | (uint64_t{1} << 10);

struct S2Config {
  unsigned t0sz = 12, sl0 = 0, tg = 0, ps = 6, sh0 = 0;
  bool sl0_2 = true, s2ds = true;
  uint64_t ttb = kRoot;
};

struct S2Fixture {
  SparseMemory mem;
  SmmuRegisters regs = gen::default_registers(kS2Strtab, 4);

  // An SMMU with stage 2, every granule, a 52-bit OAS (oas = IDR5.OAS encoding) and, when idr5_ds, IDR5.DS
  // with IDR5.VAX = 0b01.
  explicit S2Fixture(bool idr5_ds = true, unsigned oas = 6) {
    regs.idr0 |= 1u;  // S2P
    regs.idr5 = (oas & 7u) | (1u << 4) | (1u << 5) | (1u << 6) | (idr5_ds ? (1u << 7) | (1u << 10) : 0u);
  }

  Outcome run(const S2Config& c, uint64_t ipa, Trace* trace = nullptr) {
    gen::SteFields f;
    f.config = 0b110;
    auto w = gen::encode_ste(f);
    w[2] = deposit(w[2], 165 - 128, 160 - 128, c.t0sz);
    w[2] = deposit(w[2], 167 - 128, 166 - 128, c.sl0);
    w[2] = deposit(w[2], 173 - 128, 172 - 128, c.sh0);
    w[2] = deposit(w[2], 175 - 128, 174 - 128, c.tg);
    w[2] = deposit(w[2], 178 - 128, 176 - 128, c.ps);
    w[2] |= (uint64_t{1} << (179 - 128)) | (uint64_t{1} << (186 - 128));  // S2AA64, S2R
    w[3] = (c.ttb & mask(51, 4)) | (uint64_t{c.sl0_2} << (194 - 192)) | (uint64_t{c.s2ds} << (195 - 192));
    gen::write_words(mem, gen::ste_address(regs, 0), w);
    Transaction t;
    t.iova = ipa;
    return translate(mem, regs, t, trace);
  }
};

// A 52-bit descriptor (DS): address bits [47:12] in place, [51:50] in bits [9:8], [49:48] in bits [49:48].
constexpr uint64_t ds_desc(uint64_t addr, uint64_t low_bits) {
  return (addr & mask(47, 12)) | (bits(addr, 51, 50) << 8) | (bits(addr, 49, 48) << 48) | low_bits;
}

// IPA 0x000A_0080_8060_4567: [51:48] = 0xA, [47:39] = 1, [38:30] = 2, [29:21] = 3, [20:12] = 4, [11:0] =
// 0x567.
constexpr uint64_t kIpa = 0x000A'0080'8060'4567ull;
constexpr uint64_t kPa = 0xD'1234'5678'9000ull;  // PA[51:50] = 0b11, PA[49:48] = 0b01

// The 4 KB walk from level -1: L-1 index 0xA, L0 1, L1 2, L2 3, L3 4; tables at kRoot + n * 4 KB.
void write_level_minus1_walk(SparseMemory& mem) {
  mem.write64(kRoot + 0xA * 8, ds_desc(kRoot + 0x1000, 3));
  mem.write64(kRoot + 0x1000 + 1 * 8, ds_desc(kRoot + 0x2000, 3));
  mem.write64(kRoot + 0x2000 + 2 * 8, ds_desc(kRoot + 0x3000, 3));
  mem.write64(kRoot + 0x3000 + 3 * 8, ds_desc(kRoot + 0x4000, 3));
  mem.write64(kRoot + 0x4000 + 4 * 8, ds_desc(kPa, kS2Leaf | 3));
}

TEST(SMMU_STE_S2_SL0, S2sl0_2With4kAndS2dsStartsAtLevelMinus1) {
  S2Fixture f;
  write_level_minus1_walk(f.mem);
  Trace trace;
  const Outcome o = f.run(S2Config{}, kIpa, &trace);
  ASSERT_EQ(o.status, Status::Translated);
  EXPECT_EQ(o.output_address, kPa | 0x567);
  EXPECT_EQ(o.level, 3);
  // The first stage-2 descriptor read is at level -1 (0b111 in the 3-bit clause field), index IPA[51:48].
  const Witness* w = test::find_witness(trace, Clause::S2_WALK_INDEX);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(test::field_of(*w, "level"), 7u);
  EXPECT_EQ(test::field_of(*w, "start"), 7u);
  EXPECT_EQ(test::field_of(*w, "index"), 0xAu);
  EXPECT_EQ(test::field_of(*w, "desc_addr"), kRoot + 0x50);
}

TEST(SMMU_STE_S2_SL0, LevelMinus1NeedsS2dsAnd52BitPamax) {
  {  // IDR5.DS but S2DS = 0: S2SL0_2 is not considered and S2T0SZ 12 is below 16: ILLEGAL.
    S2Fixture f;
    write_level_minus1_walk(f.mem);
    S2Config c;
    c.s2ds = false;
    EXPECT_TRUE(test::has_event(f.run(c, kIpa), EventType::C_BAD_STE));
  }
  {  // PAMax 48 (IDR5.OAS = 0b101): {1,00} is an invalid encoding (S2InvalidSL).
    S2Fixture f(true, 5);
    write_level_minus1_walk(f.mem);
    EXPECT_TRUE(test::has_event(f.run(S2Config{}, kIpa), EventType::C_BAD_STE));
  }
  for (unsigned sl0 : {1u, 2u, 3u}) {  // {1,01} and {1,1x} are invalid encodings
    S2Fixture f;
    write_level_minus1_walk(f.mem);
    S2Config c;
    c.sl0 = sl0;
    EXPECT_TRUE(test::has_event(f.run(c, kIpa), EventType::C_BAD_STE)) << "sl0 " << sl0;
  }
  {  // Level -1 with 48 IPA bits: inconsistent (level -1 needs at least 49 bits).
    S2Fixture f;
    S2Config c;
    c.t0sz = 16;
    EXPECT_TRUE(test::has_event(f.run(c, 0x1000), EventType::C_BAD_STE));
  }
}

TEST(SMMU_STE_S2_SL0, S2sl0_2IsNotConsideredWithoutS2ds) {
  // IDR5.DS = 1, S2DS = 0, S2SL0_2 = 1, S2SL0 = 01: level 1 for a 39-bit IPA, as if S2SL0_2 were 0.
  S2Fixture f;
  f.mem.write64(kRoot + 1 * 8, (kRoot + 0x1000) | 3);  // IPA 0x4000_5000: L1 index 1, L2 0, L3 5
  f.mem.write64(kRoot + 0x1000, (kRoot + 0x2000) | 3);
  f.mem.write64(kRoot + 0x2000 + 5 * 8, 0x7654'3000 | kS2Leaf | 3);
  S2Config c;
  c.s2ds = false;
  c.t0sz = 25;
  c.sl0 = 1;
  c.ps = 5;
  const Outcome o = f.run(c, 0x4000'5abc);
  ASSERT_EQ(o.status, Status::Translated);
  EXPECT_EQ(o.output_address, 0x7654'3abcu);
}

TEST(SMMU_STE_S2_CONCAT, FourKbLevel0With52BitIpaWalks16ConcatenatedTables) {
  // S2DS, S2SL0 = 10 (level 0), S2T0SZ 12: level 0 resolves IPA[51:39], 13 bits = 16 tables of 512 entries.
  // Index (0xA << 9) | 1 = 0x1401, at kRoot + 0xA008.
  S2Fixture f;
  f.mem.write64(kRoot + 0x1401 * 8, ds_desc(0x0200'0000, 3));
  f.mem.write64(0x0200'0000 + 2 * 8, ds_desc(0x0200'1000, 3));
  f.mem.write64(0x0200'1000 + 3 * 8, ds_desc(0x0200'2000, 3));
  f.mem.write64(0x0200'2000 + 4 * 8, ds_desc(kPa, kS2Leaf | 3));
  S2Config c;
  c.sl0 = 2;
  c.sl0_2 = false;
  Trace trace;
  const Outcome o = f.run(c, kIpa, &trace);
  ASSERT_EQ(o.status, Status::Translated);
  EXPECT_EQ(o.output_address, kPa | 0x567);
  const Witness* w = test::find_witness(trace, Clause::STE_S2_CONCAT);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(test::field_of(*w, "tables"), 16u);
  EXPECT_EQ(test::field_of(*w, "level"), 0u);
}

TEST(SMMU_STE_S2_T0SZ, S2dsLowersTheMinimumTo12For4kAnd16k) {
  struct Case {
    unsigned tg, t0sz, sl0;
    bool s2ds, bad;
  };
  // 16 KB S2SL0 = 11 is level 0 (legal with DS and PAMax 52) for 48..52 IPA bits.
  const Case cases[] = {{2, 12, 3, true, false}, {2, 12, 3, false, true},  {2, 11, 3, true, true},
                        {0, 12, 2, true, false}, {0, 16, 2, false, false}, {0, 15, 2, false, true}};
  for (const Case& k : cases) {
    S2Fixture f;
    S2Config c;
    c.tg = k.tg;
    c.t0sz = k.t0sz;
    c.sl0 = k.sl0;
    c.sl0_2 = false;
    c.s2ds = k.s2ds;
    const Outcome o = f.run(c, 0x1000);
    EXPECT_EQ(test::has_event(o, EventType::C_BAD_STE), k.bad)
        << "tg " << k.tg << " t0sz " << k.t0sz << " s2ds " << k.s2ds;
    if (!k.bad) {
      EXPECT_TRUE(test::has_event(o, EventType::F_TRANSLATION));  // empty tables: the walk ran
    }
  }
}

TEST(SMMU_STE_S2_TTB_RANGE, S2dsAllowsS2ttbAbove48Bits) {
  // 16 KB, 47-bit IPA from level 1 (S2SL0 = 10); the start table at 2^49 + 16 MB.
  const uint64_t root = (uint64_t{1} << 49) | 0x0100'0000;
  for (const bool s2ds : {true, false}) {
    S2Fixture f;
    // IPA 0x40_0000_4abc: L1 index IPA[46:36] = 4, L2 [35:25] = 0, L3 [24:14] = 1.
    f.mem.write64(root + 4 * 8, ds_desc(root + 0x4000, 3));
    f.mem.write64(root + 0x4000, ds_desc(root + 0x8000, 3));
    f.mem.write64(root + 0x8000 + 8, ds_desc(0x9'0000'0000'4000ull, kS2Leaf | 3));
    S2Config c;
    c.tg = 2;
    c.t0sz = 17;
    c.sl0 = 2;
    c.sl0_2 = false;
    c.s2ds = s2ds;
    c.ttb = root;
    const Outcome o = f.run(c, 0x40'0000'4abcull);
    if (s2ds) {
      ASSERT_EQ(o.status, Status::Translated);
      EXPECT_EQ(o.output_address, 0x9'0000'0000'4abcull);
    } else {
      EXPECT_TRUE(test::has_event(o, EventType::C_BAD_STE));  // S2TTB beyond 48 bits without S2DS
    }
  }
}

TEST(SMMU_STE_S2_PS_EFFECTIVE, S2dsWithoutIdr5DsIsRes0) {
  // S2DS = 1 on an SMMU without IDR5.DS: the 48-bit form, so S2T0SZ 12 is ILLEGAL.
  S2Fixture f(false);
  S2Config c;
  c.sl0 = 2;
  c.sl0_2 = false;
  EXPECT_TRUE(test::has_event(f.run(c, 0x1000), EventType::C_BAD_STE));
  // A legal configuration then has the 48-bit output size even with S2PS = 52 bits.
  S2Fixture g(false);
  c.t0sz = 25;
  c.sl0 = 1;
  Trace trace;
  g.run(c, 0x4000'1234, &trace);
  const Witness* w = test::find_witness(trace, Clause::STE_S2_PS_EFFECTIVE);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(test::field_of(*w, "ds"), 0u);
  EXPECT_EQ(test::field_of(*w, "eff_s2ps"), 48u);
}

TEST(SMMU_S2_DS_SHAREABILITY, S2dsTakesShareabilityFromS2sh0AndOaFromBits9to8) {
  // A 16 KB level-1 block (64 GB, legal only with DS) whose bits [9:8] = 0b10 are PA[51:50].
  const uint64_t block = ds_desc(0xB'0010'0000'0000ull & ~mask(35, 0), kS2Leaf | 1);
  for (const bool s2ds : {true, false}) {
    S2Fixture f;
    f.mem.write64(kRoot + 1 * 8, block);  // IPA 0x10_0000_1234: L1 index IPA[46:36] = 1
    S2Config c;
    c.tg = 2;
    c.t0sz = 17;
    c.sl0 = 2;
    c.sl0_2 = false;
    c.sh0 = 3;
    c.s2ds = s2ds;
    Trace trace;
    const Outcome o = f.run(c, 0x10'0000'1234ull, &trace);
    if (!s2ds) {  // no 16 KB level-1 block without DS: stage-2 Translation fault
      EXPECT_TRUE(test::has_event(o, EventType::F_TRANSLATION));
      continue;
    }
    ASSERT_EQ(o.status, Status::Translated);
    EXPECT_EQ(o.output_address, 0xB'0010'0000'1234ull);
    const Witness* w = test::find_witness(trace, Clause::S2_DS_SHAREABILITY);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(test::field_of(*w, "sh"), 3u);  // STE.S2SH0, not bits [9:8] = 0b10
  }
}

}  // namespace
}  // namespace vipcts::smmu
