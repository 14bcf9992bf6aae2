// Stage 2 and nesting: targeted tests named after the clauses, and RapidCheck properties over hand-built
// nested configurations whose expectations come from the architecture's permission tables written here
// independently of the model (Arm DDI 0487 M.a.a D8.4 Table D8-62 S2AP/XN, J1.1
// AArch64.S1DirectBasePermissions; Arm IHI 0070 G.b §3.3.3, §7.3.13).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "generators/common/seeded.hpp"
#include "generators/smmu/page_table.hpp"
#include "generators/smmu/stage2_scenarios.hpp"
#include "generators/smmu/vmsa_tables.hpp"
#include "reference/smmu/translate.hpp"

namespace vipcts::smmu {
namespace {

using gen::S2Plan;

// ---- A nested configuration built by hand: 4 KB at both stages, S2 input 40 bits from level 1, S1 input 39
// bits. The CD and the stage-1 tables sit at IPAs [1 MB, 2 MB + tables) stored at PA = IPA + 128 MB.
constexpr uint64_t kStrtab = 0x10000, kS2Base = 0x0100'0000, kCdIpa = 0x0010'0000, kShift = 0x0800'0000;

struct Nested {
  SmmuRegisters regs;
  SparseMemory mem;
  uint64_t va = 0, ipa = 0, pa = 0;  // the first byte of the S1 leaf's VA, its IPA, the IPA's PA
  uint64_t s1_size = 0, s2_size = 0;
};

struct Leaves {
  unsigned s1_level = 3, s2_level = 3;
  uint64_t s1_attrs = 0, s2_attrs = 0;
};

Nested build_nested(const Leaves& l, uint64_t va_pick, uint64_t pa_pick) {
  Nested n;
  n.regs = gen::default_registers(kStrtab, 4);
  n.regs.idr0 |= 1u;  // S2P
  SparseMemory ipa_mem;
  gen::VmsaTableBuilder b1(ipa_mem, 2 * kCdIpa, Granule::K4, 39, vmsa::s1_start_level(Granule::K4, 39));
  gen::VmsaTableBuilder b2(n.mem, kS2Base, Granule::K4, 40, 1);
  n.s1_size = uint64_t{1} << vmsa::level_shift(Granule::K4, static_cast<int>(l.s1_level));
  n.s2_size = uint64_t{1} << vmsa::level_shift(Granule::K4, static_cast<int>(l.s2_level));
  const uint64_t big = std::max(n.s1_size, n.s2_size);
  n.va = (va_pick % (uint64_t{1} << 38) + (uint64_t{1} << 38)) & ~(n.s1_size - 1);
  n.ipa = uint64_t{1} << 39;  // aligned to every block size: both leaves contain it
  n.pa = (pa_pick % (uint64_t{1} << 47)) & ~(n.s2_size - 1);
  (void)big;
  b1.map(n.va, static_cast<int>(l.s1_level), n.ipa, l.s1_attrs);
  b2.map(n.ipa, static_cast<int>(l.s2_level), n.pa, l.s2_attrs);
  gen::CdFields cd;
  cd.t0sz = 25;
  cd.ttb0 = b1.root();
  cd.mair = 0x44;
  gen::write_words(ipa_mem, kCdIpa, gen::encode_cd(cd));
  for (const auto& w : ipa_mem.nonzero_words()) n.mem.write64(w.addr + kShift, w.value);
  for (uint64_t p = kCdIpa; p < b1.next_free(); p += 0x1000)
    b2.map(p, 3, p + kShift, (uint64_t{0xf} << 2) | (uint64_t{3} << 6) | (uint64_t{1} << 10));
  gen::SteFields f;
  f.config = 0b111;
  f.s1_context_ptr = kCdIpa;
  auto w = gen::encode_ste(f);
  w[2] |= (uint64_t{24} << 32) | (uint64_t{1} << 38) | (uint64_t{5} << 48) | (uint64_t{1} << 51) |
          (uint64_t{1} << 58);  // S2T0SZ 24, S2SL0 1 (level 1), 4 KB, S2PS 48, S2AA64, S2R
  w[3] = b2.root();
  gen::write_words(n.mem, gen::ste_address(n.regs, 0), w);
  return n;
}

// Stage-1 permission, AP[2:1] (desc [7:6]) and PXN [53] / UXN [54], no table bits, PAN and WXN off
// (DDI 0487 J1.1 AArch64.S1DirectBasePermissions).
bool s1_allows(unsigned ap, bool pxn, bool uxn, AccessKind a, bool priv) {
  const bool el0 = ap & 1, ro = ap & 2;
  const bool uw = el0 && !ro;
  switch (a) {
    case AccessKind::Read:
      return priv || el0;
    case AccessKind::Write:
      return priv ? !ro : uw;
    case AccessKind::Execute:
      return priv ? !(pxn || uw) : !uxn;
  }
  return false;
}

// Stage-2 permission: S2AP[0] read, S2AP[1] write, XN[1] = 1 no execution (no XNX: IDR3.XNX = 0).
bool s2_allows(unsigned s2ap, unsigned xn, AccessKind a) {
  switch (a) {
    case AccessKind::Read:
      return s2ap & 1;
    case AccessKind::Write:
      return s2ap & 2;
    case AccessKind::Execute:
      return (xn & 2) == 0;
  }
  return false;
}

Transaction txn_of(uint64_t va, AccessKind a, bool priv) {
  Transaction t;
  t.iova = va;
  t.access = a;
  t.privileged = priv;
  return t;
}

RC_GTEST_PROP(SMMU_NESTED_PERMISSION, AllowedIffStage1AndStage2Allow, ()) {
  const unsigned ap = *rc::gen::inRange(0u, 4u), s2ap = *rc::gen::inRange(0u, 4u),
                 xn = *rc::gen::inRange(0u, 4u);
  const bool pxn = *rc::gen::arbitrary<bool>(), uxn = *rc::gen::arbitrary<bool>(),
             priv = *rc::gen::arbitrary<bool>();
  const AccessKind a = *rc::gen::element(AccessKind::Read, AccessKind::Write, AccessKind::Execute);
  Leaves l;
  l.s1_attrs = (uint64_t{1} << 10) | (uint64_t{ap} << 6) | (uint64_t{pxn} << 53) | (uint64_t{uxn} << 54);
  l.s2_attrs = (uint64_t{0xf} << 2) | (uint64_t{1} << 10) | (uint64_t{s2ap} << 6) | (uint64_t{xn} << 53);
  const Nested n = build_nested(l, *rc::gen::arbitrary<uint64_t>(), *rc::gen::arbitrary<uint64_t>());
  const uint64_t off = *rc::gen::inRange<uint64_t>(0, 0x1000) & ~uint64_t{7};
  const Outcome o = translate(n.mem, n.regs, txn_of(n.va + off, a, priv));
  const bool one = s1_allows(ap, pxn, uxn, a, priv), two = s2_allows(s2ap, xn, a);
  RC_ASSERT((o.status == Status::Translated) == (one && two));
  if (!one) {  // stage 1 is checked first: its fault is the one reported
    RC_ASSERT(o.event.has_value());
    RC_ASSERT(o.event->type == EventType::F_PERMISSION);
    RC_ASSERT(!o.event->s2);
  } else if (!two) {
    RC_ASSERT(o.event.has_value());
    RC_ASSERT(o.event->type == EventType::F_PERMISSION);
    RC_ASSERT(o.event->s2);
    RC_ASSERT(o.event->event_class == EventClass::IN);
    RC_ASSERT(o.event->ipa == ((n.ipa + off) & ~uint64_t{0xfff}));
  }
}

RC_GTEST_PROP(SMMU_S2_OUTPUT_ADDRESS, NestedWalkIsBasePlusOffsetThroughBothStages, ()) {
  Leaves l;
  l.s1_level = *rc::gen::inRange(1u, 4u);
  l.s2_level = *rc::gen::inRange(1u, 4u);
  l.s1_attrs = (uint64_t{1} << 10) | (uint64_t{1} << 6);  // RW at EL0 and EL1
  l.s2_attrs = (uint64_t{0xf} << 2) | (uint64_t{1} << 10) | (uint64_t{3} << 6);
  const Nested n = build_nested(l, *rc::gen::arbitrary<uint64_t>(), *rc::gen::arbitrary<uint64_t>());
  // An offset inside both leaves: the IPA leaf base is 2^39, aligned to both sizes.
  const uint64_t off = *rc::gen::inRange<uint64_t>(0, std::min(n.s1_size, n.s2_size));
  const Outcome o = translate(n.mem, n.regs, txn_of(n.va + off, AccessKind::Read, false));
  RC_ASSERT(o.status == Status::Translated);
  RC_ASSERT(o.output_address == n.pa + off);
}

RC_GTEST_PROP(SMMU_STE_S2, TranslationIsDeterministic, ()) {
  const S2Plan p = *gen::s2_plan();
  const gen::ScenarioSpec s = gen::build_s2_scenario(p);
  const gen::ScenarioSpec again = gen::build_s2_scenario(p);
  RC_ASSERT(s.transactions.size() == again.transactions.size());
  RC_ASSERT(s.memory.nonzero_words().size() == again.memory.nonzero_words().size());
  SparseMemory m1 = s.memory, m2 = s.memory;
  for (const Transaction& t : s.transactions) {
    const Outcome a = translate(m1, s.regs, t), b = translate(m2, s.regs, t);
    RC_ASSERT(a.status != Status::Unmodelled);
    RC_ASSERT(a.status == b.status);
    RC_ASSERT(a.output_address == b.output_address);
    RC_ASSERT(a.event == b.event);
    RC_ASSERT(a.pbha == b.pbha);
    RC_ASSERT(a.update_count == b.update_count);
    RC_ASSERT(a.clauses == b.clauses);
    apply_updates(m1, a);
    apply_updates(m2, b);
  }
}

RC_GTEST_PROP(SMMU_PBHA_S2_OUTPUT, PbhaNeverChangesAddressPermissionOrFault, ()) {
  // Toggling bits [62:59] of every stage-2 and stage-1 leaf changes at most the PBHA output.
  Leaves l;
  l.s1_attrs = (uint64_t{1} << 10) | (uint64_t{*rc::gen::inRange(0u, 4u)} << 6);
  l.s2_attrs = (uint64_t{0xf} << 2) | (uint64_t{1} << 10) | (uint64_t{*rc::gen::inRange(0u, 4u)} << 6);
  const uint64_t vp = *rc::gen::arbitrary<uint64_t>(), pp = *rc::gen::arbitrary<uint64_t>();
  const Nested n = build_nested(l, vp, pp);
  Leaves t = l;
  t.s1_attrs |= uint64_t{*rc::gen::inRange(0u, 16u)} << 59;
  t.s2_attrs |= uint64_t{*rc::gen::inRange(0u, 16u)} << 59;
  Nested m = build_nested(t, vp, pp);
  // Every PBHA enable on: IDR3.PBHA and HAD, STE.S2HWU [75:72], CD.HAD0 [65] and HWU0 [127:124] (the CD's
  // copy at its PA).
  m.regs.idr3 |= (1u << 3) | (1u << 2);
  const uint64_t ste1 = gen::ste_address(m.regs, 0) + 8;
  m.mem.write64(ste1, m.mem.read64(ste1) | (uint64_t{0xf} << 8));
  const uint64_t cd1 = kCdIpa + kShift + 8;
  m.mem.write64(cd1, m.mem.read64(cd1) | 2 | (uint64_t{0xf} << 60));
  const AccessKind a = *rc::gen::element(AccessKind::Read, AccessKind::Write, AccessKind::Execute);
  const Outcome o1 = translate(n.mem, n.regs, txn_of(n.va, a, true));
  const Outcome o2 = translate(m.mem, m.regs, txn_of(m.va, a, true));
  RC_ASSERT(o1.status == o2.status);
  RC_ASSERT(o1.output_address == o2.output_address);
  RC_ASSERT(o1.event == o2.event);
  // Stage 2 wins: with every S2HWU bit set the output is the stage-2 leaf's bits.
  if (o2.status == Status::Translated) RC_ASSERT(o2.pbha == static_cast<uint8_t>(bits(t.s2_attrs, 62, 59)));
}

// ---- Targeted tests on the generator's nested layout: streams 1 and 2 fault at stage 2 on the CD fetch and
// on the first stage-1 descriptor read.
S2Plan nested_plan(Granule g1, Granule g2) {
  S2Plan p;
  p.nested = true;
  p.g1 = g1;
  p.g2 = g2;
  p.sl0 = g2 == Granule::K4 ? 1 : 2;
  p.ia2 = g2 == Granule::K4 ? 40 : g2 == Granule::K16 ? 40 : 44;
  p.oas = 5;
  p.seed = 7;
  return p;
}

TEST(SMMU_NESTED_CD_FETCH, AnUnmappedCdIpaIsAStage2FaultWithClassCd) {
  for (Granule g : {Granule::K4, Granule::K16, Granule::K64}) {
    const gen::ScenarioSpec s = gen::build_s2_scenario(nested_plan(Granule::K4, g));
    Transaction t;
    t.stream_id = 1;
    t.iova = 0x1000;
    const Outcome o = translate(s.memory, s.regs, t);
    ASSERT_TRUE(o.event.has_value());
    EXPECT_EQ(o.event->type, EventType::F_TRANSLATION);
    EXPECT_TRUE(o.event->s2);
    EXPECT_EQ(o.event->event_class, EventClass::CD);
    EXPECT_EQ(o.event->ipa, 0x80000u);
    EXPECT_EQ(o.termination, Termination::Abort);
  }
}

TEST(SMMU_NESTED_TABLE_WALK, AnUnmappedTableIpaIsAStage2FaultWithClassTt) {
  for (Granule g1 : {Granule::K4, Granule::K16, Granule::K64}) {
    const gen::ScenarioSpec s = gen::build_s2_scenario(nested_plan(g1, Granule::K4));
    Transaction t;
    t.stream_id = 2;
    t.iova = 0x2000;
    const Outcome o = translate(s.memory, s.regs, t);
    ASSERT_TRUE(o.event.has_value());
    EXPECT_TRUE(o.event->s2);
    EXPECT_EQ(o.event->event_class, EventClass::TT);
    EXPECT_EQ(o.event->ipa & ~uint64_t{0xffff}, 0xc0000u);  // the descriptor's IPA, within the TTB's table
    EXPECT_EQ(o.event->input_addr, 0x2000u);
  }
}

TEST(SMMU_EVENT_S2_RECORD, S2RZeroSuppressesTheRecordAndStillAborts) {
  S2Plan p = nested_plan(Granule::K4, Granule::K4);
  p.s2r = false;
  const gen::ScenarioSpec s = gen::build_s2_scenario(p);
  Transaction t;
  t.stream_id = 1;
  const Outcome o = translate(s.memory, s.regs, t);
  EXPECT_EQ(o.status, Status::Terminated);
  EXPECT_EQ(o.termination, Termination::Abort);
  EXPECT_FALSE(o.event.has_value());
}

TEST(SMMU_EVENT_STALL, S2SStallsAStage2FaultAtEachClassAndRecordsItWhateverS2R) {
  for (unsigned model : {0u, 2u}) {
    S2Plan p = nested_plan(Granule::K4, Granule::K4);
    p.s2r = false;  // ignored when stalling (IHI 0070 G.b §5.5)
    p.s2s = true;
    p.cd_s = model == 2;  // STALL_MODEL 0b10 forces CD.S = 1 as well
    p.stall_model = model;
    const gen::ScenarioSpec s = gen::build_s2_scenario(p);
    Transaction t;
    t.stream_id = 2;  // the CD whose TTB0 has no stage-2 mapping: CLASS = TT
    t.iova = 0x2000;
    const Outcome o = translate(s.memory, s.regs, t);
    EXPECT_EQ(o.status, Status::Stalled) << model;
    ASSERT_TRUE(o.event.has_value());
    EXPECT_TRUE(o.event->stall);
    EXPECT_TRUE(o.event->s2);
    EXPECT_EQ(o.event->event_class, EventClass::TT);
    EXPECT_TRUE(o.clauses.contains(Clause::EVENT_STALL));
    EXPECT_FALSE(o.clauses.contains(Clause::EVENT_S2_RECORD));
  }
}

TEST(SMMU_EVENT_STALL, CdSAloneDoesNotStallAStage2Fault) {
  S2Plan p = nested_plan(Granule::K4, Granule::K4);
  p.cd_s = true;  // stage 1 stalls, stage 2 (S2S = 0) terminates
  const gen::ScenarioSpec s = gen::build_s2_scenario(p);
  Transaction t;
  t.stream_id = 2;  // stage-2 fault on the stage-1 table walk: terminated (S2S = 0)
  t.iova = 0x2000;
  const Outcome o = translate(s.memory, s.regs, t);
  EXPECT_EQ(o.status, Status::Terminated);
  ASSERT_TRUE(o.event.has_value());
  EXPECT_FALSE(o.event->stall);
}

TEST(SMMU_STE_S2_SL0, EveryIllegalDefectGivesCBadSte) {
  for (unsigned d = 1; d < static_cast<unsigned>(gen::S2Defect::kCount); ++d)
    for (uint64_t seed = 0; seed < 8; ++seed) {
      S2Plan p = nested_plan(Granule::K4, Granule::K16);
      p.nested = seed % 2 == 0;
      p.defect = static_cast<gen::S2Defect>(d);
      p.seed = seed;
      const gen::ScenarioSpec s = gen::build_s2_scenario(p);
      for (const Transaction& t : s.transactions) {
        const Outcome o = translate(s.memory, s.regs, t);
        ASSERT_TRUE(o.event.has_value()) << "defect " << d << " seed " << seed;
        EXPECT_EQ(o.event->type, EventType::C_BAD_STE) << "defect " << d << " seed " << seed;
      }
    }
}

TEST(SMMU_PBHA_COMBINE, StageTwoWinsOrAndImpdef) {
  // s1 value 0b0101 enabled 0b0111, s2 value 0b0010 enabled 0b0011.
  EXPECT_EQ(combine_pbha(PbhaCombine::Stage2Wins, 0b0101, 0b0111, 0b0010, 0b0011), 0b0110);
  EXPECT_EQ(combine_pbha(PbhaCombine::Or, 0b0101, 0b0111, 0b0010, 0b0011), 0b0111);
  EXPECT_EQ(combine_pbha(PbhaCombine::ImpDef, 0b0101, 0b0111, 0b0010, 0b0011), std::nullopt);
  EXPECT_EQ(combine_pbha(PbhaCombine::ImpDef, 0b0101, 0b0111, 0b0010, 0), 0b0101);  // one stage only
}

}  // namespace
}  // namespace vipcts::smmu
