// Walks in every granule and both stages, on tables from generators/smmu/vmsa_tables.hpp (RapidCheck;
// failures shrink to the fewest, smallest mappings): walk = base + offset, PBHA non-interference (leaf bits
// 62:59 never change OA, level or fault; table bits never feed PBHA), stage-2 configuration legality
// (C_BAD_STE cases), stage-2 permissions, AF/DBM hardware updates and their idempotence.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <stdexcept>
#include <vector>

#include "generators/smmu/page_table.hpp"
#include "generators/smmu/vmsa_tables.hpp"
#include "reference/smmu/pbha.hpp"
#include "reference/smmu/stage2.hpp"
#include "reference/smmu/translate.hpp"

namespace vipcts::smmu {
namespace {

constexpr uint64_t kTables =
    0x4000'0000;  // tables live from 1 GB upwards; mappings point anywhere below 2^48

Granule gen_granule() {
  const unsigned g = *rc::gen::inRange(0u, 3u);
  return g == 0 ? Granule::K4 : g == 1 ? Granule::K16 : Granule::K64;
}

// A leaf level the granule allows without DS (and with 64 KB L1 only when pamax = 52) at or below start.
int gen_leaf_level(Granule g, int start, unsigned pamax) {
  std::vector<int> ok;
  for (int l = start < 0 ? 0 : start; l <= 3; ++l)
    if (l == 3 || vmsa::block_allowed(g, l, false, pamax)) ok.push_back(l);
  return *rc::gen::elementOf(ok);
}

struct Leaf {
  uint64_t ia, oa, size;
  int level;
};

// Up to n random leaves, non-overlapping (a clash with an earlier mapping is skipped), ia below 2^ia_bits,
// oa below 2^oa_bits, attrs ORed into each leaf.
std::vector<Leaf> map_random(gen::VmsaTableBuilder& b, unsigned pamax, unsigned oa_bits, uint64_t attrs,
                             int n) {
  std::vector<Leaf> leaves;
  for (int i = 0; i < n; ++i) {
    const int level = gen_leaf_level(b.granule(), b.start_level(), pamax);
    const uint64_t size = uint64_t{1} << vmsa::level_shift(b.granule(), level);
    const uint64_t ia = *rc::gen::arbitrary<uint64_t>() & mask(b.ia_bits() - 1, 0) & ~(size - 1);
    const uint64_t oa = *rc::gen::arbitrary<uint64_t>() & mask(oa_bits - 1, 0) & ~(size - 1);
    try {
      b.map(ia, level, oa, attrs);
      leaves.push_back({ia, oa, size, level});
    } catch (const std::invalid_argument&) {
    }
  }
  return leaves;
}

WalkParams s1_params(const gen::VmsaTableBuilder& b, unsigned eff_ips) {
  WalkParams p;
  p.ttb = b.root();
  p.txsz = 64 - b.ia_bits();
  p.eff_ips = eff_ips;
  p.granule = b.granule();
  p.pamax = eff_ips;
  return p;
}

RC_GTEST_PROP(SMMU_S1_OUTPUT_ADDRESS, AnyGranuleWalkGivesBasePlusOffset, ()) {
  const Granule g = gen_granule();
  const unsigned ia_bits = *rc::gen::inRange(vmsa::granule_bits(g) + 1, 49u);
  const bool lpa = g == Granule::K64 && *rc::gen::arbitrary<bool>();
  const unsigned oa_bits = lpa ? 52 : 48;
  SparseMemory mem;
  gen::VmsaTableBuilder b(mem, kTables, g, ia_bits, vmsa::s1_start_level(g, ia_bits), lpa);
  const auto leaves = map_random(b, oa_bits, oa_bits, 0x400 /*AF*/, *rc::gen::inRange(1, 6));
  for (const Leaf& l : leaves) {
    const uint64_t va = l.ia + (*rc::gen::arbitrary<uint64_t>() & (l.size - 1));
    Outcome out;
    const WalkResult w = s1_walk(mem, s1_params(b, oa_bits), va, out, nullptr);
    RC_ASSERT(w.fault == S1Fault::None);
    RC_ASSERT(static_cast<int>(w.level) == l.level);
    RC_ASSERT(w.oa == l.oa + (va - l.ia));
  }
}

RC_GTEST_PROP(SMMU_PBHA_LEAF, LeafBits62To59NeverChangeTheWalk, ()) {
  // Non-interference: with the PBHA bits of every leaf rewritten, the walk's fault, level and OA are the
  // same; with HADx = 1, table bits 62:59 do not change the walk either (and never feed PBHA).
  const Granule g = gen_granule();
  const unsigned ia_bits = *rc::gen::inRange(vmsa::granule_bits(g) + 1, 49u);
  SparseMemory mem;
  gen::VmsaTableBuilder b(mem, kTables, g, ia_bits, vmsa::s1_start_level(g, ia_bits));
  const auto leaves = map_random(b, 48, 48, 0x400, *rc::gen::inRange(1, 4));
  RC_PRE(!leaves.empty());
  const Leaf& l = leaves.front();
  const uint64_t va = l.ia + (*rc::gen::arbitrary<uint64_t>() & (l.size - 1));
  WalkParams p = s1_params(b, 48);
  p.had = true;
  Outcome o1, o2;
  const WalkResult before = s1_walk(mem, p, va, o1, nullptr);
  const uint64_t leaf = b.leaf_address(l.ia);
  const uint64_t pbha = *rc::gen::inRange<uint64_t>(0, 16);
  mem.write64(leaf, (mem.read64(leaf) & ~mask(62, 59)) | (pbha << 59));
  if (l.level > b.start_level()) {
    const uint64_t t = b.descriptor_address(l.ia, b.start_level());
    mem.write64(t, mem.read64(t) | (*rc::gen::inRange<uint64_t>(0, 16) << 59));
  }
  const WalkResult after = s1_walk(mem, p, va, o2, nullptr);
  RC_ASSERT(before.fault == after.fault);
  RC_ASSERT(before.level == after.level);
  RC_ASSERT(before.oa == after.oa);
  RC_ASSERT(leaf_pbha_bits(after.desc) == pbha);  // PBHA comes from the leaf only
}

RC_GTEST_PROP(SMMU_S1_INPUT_RANGE, AnyGranuleTbiTopByteNeverChangesTheTranslation, ()) {
  // Through translate(), any granule, TTB0 or TTB1: with TBIx = 1 the top byte of the VA never changes the
  // outcome (InputAddr keeps it); with TBIx = 0 a top byte that is not the sign of VA[55] is F_TRANSLATION.
  const Granule g = gen_granule();
  const unsigned ia_bits = *rc::gen::inRange(25u, 49u);  // CD.TxSZ in [16, 39]
  const bool ttb1 = *rc::gen::arbitrary<bool>();
  SparseMemory mem;
  SmmuRegisters regs = gen::default_registers(0x10000, 4);
  regs.idr5 |= (1u << 5) | (1u << 6);
  gen::SteFields ste;
  ste.s1_context_ptr = 0x20000;
  gen::write_words(mem, gen::ste_address(regs, 0), gen::encode_ste(ste));
  gen::VmsaTableBuilder b(mem, kTables, g, ia_bits, vmsa::s1_start_level(g, ia_bits));
  gen::CdFields cd;
  cd.t0sz = cd.t1sz = 64 - ia_bits;
  cd.tg0 = g == Granule::K4 ? 0 : g == Granule::K64 ? 1 : 2;
  cd.tg1 = g == Granule::K4 ? 2 : g == Granule::K64 ? 3 : 1;
  cd.epd0 = ttb1;
  cd.epd1 = !ttb1;
  cd.ttb0 = cd.ttb1 = b.root();
  cd.tbi0 = cd.tbi1 = true;
  const auto leaves = map_random(b, 48, 48, 0x400 | (1u << 6), 1);
  RC_PRE(!leaves.empty());
  uint64_t va = leaves.front().ia + (*rc::gen::arbitrary<uint64_t>() & (leaves.front().size - 1));
  if (ttb1) va |= mask(55, ia_bits);
  Transaction t;
  t.iova = va;
  gen::write_words(mem, 0x20000, gen::encode_cd(cd));
  const Outcome plain = translate(mem, regs, t);
  RC_ASSERT(plain.status == Status::Translated);
  t.iova = (va & mask(55, 0)) | (*rc::gen::inRange<uint64_t>(0, 256) << 56);
  const Outcome tagged = translate(mem, regs, t);
  RC_ASSERT(tagged.status == plain.status);
  RC_ASSERT(tagged.output_address == plain.output_address);
  RC_ASSERT(tagged.pbha == plain.pbha);
  // Without TBI, a top byte other than all-0 (TTB0) / all-1 (TTB1) is a Translation fault with the VA as
  // given.
  cd.tbi0 = cd.tbi1 = false;
  gen::write_words(mem, 0x20000, gen::encode_cd(cd));
  const uint64_t canonical = ttb1 ? 0xff : 0x00;
  const uint64_t top = *rc::gen::inRange<uint64_t>(0, 256);
  t.iova = (va & mask(55, 0)) | (top << 56);
  const Outcome strict = translate(mem, regs, t);
  if (top == canonical) {
    RC_ASSERT(strict.status == Status::Translated);
  } else {
    RC_ASSERT(strict.status == Status::Terminated);
    RC_ASSERT(strict.event.has_value());
    RC_ASSERT(strict.event->type == EventType::F_TRANSLATION);
    RC_ASSERT(strict.event->input_addr == t.iova);
  }
}

// ---- Stage 2.

// STE words for a stage-2 configuration (§5.2 bit positions), built independently of Ste's accessors.
struct S2Ste {
  unsigned t0sz = 24, sl0 = 1, tg = 0, ps = 5, hwu = 0;
  bool aa64 = true, affd = false, ptw = false, hd = false, ha = false, s = false, r = true, poe = false;
  uint64_t ttb = 0;
  Ste encode() const {
    Ste ste;
    ste.word0 = 1 | (0b110u << 1);  // V, Config = stage 2 only
    ste.word1 = uint64_t{hwu & 15} << (72 - 64);
    ste.word2 =
        (uint64_t{t0sz} << (160 - 128)) | (uint64_t{sl0} << (166 - 128)) | (uint64_t{tg} << (174 - 128)) |
        (uint64_t{ps} << (176 - 128)) | (uint64_t{aa64} << (179 - 128)) | (uint64_t{affd} << (181 - 128)) |
        (uint64_t{ptw} << (182 - 128)) | (uint64_t{hd} << (183 - 128)) | (uint64_t{ha} << (184 - 128)) |
        (uint64_t{s} << (185 - 128)) | (uint64_t{r} << (186 - 128)) | (uint64_t{poe} << (189 - 128));
    ste.word3 = ttb & mask(51, 4);
    return ste;
  }
};

// S1P + S2P, AArch64 tables, HTTU = 0b10, all granules, OAS 48, IDR3 PBHA + HAD + S2PO.
SmmuRegisters s2_regs() {
  SmmuRegisters r;
  r.idr0 = 0b11 | (0b10u << 2) | (0b10u << 6);
  r.idr3 = (1u << 2) | (1u << 3) | (1u << 20);
  r.idr5 = 5 | (1u << 4) | (1u << 5) | (1u << 6);
  return r;
}

unsigned tg_of(Granule g) {
  return g == Granule::K4 ? 0 : g == Granule::K64 ? 1 : 2;
}

// A legal (S2SL0, S2T0SZ) pair for the granule with OAS 48, chosen at random.
S2Ste gen_s2(Granule g) {
  std::vector<std::pair<unsigned, unsigned>> legal;
  for (unsigned sl0 = 0; sl0 < 4; ++sl0)
    for (unsigned t = 16; t <= 39; ++t)
      if (!vmsa::s2_invalid_sl(g, sl0, false, false, 48, false) &&
          !vmsa::s2_inconsistent_sl(g, vmsa::s2_start_level(g, sl0, false), 64 - t))
        legal.emplace_back(sl0, t);
  const auto [sl0, t] = *rc::gen::elementOf(legal);
  S2Ste s;
  s.sl0 = sl0;
  s.t0sz = t;
  s.tg = tg_of(g);
  return s;
}

constexpr uint64_t kS2Rw = 3u << 6, kAf = 1u << 10, kMemNormal = 0xfu << 2;

RC_GTEST_PROP(SMMU_S2_WALK, AnyGranuleAnySl0GivesBasePlusOffset, ()) {
  const Granule g = gen_granule();
  S2Ste s = gen_s2(g);
  SparseMemory mem;
  gen::VmsaTableBuilder b(mem, kTables, g, 64 - s.t0sz, vmsa::s2_start_level(g, s.sl0, false));
  s.ttb = b.root();
  const S2Params p = s2_params(s2_regs(), s.encode());
  RC_ASSERT(p.config == S2Config::Ok);
  const auto leaves = map_random(b, 48, 48, kS2Rw | kAf | kMemNormal, *rc::gen::inRange(1, 6));
  for (const Leaf& l : leaves) {
    const uint64_t ipa = l.ia + (*rc::gen::arbitrary<uint64_t>() & (l.size - 1));
    const AccessKind k = *rc::gen::element(AccessKind::Read, AccessKind::Write, AccessKind::Execute);
    const S2Result r = s2_translate(mem, p, ipa, S2Purpose::Input, k, false);
    RC_ASSERT(r.fault == S2Fault::None);
    RC_ASSERT(static_cast<int>(r.level) == l.level);
    RC_ASSERT(r.pa == l.oa + (ipa - l.ia));
    RC_ASSERT(!r.update);
  }
  // Beyond the input size: stage-2 Translation fault.
  RC_ASSERT(
      s2_translate(mem, p, uint64_t{1} << (64 - s.t0sz), S2Purpose::Input, AccessKind::Read, false).fault ==
      S2Fault::Translation);
}

RC_GTEST_PROP(SMMU_PBHA_LEAF, Stage2PbhaNeverChangesOutputPermissionOrFault, ()) {
  const Granule g = gen_granule();
  S2Ste s = gen_s2(g);
  s.hwu = *rc::gen::inRange(0u, 16u);
  SparseMemory mem;
  gen::VmsaTableBuilder b(mem, kTables, g, 64 - s.t0sz, vmsa::s2_start_level(g, s.sl0, false));
  s.ttb = b.root();
  const S2Params p = s2_params(s2_regs(), s.encode());
  RC_ASSERT(p.config == S2Config::Ok);
  const uint64_t perms = *rc::gen::inRange<uint64_t>(0, 4) << 6 | (*rc::gen::inRange<uint64_t>(0, 4) << 53);
  const auto leaves = map_random(b, 48, 48, perms | kAf | kMemNormal, 1);
  RC_PRE(!leaves.empty());
  const Leaf& l = leaves.front();
  const AccessKind k = *rc::gen::element(AccessKind::Read, AccessKind::Write, AccessKind::Execute);
  const S2Result before = s2_translate(mem, p, l.ia, S2Purpose::Input, k, false);
  const uint64_t leaf = b.leaf_address(l.ia);
  const uint64_t v = *rc::gen::inRange<uint64_t>(0, 16);
  mem.write64(leaf, (mem.read64(leaf) & ~mask(62, 59)) | (v << 59));
  const S2Result after = s2_translate(mem, p, l.ia, S2Purpose::Input, k, false);
  RC_ASSERT(before.fault == after.fault);
  RC_ASSERT(before.pa == after.pa);
  RC_ASSERT(before.level == after.level);
  if (after.fault == S2Fault::None) RC_ASSERT(after.pbha == (v & s.hwu));
}

RC_GTEST_PROP(SMMU_S2_HTTU, AfAndDirtyUpdatesAreIdempotent, ()) {
  // S2HA sets AF, S2HD with DBM = 1 sets S2AP[1] on a write; applying the update and translating again gives
  // the same PA and no further update.
  const Granule g = gen_granule();
  S2Ste s = gen_s2(g);
  s.ha = true;
  s.hd = *rc::gen::arbitrary<bool>();
  SparseMemory mem;
  gen::VmsaTableBuilder b(mem, kTables, g, 64 - s.t0sz, vmsa::s2_start_level(g, s.sl0, false));
  s.ttb = b.root();
  const S2Params p = s2_params(s2_regs(), s.encode());
  RC_ASSERT(p.config == S2Config::Ok);
  const bool af = *rc::gen::arbitrary<bool>(), dbm = *rc::gen::arbitrary<bool>();
  const uint64_t attrs =
      (1u << 6) | (af ? kAf : 0) | (dbm ? uint64_t{1} << 51 : 0) | kMemNormal;  // read-only
  const auto leaves = map_random(b, 48, 48, attrs, 1);
  RC_PRE(!leaves.empty());
  const uint64_t ipa = leaves.front().ia;
  const AccessKind k = *rc::gen::element(AccessKind::Read, AccessKind::Write);
  const S2Result r1 = s2_translate(mem, p, ipa, S2Purpose::Input, k, false);
  const bool write_ok = k == AccessKind::Read || (s.hd && dbm);
  RC_ASSERT((r1.fault == S2Fault::None) == write_ok);
  if (!write_ok) {
    RC_ASSERT(r1.fault == S2Fault::Permission);
    RC_ASSERT(r1.update_unknown == !af);
    return;
  }
  RC_ASSERT(r1.update == (!af || k == AccessKind::Write));
  if (r1.update) {
    RC_ASSERT(bit(r1.update_value.value, 10));
    RC_ASSERT(bit(r1.update_value.value, 7) == (k == AccessKind::Write));
    RC_ASSERT(!bit(mem.read64(r1.update_value.addr) ^ r1.update_value.value, 51));  // never changes DBM
    mem.write64(r1.update_value.addr, r1.update_value.value);
  }
  const S2Result r2 = s2_translate(mem, p, ipa, S2Purpose::Input, k, false);
  RC_ASSERT(r2.fault == S2Fault::None);
  RC_ASSERT(r2.pa == r1.pa);
  RC_ASSERT(!r2.update);
}

TEST(SMMU_S2_CONFIG, EveryIllegalConditionIsDetected) {
  const SmmuRegisters regs = s2_regs();
  S2Ste ok;  // 4K, T0SZ 24 (40-bit IPA), SL0 = 1 (level 1)
  ok.ttb = 0x8000'0000;
  ASSERT_EQ(s2_params(regs, ok.encode()).config, S2Config::Ok);
  auto expect_illegal = [&](S2Ste s, const char* what) {
    EXPECT_EQ(s2_params(regs, s.encode()).config, S2Config::Illegal) << what;
  };
  S2Ste s = ok;
  s.tg = 3;
  expect_illegal(s, "S2TG reserved");
  s = ok;
  s.t0sz = 40;
  expect_illegal(s, "S2T0SZ above 39 without STT");
  s = ok;
  s.t0sz = 15;
  expect_illegal(s, "S2T0SZ below 16 (4K, DS = 0)");
  s = ok;
  s.sl0 = 0;  // level 2 cannot resolve 40 bits even with 16 concatenated tables (2^(40-30) = 1024)
  expect_illegal(s, "S2SL0 inconsistent with S2T0SZ");
  s = ok;
  s.sl0 = 3;
  expect_illegal(s, "S2SL0 = 3 with 4K needs TTST (IDR3.STT)");
  s = ok;
  s.ttb = uint64_t{1} << 48;
  expect_illegal(s, "S2TTB beyond eff_S2PS");
  s = ok;
  s.hwu = 1;
  s.poe = true;
  expect_illegal(s, "S2HWU with S2POE");
  SmmuRegisters no_httu = regs;
  no_httu.idr0 &= ~(3u << 6);
  s = ok;
  s.ha = true;
  EXPECT_EQ(s2_params(no_httu, s.encode()).config, S2Config::Illegal) << "S2HA without HTTU";
  SmmuRegisters af_only = regs;
  af_only.idr0 = (af_only.idr0 & ~(3u << 6)) | (1u << 6);
  s = ok;
  s.hd = true;
  s.ha = true;
  EXPECT_EQ(s2_params(af_only, s.encode()).config, S2Config::Illegal) << "S2HD with HTTU = 0b01";
  SmmuRegisters no16 = regs;
  no16.idr5 &= ~(1u << 5);
  s = ok;
  s.tg = 2;
  EXPECT_EQ(s2_params(no16, s.encode()).config, S2Config::Illegal) << "16K not advertised";
  // Concatenation: 4K, 40-bit IPA at level 1 needs 2 tables; 16K with T0SZ 24 at level 2 needs 2^(40-36)
  // = 16.
  EXPECT_EQ(vmsa::s2_concatenated_tables(Granule::K4, 1, 40), 2u);
  s = ok;
  s.tg = 2;
  s.sl0 = 1;
  EXPECT_EQ(s2_params(regs, s.encode()).config, S2Config::Ok) << "16K, 40-bit IPA, 16 tables at L2";
  EXPECT_EQ(vmsa::s2_concatenated_tables(Granule::K16, 2, 40), 16u);
}

TEST(SMMU_S2_PERM, S2apXnAndPtw) {
  const SmmuRegisters regs = s2_regs();
  SparseMemory mem;
  S2Ste s;
  gen::VmsaTableBuilder b(mem, kTables, Granule::K4, 40, 1);
  s.ttb = b.root();
  s.ptw = true;
  const S2Params p = s2_params(regs, s.encode());
  ASSERT_EQ(p.config, S2Config::Ok);
  b.map(0x1000, 3, 0x9000, (1u << 6) | kAf | kMemNormal);                        // read-only, normal
  b.map(0x2000, 3, 0xa000, (2u << 6) | kAf | kMemNormal | (uint64_t{2} << 53));  // write-only, XN
  b.map(0x3000, 3, 0xb000, kS2Rw | kAf);                                         // device (MemAttr 0000)
  auto f = [&](uint64_t ipa, S2Purpose why, AccessKind k) {
    return s2_translate(mem, p, ipa, why, k, false).fault;
  };
  EXPECT_EQ(f(0x1000, S2Purpose::Input, AccessKind::Read), S2Fault::None);
  EXPECT_EQ(f(0x1000, S2Purpose::Input, AccessKind::Write), S2Fault::Permission);
  EXPECT_EQ(f(0x1000, S2Purpose::Input, AccessKind::Execute), S2Fault::None);
  EXPECT_EQ(f(0x2000, S2Purpose::Input, AccessKind::Read), S2Fault::Permission);
  EXPECT_EQ(f(0x2000, S2Purpose::Input, AccessKind::Write), S2Fault::None);
  EXPECT_EQ(f(0x2000, S2Purpose::Input, AccessKind::Execute), S2Fault::Permission);
  EXPECT_EQ(f(0x2000, S2Purpose::TableWalk, AccessKind::Read), S2Fault::Permission);  // walks read
  EXPECT_EQ(f(0x3000, S2Purpose::Input, AccessKind::Read), S2Fault::None);
  EXPECT_EQ(f(0x3000, S2Purpose::TableWalk, AccessKind::Read), S2Fault::Permission);  // S2PTW: Device walk
  EXPECT_EQ(f(0x3000, S2Purpose::CdFetch, AccessKind::Read), S2Fault::Permission);
  EXPECT_EQ(f(0x4000, S2Purpose::Input, AccessKind::Read), S2Fault::Translation);
}

}  // namespace
}  // namespace vipcts::smmu
