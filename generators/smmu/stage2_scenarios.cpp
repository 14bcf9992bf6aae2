#include "stage2_scenarios.hpp"

#include <array>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "generators/common/seeded.hpp"
#include "page_table.hpp"
#include "vmsa_tables.hpp"

namespace vipcts::smmu::gen {

namespace {

// PA map. Stage-1 structures of nested scenarios live at IPAs [kS1Ipa, ...) and are stored at PA = IPA +
// kIpaToPa, which stage 2 maps: an implementation that reads them at their IPA reads zeros.
constexpr uint64_t kS2Strtab = 0x10000;
constexpr uint64_t kS2Tables = 0x0100'0000;  // stage-2 tables (PA), 16 MB per stream at most
constexpr uint64_t kS1Ipa = 0x0010'0000;     // the CD (IPA); stage-1 tables from kS1Ipa + 1 MB
constexpr uint64_t kIpaToPa = 0x0800'0000;
constexpr uint64_t kUnmappedCdIpa = 0x0008'0000;  // no stage-2 mapping: a CD fetch there faults (CLASS = CD)
constexpr uint64_t kUnmappedTtbIpa =
    0x000c'0000;  // no stage-2 mapping: a walk from there faults (CLASS = TT)
constexpr uint64_t kNormalWb = uint64_t{0xf} << 2;  // S2 MemAttr [5:2] = 0b1111: Normal, Write-Back
constexpr uint64_t kS2Af = uint64_t{1} << 10;

unsigned tg_code(Granule g) {
  return g == Granule::K4 ? 0 : g == Granule::K64 ? 1 : 2;  // S2TG / TG0: 00 4K, 01 64K, 10 16K
}

// The STE words of a stage-2 or nested stream (IHI 0070 G.b §5.2 absolute bit positions).
struct S2Ste {
  unsigned config = 0b110;
  uint64_t cd = 0;
  unsigned t0sz = 24, sl0 = 1, tg = 0, ps = 5;
  bool aa64 = true, affd = false, ptw = false, hd = false, ha = false, s = false, r = true, poe = false;
  unsigned hwu = 0;
  uint64_t ttb = 0;
  bool s2ds = false, sl0_2 = false;  // [195], [194]
  unsigned sh0 = 0;                  // S2SH0 [173:172]
  std::array<uint64_t, 8> encode() const {
    SteFields f;
    f.config = config;
    f.s1_context_ptr = cd;
    std::array<uint64_t, 8> w = encode_ste(f);
    w[1] = deposit(w[1], 75 - 64, 72 - 64, hwu);
    w[2] = deposit(w[2], 165 - 128, 160 - 128, t0sz);
    w[2] = deposit(w[2], 167 - 128, 166 - 128, sl0);
    w[2] = deposit(w[2], 173 - 128, 172 - 128, sh0);
    w[2] = deposit(w[2], 175 - 128, 174 - 128, tg);
    w[2] = deposit(w[2], 178 - 128, 176 - 128, ps);
    w[2] |= (uint64_t{aa64} << (179 - 128)) | (uint64_t{affd} << (181 - 128)) |
            (uint64_t{ptw} << (182 - 128)) | (uint64_t{hd} << (183 - 128)) | (uint64_t{ha} << (184 - 128)) |
            (uint64_t{s} << (185 - 128)) | (uint64_t{r} << (186 - 128)) | (uint64_t{poe} << (189 - 128));
    w[3] = (ttb & mask(51, 4)) | (uint64_t{sl0_2} << (194 - 192)) | (uint64_t{s2ds} << (195 - 192));
    return w;
  }
};

class Maker {
 public:
  Maker(const S2Plan& p) : p_(p), rng_(p.seed) {}

  ScenarioSpec make() {
    s_.regs = default_registers(kS2Strtab, 4);
    s_.regs.idr0 |= 1u | ((p_.stall_model & 3u) << 24);  // S2P, STALL_MODEL
    s_.regs.idr5 = (p_.oas & 7u) | (1u << 4) | (1u << 5) | (1u << 6);
    if (p_.stt) s_.regs.idr3 |= 1u << 9;
    if (p_.xnx) s_.regs.idr3 |= 1u << 4;
    if (p_.idr3_pbha) s_.regs.idr3 |= (1u << 3) | (1u << 2);
    if (p_.idr5_ds) s_.regs.idr5 |= (1u << 7) | (1u << 10);  // DS, VAX = 0b01
    pamax_ = address_size_bits(p_.oas);
    ds_ = p_.idr5_ds && p_.s2ds && p_.g2 != Granule::K64;
    eff2_ = vmsa::effective_output_bits(address_size_bits(p_.s2ps), pamax_, p_.g2, ds_);
    start2_ = vmsa::s2_start_level(p_.g2, p_.sl0, ds_ && p_.g2 == Granule::K4 && p_.sl2);
    S2Ste ste = base_ste();
    const uint64_t tables = p_.high_tables ? (uint64_t{1} << 49) | kS2Tables : kS2Tables;
    VmsaTableBuilder b2(s_.memory, tables, p_.g2, p_.ia2, start2_, eff2_ >= 52, ds_);
    ste.ttb = b2.root();
    apply_defect(ste);
    write_words(s_.memory, ste_address(s_.regs, 0), ste.encode());
    if (p_.defect != S2Defect::None) {
      // An ILLEGAL STE: every transaction gives C_BAD_STE; one read and one write are enough.
      s_.transactions.push_back(txn(0, uint64_t{1} << 16, AccessKind::Read, true));
      s_.transactions.push_back(txn(0, uint64_t{1} << 20, AccessKind::Write, false));
      return std::move(s_);
    }
    if (p_.nested)
      make_nested(b2, ste);
    else
      make_s2_only(b2);
    return std::move(s_);
  }

