#include "rc_generators.hpp"

#include <algorithm>

#include "builder.hpp"
#include "encode.hpp"
#include "reference/smmu/cd_table.hpp"

namespace vipcts::smmu::gen {
namespace {

// ---- Draws, valid only inside rc::gen::exec ----
unsigned draw(unsigned lo, unsigned hi) { return *rc::gen::inRange<unsigned>(lo, hi + 1); }  // [lo, hi]
uint64_t draw64(uint64_t lo, uint64_t hi) {
  if (lo == 0 && hi == ~uint64_t{0}) return *rc::gen::arbitrary<uint64_t>();
  return *rc::gen::inRange<uint64_t>(lo, hi + 1);
}
bool chance(unsigned percent) { return draw(0, 99) < percent; }
uint64_t low_mask(unsigned n) { return n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1; }

// A mapping the scenario made: what transactions aim at.
struct Mapping {
  unsigned stream;     // index into Streams
  bool ttb1;
  uint64_t va;         // first byte
  unsigned level;      // leaf level
  uint64_t desc_addr;  // the leaf descriptor
};

struct Stream {
  uint32_t sid;
  Ste ste;
  Cd cd;
  uint64_t cd_addr;
};

// Effective stage-1 output size: MIN(CD.IPS, IDR5.OAS), and 48 bits for a 4 KB granule without DS (IHI 0070
// G.b §3.4, §5.4; DDI 0487 M.a.a AArch64.PhysicalAddressSize).
unsigned eff_ips(unsigned ips, unsigned oas) {
  return std::min({address_size_bits(ips), address_size_bits(oas), 48u});
}

// A random leaf for level `level` mapping to a random OA below 2^oa_bits, with random permissions and attributes.
// dbm: the CD manages dirty state (HD), so DBM = 1 leaves (writable-clean when AP[2] = 1) are worth drawing.
uint64_t random_leaf(unsigned level, unsigned oa_bits, bool dbm) {
  const unsigned shift = level_shift(level);
  const uint64_t oa = draw64(0, low_mask(oa_bits) >> shift) << shift;
  uint64_t d = oa | (level == 3 ? desc::kTypeTableOrPage : desc::kTypeBlock);
  d |= desc::attr_indx(draw(0, 7)) | desc::ap(draw(0, 3));
  d |= desc::sh(*rc::gen::element(0u, 2u, 3u));  // SH = 01 is reserved (DDI 0487 D8.6.2)
  if (chance(80)) d |= desc::kAf;
  if (chance(50)) d |= desc::kNg;
  if (chance(30)) d |= desc::kPxn;
  if (chance(30)) d |= desc::kUxn;
  if (chance(25)) d |= draw64(0, 0x1ff) << 55;  // software / PBHA bits [63:55]: IGNORED here
  if (dbm && chance(50)) d |= desc::kDbm;
  return d;
}

// A VA in the TTB0 range [0, 2^N) or the TTB1 range [2^64 - 2^N, 2^64), aligned to the leaf size.
uint64_t random_va(bool ttb1, unsigned txsz, unsigned level) {
  const unsigned n = 64 - txsz;
  const unsigned shift = level_shift(level);
  const uint64_t va = draw64(0, low_mask(n) >> shift) << shift;
  return ttb1 ? (va | ~low_mask(n)) : va;
}

void map_some(Builder& b, std::vector<Mapping>& maps, unsigned stream, bool ttb1, uint64_t root, unsigned txsz,
              unsigned oa_bits, bool dbm) {
  const unsigned sl = start_level(txsz);
  const unsigned count = draw(1, 6);
  // Cluster mappings in one 1 GB region half of the time so they share tables and neighbours are mapped.
  const bool cluster = chance(50) && sl <= 1;
  const uint64_t base = random_va(ttb1, txsz, std::max(sl, 1u));
  for (unsigned i = 0; i < count; ++i) {
    unsigned level = *rc::gen::weightedElement<unsigned>({{60, 3}, {25, 2}, {15, 1}});
    level = std::max(level, std::max(sl, 1u));
    uint64_t va = random_va(ttb1, txsz, level);
    if (cluster && level >= 2) va = base + (draw64(0, (uint64_t{1} << (30 - level_shift(level))) - 1) << level_shift(level));
    const auto at = b.map(root, txsz, va, level, random_leaf(level, oa_bits, dbm));
    if (at) maps.push_back({stream, ttb1, va, level, *at});
  }
}

Transaction random_txn(const std::vector<Stream>& streams, const std::vector<Mapping>& maps, unsigned log2size) {
  Transaction t;
  const unsigned si = draw(0, static_cast<unsigned>(streams.size() - 1));
  t.stream_id = streams[si].sid;
  t.access = *rc::gen::element(AccessKind::Read, AccessKind::Write, AccessKind::Execute);
  t.privileged = chance(50);
  const unsigned kind = draw(0, 99);
  if (kind < 75 && !maps.empty()) {
    // Aim at a mapping (any stream's: a mapping of another stream is an unmapped address here).
    const Mapping& m = maps[draw(0, static_cast<unsigned>(maps.size() - 1))];
    if (chance(85)) t.stream_id = streams[m.stream].sid;
    const uint64_t size = uint64_t{1} << level_shift(m.level);
    switch (draw(0, 5)) {
      case 0: t.iova = m.va; break;                    // first byte
      case 1: t.iova = m.va + size - 1; break;         // last byte
      case 2: t.iova = m.va + size; break;             // first byte after
      case 3: t.iova = m.va - 1; break;                // last byte before
      default: t.iova = m.va + draw64(0, size - 1); break;
    }
  } else if (kind < 85) {
    // Anywhere in the TTB0 or TTB1 range of the stream.
    const Cd& cd = streams[si].cd;
    const bool ttb1 = chance(30);
    const unsigned n = 64 - std::clamp(ttb1 ? cd.t1sz : cd.t0sz, 16u, 39u);
    t.iova = draw64(0, low_mask(n));
    if (ttb1) t.iova |= ~low_mask(n);
  } else if (kind < 95) {
    t.iova = draw64(0, ~uint64_t{0});  // mostly outside both ranges
  } else {
    t.iova = draw64(0, low_mask(32));
  }
  // A changed top byte: ignored with TBI, a Translation fault without (IHI 0070 G.b §3.4.1).
  if (chance(10)) t.iova = (t.iova & low_mask(56)) | (draw64(0, 255) << 56);
  if (chance(2)) t.stream_id = draw(0, (1u << log2size) - 1);  // maybe an unconfigured STE (all zero: V = 0)
  return t;
}

void use_two_level(SmmuRegisters& r);

SmmuRegisters draw_registers() {
  SmmuRegisters r;
  r.idr0 = reg::kIdr0S1P | reg::idr0_ttf(0b10) | reg::idr0_httu(*rc::gen::element(0u, 1u, 2u)) |
           reg::idr0_stall_model(0b01);
  r.idr1 = reg::idr1_sidsize(draw(8, 16));
  r.idr3 = 0;
  r.idr5 = reg::kIdr5Gran4K | reg::idr5_oas(draw(0, 6));
  r.cr0 = chance(95) ? reg::kCr0SmmuEn : 0;
  r.cr2 = chance(90) ? reg::kCr2RecInvSid : 0;
  r.gbpa = chance(50) ? reg::kGbpaAbort : 0;
  r.strtab_base = kStrtabBase;
  r.strtab_base_cfg = reg::strtab_base_cfg(0, draw(1, 8));
  return r;
}

// FMT = 2-level, up to 16 StreamID bits, SPLIT 6/8/10 or (sometimes) a reserved value that behaves as 6.
void use_two_level(SmmuRegisters& r) {
  r.idr0 |= reg::idr0_st_level(1);
  const unsigned split = chance(85) ? *rc::gen::element(6u, 8u, 10u) : draw(0, 31);
  r.strtab_base_cfg = reg::strtab_base_cfg(1, draw(1, 16), split);
}

unsigned bit_length(uint64_t x) {
  unsigned n = 0;
  for (; x != 0; x >>= 1) ++n;
  return n;
}

// Writes the STEs (linear or 2-level) and CDs of the streams. A 2-level L1STD gets a Span that covers every
// stream under it: SPLIT + 1 (the whole level-2 array) or anything down to the smallest that does. With
// `tight0` stream 0's L1STD gets the smallest, so SIDs beyond it exist (SidBeyondSpan).
void write_streams(Builder& b, const SmmuRegisters& regs, const std::vector<Stream>& streams, bool tight0) {
  const bool two_level = strtab_fmt(regs) == 1;
  const unsigned split = effective_split(static_cast<unsigned>(bits(regs.strtab_base_cfg, 10, 6)));
  for (size_t i = 0; i < streams.size(); ++i) {
    const Stream& st = streams[i];
    b.write_cd(st.cd_addr, st.cd);
    if (!two_level) {
      b.write_ste(kStrtabBase, st.sid, st.ste);
      continue;
    }
    unsigned need = 1;
    for (const Stream& o : streams)
      if ((o.sid >> split) == (st.sid >> split))
        need = std::max(need, bit_length(o.sid & low_mask(split)) + 1);
    const unsigned span = tight0 && i == 0 ? need : chance(50) ? split + 1 : draw(need, split + 1);
    b.write_ste_2level(kStrtabBase, split, span, st.sid, st.ste);
  }
}

// A StreamID below 2^log2size that no stream has yet.
uint32_t draw_new_sid(const std::vector<Stream>& streams, unsigned log2size) {
  uint32_t sid = 0;
  do sid = draw(0, (1u << log2size) - 1);
  while (std::any_of(streams.begin(), streams.end(), [&](const Stream& x) { return x.sid == sid; }));
  return sid;
}

// A random well-formed CD with TTB0 (and sometimes TTB1) tables holding a few mappings of context `stream`.
Cd draw_cd(Builder& b, std::vector<Mapping>& maps, unsigned stream, unsigned httu, unsigned oas) {
  Cd cd;
  cd.t0sz = draw(16, 39);
  cd.t1sz = draw(16, 39);
  cd.epd0 = chance(5);
  cd.epd1 = chance(70);
  cd.ips = draw(0, 6);
  cd.affd = chance(20);
  cd.tbi0 = chance(20);
  cd.tbi1 = chance(20);
  cd.ha = httu >= 1 && chance(50);
  if (httu == 2 && cd.ha) cd.hd = chance(50);
  cd.r = chance(90);
  cd.a = chance(90);
  cd.asid = draw(0, 0xff);  // IDR0.ASID16 = 0: ASID[15:8] must be zero (IHI 0070 G.b §5.4)
  cd.mair = draw64(0, ~uint64_t{0});
  const unsigned oa_bits = eff_ips(cd.ips, oas);
  cd.ttb0 = b.alloc_page();
  map_some(b, maps, stream, false, cd.ttb0, cd.t0sz, oa_bits, cd.hd);
  if (!cd.epd1 || chance(30)) {  // TTB1 tables also exist behind EPD1 = 1: they must not be walked
    cd.ttb1 = b.alloc_page();
    map_some(b, maps, stream, true, cd.ttb1, cd.t1sz, oa_bits, cd.hd);
  }
  return cd;
}

ScenarioSpec draw_scenario(Defect defect, unsigned ops, bool two_level = false) {
  ScenarioSpec s;
  s.regs = draw_registers();
  const bool l1_defect = defect == Defect::L1StdInvalid || defect == Defect::SidBeyondSpan;
  if (two_level || l1_defect) use_two_level(s.regs);
  // StreamIDs below 2^MIN(LOG2SIZE, SIDSIZE) are in range (IHI 0070 G.b §6.3.25).
  const unsigned log2size = std::min(strtab_log2size(s.regs), idr1_sidsize(s.regs));
  const unsigned httu = idr0_httu(s.regs);
  const unsigned oas = idr5_oas(s.regs);
  Builder b(s.memory, kTableBase);

  // 1..3 streams with distinct SIDs inside the table.
  const unsigned nstreams = std::min(draw(1, 3), 1u << log2size);
  std::vector<Stream> streams;
  std::vector<Mapping> maps;
  for (unsigned i = 0; i < nstreams; ++i) {
    const uint32_t sid = draw_new_sid(streams, log2size);
    Stream st;
    st.sid = sid;
    st.cd_addr = kCdBase + 0x1000 * i;
    st.ste.config = chance(10) ? 0b100 : 0b101;
    st.ste.s1_context_ptr = st.cd_addr;
    st.cd = draw_cd(b, maps, i, httu, oas);
    streams.push_back(st);
  }

  // The defect, applied to stream 0 and the mappings.
  Stream& s0 = streams[0];
  const unsigned s0_eff = eff_ips(s0.cd.ips, oas);
  std::vector<Mapping> s0_maps;
  for (const Mapping& m : maps)
    if (m.stream == 0 && (!m.ttb1 || !s0.cd.epd1)) s0_maps.push_back(m);
  bool ssv = false, bad_sid = false, noncanonical = false;
  switch (defect) {
    case Defect::None: break;
    case Defect::SteInvalid: s0.ste.v = false; break;
    case Defect::SteConfig: s0.ste.config = *rc::gen::element(0b000u, 0b001u, 0b010u, 0b011u, 0b110u, 0b111u); break;
    case Defect::SubstreamNoCds: ssv = true; break;
    case Defect::CdInvalid:
      if (chance(70)) s0.cd.v = false;
      else s0.cd.asid |= draw(1, 0xff) << 8;  // 16-bit ASID without IDR0.ASID16: ILLEGAL
      break;
    case Defect::CdAa32: s0.cd.aa64 = false; break;
    case Defect::CdTxszRange: {
      const unsigned bad = chance(50) ? draw(0, 15) : draw(40, 63);
      if (chance(70)) {
        s0.cd.t0sz = bad;
        s0.cd.epd0 = false;
      } else {
        s0.cd.t1sz = bad;
        s0.cd.epd1 = false;
      }
      break;
    }
    case Defect::CdTg: s0.cd.tg0 = draw(1, 3); break;
    case Defect::CdTtbRange: {
      // Just beyond the effective IPS, or beyond 48 bits (4 KB granule, DS = 0): a CD error, not F_ADDR_SIZE.
      const unsigned top = s0_eff < 48 && chance(70) ? s0_eff : 48;
      const uint64_t bad = (uint64_t{1} << draw(top, 51)) | (s0.cd.ttb0 & low_mask(32));
      if (chance(70)) {
        s0.cd.ttb0 = bad;
      } else {
        s0.cd.ttb1 = bad;
        s0.cd.epd1 = false;
      }
      break;
    }
    case Defect::CdHttu:
      if (httu == 0) s0.cd.ha = true;
      else if (httu == 1) s0.cd.hd = true, s0.cd.ha = true;
      else s0.cd.ha = chance(50);  // HTTU = 2 allows everything: the control case
      break;
    case Defect::CdStall: s0.cd.s = true; break;
    case Defect::DescInvalid:
      if (!s0_maps.empty()) {
        const Mapping& m = s0_maps[draw(0, static_cast<unsigned>(s0_maps.size() - 1))];
        const auto p = b.path(m.ttb1 ? s0.cd.ttb1 : s0.cd.ttb0, m.ttb1 ? s0.cd.t1sz : s0.cd.t0sz, m.va);
        const uint64_t at = p[draw(0, static_cast<unsigned>(p.size() - 1))];
        s.memory.write64(at, s.memory.read64(at) & ~uint64_t{1});
      }
      break;
    case Defect::DescL3Block:
      for (const Mapping& m : s0_maps)
        if (m.level == 3 && chance(60)) s.memory.write64(m.desc_addr, s.memory.read64(m.desc_addr) & ~uint64_t{2});
      break;
    case Defect::DescL0Block:
      if (start_level(s0.cd.t0sz) == 0) {
        // A 512 GB block at level 0 is not allowed with the 4 KB granule and DS = 0 (DDI 0487 D8.3.1).
        const uint64_t va = random_va(false, s0.cd.t0sz, 0);
        const uint64_t at = s0.cd.ttb0 + 8 * table_index(va, 0, s0.cd.t0sz);
        s.memory.write64(at, (random_leaf(1, s0_eff, false) & ~desc::kOaMask) | desc::kTypeBlock);
        s0_maps.push_back({0, false, va, 1, at});
        maps.push_back(s0_maps.back());
      }
      break;
    case Defect::TableAddrSize:
    case Defect::LeafAddrSize:
      // Needs eff_IPS < 48: descriptor OA fields stop at bit 47 with DS = 0.
      if (s0_eff < 48 && !s0_maps.empty()) {
        const Mapping& m = s0_maps[draw(0, static_cast<unsigned>(s0_maps.size() - 1))];
        const auto p = b.path(m.ttb1 ? s0.cd.ttb1 : s0.cd.ttb0, m.ttb1 ? s0.cd.t1sz : s0.cd.t0sz, m.va);
        const uint64_t hi = uint64_t{1} << draw(s0_eff, 47);
        if (defect == Defect::LeafAddrSize || p.size() < 2) {
          s.memory.write64(m.desc_addr, s.memory.read64(m.desc_addr) | hi);
        } else {
          const uint64_t at = p[draw(0, static_cast<unsigned>(p.size() - 2))];  // a table descriptor
          s.memory.write64(at, s.memory.read64(at) | hi);
        }
      }
      break;
    case Defect::BadStreamId: bad_sid = true; break;
    case Defect::NonCanonical: noncanonical = true; break;
    case Defect::L1StdInvalid:
    case Defect::SidBeyondSpan: break;  // applied to the Stream table below
    case Defect::kCount: break;
  }

  write_streams(b, s.regs, streams, defect == Defect::SidBeyondSpan);
  const unsigned split = effective_split(static_cast<unsigned>(bits(s.regs.strtab_base_cfg, 10, 6)));
  const uint64_t l1_0 = kStrtabBase + 8 * uint64_t{s0.sid >> split};  // stream 0's L1STD (2-level)
  const unsigned span0 = static_cast<unsigned>(s.memory.read64(l1_0) & 0x1f);
  if (defect == Defect::L1StdInvalid) {
    // Span 0 (invalid), reserved (12..31, behaves as 0), or beyond SPLIT + 1 (IHI 0070 G.b §5.1.1).
    unsigned bad = 0;
    switch (draw(0, 2)) {
      case 1: bad = draw(12, 31); break;
      case 2: bad = split + 2 <= 11 ? draw(split + 2, 11) : 0; break;
      default: break;
    }
    s.memory.write64(l1_0, (s.memory.read64(l1_0) & ~uint64_t{0x1f}) | bad);
  }

  for (unsigned i = 0; i < ops; ++i) {
    Transaction t = random_txn(streams, maps, log2size);
    if (ssv && chance(50)) {
      t.stream_id = s0.sid;
      t.ssv = true;
      t.substream_id = draw(0, (1u << 20) - 1);
    }
    if (bad_sid && chance(40)) t.stream_id = draw((1u << log2size), (1u << idr1_sidsize(s.regs)) + 7);
    if (defect == Defect::SidBeyondSpan && span0 >= 1 && span0 <= split && chance(50)) {
      // Same L1STD as stream 0, StreamID[SPLIT-1:0] at or above 2^(Span-1): outside the level-2 array.
      const uint32_t lo = draw(1u << (span0 - 1), (1u << split) - 1);
      t.stream_id = ((s0.sid >> split) << split) | lo;
    }
    if (noncanonical && chance(50)) {
      // Bits [55:N] neither all zero nor all one: outside TTB0 and TTB1 whatever TBI says.
      const unsigned n = 64 - std::clamp(s0.cd.t0sz, 16u, 39u);
      t.stream_id = s0.sid;
      t.iova = (t.iova & low_mask(n)) | (uint64_t{1} << draw(n, 54));
    }
    // Nudge some transactions at the defect's stream.
    if (defect != Defect::None && defect != Defect::BadStreamId && defect != Defect::SidBeyondSpan && chance(40))
      t.stream_id = s0.sid;
    s.transactions.push_back(t);
  }
  return s;
}

// ---- SubstreamIDs and CD tables (IHI 0070 G.b §3.3.2, §5.2 S1Fmt/S1CDMax/S1DSS, §5.3).

// The defects of a substream scenario (one each), named after the clause they aim at.
enum class SubDefect : uint8_t {
  None,
  CdMaxBeyondSsidsize,  // S1CDMax > IDR1.SSIDSIZE (SMMU.STE.S1CDMAX)
  TwoLevelWithoutCd2l,  // S1Fmt 0b01/0b10 with IDR0.CD2L = 0 (SMMU.STE.S1FMT)
  L1CdInvalid,          // an L1CD in use with V = 0 (SMMU.CD.TABLE.L2_CD)
  SsidBeyondCdMax,      // SubstreamIDs >= 2^S1CDMax (SMMU.STE.SUBSTREAM)
  CdInvalid,            // the CD of one SubstreamID has V = 0 (SMMU.CD.VALID through a table)
  Ssid0Reserved,        // S1DSS = 0b10 and SubstreamID 0 presented (SMMU.STE.S1DSS)
  kCount
};

// CD table of stream i at kCdTableBase + i * 64 MB: a linear table of up to 2^20 CDs is aligned to its size.
constexpr uint64_t kCdTableStride = 0x0400'0000;

// A CD a transaction can reach: stream index, SubstreamID.
struct SubContext {
  unsigned stream;
  uint32_t ssid;
};

// The SubstreamIDs given a CD: the first and last of the table, L2 boundaries of a 2-level table, random
// ones.
std::vector<uint32_t> draw_ssids(unsigned cdmax, unsigned split) {
  const uint32_t top = (1u << cdmax) - 1;
  std::vector<uint32_t> out;
  const unsigned n = draw(1, 4);
  for (unsigned i = 0; i < n; ++i) {
    uint32_t ssid = 0;
    switch (draw(0, 4)) {
      case 0:
        ssid = 0;
        break;
      case 1:
        ssid = top;
        break;
      case 2:
        ssid = split != 0 && cdmax > split ? (1u << split) * draw(1, top >> split) : top;
        break;
      case 3:
        ssid = split != 0 && cdmax > split ? (1u << split) * draw(1, top >> split) - 1 : 1;
        break;
      default:
        ssid = draw(0, top);
        break;
    }
    if (std::find(out.begin(), out.end(), ssid) == out.end()) out.push_back(ssid);
  }
  return out;
}

ScenarioSpec draw_substream_scenario(unsigned ops) {
  ScenarioSpec s;
  s.regs = draw_registers();
  const SubDefect defect =
      chance(55) ? SubDefect::None
                 : static_cast<SubDefect>(draw(1, static_cast<unsigned>(SubDefect::kCount) - 1));
  // SSIDSIZE 0 (S1CDMax IGNORED: one CD) now and then; 2-level CD tables mostly advertised.
  const unsigned ssidsize = chance(8) ? 0 : draw(1, 20);
  s.regs.idr1 |= reg::idr1_ssidsize(ssidsize);
  if (chance(75) && defect != SubDefect::TwoLevelWithoutCd2l) s.regs.idr0 |= reg::kIdr0Cd2l;
  if (chance(20)) use_two_level(s.regs);
  const unsigned log2size = std::min(strtab_log2size(s.regs), idr1_sidsize(s.regs));
  const unsigned httu = idr0_httu(s.regs);
  const unsigned oas = idr5_oas(s.regs);
  const bool cd2l = idr0_cd2l(s.regs);
  Builder b(s.memory, kTableBase);

  const unsigned nstreams = std::min(draw(1, 2), 1u << log2size);
  std::vector<Stream> streams;
  std::vector<SubContext> contexts;
  std::vector<Mapping> maps;            // Mapping::stream indexes `contexts`
  std::vector<Stream> context_streams;  // per context: its StreamID and CD (for random_txn's address ranges)
  for (unsigned i = 0; i < nstreams; ++i) {
    const uint32_t sid = draw_new_sid(streams, log2size);
    Stream st;
    st.sid = sid;
    st.ste.config = chance(8) ? 0b100 : 0b101;
    const unsigned max_legal = ssidsize == 0 ? 8 : ssidsize;
    st.ste.s1cdmax = draw(1, max_legal);
    if (defect == SubDefect::CdMaxBeyondSsidsize && i == 0 && ssidsize != 0 && ssidsize < 31)
      st.ste.s1cdmax = draw(ssidsize + 1, std::min(31u, ssidsize + 3));
    const bool two_level_ok = cd2l || defect == SubDefect::TwoLevelWithoutCd2l;
    st.ste.s1fmt = two_level_ok && chance(60) ? draw(1, 2) : (chance(90) ? 0 : 3);
    st.ste.s1dss = draw(0, 3);
    if (defect == SubDefect::Ssid0Reserved && i == 0) st.ste.s1dss = 2;
    st.ste.s1_context_ptr = kCdTableBase + kCdTableStride * i;
    // The table as the SMMU will read it: SSIDSIZE = 0 leaves one CD at S1ContextPtr (index 0 of a linear
    // table; a 2-level table's L1CDs are then read as a CD).
    const unsigned cdmax = ssidsize == 0 ? 0 : std::min(st.ste.s1cdmax, 20u);
    const unsigned split = cd_table_split(st.ste.s1fmt);
    const std::vector<uint32_t> ssids = cdmax == 0 ? std::vector<uint32_t>{0} : draw_ssids(cdmax, split);
    for (uint32_t ssid : ssids) {
      const unsigned c = static_cast<unsigned>(contexts.size());
      Stream cs = st;
      cs.cd = draw_cd(b, maps, c, httu, oas);
      if (defect == SubDefect::CdInvalid && c == 0) cs.cd.v = false;
      cs.cd_addr =
          cdmax == 0 ? st.ste.s1_context_ptr : b.write_cd_in_table(st.ste.s1_context_ptr, split, ssid, cs.cd);
      if (cdmax == 0) b.write_cd(cs.cd_addr, cs.cd);
      contexts.push_back({i, ssid});
      context_streams.push_back(cs);
    }
    st.cd = context_streams[contexts.size() - ssids.size()].cd;
    st.cd_addr = context_streams[contexts.size() - ssids.size()].cd_addr;
    streams.push_back(st);
  }
  if (defect == SubDefect::L1CdInvalid) {
    // Clear V of the L1CD of stream 0's first SubstreamID (2-level only; L2Ptr stays: it must be IGNORED).
    const Ste& ste0 = streams[0].ste;
    const unsigned split = cd_table_split(ste0.s1fmt);
    if (split != 0) {
      const uint64_t at = ste0.s1_context_ptr + 8 * uint64_t{contexts[0].ssid >> split};
      s.memory.write64(at, s.memory.read64(at) & ~uint64_t{1});
    }
  }
  write_streams(b, s.regs, streams, false);

  for (unsigned i = 0; i < ops; ++i) {
    const unsigned c = draw(0, static_cast<unsigned>(contexts.size() - 1));
    std::vector<Mapping> own;
    for (const Mapping& m : maps) {
      if (m.stream != c) continue;
      own.push_back(m);
      own.back().stream = 0;  // random_txn sees this context alone
    }
    Transaction t = random_txn({context_streams[c]}, own, log2size);
    const Ste& ste = streams[contexts[c].stream].ste;
    const unsigned cdmax = ssidsize == 0 ? 0 : std::min(ste.s1cdmax, 20u);
    t.ssv = true;
    t.substream_id = contexts[c].ssid;
    const unsigned kind = draw(0, 99);
    if (kind < 20) {
      t.ssv = false;  // S1DSS decides (or the one CD, without substreams)
      t.substream_id = 0;
    } else if (kind < 28 || (defect == SubDefect::SsidBeyondCdMax && kind < 60)) {
      // At or above 2^S1CDMax, up to the 20 bits a SubstreamID has.
      t.substream_id =
          cdmax >= 20 ? (1u << 20) - 1 : draw(1u << cdmax, std::min((1u << cdmax) * 2, 1u << 20) - 1);
    } else if (kind < 33 || (defect == SubDefect::Ssid0Reserved && kind < 60)) {
      t.substream_id = 0;
    }
    s.transactions.push_back(t);
  }
  return s;
}

}  // namespace

rc::Gen<SmmuRegisters> registers() {
  return rc::gen::exec([] { return draw_registers(); });
}

rc::Gen<ScenarioSpec> scenario_with(Defect defect, unsigned ops_per_scenario) {
  return rc::gen::exec([=] { return draw_scenario(defect, ops_per_scenario); });
}

rc::Gen<ScenarioSpec> scenario(unsigned ops_per_scenario) {
  return rc::gen::exec([=] {
    // About 70 % well-formed; the rest carry one defect each, evenly spread over the linear-table defects.
    Defect d = Defect::None;
    if (!chance(70)) d = static_cast<Defect>(draw(1, static_cast<unsigned>(Defect::NonCanonical)));
    return draw_scenario(d, ops_per_scenario);
  });
}

rc::Gen<ScenarioSpec> substream_scenario(unsigned ops_per_scenario) {
  return rc::gen::exec([=] { return draw_substream_scenario(ops_per_scenario); });
}

rc::Gen<ScenarioSpec> two_level_scenario(unsigned ops_per_scenario) {
  return rc::gen::exec([=] {
    // Every defect, the 2-level ones (L1StdInvalid, SidBeyondSpan) twice as often.
    Defect d = Defect::None;
    if (!chance(60)) {
      const unsigned n = static_cast<unsigned>(Defect::kCount);
      const unsigned k = draw(1, n + 1);
      d = static_cast<Defect>(k < n ? k : k - 2);
    }
    return draw_scenario(d, ops_per_scenario, true);
  });
}

}  // namespace vipcts::smmu::gen
