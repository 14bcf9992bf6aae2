// Hand-computed cases for SubstreamIDs and Context descriptor tables (Arm IHI 0070 G.b §3.3.2, §5.2 S1Fmt,
// S1CDMax, S1DSS, §5.3 L1CD, §7.3.7, §7.3.9), test suites named after the clause ids. The fixture's CD (one
// 1 GB block at kSsidVa) is copied to the table positions a test names; every other CD of a table is all zero
// (V = 0: C_BAD_CD if it is ever fetched).
#include <gtest/gtest.h>

#include "generators/smmu/vmsa_tables.hpp"
#include "model_support.hpp"
#include "reference/smmu/cd_table.hpp"

namespace vipcts::smmu::test {
namespace {

using gen::kBlock1G;

constexpr uint64_t kSsidVa = 0x40001234;
constexpr uint64_t kOut = 0x80000000 + (kSsidVa & 0x3fffffff);
constexpr uint64_t kTable = 0x1000000;  // the CD table (linear or level 1), 16 MB aligned
constexpr uint64_t kCdL2 = 0x2000000;     // level-2 CD tables, 64 KB apart

// IDR1.SSIDSIZE, IDR0.CD2L; the STE's substream fields with S1ContextPtr = kTable.
void substreams(Scenario& s, unsigned ssidsize, unsigned s1cdmax, unsigned s1fmt = 0, unsigned s1dss = 0,
                bool cd2l = true) {
  s.regs.idr1 = (s.regs.idr1 & ~(0x1fu << 6)) | (ssidsize << 6);
  s.regs.idr0 = cd2l ? s.regs.idr0 | (1u << 19) : s.regs.idr0 & ~(1u << 19);
  s.ste.s1cdmax = s1cdmax;
  s.ste.s1fmt = s1fmt;
  s.ste.s1dss = s1dss;
  s.ste.s1_context_ptr = kTable;
  s.tt0->map(0x40000000, kBlock1G, 0x80000000);
}

void put_cd(Scenario& s, uint64_t addr) {
  gen::write_words(s.mem, addr, gen::encode_cd(s.cd));
}

// A 2-level table: the L1CD of `index` points at a level-2 table of its own (kCdL2 + 64 KB * L1 index) and the
// fixture's CD goes in it. Returns the CD's address.
uint64_t put_2level_cd(Scenario& s, unsigned split, uint32_t index, bool v = true) {
  const uint64_t l2 = kCdL2 + 0x10000 * uint64_t{index >> split};
  s.mem.write64(kTable + 8 * uint64_t{index >> split}, l2 | (v ? 1 : 0));
  const uint64_t at = l2 + 64 * uint64_t{index & ((1u << split) - 1)};
  put_cd(s, at);
  return at;
}

Transaction txn(bool ssv, uint32_t ssid, uint64_t iova = kSsidVa) {
  Transaction t;
  t.stream_id = kSid;
  t.ssv = ssv;
  t.substream_id = ssid;
  t.iova = iova;
  return t;
}

// ---- SMMU.STE.S1CDMAX
TEST(SMMU_STE_S1CDMAX, AboveSsidsizeIsBadSteAtSsidsizeIsLegal) {
  Scenario s;
  substreams(s, 8, 9);
  put_cd(s, kTable + 64 * 3);
  Outcome o = s.run(txn(true, 3));
  ASSERT_TRUE(has_event(o, EventType::C_BAD_STE));
  EXPECT_TRUE(o.clauses.contains(Clause::STE_S1CDMAX));
  s.ste.s1cdmax = 8;
  o = s.run(txn(true, 3));
  ASSERT_EQ(o.status, Status::Translated);
  EXPECT_EQ(o.output_address, kOut);
}
TEST(SMMU_STE_S1CDMAX, IgnoredWithoutSsidsize) {
  Scenario s;
  substreams(s, 0, 31, 1, 0, false);  // S1CDMax and S1Fmt IGNORED: one CD at S1ContextPtr, no 2-level
  put_cd(s, kTable);
  EXPECT_FALSE(s1cdmax_illegal(s.regs, Ste{gen::encode_ste(s.ste)[0], 0, 0, 0}));
  Outcome o = s.run(txn(false, 0));
  ASSERT_EQ(o.status, Status::Translated);
  EXPECT_EQ(o.output_address, kOut);
  o = s.run(txn(true, 0));  // no substreams at all
  EXPECT_TRUE(has_event(o, EventType::C_BAD_SUBSTREAMID));
}
TEST(SMMU_STE_S1CDMAX, SteIllegalBeforeSubstreamId) {
  Scenario s;
  substreams(s, 4, 5);
  const Outcome o = s.run(txn(true, 1u << 10));  // also beyond 2^S1CDMax: C_BAD_STE comes first (§7.3.22)
  EXPECT_TRUE(has_event(o, EventType::C_BAD_STE));
}

// ---- SMMU.STE.S1FMT
TEST(SMMU_STE_S1FMT, SplitPerFormat) {
  EXPECT_EQ(cd_table_split(0), 0u);
  EXPECT_EQ(cd_table_split(1), 6u);
  EXPECT_EQ(cd_table_split(2), 10u);
  EXPECT_EQ(cd_table_split(3), 0u);  // reserved: behaves as linear
}
TEST(SMMU_STE_S1FMT, TwoLevelWithoutCd2lIsBadSte) {
  for (unsigned fmt : {1u, 2u}) {
    Scenario s;
    substreams(s, 8, 4, fmt, 0, false);
    put_2level_cd(s, fmt == 1 ? 6 : 10, 2);
    Trace trace;
    const Outcome o = s.run(txn(true, 2), &trace);
    EXPECT_TRUE(has_event(o, EventType::C_BAD_STE)) << fmt;
    const Witness* w = find_witness(trace, Clause::STE_S1FMT);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(field_of(*w, "bad_ste"), 1u);
  }
}
TEST(SMMU_STE_S1FMT, ReservedFormatIsLinearEvenWithoutCd2l) {
  Scenario s;
  substreams(s, 8, 4, 3, 0, false);
  put_cd(s, kTable + 64 * 9);
  const Outcome o = s.run(txn(true, 9));
  ASSERT_EQ(o.status, Status::Translated);
  EXPECT_EQ(o.output_address, kOut);
}

// ---- SMMU.STE.SUBSTREAM
TEST(SMMU_STE_SUBSTREAM, LastCdAndFirstBeyondTheTable) {
  Scenario s;
  substreams(s, 8, 4);  // 16 CDs
  put_cd(s, kTable + 64 * 15);
  Outcome o = s.run(txn(true, 15));
  ASSERT_EQ(o.status, Status::Translated);
  o = s.run(txn(true, 16));
  ASSERT_TRUE(has_event(o, EventType::C_BAD_SUBSTREAMID));
  EXPECT_EQ(o.event->substream_id, 16u);
  EXPECT_FALSE(o.event->ssv);
  EXPECT_EQ(o.event->stream_id, kSid);
}
TEST(SMMU_STE_SUBSTREAM, StageOneBypassRefusesSubstreamIds) {
  Scenario s;
  substreams(s, 8, 4);
  s.ste.config = 0b100;
  EXPECT_TRUE(has_event(s.run(txn(true, 1)), EventType::C_BAD_SUBSTREAMID));
  const Outcome o = s.run(txn(false, 0));
  ASSERT_EQ(o.status, Status::Translated);
  EXPECT_EQ(o.output_address, kSsidVa);
}
TEST(SMMU_STE_SUBSTREAM, PureFunction) {
  EXPECT_FALSE(substream_bad(true, 4, false, 99));
  EXPECT_FALSE(substream_bad(true, 4, true, 15));
  EXPECT_TRUE(substream_bad(true, 4, true, 16));
  EXPECT_TRUE(substream_bad(true, 0, true, 0));
  EXPECT_TRUE(substream_bad(false, 4, true, 0));
  EXPECT_FALSE(substream_bad(true, 20, true, (1u << 20) - 1));
}

// ---- SMMU.STE.S1DSS
TEST(SMMU_STE_S1DSS, TerminateRecordsStreamDisabled) {
  for (unsigned dss : {0u, 3u}) {  // 0b11 is reserved and behaves as 0b00
    Scenario s;
    substreams(s, 8, 4, 0, dss);
    put_cd(s, kTable);
    const Outcome o = s.run(txn(false, 0));
    EXPECT_EQ(o.status, Status::Terminated) << dss;
    EXPECT_EQ(o.termination, Termination::Abort) << dss;
    ASSERT_TRUE(has_event(o, EventType::F_STREAM_DISABLED)) << dss;
    EXPECT_EQ(o.event->stream_id, kSid);
    EXPECT_EQ(event_fields(EventType::F_STREAM_DISABLED), unsigned{kFieldSid});
  }
}
TEST(SMMU_STE_S1DSS, BypassFetchesNoCd) {
  Scenario s;
  substreams(s, 8, 4, 0, 1);  // the table is empty: a fetched CD would be C_BAD_CD
  Outcome o = s.run(txn(false, 0, 0x1234'5678'9000));
  ASSERT_EQ(o.status, Status::Translated);
  EXPECT_EQ(o.output_address, 0x1234'5678'9000u);
  // Beyond the 48-bit OAS: a stage-1 Address Size fault, as in bypass.
  o = s.run(txn(false, 0, uint64_t{1} << 48));
  ASSERT_TRUE(has_event(o, EventType::F_ADDR_SIZE));
  EXPECT_TRUE(has_event(s.run(txn(true, 2)), EventType::C_BAD_CD));  // with a SubstreamID: its (empty) CD
}
TEST(SMMU_STE_S1DSS, SubstreamZeroIsForTrafficWithoutSubstreamId) {
  Scenario s;
  substreams(s, 8, 4, 0, 2);
  put_cd(s, kTable);  // CD 0
  Outcome o = s.run(txn(false, 0));
  ASSERT_EQ(o.status, Status::Translated);
  EXPECT_EQ(o.output_address, kOut);
  o = s.run(txn(true, 0));
  ASSERT_TRUE(has_event(o, EventType::F_STREAM_DISABLED));
  put_cd(s, kTable + 64);
  EXPECT_EQ(s.run(txn(true, 1)).status, Status::Translated);
}
TEST(SMMU_STE_S1DSS, PureFunction) {
  EXPECT_EQ(default_substream(0, false, 0), DefaultSubstream::StreamDisabled);
  EXPECT_EQ(default_substream(1, false, 0), DefaultSubstream::BypassStage1);
  EXPECT_EQ(default_substream(2, false, 0), DefaultSubstream::UseCd);
  EXPECT_EQ(default_substream(3, false, 0), DefaultSubstream::StreamDisabled);
  EXPECT_EQ(default_substream(2, true, 0), DefaultSubstream::StreamDisabled);
  EXPECT_EQ(default_substream(1, true, 0), DefaultSubstream::UseCd);
  EXPECT_EQ(default_substream(2, true, 5), DefaultSubstream::UseCd);
}

// ---- SMMU.CD.TABLE.LINEAR
TEST(SMMU_CD_TABLE_LINEAR, CdOfSubstreamIsBasePlus64TimesSsid) {
  Scenario s;
  substreams(s, 8, 3);
  put_cd(s, kTable + 64 * 5);
  Trace trace;
  Outcome o = s.run(txn(true, 5), &trace);
  ASSERT_EQ(o.status, Status::Translated);
  const Witness* w = find_witness(trace, Clause::CD_TABLE_LINEAR);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(field_of(*w, "cd_addr"), kTable + 0x140);
  EXPECT_TRUE(has_event(s.run(txn(true, 4)), EventType::C_BAD_CD));  // CD 4 is all zero
}
TEST(SMMU_CD_TABLE_LINEAR, MisalignedTableIsUnmodelled) {
  Scenario s;
  substreams(s, 8, 3);  // 8 CDs = 512 bytes: S1ContextPtr[8:6] are RES0
  s.ste.s1_context_ptr = kTable + 0x40;
  EXPECT_EQ(s.run(txn(true, 1)).status, Status::Unmodelled);
}

// ---- SMMU.CD.TABLE.L1CD_ADDRESS
TEST(SMMU_CD_TABLE_L1CD_ADDRESS, IndexIsSubstreamIdAboveSplit) {
  const Ste ste{kTable | (uint64_t{1} << 4), 0, 0, 0};
  EXPECT_EQ(l1cd_address(ste, 6, 0x3c5), kTable + 8 * 15);
  EXPECT_EQ(l1cd_address(ste, 10, 0x3c5), kTable);
  EXPECT_EQ(l1cd_address(ste, 10, 0x7ffff), kTable + 8 * 511);
}
TEST(SMMU_CD_TABLE_L1CD_ADDRESS, FourKbAndSixtyFourKbLeafTables) {
  for (unsigned fmt : {1u, 2u}) {
    const unsigned split = fmt == 1 ? 6 : 10;
    Scenario s;
    substreams(s, 16, 16, fmt);
    const uint32_t ssid = 0x3c5;
    put_2level_cd(s, split, ssid);
    const Outcome o = s.run(txn(true, ssid));
    ASSERT_EQ(o.status, Status::Translated) << fmt;
    EXPECT_EQ(o.output_address, kOut);
    // A neighbour in another level-2 table has no L1CD (all zero: V = 0).
    const uint32_t other = ssid + (1u << split);
    EXPECT_TRUE(has_event(s.run(txn(true, other)), EventType::C_BAD_SUBSTREAMID)) << fmt;
  }
}

// ---- SMMU.CD.TABLE.L2_CD
TEST(SMMU_CD_TABLE_L2_CD, InvalidL1CdIsBadSubstreamId) {
  Scenario s;
  substreams(s, 16, 12, 1, 2);
  put_2level_cd(s, 6, 0x85, false);
  put_2level_cd(s, 6, 0, false);
  Outcome o = s.run(txn(true, 0x85));
  ASSERT_TRUE(has_event(o, EventType::C_BAD_SUBSTREAMID));
  EXPECT_EQ(o.event->substream_id, 0x85u);
  o = s.run(txn(false, 0x77));  // CD 0 for traffic without a SubstreamID: recorded as SubstreamID 0
  ASSERT_TRUE(has_event(o, EventType::C_BAD_SUBSTREAMID));
  EXPECT_EQ(o.event->substream_id, 0u);
}
TEST(SMMU_CD_TABLE_L2_CD, AddressIsL2PtrPlus64TimesLowBits) {
  const L1Cd l1{0x0012'3456'7000 | 0xff1};  // V = 1; bits [11:1] are not part of L2Ptr
  EXPECT_EQ(l2_cd_address(l1, 6, 0x3c5), 0x0012'3456'7000u + 64 * 0x05);
  EXPECT_EQ(l2_cd_address(l1, 10, 0x3c5), 0x0012'3456'7000u + 64 * 0x3c5);
  EXPECT_FALSE(l1cd_invalid(l1));
  EXPECT_TRUE(l1cd_invalid(L1Cd{0x0012'3456'7000}));
}
TEST(SMMU_CD_TABLE_L2_CD, SixtyFourKbTableWithRes0L2PtrBitsIsUnmodelled) {
  Scenario s;
  substreams(s, 16, 12, 2);
  put_2level_cd(s, 10, 5);
  s.mem.write64(kTable, s.mem.read64(kTable) | 0x1000);  // L2Ptr[15:12] are RES0 with 64 KB leaf tables
  EXPECT_EQ(s.run(txn(true, 5)).status, Status::Unmodelled);
}

// ---- SMMU.NESTED.CD_FETCH with a 2-level table: the L1CD and the CD are each fetched through stage 2.
// IPAs [kTable, kTable + 4 MB) map to PA + kShift; the stage-1 tables and the STE are at PAs.
constexpr uint64_t kShift = 0x1000'0000, kS2Tables = 0x800'0000;

struct NestedTables {
  SmmuRegisters regs;
  SparseMemory mem;
};

NestedTables nested_2level(bool map_l1_table) {
  NestedTables n;
  Scenario s;
  substreams(s, 16, 12, 1);
  const uint64_t cd = put_2level_cd(s, 6, 0x85);
  n.regs = s.regs;
  n.regs.idr0 |= 1u;  // S2P
  gen::VmsaTableBuilder s2(n.mem, kS2Tables, Granule::K4, 40, 1);
  // The CD table structures live at IPAs: copy them up by kShift; the stage-1 tables stay at their PAs, which
  // stage 2 maps to themselves.
  for (const auto& w : s.mem.nonzero_words()) {
    const bool structure = w.addr >= kTable && w.addr < kCdL2 + 0x100000;
    n.mem.write64(structure ? w.addr + kShift : w.addr, w.value);
  }
  for (uint64_t p = kTables; p < kTables + 0x10000; p += 0x1000)
    s2.map(p, 3, p, 0xfu << 2 | 3u << 6 | 1u << 10);
  if (map_l1_table) s2.map(kTable, 3, kTable + kShift, 0xfu << 2 | 3u << 6 | 1u << 10);
  s2.map(cd & ~uint64_t{0xfff}, 3, (cd & ~uint64_t{0xfff}) + kShift, 0xfu << 2 | 3u << 6 | 1u << 10);
  s2.map(0x80000000, 1, 0x80000000, 3u << 6 | 1u << 10);  // the stage-1 output, 1 GB
  s.ste.config = 0b111;
  auto w = gen::encode_ste(s.ste);
  w[2] |= (uint64_t{24} << 32) | (uint64_t{1} << 38) | (uint64_t{5} << 48) | (uint64_t{1} << 51) |
          (uint64_t{1} << 58);  // S2T0SZ 24, S2SL0 1 (level 1), 4 KB, S2PS 48, S2AA64, S2R
  w[3] = s2.root();
  gen::write_words(n.mem, gen::ste_address(n.regs, kSid), w);
  return n;
}

TEST(SMMU_NESTED_CD_FETCH, TwoLevelTableFetchedThroughStage2) {
  NestedTables n = nested_2level(true);
  const Outcome o = translate(n.mem, n.regs, txn(true, 0x85));
  ASSERT_EQ(o.status, Status::Translated);
  EXPECT_EQ(o.output_address, kOut);
  EXPECT_TRUE(o.clauses.contains(Clause::NESTED_CD_FETCH));
  EXPECT_TRUE(o.clauses.contains(Clause::CD_TABLE_L2_CD));
}
TEST(SMMU_NESTED_CD_FETCH, L1CdFetchFaultIsClassCdWithTheL1CdAddress) {
  NestedTables n = nested_2level(false);
  const Outcome o = translate(n.mem, n.regs, txn(true, 0x85));
  ASSERT_TRUE(has_event(o, EventType::F_TRANSLATION));
  EXPECT_TRUE(o.event->s2);
  EXPECT_EQ(o.event->event_class, EventClass::CD);
  EXPECT_EQ(o.event->ipa, event_ipa_bits(kTable + 8 * (0x85 >> 6)));
}

}  // namespace
}  // namespace vipcts::smmu::test