 private:
  uint64_t pick(uint64_t n) { return n <= 1 ? 0 : rng_() % n; }
  bool chance(unsigned percent) { return pick(100) < percent; }

  S2Ste base_ste() const {
    S2Ste ste;
    ste.config = p_.nested ? 0b111 : 0b110;
    ste.cd = kS1Ipa;
    ste.t0sz = 64 - p_.ia2;
    ste.sl0 = p_.sl0;
    ste.tg = tg_code(p_.g2);
    ste.ps = p_.s2ps;
    ste.affd = p_.s2affd;
    ste.ptw = p_.ptw;
    ste.ha = p_.s2ha;
    ste.hd = p_.s2hd;
    ste.r = p_.s2r;
    ste.s = p_.s2s;
    ste.hwu = p_.s2hwu;
    ste.s2ds = p_.s2ds;
    ste.sl0_2 = p_.sl2;
    ste.sh0 = p_.s2sh0;
    return ste;
  }

  void apply_defect(S2Ste& ste) {
    switch (p_.defect) {
      case S2Defect::None:
      case S2Defect::kCount:
        break;
      case S2Defect::NoS2P:
        s_.regs.idr0 &= ~1u;
        break;
      case S2Defect::Tg:
        if (chance(50))
          ste.tg = 3;  // reserved
        else           // the granule used is not advertised (IDR5.GRAN4K [4], GRAN16K [5], GRAN64K [6])
          s_.regs.idr5 &= ~(1u << (p_.g2 == Granule::K4 ? 4 : p_.g2 == Granule::K16 ? 5 : 6));
        break;
      case S2Defect::T0sz:
        ste.t0sz = chance(50) ? vmsa::txsz_min(p_.g2, false, pamax_) - 1 - static_cast<unsigned>(pick(3))
                              : vmsa::txsz_max(p_.g2, p_.stt) + 1 + static_cast<unsigned>(pick(3));
        break;
      case S2Defect::Sl0: {
        // Another S2SL0 that is not legal for this input size (S2InvalidSL or S2InconsistentSL).
        std::vector<unsigned> bad;
        for (unsigned v = 0; v < 4; ++v)
          if (!s2_sl0_legal(p_.g2, v, p_.ia2, pamax_, p_.stt)) bad.push_back(v);
        if (bad.empty())
          ste.t0sz = 63;
        else
          ste.sl0 = bad[pick(bad.size())];
        break;
      }
      case S2Defect::Ttb:
        // S2TTB holds address bits [51:4]: beyond a 52-bit eff_S2PS cannot be written, use S2T0SZ instead.
        if (eff2_ >= 52)
          ste.t0sz = 63;
        else
          ste.ttb = uint64_t{1} << (eff2_ + static_cast<unsigned>(pick(52 - eff2_)));
        break;
      case S2Defect::Misc:
        switch (pick(4)) {
          case 0:
            s_.regs.idr0 &= ~(3u << 6);  // HTTU = 0 with S2HA
            ste.ha = true;
            break;
          case 1:
            s_.regs.idr0 = (s_.regs.idr0 & ~(3u << 6)) | (1u << 6);  // HTTU = AF only with S2HD
            ste.hd = true;
            break;
          case 2:
            s_.regs.idr0 |= 1u << 24;  // STALL_MODEL = 01 (no stall) with S2S
            ste.s = true;
            break;
          default:
            ste.aa64 = false;  // TTF = AArch64 only
            break;
        }
        break;
      case S2Defect::Poe:
        s_.regs.idr3 |= (1u << 20) | (1u << 3) | (1u << 2);  // S2PO, PBHA, HAD
        ste.poe = true;
        ste.hwu = 1u + static_cast<unsigned>(pick(15));
        break;
    }
  }

  // A random stage-2 leaf: S2AP mostly RW, AF mostly set, XN, DBM (with S2HD) and PBHA bits random.
  uint64_t s2_attrs() {
    uint64_t a = kNormalWb;
    const uint64_t r = pick(10);
    a |= uint64_t{r < 6 ? 3u : r < 8 ? 1u : r < 9 ? 2u : 0u} << 6;  // S2AP
    if (chance(85)) a |= kS2Af;
    if (chance(30)) a |= pick(4) << 53;      // XN[1:0]
    if (chance(30)) a |= uint64_t{1} << 51;  // DBM
    if (chance(50)) a |= pick(16) << 59;     // PBHA
    return a;
  }

  // A leaf level of stage 2 for data mappings: one the granule allows, of at most `max_bits`.
  int s2_leaf_level(unsigned max_bits) {
    std::vector<int> ok;
    for (int l = start2_; l <= 3; ++l)
      if ((l == 3 || vmsa::block_allowed(p_.g2, l, ds_, pamax_)) && vmsa::level_shift(p_.g2, l) <= max_bits)
        ok.push_back(l);
    return ok.empty() ? 3 : ok[pick(ok.size())];
  }

  // Maps a free IPA in [lo, 2^ia2) at stage 2 (`level`) to a random OA below 2^eff2; returns the IPA or 0.
  uint64_t map_s2(VmsaTableBuilder& b, int level, uint64_t lo, uint64_t attrs,
                  std::optional<uint64_t> oa = {}) {
    const unsigned shift = vmsa::level_shift(p_.g2, level);
    const uint64_t top = uint64_t{1} << p_.ia2;
    if (lo >= top) return 0;
    for (int tries = 0; tries < 24; ++tries) {
      const uint64_t ipa = (lo + pick(top - lo)) & ~mask(shift - 1, 0);
      if (ipa < lo) continue;
      // A block as large as the whole output space (shift >= eff2_) can only start at 0.
      const unsigned room = eff2_ > shift ? eff2_ - shift : 0;
      const uint64_t out = oa ? *oa : pick(uint64_t{1} << room) << shift;
      try {
        b.map(ipa, level, out, attrs);
        return ipa;
      } catch (const std::invalid_argument&) {
      }
    }
    return 0;
  }

  Transaction txn(uint32_t sid, uint64_t iova, AccessKind k, bool priv) {
    Transaction t;
    t.stream_id = sid;
    t.iova = iova;
    t.access = k;
    t.privileged = priv;
    return t;
  }
  void accesses(uint32_t sid, uint64_t ia, uint64_t size) {
    s_.transactions.push_back(txn(sid, ia, AccessKind::Read, chance(50)));
    s_.transactions.push_back(txn(sid, ia + size / 2, AccessKind::Write, chance(50)));
    s_.transactions.push_back(txn(sid, ia + pick(size), AccessKind::Execute, chance(50)));
    if (chance(50)) s_.transactions.push_back(txn(sid, ia + size - 1, AccessKind::Read, chance(50)));
  }

  // Output-address boundaries of stage 2 at the leaf (2^eff - page passes, 2^eff is an Address Size fault)
  // and at a table descriptor of the start level (next table at 2^eff - granule, then at 2^eff). Returns the
  // IPAs to access.
  std::vector<uint64_t> s2_boundaries(VmsaTableBuilder& b, uint64_t lo) {
    std::vector<uint64_t> ipas;
    if (!p_.boundaries) return ipas;
    const uint64_t page = uint64_t{1} << vmsa::granule_bits(p_.g2);
    const uint64_t attrs = kNormalWb | (uint64_t{3} << 6) | kS2Af;
    // 2^eff is expressible in a descriptor's [47:g] only below 48 bits (64 KB LPA output is 52 bits).
    const bool expressible = eff2_ < 48;
    if (uint64_t ipa = map_s2(b, 3, lo, attrs, (uint64_t{1} << eff2_) - page)) ipas.push_back(ipa);
    if (expressible)
      if (uint64_t ipa = map_s2(b, 3, lo, attrs, uint64_t{1} << eff2_)) ipas.push_back(ipa);
    if (start2_ < 3 && expressible) {
      const unsigned shift = vmsa::level_shift(p_.g2, start2_);
      for (const uint64_t next : {(uint64_t{1} << eff2_) - page, uint64_t{1} << eff2_}) {
        for (int tries = 0; tries < 16; ++tries) {
          const uint64_t top = uint64_t{1} << p_.ia2;
          const uint64_t ipa = (lo + pick(top - lo)) & ~mask(shift - 1, 0);
          if (ipa < lo) continue;
          const uint64_t at = b.descriptor_address(ipa, start2_);
          if (at == 0 || s_.memory.read64(at) != 0) continue;
          s_.memory.write64(at, b.table_descriptor(next));
          ipas.push_back(ipa | (pick(uint64_t{1} << shift) & ~uint64_t{7}));
          break;
        }
      }
    }
    return ipas;
  }

  void make_s2_only(VmsaTableBuilder& b2) {
    // Data IPAs anywhere above 1 MB; a few leaves at random levels.
    const uint64_t lo = uint64_t{1} << 20;
    std::vector<std::pair<uint64_t, uint64_t>> hits;
    for (int i = 0; i < 4; ++i) {
      const int level = s2_leaf_level(p_.ia2 - 1);
      if (uint64_t ipa = map_s2(b2, level, lo, s2_attrs()))
        hits.emplace_back(ipa, uint64_t{1} << vmsa::level_shift(p_.g2, level));
    }
    for (const auto& [ipa, size] : hits) accesses(0, ipa, size);
    for (uint64_t ipa : s2_boundaries(b2, lo)) s_.transactions.push_back(txn(0, ipa, AccessKind::Read, true));
    // Unmapped, beyond the stage-2 input range (S2 Translation), beyond IAS (stage-1 Address Size).
    s_.transactions.push_back(
        txn(0, lo + (pick((uint64_t{1} << p_.ia2) - lo) & ~uint64_t{7}), AccessKind::Read, false));
    const unsigned ias = pamax_;
    if (p_.ia2 < ias) s_.transactions.push_back(txn(0, uint64_t{1} << p_.ia2, AccessKind::Read, false));
    if (ias < 64) s_.transactions.push_back(txn(0, (uint64_t{1} << ias) + 0x1000, AccessKind::Write, true));
  }

  void make_nested(VmsaTableBuilder& b2, const S2Ste& ste) {
    // Stage 1: built in IPA space, then copied to PA = IPA + kIpaToPa.
    SparseMemory ipa_mem;
    const unsigned eff1 = vmsa::effective_output_bits(address_size_bits(p_.ips), pamax_, p_.g1, false);
    const int start1 = vmsa::s1_start_level(p_.g1, p_.ia1);
    VmsaTableBuilder b1(ipa_mem, kS1Ipa + (uint64_t{1} << 20), p_.g1, p_.ia1, start1, eff1 >= 52);
    CdFields cd;
    cd.t0sz = 64 - p_.ia1;
    cd.tg0 = tg_code(p_.g1);
    cd.epd1 = true;
    cd.ttb0 = b1.root();
    cd.ips = p_.ips;
    cd.affd = chance(30);
    cd.had0 = p_.had0;
    cd.hwu0 = p_.hwu0;
    cd.mair = 0x0004'44ff'bb00'ff44ull;
    cd.s = p_.cd_s;
    write_words(ipa_mem, kS1Ipa, encode_cd(cd));
    CdFields cd_tt = cd;  // stream 2: a CD whose TTB0 has no stage-2 mapping (CLASS = TT)
    cd_tt.ttb0 = kUnmappedTtbIpa;
    write_words(ipa_mem, kS1Ipa + 0x1000, encode_cd(cd_tt));

    // Stage 2 data mappings in the upper half of the IPA space; stage-1 leaves point into them.
    const uint64_t data_lo = uint64_t{1} << (p_.ia2 - 1);
    std::vector<std::pair<uint64_t, uint64_t>> s2_blocks;
    for (int i = 0; i < 4; ++i) {
      const int level = s2_leaf_level(p_.ia2 - 2);
      if (uint64_t ipa = map_s2(b2, level, data_lo, s2_attrs()))
        s2_blocks.emplace_back(ipa, uint64_t{1} << vmsa::level_shift(p_.g2, level));
    }
    std::vector<std::pair<uint64_t, uint64_t>> hits;  // (va, size)
    auto s1_leaf = [&](uint64_t ipa_target, int level) {
      const unsigned shift = vmsa::level_shift(p_.g1, level);
      const uint64_t attrs = (uint64_t{3} << 8) | (chance(90) ? kS2Af : 0) | (pick(4) << 6) | (pick(8) << 2) |
                             (chance(20) ? uint64_t{1} << 53 : 0) | (chance(20) ? uint64_t{1} << 54 : 0) |
                             (pick(16) << 59);
      for (int tries = 0; tries < 24; ++tries) {
        const uint64_t va = pick(uint64_t{1} << (p_.ia1 - shift)) << shift;
        try {
          b1.map(va, level, ipa_target & ~mask(shift - 1, 0), attrs);
          hits.emplace_back(va, uint64_t{1} << shift);
          return;
        } catch (const std::invalid_argument&) {
        }
      }
    };
    auto s1_level = [&](uint64_t max_size) {
      std::vector<int> ok;
      for (int l = start1 < 0 ? 0 : start1; l <= 3; ++l)
        if ((l == 3 || vmsa::block_allowed(p_.g1, l, false, pamax_)) &&
            (uint64_t{1} << vmsa::level_shift(p_.g1, l)) <= max_size)
          ok.push_back(l);
      return ok.empty() ? 3 : ok[pick(ok.size())];
    };
    for (const auto& [ipa, size] : s2_blocks) s1_leaf(ipa + (pick(size) & ~uint64_t{7}), s1_level(size));
    // An IPA stage 2 does not map (CLASS = IN, Translation), one beyond 2^ia2 (input range), when they are
    // inside eff_IPS.
    s1_leaf(data_lo + (pick(data_lo) & ~uint64_t{7}), 3);
    if (p_.ia2 < eff1) s1_leaf((uint64_t{1} << p_.ia2) + (pick(uint64_t{1} << p_.ia2) & ~uint64_t{7}), 3);

    // Copy the stage-1 structures to their PAs and map their IPA pages at stage 2 (read-only or RW, Device
    // with S2PTW to make every walk a stage-2 Permission fault, AF set so no update is needed there).
    for (const auto& w : ipa_mem.nonzero_words()) s_.memory.write64(w.addr + kIpaToPa, w.value);
    const uint64_t page = uint64_t{1} << vmsa::granule_bits(p_.g2);
    const uint64_t struct_attrs =
        (p_.ptw_device ? 0 : kNormalWb) | (uint64_t{chance(50) ? 3u : 1u} << 6) | kS2Af | (pick(16) << 59);
    for (uint64_t ipa = kS1Ipa & ~(page - 1); ipa < b1.next_free(); ipa += page)
      b2.map(ipa, 3, ipa + kIpaToPa, struct_attrs);

    // Streams 1 and 2 share stage 2 with stream 0: a CD at an unmapped IPA, a TTB0 at an unmapped IPA.
    S2Ste s1 = ste;
    s1.cd = kUnmappedCdIpa;
    write_words(s_.memory, ste_address(s_.regs, 1), s1.encode());
    S2Ste s2 = ste;
    s2.cd = kS1Ipa + 0x1000;
    write_words(s_.memory, ste_address(s_.regs, 2), s2.encode());

    for (const auto& [va, size] : hits) accesses(0, va, size);
    s_.transactions.push_back(txn(0, pick(uint64_t{1} << p_.ia1) & ~uint64_t{7}, AccessKind::Read, false));
    s_.transactions.push_back(txn(1, 0x1000, AccessKind::Read, false));
    s_.transactions.push_back(txn(2, 0x2000, AccessKind::Write, true));
  }

  S2Plan p_;
  std::mt19937_64 rng_;
  ScenarioSpec s_;
  unsigned pamax_ = 48, eff2_ = 48;
  int start2_ = 1;
  bool ds_ = false;  // S2DS in effect
};

// Every legal (S2SL0, input size) of a granule for a PA size and STT, with input sizes in [lo_ia, hi_ia].
std::vector<std::pair<unsigned, unsigned>> legal_sl0(Granule g, unsigned pamax, bool stt, unsigned lo_ia,
                                                     unsigned hi_ia) {
  std::vector<std::pair<unsigned, unsigned>> out;
  for (unsigned sl0 = 0; sl0 < 4; ++sl0)
    for (unsigned ia = lo_ia; ia <= hi_ia; ++ia)
      if (s2_sl0_legal(g, sl0, ia, pamax, stt) && 64 - ia >= vmsa::txsz_min(g, false, pamax) &&
          64 - ia <= vmsa::txsz_max(g, stt))
        out.emplace_back(sl0, ia);
  return out;
}

}  // namespace

bool s2_sl0_legal(Granule g, unsigned sl0, bool sl2, bool ds, unsigned ia_bits, unsigned pamax_bits,
                  bool stt) {
  if (vmsa::s2_invalid_sl(g, sl0, sl2, ds, pamax_bits, stt)) return false;
  return !vmsa::s2_inconsistent_sl(g, vmsa::s2_start_level(g, sl0, sl2), ia_bits);
}

bool s2_sl0_legal(Granule g, unsigned sl0, unsigned ia_bits, unsigned pamax_bits, bool stt) {
  return s2_sl0_legal(g, sl0, false, false, ia_bits, pamax_bits, stt);
}

ScenarioSpec build_s2_scenario(const S2Plan& plan, unsigned) {
  return Maker(plan).make();
}

rc::Gen<S2Plan> s2_plan() {
  return rc::gen::exec([] {
    S2Plan p;
    p.nested = *rc::gen::arbitrary<bool>();
    const Granule gs[] = {Granule::K4, Granule::K16, Granule::K64};
    p.g2 = gs[*rc::gen::inRange(0, 3)];
    p.g1 = gs[*rc::gen::inRange(0, 3)];
    p.oas = *rc::gen::element(2u, 4u, 5u, 6u);  // 40, 44, 48, 52 bits
    p.stt = *rc::gen::arbitrary<bool>();
    const unsigned pamax = address_size_bits(p.oas);
    const auto pairs = legal_sl0(p.g2, pamax, p.stt, 25, std::min(pamax, 48u));
    const auto& pick = pairs[static_cast<size_t>(*rc::gen::inRange<size_t>(0, pairs.size()))];
    p.sl0 = pick.first;
    p.ia2 = pick.second;
    p.s2ps = *rc::gen::inRange(2u, 7u);
    p.xnx = *rc::gen::arbitrary<bool>();
    p.s2ha = *rc::gen::arbitrary<bool>();
    p.s2hd = p.s2ha && *rc::gen::arbitrary<bool>();
    p.s2affd = *rc::gen::arbitrary<bool>();
    p.s2r = *rc::gen::inRange(0, 10) != 0;
    p.ptw = *rc::gen::arbitrary<bool>();
    p.ptw_device = p.ptw && *rc::gen::inRange(0, 4) == 0;
    p.idr3_pbha = *rc::gen::arbitrary<bool>();
    p.s2hwu = *rc::gen::inRange(0u, 16u);
    p.ia1 = *rc::gen::inRange(25u, 49u);
    p.ips = p.oas;
    p.had0 = *rc::gen::arbitrary<bool>();
    p.hwu0 = *rc::gen::inRange(0u, 16u);
    if (*rc::gen::inRange(0, 4) == 0)
      p.defect = static_cast<S2Defect>(*rc::gen::inRange(1u, static_cast<unsigned>(S2Defect::kCount)));
    p.boundaries = *rc::gen::arbitrary<bool>();
    p.seed = *rc::gen::arbitrary<uint64_t>();
    return p;
  });
}

rc::Gen<ScenarioSpec> s2_scenario(unsigned ops_per_scenario) {
  return rc::gen::map(s2_plan(), [=](const S2Plan& p) { return build_s2_scenario(p, ops_per_scenario); });
}

namespace {

// One scenario per granule, PA size and STT: stream s has S2SL0 = s / 32 and S2T0SZ = 10 + s % 32, so every
// legal and ILLEGAL combination near the edges is tried; legal streams map one page and read it. With LPA2
// (idr5_ds: IDR5.DS and VAX; s2ds: STE.S2DS in every STE) a 4 KB sweep has 8 encodings {S2SL0_2, S2SL0}, and
// the odd legal streams with S2DS in effect and 52-bit output place their tables above 2^48.
ScenarioSpec sl0_sweep(Granule g, unsigned oas, bool stt, uint64_t seed, bool idr5_ds = false,
                       bool s2ds = false) {
  std::mt19937_64 rng(seed);
  ScenarioSpec s;
  const bool ds = idr5_ds && s2ds && g != Granule::K64;
  const uint32_t encodings = idr5_ds && g == Granule::K4 ? 8 : 4;
  s.regs = default_registers(kS2Strtab, encodings == 8 ? 8 : 7);
  s.regs.idr0 |= 1u;
  s.regs.idr5 = (oas & 7u) | (1u << 4) | (1u << 5) | (1u << 6);
  if (idr5_ds) s.regs.idr5 |= (1u << 7) | (1u << 10);
  if (stt) s.regs.idr3 |= 1u << 9;
  const unsigned pamax = address_size_bits(oas);
  for (uint32_t sid = 0; sid < encodings * 32; ++sid) {
    S2Ste ste;
    ste.sl0 = (sid / 32) & 3;
    ste.sl0_2 = sid / 32 > 3;
    ste.s2ds = s2ds;
    ste.sh0 = sid % 4;
    ste.t0sz = 10 + sid % 32;
    ste.tg = tg_code(g);
    ste.ps = oas;
    const unsigned ia = 64 - ste.t0sz;
    const bool sl2 = ds && g == Granule::K4 && ste.sl0_2;
    const bool legal = s2_sl0_legal(g, ste.sl0, sl2, ds, ia, pamax, stt) &&
                       ste.t0sz >= vmsa::txsz_min(g, ds, pamax) && ste.t0sz <= vmsa::txsz_max(g, stt);
    uint64_t ipa = 0x3000;
    if (legal) {
      const int start = vmsa::s2_start_level(g, ste.sl0, sl2);
      const unsigned eff = vmsa::effective_output_bits(pamax, pamax, g, ds);
      const uint64_t high = ds && eff >= 52 && sid % 2 == 1 ? uint64_t{1} << 49 : 0;
      VmsaTableBuilder b(s.memory, high | (kS2Tables + uint64_t{sid} * 0x0100'0000), g, ia, start, eff >= 52,
                         ds);
      ste.ttb = b.root();
      // A page near the top of the input range: its start-level index uses the concatenation bits.
      const unsigned gb = vmsa::granule_bits(g);
      ipa = ((uint64_t{1} << ia) - (uint64_t{1} << gb) * (1 + rng() % 64)) | (rng() & 0xff8);
      b.map(ipa, 3, (rng() % (uint64_t{1} << (eff - gb))) << gb, kNormalWb | (uint64_t{3} << 6) | kS2Af);
    }
    write_words(s.memory, ste_address(s.regs, sid), ste.encode());
    Transaction t;
    t.stream_id = sid;
    t.iova = ipa;
    s.transactions.push_back(t);
  }
  return s;
}

// Nested with a CD table of 2^12 CDs (IHI 0070 G.b §3.3.2, §5.2 S1Fmt, §5.3): S1ContextPtr, the L1CDs and
// their L2Ptr are IPAs, and every L1CD and CD fetch goes through stage 2 (SMMU.NESTED.CD_FETCH). s1fmt 0 is a
// linear table, 1 and 2 are 2-level; `hole` leaves unmapped at stage 2 the page of the level-1 table (1) or
// of the CD of SubstreamID 0x45 (2): a stage-2 fault with CLASS = CD at that structure's IPA. S1DSS = 0b10,
// so traffic without a SubstreamID uses CD 0.
ScenarioSpec nested_cd_table(unsigned s1fmt, unsigned hole) {
  constexpr uint64_t kVa = 0x12'3456'7000, kOutIpa = 0x4000'0000, kOutPa = 0x8000'0000;
  constexpr uint64_t kS2Rw = kNormalWb | (uint64_t{3} << 6) | kS2Af;  // S2AP read/write
  ScenarioSpec s;
  s.regs = default_registers(kS2Strtab, 4);
  s.regs.idr0 |= 1u | (1u << 19);  // S2P, CD2L
  s.regs.idr1 |= 16u << 6;         // SSIDSIZE 16
  SparseMemory ipa_mem;            // the stage-1 structures at their IPAs
  VmsaTableBuilder b1(ipa_mem, kS1Ipa + 0x10'0000, Granule::K4, 39, vmsa::s1_start_level(Granule::K4, 39));
  VmsaTableBuilder b2(s.memory, kS2Tables, Granule::K4, 40, 1);
  b1.map(kVa, 3, kOutIpa, kS2Af | (uint64_t{1} << 6));  // AP[2:1] = 01: read/write at EL0 and EL1
  CdFields cd;
  cd.t0sz = 25;
  cd.ttb0 = b1.root();
  cd.mair = 0x44;
  const unsigned split = s1fmt == 1 ? 6 : s1fmt == 2 ? 10 : 0;
  uint64_t hole_page = ~uint64_t{0};
  for (uint32_t ssid : {0u, 0x45u, 0x7ffu}) {
    uint64_t at = kS1Ipa + 64 * uint64_t{ssid};
    if (split != 0) {
      // Level-2 tables after the level-1 table, each aligned to its size (4 KB or 64 KB).
      const uint64_t l2 = kS1Ipa + 0x4'0000 + (uint64_t{64} << split) * (ssid >> split);
      ipa_mem.write64(kS1Ipa + 8 * uint64_t{ssid >> split}, l2 | 1);
      at = l2 + 64 * uint64_t{ssid & ((1u << split) - 1)};
    }
    write_words(ipa_mem, at, encode_cd(cd));
    if (hole == 2 && ssid == 0x45) hole_page = at & ~uint64_t{0xfff};
  }
  if (hole == 1) hole_page = kS1Ipa;
  for (const auto& w : ipa_mem.nonzero_words()) s.memory.write64(w.addr + kIpaToPa, w.value);
  for (uint64_t page = kS1Ipa; page < b1.next_free(); page += 0x1000)
    if (page != hole_page) b2.map(page, 3, page + kIpaToPa, kS2Rw);
  b2.map(kOutIpa, 3, kOutPa, kS2Rw);
  SteFields f;
  f.config = 0b111;
  f.s1_context_ptr = kS1Ipa;
  f.s1cdmax = 12;
  f.s1fmt = s1fmt;
  f.s1dss = 2;
  auto w = encode_ste(f);
  // S2T0SZ 24 (40-bit IPA), S2SL0 1 (level 1), 4 KB granule, S2PS 48 bits, S2AA64, S2R.
  w[2] |= (uint64_t{24} << 32) | (uint64_t{1} << 38) | (uint64_t{5} << 48) | (uint64_t{1} << 51) |
          (uint64_t{1} << 58);
  w[3] = b2.root();
  write_words(s.memory, ste_address(s.regs, 0), w);
  // SubstreamIDs with a CD (0x45, 0x7ff), none (CD 0), one without a CD (0x46), one beyond 2^12.
  const std::pair<bool, uint32_t> ids[] = {
      {true, 0x45}, {true, 0x7ff}, {false, 0}, {true, 0x46}, {true, 0x1000}};
  for (const auto& [ssv, ssid] : ids) {
    Transaction t;
    t.iova = kVa + 0x234;
    t.ssv = ssv;
    t.substream_id = ssid;
    s.transactions.push_back(t);
  }
  return s;
}

}  // namespace

void generate_s2_fixed_scenarios(uint64_t seed, const std::function<void(ScenarioSpec&)>& emit) {
  uint64_t n = 0;
  auto out = [&](ScenarioSpec s) {
    s.id = "smmu-s2-" + std::to_string(seed) + "-" + std::to_string(n++);
    emit(s);
  };
  const uint64_t base = seed ^ 0x7332736365ull;  // "s2sce"
  const Granule gs[] = {Granule::K4, Granule::K16, Granule::K64};
  // S2SL0 x S2T0SZ edges, concatenation 1..16, per PA size (S2InvalidSL thresholds 42 and 44) and STT.
  for (Granule g : gs)
    for (unsigned oas : {2u, 3u, 4u, 5u})
      for (bool stt : {false, true}) out(sl0_sweep(g, oas, stt, derive_seed(base, n)));
  // Stage 2 only and nested, every granule pair, with the OA boundaries at stage-2 eff sizes 40/42/44/48.
  unsigned k = 0;
  for (bool nested : {false, true})
    for (Granule g2 : gs)
      for (Granule g1 : gs) {
        if (!nested && g1 != Granule::K4) continue;
        S2Plan p;
        p.nested = nested;
        p.g2 = g2;
        p.g1 = g1;
        p.oas = 5;
        p.s2ps = 2 + k % 4;
        p.stt = k % 2 == 1;
        const auto pairs = legal_sl0(g2, 48, p.stt, 25, 48);
        const auto& pick = pairs[derive_seed(base, 1000 + k) % pairs.size()];
        p.sl0 = pick.first;
        p.ia2 = pick.second;
        p.ia1 = 25 + (k * 7) % 24;
        p.ips = 5;
        p.xnx = k % 3 == 0;
        p.s2ha = k % 4 == 1;
        p.s2hd = k % 8 == 1;
        p.s2affd = k % 5 == 2;
        p.ptw = k % 2 == 0;
        p.ptw_device = k % 6 == 4;
        p.s2r = k % 7 != 3;
        // PBHA: IDR3.PBHA with every S2HWU, and stage 1 HAD0/HWU0, so the combine sees both enabled.
        p.idr3_pbha = k % 3 != 2;
        p.s2hwu = k % 16;
        p.had0 = k % 2 == 0;
        p.hwu0 = (k * 5) % 16;
        p.seed = derive_seed(base, 2000 + k);
        out(build_s2_scenario(p));
        ++k;
      }
  // LPA2 at stage 2 (appended: the scenarios above keep their seeds). S2SL0/S2SL0_2 x S2T0SZ sweeps for 4 KB
  // and 16 KB with S2DS at 48- and 52-bit PAs, with IDR5.DS but S2DS = 0 (S2SL0_2 not considered, S2T0SZ from
  // 16) and with S2DS but no IDR5.DS (RES0).
  const auto lpa2_scenarios = [&] {
    for (Granule g : {Granule::K4, Granule::K16})
      for (unsigned oas : {5u, 6u})
        for (auto [idr5_ds, s2ds] : {std::pair{true, true}, std::pair{true, false}, std::pair{false, true}})
          out(sl0_sweep(g, oas, oas == 6, derive_seed(base, n), idr5_ds, s2ds));
    // Stage 2 only and nested with S2DS: 52-bit IPAs from level -1 (4 KB, S2SL0_2) or level 0 (4 KB with
    // concatenation, 16 KB), 48-bit from 4 KB level 0, tables above 2^48; OA boundaries at 2^52 - page.
    struct Lpa2 {
      Granule g;
      unsigned ia, sl0;
      bool sl2, high, nested, s2ds;
    };
    const Lpa2 plans[] = {
        {Granule::K4, 52, 0, true, true, false, true},
        {Granule::K4, 49, 0, true, false, true, true},
        {Granule::K4, 52, 2, false, false, false, true},
        {Granule::K4, 48, 2, false, true, true, true},
        {Granule::K16, 52, 3, false, true, false, true},
        {Granule::K16, 47, 2, false, false, true, true},
        // ILLEGAL: IDR5.DS but S2DS = 0 with tables above 2^48 (S2TTB), and with S2SL0_2 (level -1 not
        // considered: S2SL0 = 00 is level 2, inconsistent with 52 bits).
        {Granule::K4, 40, 1, false, true, false, false},
        {Granule::K4, 52, 0, true, false, false, false},
    };
    unsigned j = 0;
    for (const Lpa2& x : plans) {
      S2Plan p;
      p.g2 = x.g;
      // Nested: stage-1 output (IPAs) above 2^48 needs 52-bit stage-1 descriptors: 64 KB with IPS 52.
      p.g1 = x.ia > 48 ? Granule::K64 : j % 2 == 0 ? Granule::K4 : Granule::K16;
      p.nested = x.nested;
      p.oas = p.s2ps = p.ips = 6;
      p.idr5_ds = true;
      p.s2ds = x.s2ds;
      p.sl0 = x.sl0;
      p.sl2 = x.sl2;
      p.ia2 = x.ia;
      p.high_tables = x.high;
      p.s2sh0 = j % 4;
      p.ia1 = 39 + j;
      p.stt = true;
      p.s2ha = j % 3 == 1;
      p.seed = derive_seed(base, 5000 + j);
      out(build_s2_scenario(p));
      ++j;
    }
  };
  // Each ILLEGAL STE field, on each granule, stage 2 only and nested.
  for (unsigned d = 1; d < static_cast<unsigned>(S2Defect::kCount); ++d)
    for (Granule g2 : gs) {
      S2Plan p;
      p.nested = d % 2 == 0;
      p.g2 = g2;
      const auto pairs = legal_sl0(g2, 48, false, 25, 48);
      const auto& pick = pairs[derive_seed(base, 3000 + d) % pairs.size()];
      p.sl0 = pick.first;
      p.ia2 = pick.second;
      p.defect = static_cast<S2Defect>(d);
      p.seed = derive_seed(base, 4000 + d * 3 + static_cast<unsigned>(g2));
      out(build_s2_scenario(p));
    }
  // Nested with linear and 2-level CD tables: every L1CD and CD fetch through stage 2, and a fault on each.
  for (unsigned s1fmt : {0u, 1u, 2u})
    for (unsigned hole : {0u, 1u, 2u}) out(nested_cd_table(s1fmt, hole));
  lpa2_scenarios();
  // The Stall model (SMMU.EVENT.STALL; appended: the scenarios above keep their ids and seeds). Stage-2
  // faults at each CLASS with STE.S2S = 1, on an SMMU offering both models (STALL_MODEL 0b00) and one forcing
  // stalls (0b10, where S2S = 0 and, nested, CD.S = 0 are ILLEGAL); nested with only stage 1 stalling as
  // well. S2R = 0 in some: a stall is recorded all the same.
  struct Stall {
    bool nested;
    unsigned model;
    bool s2s, cd_s, s2r;
  };
  const Stall stalls[] = {
      {false, 0, true, false, false}, {false, 2, true, false, true}, {true, 0, true, false, true},
      {true, 0, false, true, true},   {true, 2, true, true, false},
  };
  unsigned m = 0;
  for (const Stall& x : stalls) {
    S2Plan p;
    p.nested = x.nested;
    p.g2 = gs[m % 3];
    const auto pairs = legal_sl0(p.g2, 48, false, 25, 48);
    const auto& pick = pairs[derive_seed(base, 6000 + m) % pairs.size()];
    p.sl0 = pick.first;
    p.ia2 = pick.second;
    p.stall_model = x.model;
    p.s2s = x.s2s;
    p.cd_s = x.cd_s;
    p.s2r = x.s2r;
    p.seed = derive_seed(base, 7000 + m);
    out(build_s2_scenario(p));
    ++m;
  }
}

}  // namespace vipcts::smmu::gen
