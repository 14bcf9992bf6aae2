#include "boundary.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "builder.hpp"
#include "generators/common/smt.hpp"
#include "harness/core/errors.hpp"
#include "rc_generators.hpp"
#include "reference/smmu/cd_table.hpp"
#include "reference/smmu/clause.hpp"

namespace vipcts::smmu::gen {

ScenarioSpec build_from_knobs(const Knobs& k) {
  ScenarioSpec s;
  SmmuRegisters& r = s.regs;
  r.idr0 = reg::kIdr0S1P | reg::idr0_ttf(0b10) | reg::idr0_httu(k.httu) |
           reg::idr0_stall_model(k.stall_model) | reg::idr0_st_level(k.st_level) |
           (k.cd2l ? reg::kIdr0Cd2l : 0);
  r.idr1 = reg::idr1_sidsize(k.sidsize) | reg::idr1_ssidsize(k.ssidsize);
  r.idr5 = reg::kIdr5Gran4K | reg::idr5_oas(k.oas);
  r.cr0 = k.smmuen ? reg::kCr0SmmuEn : 0;
  r.cr2 = k.recinvsid ? reg::kCr2RecInvSid : 0;
  r.gbpa = k.gbpa_abort ? reg::kGbpaAbort : 0;
  // The linear stream table is aligned to its size (IHI 0070 G.b §6.3.24: ADDR[LOG2SIZE+5:0] = 0).
  // The 2-level level-1 array at kStrtabBase is aligned to its size as well (§6.3.24); base_low sets bits the
  // SMMU ignores.
  r.strtab_base = kStrtabBase | k.base_low;
  r.strtab_base_cfg = reg::strtab_base_cfg(k.fmt, k.log2size, k.split_field);
  const bool two_level = k.fmt == 1 && k.st_level == 1;

  Builder b(s.memory, kTableBase);
  Cd cd = k.cd;
  if (!k.ttb0_override) cd.ttb0 = b.alloc_page();
  if (!k.ttb1_override) cd.ttb1 = b.alloc_page();
  Ste ste;
  ste.v = k.ste_v;
  ste.config = k.config;
  ste.s1cdmax = k.s1cdmax;
  ste.s1fmt = k.s1fmt;
  ste.s1dss = k.s1dss;
  const unsigned cdmax = k.ssidsize == 0 ? 0 : k.s1cdmax;  // S1CDMax is IGNORED without SSIDSIZE
  ste.s1_context_ptr = cdmax == 0 ? kCdBase : kCdTableBase;
  if (!two_level) {
    b.write_ste(kStrtabBase, k.ste_sid, ste);
  } else {
    const unsigned split = effective_split(k.split_field);
    b.write_ste_2level(kStrtabBase, split, split + 1, k.ste_sid, ste);
    // The transaction's L1STD, if it has one: Span replaced, L2Ptr bits below the array size set.
    const uint64_t l1 = kStrtabBase + 8 * uint64_t{k.txn.stream_id >> split};
    const uint64_t d = s.memory.read64(l1);
    if (d != 0 && (k.span >= 0 || k.l2ptr_low != 0))
      s.memory.write64(l1, ((d & ~uint64_t{0x1f}) | (k.span >= 0 ? static_cast<uint64_t>(k.span) : d & 0x1f)) |
                               (k.l2ptr_low & mask(55, 6)));
  }
  if (cdmax == 0) {
    b.write_cd(kCdBase, cd);
  } else {
    const uint32_t index = k.txn.ssv ? k.txn.substream_id : 0;
    const uint32_t at = (uint64_t{index} >> cdmax) == 0 ? index : 0;
    const unsigned split = cd_table_split(k.s1fmt);
    b.write_cd_in_table(kCdTableBase, split, at, cd);
    if (!k.l1cd_v && split != 0) {
      const uint64_t l1 = kCdTableBase + 8 * uint64_t{at >> split};
      s.memory.write64(l1, s.memory.read64(l1) & ~uint64_t{1});
    }
  }

  if (k.map) {
    const uint64_t root = k.map_ttb1 ? cd.ttb1 : cd.ttb0;
    // Tables for an out-of-range TxSZ are never walked (the CD is ILLEGAL); build them for the nearest legal one.
    const unsigned txsz = std::clamp(k.map_ttb1 ? cd.t1sz : cd.t0sz, 16u, 39u);
    const unsigned sl = start_level(txsz);
    const unsigned level = std::max(k.leaf_level, sl);
    const unsigned shift = level_shift(level);
    const uint64_t type = level == 3 ? desc::kTypeTableOrPage : desc::kTypeBlock;
    b.map(root, txsz, k.txn.iova, level, (k.oa & mask(47, shift)) | type | k.leaf_bits);
    auto path = b.path(root, txsz, k.txn.iova);
    if (k.table_bits != 0)
      for (size_t i = 0; i + 1 < path.size(); ++i) s.memory.write64(path[i], s.memory.read64(path[i]) | k.table_bits);
    if (k.table_oa_level >= static_cast<int>(sl) && static_cast<unsigned>(k.table_oa_level) < sl + path.size() - 1) {
      // Move the next-level table to table_oa (copying it, so only the address changes) and point at it.
      const uint64_t at = path[k.table_oa_level - sl];
      const uint64_t old_next = s.memory.read64(at) & desc::kOaMask;
      const uint64_t new_next = k.table_oa & mask(47, 12);
      for (unsigned i = 0; i < 512; ++i) {
        const uint64_t w = s.memory.read64(old_next + 8 * i);
        s.memory.write64(old_next + 8 * i, 0);
        s.memory.write64(new_next + 8 * i, w);
      }
      s.memory.write64(at, new_next | (s.memory.read64(at) & ~desc::kOaMask));
    }
    if (k.bad_level >= static_cast<int>(sl)) {
      // Replace the descriptor the walk reads at bad_level; make the path reach that level first.
      uint64_t table = root;
      for (unsigned l = sl; l < static_cast<unsigned>(k.bad_level); ++l) {
        const uint64_t at = table + 8 * table_index(k.txn.iova, l, txsz);
        uint64_t d = s.memory.read64(at);
        if ((d & 3) != 3) {
          d = desc::table(b.alloc_page());
          s.memory.write64(at, d);
        }
        table = d & desc::kOaMask;
      }
      s.memory.write64(table + 8 * table_index(k.txn.iova, k.bad_level, txsz), k.bad_desc);
    }
  }
  for (unsigned i = 0; i <= k.extra_ops; ++i) s.transactions.push_back(k.txn);
  return s;
}

namespace {

// ---- Field roles: how a clause field's value sets up a scenario ----
// Clause fields are matched by name (spec/smmu.yaml `fields`), so a predicate over e.g. {t0sz, level} drives the
// CD's T0SZ and leaves `level` (an output the model decides) alone.
enum class Role {
  T0SZ, T1SZ, TXSZ, EPD0, EPD1, EPD, TBI0, TBI1, TBI, TG0, TG1, IPS, OAS, HTTU, HA, HD, AFFD, AF, AP, UXN, PXN,
  WXN, PRIV, WRITE, EXEC, RNW, SID, LOG2SIZE, SIDSIZE, RECINVSID, SMMUEN, GBPA_ABORT, STE_V, CD_V, CONFIG, SSV,
  S1CDMAX, VA, LEAF_OA, ATTRINDX, SH, MAIR, CD_A, CD_R, CD_S, AA64, TTB, DESC_LEVEL, WHICH, TG, OAS_BITS,
  ACCESS_KIND, AP_TABLE, PAN, ASID_HI, DBM, AP2, FMT, SPLIT, SPAN, SSID, SSIDSIZE, CD2L, S1FMT, S1DSS, L1CD,
  kCount
};

struct RoleInfo {
  Role role;
  std::vector<std::string> names;
};

const std::vector<RoleInfo>& role_table() {
  static const std::vector<RoleInfo> t = {
      {Role::T0SZ, {"t0sz"}},
      {Role::T1SZ, {"t1sz"}},
      {Role::TXSZ, {"txsz", "tsz"}},
      {Role::EPD0, {"epd0"}},
      {Role::EPD1, {"epd1"}},
      {Role::EPD, {"epd", "epdx"}},
      {Role::TBI0, {"tbi0"}},
      {Role::TBI1, {"tbi1"}},
      {Role::TBI, {"tbi", "tbix"}},
      {Role::TG0, {"tg0"}},
      {Role::TG1, {"tg1"}},
      {Role::IPS, {"ips", "cd_ips"}},
      {Role::OAS, {"oas", "idr5_oas"}},
      {Role::HTTU, {"httu", "idr0_httu"}},
      {Role::HA, {"ha", "cd_ha"}},
      {Role::HD, {"hd", "cd_hd"}},
      {Role::AFFD, {"affd"}},
      {Role::AF, {"af", "desc_af"}},
      {Role::AP, {"ap", "ap21", "ap_2_1"}},
      {Role::AP2, {"ap2"}},
      {Role::DBM, {"dbm"}},
      {Role::UXN, {"uxn", "xn"}},
      {Role::PXN, {"pxn"}},
      {Role::WXN, {"wxn"}},
      {Role::PRIV, {"priv", "privileged", "pnu"}},
      {Role::WRITE, {"write", "is_write", "wnr"}},
      {Role::EXEC, {"exec", "ind", "instr", "is_exec", "fetch"}},
      {Role::RNW, {"rnw"}},
      {Role::SID, {"sid", "streamid", "stream_id"}},
      {Role::LOG2SIZE, {"log2size"}},
      {Role::SIDSIZE, {"sidsize"}},
      {Role::RECINVSID, {"recinvsid"}},
      {Role::SMMUEN, {"smmuen"}},
      {Role::GBPA_ABORT, {"gbpa_abort", "abort"}},
      {Role::STE_V, {"ste_v"}},
      {Role::CD_V, {"cd_v"}},
      {Role::CONFIG, {"config"}},
      {Role::SSV, {"ssv"}},
      {Role::S1CDMAX, {"s1cdmax"}},
      {Role::VA, {"va", "iova", "ia", "input_addr", "addr", "input"}},
      {Role::LEAF_OA, {"desc_oa", "leaf_oa", "oa_base", "out_addr"}},
      {Role::ATTRINDX, {"attrindx", "attr_indx"}},
      {Role::SH, {"sh"}},
      {Role::MAIR, {"mair"}},
      {Role::CD_A, {"cd_a"}},
      {Role::CD_R, {"cd_r"}},
      {Role::CD_S, {"cd_s"}},
      {Role::AA64, {"aa64"}},
      {Role::TTB, {"ttb0", "ttbx", "ttb_addr"}},
      {Role::DESC_LEVEL, {}},
      {Role::WHICH, {"which"}},
      {Role::TG, {"tg", "tgx"}},
      {Role::OAS_BITS, {}},
      {Role::ACCESS_KIND, {}},
      {Role::AP_TABLE, {"ap_table", "aptable"}},
      {Role::PAN, {"pan"}},
      {Role::ASID_HI, {"asid_hi"}},
      {Role::FMT, {"fmt"}},
      {Role::SPLIT, {"split_field", "split"}},  // STRTAB_BASE_CFG.SPLIT as written
      {Role::SPAN, {"span", "l1std"}},          // L1STD.Span = l1std[4:0]; L2Ptr is the builder's
      {Role::SSID, {"ssid", "substream_id"}},
      {Role::SSIDSIZE, {"ssidsize"}},
      {Role::CD2L, {"cd2l"}},
      {Role::S1FMT, {"s1fmt"}},
      {Role::S1DSS, {"s1dss"}},
      {Role::L1CD, {"l1cd"}},  // L1CD.V = l1cd[0]; L2Ptr is the builder's
  };
  return t;
}

// A clause-specific rename: the clause's own name for a role (e.g. `v` is STE.V in SMMU.STE.VALID, CD.V in
// SMMU.CD.VALID; `level` is the descriptor's level in the SMMU.S1.DESC.* clauses).
struct Rename {
  std::string field;
  Role role;
};

struct Pin {
  Role role;
  uint64_t value;
};

// One edge to aim at: pinned role values (as Z3 constraints on the clause's fields that play those roles, and
// as knob settings even when no field plays the role), raw extra constraints, a setup and how many distinct
// Z3 solutions to take.
struct Aim {
  std::vector<Pin> pins;
  std::vector<std::string> extra;
  std::function<void(Knobs&)> setup;
  unsigned solutions = 1;
};

struct ClauseCtx {
  const ClauseInfo* clause = nullptr;
  std::vector<Rename> renames;
  // The role a field plays, if any.
  std::optional<Role> role_of(const std::string& field) const {
    for (const Rename& r : renames)
      if (r.field == field) return r.role;
    for (const RoleInfo& i : role_table())
      for (const std::string& n : i.names)
        if (n == field) return i.role;
    return std::nullopt;
  }
  std::vector<const ClauseField*> fields_of(Role role) const {
    std::vector<const ClauseField*> out;
    for (const ClauseField& f : clause->fields)
      if (role_of(f.name) == role) out.push_back(&f);
    return out;
  }
};

void set_role(Knobs& k, Role role, uint64_t v) {
  const bool b = v != 0;
  const unsigned u = static_cast<unsigned>(v);
  switch (role) {
    case Role::T0SZ: k.cd.t0sz = u & 63; break;
    case Role::T1SZ: k.cd.t1sz = u & 63; break;
    case Role::TXSZ: (k.map_ttb1 ? k.cd.t1sz : k.cd.t0sz) = u & 63; break;
    case Role::EPD0: k.cd.epd0 = b; break;
    case Role::EPD1: k.cd.epd1 = b; break;
    case Role::EPD: (k.map_ttb1 ? k.cd.epd1 : k.cd.epd0) = b; break;
    case Role::TBI0: k.cd.tbi0 = b; break;
    case Role::TBI1: k.cd.tbi1 = b; break;
    case Role::TBI: (k.map_ttb1 ? k.cd.tbi1 : k.cd.tbi0) = b; break;
    case Role::TG0: k.cd.tg0 = u & 3; break;
    case Role::TG1: k.cd.tg1 = u & 3; break;
    case Role::IPS: k.cd.ips = u & 7; break;
    case Role::OAS: k.oas = u & 7; break;
    case Role::HTTU: k.httu = u & 3; break;
    case Role::HA: k.cd.ha = b; break;
    case Role::HD: k.cd.hd = b; break;
    case Role::AFFD: k.cd.affd = b; break;
    case Role::AF: k.leaf_bits = b ? (k.leaf_bits | desc::kAf) : (k.leaf_bits & ~desc::kAf); break;
    case Role::AP: k.leaf_bits = (k.leaf_bits & ~desc::ap(3)) | desc::ap(u); break;
    case Role::UXN: k.leaf_bits = b ? (k.leaf_bits | desc::kUxn) : (k.leaf_bits & ~desc::kUxn); break;
    case Role::PXN: k.leaf_bits = b ? (k.leaf_bits | desc::kPxn) : (k.leaf_bits & ~desc::kPxn); break;
    case Role::WXN: k.cd.wxn = b; break;
    case Role::PRIV: k.txn.privileged = b; break;
    case Role::WRITE:
      if (b) k.txn.access = AccessKind::Write;
      else if (k.txn.access == AccessKind::Write) k.txn.access = AccessKind::Read;
      break;
    case Role::EXEC:
      if (b) k.txn.access = AccessKind::Execute;
      else if (k.txn.access == AccessKind::Execute) k.txn.access = AccessKind::Read;
      break;
    case Role::RNW:
      if (!b) k.txn.access = AccessKind::Write;
      else if (k.txn.access == AccessKind::Write) k.txn.access = AccessKind::Read;
      break;
    case Role::SID: k.txn.stream_id = u; break;
    case Role::LOG2SIZE: k.log2size = u & 63; break;
    case Role::SIDSIZE: k.sidsize = u & 63; break;
    case Role::RECINVSID: k.recinvsid = b; break;
    case Role::SMMUEN: k.smmuen = b; break;
    case Role::GBPA_ABORT: k.gbpa_abort = b; break;
    case Role::STE_V: k.ste_v = b; break;
    case Role::CD_V: k.cd.v = b; break;
    case Role::CONFIG: k.config = u & 7; break;
    case Role::SSV: k.txn.ssv = b; break;
    case Role::S1CDMAX: k.s1cdmax = u & 31; break;
    case Role::VA: k.txn.iova = v; break;
    case Role::LEAF_OA: k.oa = v; break;
    case Role::ATTRINDX: k.leaf_bits = (k.leaf_bits & ~desc::attr_indx(7)) | desc::attr_indx(u); break;
    case Role::SH: k.leaf_bits = (k.leaf_bits & ~desc::sh(3)) | desc::sh(u); break;
    case Role::MAIR: k.cd.mair = v; break;
    case Role::CD_A: k.cd.a = b; break;
    case Role::CD_R: k.cd.r = b; break;
    case Role::CD_S: k.cd.s = b; break;
    case Role::AA64: k.cd.aa64 = b; break;
    case Role::TTB:
      (k.map_ttb1 ? k.cd.ttb1 : k.cd.ttb0) = v;
      (k.map_ttb1 ? k.ttb1_override : k.ttb0_override) = true;
      break;
    case Role::DESC_LEVEL: k.bad_level = static_cast<int>(u); break;
    case Role::WHICH:
      // TTB1 is selected by VA[55] (IHI 0070 G.b §5.4.1): move the address to the selected half if needed.
      k.map_ttb1 = b;
      if (b && !bit(k.txn.iova, 55)) k.txn.iova = ~uint64_t{0} - 0xfff - (k.txn.iova & 0xfff'ffff);
      if (!b && bit(k.txn.iova, 55)) k.txn.iova &= 0xfff'ffff;
      if (b) k.cd.epd1 = false;
      break;
    case Role::TG: (k.map_ttb1 ? k.cd.tg1 : k.cd.tg0) = u & 3; break;
    case Role::OAS_BITS: {
      unsigned enc = 0;  // the largest OAS encoding not above the size (IHI 0070 G.b §6.3.6)
      for (unsigned e = 0; e <= 6; ++e)
        if (address_size_bits(e) <= u) enc = e;
      k.oas = enc;
      break;
    }
    case Role::ACCESS_KIND: k.txn.access = u == 1 ? AccessKind::Write : u == 2 ? AccessKind::Execute : AccessKind::Read; break;
    case Role::AP_TABLE: k.table_bits = (k.table_bits & ~(uint64_t{3} << 61)) | (uint64_t{u & 3} << 61); break;
    case Role::PAN: k.cd.pan = b; break;
    case Role::ASID_HI: k.cd.asid = (k.cd.asid & 0xff) | ((u & 0xff) << 8); break;
    case Role::DBM: k.leaf_bits = b ? (k.leaf_bits | desc::kDbm) : (k.leaf_bits & ~desc::kDbm); break;
    case Role::AP2: k.leaf_bits = (k.leaf_bits & ~desc::ap(2)) | (b ? desc::ap(2) : 0); break;
    case Role::FMT: k.fmt = u & 3; break;
    case Role::SPLIT: k.split_field = u & 31; break;
    case Role::SPAN: k.span = static_cast<int>(u & 31); break;
    case Role::SSID: k.txn.substream_id = u & 0xfffff; break;  // a SubstreamID has at most 20 bits
    case Role::SSIDSIZE: k.ssidsize = u & 31; break;
    case Role::CD2L: k.cd2l = b; break;
    case Role::S1FMT: k.s1fmt = u & 3; break;
    case Role::S1DSS: k.s1dss = u & 3; break;
    case Role::L1CD: k.l1cd_v = (v & 1) != 0; break;
    case Role::kCount: break;
  }
}

// Fields the generated SMMU profile fixes (IDR0.S1P = 1, S2P = 0, Hyp = 0, TTF = AArch64, STALL_MODEL = 01,
// TERM_MODEL = 0, ASID16 = 0, no STT, 4 KB granule only, SSIDSIZE = 0) and what its STEs and CDs keep fixed, so
// Z3 does not spend solutions on configurations the builder cannot make.
std::optional<uint64_t> profile_value(const std::string& field) {
  static const std::map<std::string, uint64_t> fixed = {
      {"s1p", 1},       {"s2p", 0},     {"hyp", 0},     {"strw", 0},   {"stt", 0},      {"gran4k", 1},
      {"gran16k", 0},   {"gran64k", 0}, {"ttf", 2},     {"stall_model", 1}, {"term_model", 0}, {"s1stalld", 0},
      {"asid16", 0},    {"ssidsize", 0}, {"stage1", 1}, {"s2", 0},     {"class", 2}};
  const auto it = fixed.find(field);
  if (it == fixed.end()) return std::nullopt;
  return it->second;
}

// Sanity constraints for fields the aim leaves free, so Z3 does not wander into a configuration that stops
// before the clause (e.g. an illegal T0SZ for a walk clause). Aims that pin the field override them.
std::optional<std::string> default_constraint(Role role, const ClauseField& f) {
  const std::string& n = f.name;
  auto lit = [&](uint64_t v) { return bv_literal(v, f.width); };
  switch (role) {
    case Role::T0SZ:
    case Role::T1SZ:
    case Role::TXSZ: return "(and (bvuge " + n + " " + lit(16) + ") (bvule " + n + " " + lit(39) + "))";
    case Role::IPS:
    case Role::OAS: return "(bvule " + n + " " + lit(6) + ")";
    case Role::HTTU: return "(bvule " + n + " " + lit(2) + ")";
    // Levels are 3-bit two's complement (-1 = 0b111): the knobs build stage-1 4 KB tables from level 0.
    case Role::DESC_LEVEL:
      return "(bvule " + n + " " + lit(3) + ")";
    case Role::LOG2SIZE: return "(and (bvuge " + n + " " + lit(1) + ") (bvule " + n + " " + lit(12) + "))";
    case Role::SIDSIZE: return "(and (bvuge " + n + " " + lit(8) + ") (bvule " + n + " " + lit(16) + "))";
    case Role::SH: return "(distinct " + n + " " + lit(1) + ")";
    case Role::TG1: return "(= " + n + " " + lit(2) + ")";
    case Role::TG0: return "(= " + n + " " + lit(0) + ")";
    case Role::CONFIG: return "(= " + n + " " + lit(5) + ")";
    case Role::STE_V:
    case Role::CD_V:
    case Role::AA64:
    case Role::SMMUEN: return "(= " + n + " " + lit(1) + ")";
    case Role::SSV:
    case Role::S1CDMAX:
    case Role::CD_S: return "(= " + n + " " + lit(0) + ")";
    case Role::TTB:
    case Role::LEAF_OA:
      // Below 4 GB, inside every OAS; page aligned.
      if (f.width > 32) return "(= ((_ extract " + std::to_string(f.width - 1) + " 32) " + n + ") (_ bv0 " +
                               std::to_string(f.width - 32) + "))";
      return std::nullopt;
    case Role::SID: return f.width > 8 ? std::optional<std::string>("(bvult " + n + " " + lit(64) + ")") : std::nullopt;
    case Role::OAS_BITS:
      return "(or (= " + n + " " + lit(32) + ") (= " + n + " " + lit(36) + ") (= " + n + " " + lit(40) + ") (= " + n +
             " " + lit(42) + ") (= " + n + " " + lit(44) + ") (= " + n + " " + lit(48) + "))";
    case Role::ACCESS_KIND: return "(bvule " + n + " " + lit(2) + ")";
    case Role::AP_TABLE:
    case Role::PAN:
    case Role::ASID_HI: return "(= " + n + " " + lit(0) + ")";
    default: return std::nullopt;
  }
}

}  // namespace

namespace {

uint64_t pow2(unsigned n) { return n >= 64 ? 0 : uint64_t{1} << n; }
unsigned eff_bits(unsigned ips, unsigned oas) {
  return std::min({address_size_bits(ips), address_size_bits(oas), 48u});  // IHI 0070 G.b §3.4
}
// Encodings giving each effective size below 48 (OAS 32/36/40/42/44 bits).
constexpr unsigned kSmallEncodings[] = {0, 1, 2, 3, 4};

// Fault 0..3: one Translation-related fault at the leaf (F_TRANSLATION, F_ADDR_SIZE, F_ACCESS,
// F_PERMISSION); 4: a C_BAD_CD (a configuration error: neither suppressed by CD.R nor stalled).
void plant_fault(Knobs& k, unsigned fault) {
  switch (fault) {
    case 0:
      k.bad_level = 3, k.bad_desc = 0;
      break;
    case 1:
      k.cd.ips = 0, k.oa = pow2(32);
      break;
    case 2:
      k.leaf_bits &= ~desc::kAf;
      break;
    case 3:
      k.leaf_bits |= desc::ap(0b11), k.txn.access = AccessKind::Write;
      break;
    default:
      k.cd.tg0 = 3;
      break;
  }
}

// The edges of each clause (IHI 0070 G.b sections in the clause file's `source`).
std::vector<Aim> aims_for(const std::string& id, ClauseCtx& ctx) {
  std::vector<Aim> a;
  auto add = [&](std::vector<Pin> pins, std::function<void(Knobs&)> setup = nullptr, unsigned n = 1) {
    a.push_back(Aim{std::move(pins), {}, std::move(setup), n});
  };
  auto leaf_va = [](unsigned txsz) { return uint64_t{0x40'1234} & (pow2(64 - txsz) - 1); };

  if (id == "SMMU.GBPA.SMMU_DISABLED") {
    ctx.renames.push_back({"oas", Role::OAS_BITS});  // the size in bits here, not the IDR5.OAS encoding
    for (unsigned oas = 0; oas <= 5; ++oas)
      for (bool abort : {false, true})
        for (uint64_t va : {pow2(address_size_bits(oas)) - 1, pow2(address_size_bits(oas))})
          add({{Role::SMMUEN, 0}, {Role::GBPA_ABORT, abort}, {Role::OAS_BITS, address_size_bits(oas)}, {Role::VA, va}});
  } else if (id == "SMMU.STRTAB.SID_RANGE") {
    const std::pair<unsigned, unsigned> sizes[] = {{1, 8}, {4, 8}, {8, 8}, {10, 8}, {6, 16}, {12, 12}};
    for (auto [log2size, sidsize] : sizes) {
      const unsigned eff = std::min(log2size, sidsize);
      for (uint64_t sid : {pow2(eff) - 1, pow2(eff)})
        for (bool rec : {true, false})
          add({{Role::LOG2SIZE, log2size}, {Role::SIDSIZE, sidsize}, {Role::SID, sid}, {Role::RECINVSID, rec}},
              [eff](Knobs& k) { k.ste_sid = static_cast<uint32_t>(pow2(eff) - 1); });
    }
  } else if (id == "SMMU.STRTAB.LINEAR.STE_ADDRESS") {
    for (unsigned log2size : {1u, 5u, 8u})
      for (uint64_t sid : {uint64_t{0}, uint64_t{1}, pow2(log2size) - 1})
        add({{Role::LOG2SIZE, log2size}, {Role::SID, sid}},
            [sid](Knobs& k) { k.ste_sid = static_cast<uint32_t>(sid); });
  } else if (id == "SMMU.STRTAB.FMT") {
    // Every FMT on an SMMU with 2-level tables, with the valid SPLITs and reserved ones (behave as 6); SID 0x45
    // has bits 6 and 2 set, so a SPLIT other than 6 would pick another L1STD or STE.
    for (unsigned fmt : {0u, 1u, 2u, 3u})
      for (unsigned split : {6u, 8u, 10u, 0u, 7u, 11u, 31u})
        if (fmt == 1 || split == 6 || split == 7)
          add({{Role::FMT, fmt}, {Role::SPLIT, split}, {Role::LOG2SIZE, 8}, {Role::SIDSIZE, 16}, {Role::SID, 0x45}},
              [](Knobs& k) { k.st_level = 1, k.ste_sid = 0x45; });
  } else if (id == "SMMU.STRTAB.L1STD_ADDRESS") {
    // LOG2SIZE below, at and above SPLIT; the first and last StreamID of an L1STD and the first of the next;
    // base_low sets the STRTAB_BASE bits below the level-1 array's alignment, which the SMMU ignores.
    for (unsigned split : {6u, 8u, 10u})
      for (unsigned log2size : {split - 2, split + 3, 16u})
        for (uint64_t sid : {uint64_t{0}, pow2(split) - 1, pow2(split), pow2(log2size) - 1}) {
          if (sid >= pow2(log2size)) continue;
          const unsigned l1_bits = std::max(6u, log2size > split ? log2size - split + 3 : 6u);
          add({{Role::SPLIT, split}, {Role::LOG2SIZE, log2size}, {Role::SIDSIZE, 16}, {Role::SID, sid}},
              [sid, l1_bits](Knobs& k) {
                k.st_level = 1, k.fmt = 1, k.ste_sid = static_cast<uint32_t>(sid);
                k.base_low = (pow2(l1_bits) - 1) & ~uint64_t{0x3f} & 0xfff;
              });
        }
  } else if (id == "SMMU.STRTAB.L1STD_SPAN") {
    // Span 0, 1, SPLIT + 1, just beyond SPLIT + 1, 11, the reserved 12 and 31; StreamID[SPLIT-1:0] at the last
    // STE of the level-2 array and the first one beyond it.
    for (unsigned split : {6u, 8u, 10u})
      for (unsigned span : {0u, 1u, 3u, split + 1, split + 2, 11u, 12u, 31u}) {
        if (split != 6 && (span == 3 || span == 31)) continue;
        std::vector<uint64_t> sids = {5};
        if (span >= 1 && span <= split + 1) sids = {pow2(span - 1) - 1, std::min(pow2(span - 1), pow2(split) - 1)};
        for (uint64_t sid : sids)
          add({{Role::SPLIT, split}, {Role::SPAN, span}, {Role::LOG2SIZE, 16}, {Role::SIDSIZE, 16},
               {Role::SID, sid | (pow2(split) * 3)}, {Role::RECINVSID, sid % 2 == 1}},
              [sid, split](Knobs& k) {
                k.st_level = 1, k.fmt = 1, k.ste_sid = static_cast<uint32_t>(sid | (pow2(split) * 3));
              });
      }
  } else if (id == "SMMU.STRTAB.L2_STE_ADDRESS") {
    // Span 1, 2 and SPLIT + 1 with the first and the last STE of the level-2 array; l2ptr_low sets the L2Ptr
    // bits below the array's size, which the SMMU treats as 0.
    for (unsigned split : {6u, 8u, 10u})
      for (unsigned span : {1u, 2u, split + 1})
        for (uint64_t lo : {uint64_t{0}, pow2(span - 1) - 1}) {
          const uint64_t sid = lo | pow2(split);
          add({{Role::SPLIT, split}, {Role::SPAN, span}, {Role::LOG2SIZE, 16}, {Role::SIDSIZE, 16}, {Role::SID, sid}},
              [sid, span](Knobs& k) {
                k.st_level = 1, k.fmt = 1, k.ste_sid = static_cast<uint32_t>(sid);
                k.l2ptr_low = ((uint64_t{64} << (span - 1)) - 1) & ~uint64_t{0x3f};
              });
        }
  } else if (id == "SMMU.STE.VALID") {
    ctx.renames.push_back({"v", Role::STE_V});
    for (bool v : {false, true})
      for (bool rec : {false, true}) add({{Role::STE_V, v}, {Role::RECINVSID, rec}});
  } else if (id == "SMMU.STE.CONFIG") {
    for (unsigned c = 0; c < 8; ++c) add({{Role::CONFIG, c}});
  } else if (id == "SMMU.STE.BYPASS") {
    ctx.renames.push_back({"oas", Role::OAS_BITS});
    for (unsigned oas = 0; oas <= 6; ++oas)
      for (uint64_t va : {pow2(address_size_bits(oas)) - 1, pow2(address_size_bits(oas))})
        add({{Role::CONFIG, 0b100}, {Role::OAS_BITS, address_size_bits(oas)}, {Role::VA, va}},
            [oas](Knobs& k) { k.oas = oas; });
  } else if (id == "SMMU.STE.SUBSTREAM") {
    for (bool ssv : {false, true})
      for (uint32_t ssid : {0u, 1u, 0xfffffu})
        add({{Role::SSV, ssv}, {Role::S1CDMAX, 0}}, [ssv, ssid](Knobs& k) { k.txn.substream_id = ssv ? ssid : 0; });
    // With substreams: S1CDMax from 1 to SSIDSIZE, SubstreamID 2^S1CDMax - 1 (the last CD) and 2^S1CDMax.
    const std::pair<unsigned, unsigned> sizes[] = {{1, 1}, {8, 1}, {8, 5}, {8, 8}, {20, 13}, {20, 20}};
    for (auto [ssidsize, cdmax] : sizes)
      for (uint64_t ssid : {pow2(cdmax) - 1, pow2(cdmax)})
        add({{Role::SSIDSIZE, ssidsize}, {Role::S1CDMAX, cdmax}, {Role::SSV, 1}, {Role::SSID, ssid}});
    // SSIDSIZE = 0 (S1CDMax IGNORED: every SubstreamID refused) and stage 1 bypassed with substreams configured.
    add({{Role::SSIDSIZE, 0}, {Role::S1CDMAX, 4}, {Role::SSV, 1}, {Role::SSID, 3}});
    add({{Role::SSIDSIZE, 8}, {Role::S1CDMAX, 4}, {Role::SSV, 1}, {Role::SSID, 3}, {Role::CONFIG, 0b100}});
  } else if (id == "SMMU.STE.S1CDMAX") {
    // S1CDMax at SSIDSIZE and one above (ILLEGAL), and SSIDSIZE = 0 where the field is IGNORED.
    std::set<std::pair<unsigned, unsigned>> seen;
    for (unsigned ssidsize : {0u, 1u, 8u, 20u})
      for (unsigned cdmax : {0u, 1u, ssidsize, ssidsize + 1, 31u})
        if (seen.insert({ssidsize, cdmax}).second)
          add({{Role::SSIDSIZE, ssidsize}, {Role::S1CDMAX, cdmax}, {Role::SSV, 1}, {Role::SSID, 0}});
  } else if (id == "SMMU.STE.S1FMT") {
    // Every S1Fmt with and without IDR0.CD2L; SubstreamID 0x3c5 picks L1CD 15 with SPLIT 6, 0 with SPLIT 10.
    for (unsigned fmt = 0; fmt < 4; ++fmt)
      for (bool cd2l : {false, true})
        for (uint64_t ssid : {uint64_t{0x3c5}, uint64_t{7}})
          add({{Role::SSIDSIZE, 12}, {Role::S1CDMAX, 12}, {Role::S1FMT, fmt}, {Role::CD2L, cd2l}, {Role::SSV, 1},
               {Role::SSID, ssid}});
  } else if (id == "SMMU.STE.S1DSS") {
    // Every S1DSS with and without a SubstreamID, SubstreamID 0 and others; bypass above the OAS.
    for (unsigned dss = 0; dss < 4; ++dss)
      for (bool ssv : {false, true})
        for (uint64_t ssid : {uint64_t{0}, uint64_t{1}, uint64_t{7}})
          if (ssv || ssid == 0)
            add({{Role::SSIDSIZE, 8}, {Role::S1CDMAX, 3}, {Role::S1DSS, dss}, {Role::SSV, ssv}, {Role::SSID, ssid}});
    for (uint64_t va : {pow2(44) - 1, pow2(44)})
      add({{Role::SSIDSIZE, 8}, {Role::S1CDMAX, 3}, {Role::S1DSS, 1}, {Role::SSV, 0}, {Role::SSID, 0}, {Role::VA, va}},
          [](Knobs& k) { k.oas = 4; });
  } else if (id == "SMMU.CD.TABLE.LINEAR") {
    // S1Fmt 0b00 and the reserved 0b11 (linear); the first, second and last CD; CD 0 for traffic without SSV.
    std::set<std::tuple<unsigned, unsigned, uint64_t>> seen;
    for (unsigned fmt : {0u, 3u})
      for (unsigned cdmax : {1u, 5u, 20u})
        for (uint64_t ssid : {uint64_t{0}, uint64_t{1}, pow2(cdmax) - 1})
          if (seen.insert({fmt, cdmax, ssid}).second)
            add({{Role::SSIDSIZE, 20}, {Role::S1CDMAX, cdmax}, {Role::S1FMT, fmt}, {Role::CD2L, 1}, {Role::SSV, 1},
                 {Role::SSID, ssid}});
    add({{Role::SSIDSIZE, 8}, {Role::S1CDMAX, 4}, {Role::S1DSS, 2}, {Role::SSV, 0}, {Role::SSID, 0}});
  } else if (id == "SMMU.CD.TABLE.L1CD_ADDRESS") {
    // S1CDMax below, at and above SPLIT, and 20; SubstreamIDs around the level-2 table boundary and the last.
    for (unsigned fmt : {1u, 2u}) {
      const unsigned split = fmt == 1 ? 6 : 10;
      std::set<std::pair<unsigned, uint64_t>> seen;
      for (unsigned cdmax : {1u, split, split + 1, 20u})
        for (uint64_t ssid : {uint64_t{0}, pow2(split) - 1, pow2(split), pow2(cdmax) - 1})
          if (ssid < pow2(cdmax) && seen.insert({cdmax, ssid}).second)
            add({{Role::SSIDSIZE, 20}, {Role::S1CDMAX, cdmax}, {Role::S1FMT, fmt}, {Role::CD2L, 1}, {Role::SSV, 1},
                 {Role::SSID, ssid}});
      add({{Role::SSIDSIZE, 20}, {Role::S1CDMAX, split + 2}, {Role::S1FMT, fmt}, {Role::CD2L, 1}, {Role::S1DSS, 2},
           {Role::SSV, 0}, {Role::SSID, 0}});
    }
  } else if (id == "SMMU.CD.TABLE.L2_CD") {
    // L1CD.V 0/1 with the first and last CD of the third level-2 table, and for CD 0 without a SubstreamID.
    for (unsigned fmt : {1u, 2u}) {
      const uint64_t l2 = pow2(fmt == 1 ? 6 : 10);
      for (bool v : {true, false})
        for (auto [ssv, ssid] : {std::pair{true, 3 * l2}, std::pair{true, 4 * l2 - 1}, std::pair{false, uint64_t{0}}})
          add({{Role::SSIDSIZE, 16}, {Role::S1CDMAX, 14}, {Role::S1FMT, fmt}, {Role::CD2L, 1}, {Role::S1DSS, 2},
               {Role::SSV, ssv}, {Role::SSID, ssid}, {Role::L1CD, v}});
    }
  } else if (id == "SMMU.STE.CD_ADDRESS") {
    for (uint32_t sid : {0u, 3u, 63u})
      add({{Role::SID, sid}}, [sid](Knobs& k) { k.ste_sid = sid; }, 2);
  } else if (id == "SMMU.CD.VALID") {
    ctx.renames.push_back({"v", Role::CD_V});
    for (bool v : {false, true})
      for (uint64_t hi : {0u, 1u, 0x80u}) add({{Role::CD_V, v}, {Role::ASID_HI, hi}});
  } else if (id == "SMMU.CD.AA64") {
    for (bool v : {false, true}) add({{Role::AA64, v}});
  } else if (id == "SMMU.CD.TXSZ_RANGE") {
    for (unsigned t : {0u, 15u, 16u, 39u, 40u, 63u})
      for (bool epd : {false, true}) {
        add({{Role::T0SZ, t}, {Role::TXSZ, t}, {Role::EPD0, epd}, {Role::EPD, epd}},
            [](Knobs& k) { k.txn.iova = 0x1234; });
        add({{Role::T1SZ, t}, {Role::TXSZ, t}, {Role::EPD1, epd}, {Role::EPD, epd}}, [](Knobs& k) {
          k.map_ttb1 = true;
          k.txn.iova = ~uint64_t{0} - 0xfff;
        });
      }
  } else if (id == "SMMU.CD.TG") {
    for (unsigned which = 0; which < 2; ++which)
      for (unsigned tg = 0; tg < 4; ++tg)
        for (bool epd : {false, true}) add({{Role::WHICH, which}, {Role::TG, tg}, {Role::EPD, epd}});
  } else if (id == "SMMU.CD.IPS_EFFECTIVE") {
    for (unsigned ips = 0; ips < 8; ++ips)
      for (unsigned oas : {0u, 2u, 5u, 6u}) {
        const unsigned eff = eff_bits(ips, oas);
        add({{Role::IPS, ips}, {Role::OAS, oas}, {Role::LEAF_OA, pow2(eff) - 0x1000}});
      }
  } else if (id == "SMMU.CD.TTB_RANGE") {
    ctx.renames.push_back({"ttb", Role::TTB});
    for (unsigned enc : {0u, 1u, 2u, 3u, 4u, 5u, 6u}) {
      const unsigned eff = eff_bits(enc, 6);
      for (uint64_t ttb : {pow2(eff) - 0x1000, pow2(eff)}) {
        add({{Role::IPS, enc}, {Role::OAS, 6}, {Role::TTB, ttb}});
        add({{Role::IPS, enc}, {Role::OAS, 6}, {Role::TTB, ttb}, {Role::EPD1, 0}}, [](Knobs& k) {
          k.map_ttb1 = true;
          k.txn.iova = ~uint64_t{0} - 0xfff;
        });
      }
    }
  } else if (id == "SMMU.CD.HTTU") {
    for (unsigned httu = 0; httu < 3; ++httu)
      for (bool ha : {false, true})
        for (bool hd : {false, true}) add({{Role::HTTU, httu}, {Role::HA, ha}, {Role::HD, hd}});
  } else if (id == "SMMU.CD.STALL") {
    ctx.renames.push_back({"s", Role::CD_S});
    for (bool s : {false, true}) add({{Role::CD_S, s}});
  } else if (id == "SMMU.S1.TTB_SELECT" || id == "SMMU.S1.EPD") {
    ctx.renames.push_back({"ttb", Role::WHICH});
    for (bool hi : {false, true})
      for (bool epd0 : {false, true})
        for (bool epd1 : {false, true})
          for (bool tbi : {false, true})
            add({{Role::WHICH, hi}, {Role::EPD0, epd0}, {Role::EPD1, epd1}, {Role::TBI, tbi},
                 {Role::VA, (hi ? ~uint64_t{0} - 0x1fff : 0x2000) ^ (tbi ? uint64_t{0x5a} << 56 : 0)}},
                [hi](Knobs& k) { k.map_ttb1 = hi; });
  } else if (id == "SMMU.S1.INPUT_RANGE") {
    ctx.renames.push_back({"ttb", Role::WHICH});
    for (unsigned t : {16u, 25u, 39u})
      for (bool tbi : {false, true}) {
        const uint64_t top = pow2(64 - t);
        for (uint64_t va : {top - 1, top, top | (uint64_t{0x5a} << 56), (top - 1) | (uint64_t{0xa5} << 56)})
          add({{Role::WHICH, bit(va, 55)}, {Role::T0SZ, t}, {Role::TXSZ, t}, {Role::TBI0, tbi}, {Role::TBI, tbi},
               {Role::VA, va}});
        for (uint64_t va : {~uint64_t{0} - (top - 1), ~uint64_t{0} - top})
          add({{Role::WHICH, bit(va, 55)}, {Role::T1SZ, t}, {Role::TXSZ, t}, {Role::TBI1, tbi}, {Role::TBI, tbi},
               {Role::EPD1, 0}, {Role::VA, va}},
              [](Knobs& k) { k.map_ttb1 = true; });
      }
  } else if (id == "SMMU.S1.WALK.START_LEVEL") {
    for (unsigned t = 16; t <= 39; ++t)
      add({{Role::T0SZ, t}, {Role::TXSZ, t}}, [t, leaf_va](Knobs& k) { k.txn.iova = leaf_va(t); });
  } else if (id == "SMMU.S1.WALK.INDEX") {
    for (unsigned t : {16u, 20u, 25u, 30u, 34u, 39u})
      add({{Role::T0SZ, t}, {Role::TXSZ, t}},
          [t](Knobs& k) { k.txn.iova = (0x0000'7f9c'b6d5'a123ull ^ (uint64_t{t} << 13)) & (pow2(64 - t) - 1); }, 2);
  } else if (id == "SMMU.S1.DESC.INVALID") {
    ctx.renames.push_back({"level", Role::DESC_LEVEL});
    for (unsigned t : {16u, 25u, 34u})
      for (unsigned l = start_level(t); l <= 3; ++l)
        for (uint64_t bad : {uint64_t{0}, uint64_t{0x8000'0742}})  // all zero, and a leaf with bit 0 clear
          add({{Role::T0SZ, t}, {Role::TXSZ, t}, {Role::DESC_LEVEL, l}}, [t, l, bad, leaf_va](Knobs& k) {
            k.txn.iova = leaf_va(t);
            k.bad_level = static_cast<int>(l);
            k.bad_desc = bad;
          });
  } else if (id == "SMMU.S1.DESC.TABLE") {
    ctx.renames.push_back({"level", Role::DESC_LEVEL});
    for (unsigned t : {16u, 25u, 34u})
      for (unsigned leaf : {1u, 2u, 3u})
        add({{Role::T0SZ, t}, {Role::TXSZ, t}}, [t, leaf, leaf_va](Knobs& k) {
          k.txn.iova = leaf_va(t);
          k.leaf_level = leaf;
        });
  } else if (id == "SMMU.S1.DESC.BLOCK_LEVEL" || id == "SMMU.S1.DESC.L3_RESERVED") {
    ctx.renames.push_back({"level", Role::DESC_LEVEL});
    for (unsigned t : {16u, 25u})
      for (unsigned l = start_level(t); l <= 3; ++l)
        add({{Role::T0SZ, t}, {Role::TXSZ, t}, {Role::DESC_LEVEL, l}}, [t, l, leaf_va](Knobs& k) {
          k.txn.iova = leaf_va(t);
          k.bad_level = static_cast<int>(l);
          k.bad_desc = 0x4000'0000 | desc::kTypeBlock | desc::kAf | desc::ap(1);  // a block (type 01) at level l
        });
    for (unsigned leaf : {1u, 2u, 3u})  // and the valid leaves: blocks at L1/L2, a page at L3
      add({{Role::T0SZ, 25}, {Role::TXSZ, 25}, {Role::DESC_LEVEL, leaf}}, [leaf](Knobs& k) {
        k.txn.iova = 0x4000'1234;
        k.leaf_level = leaf;
        k.bad_level = -1;
      });
  } else if (id == "SMMU.S1.OUTPUT_ADDRESS") {
    for (unsigned leaf : {1u, 2u, 3u})
      for (unsigned edge = 0; edge < 3; ++edge)
        add({{Role::T0SZ, 25}, {Role::TXSZ, 25}}, [leaf, edge](Knobs& k) {
          const uint64_t size = pow2(level_shift(leaf));
          k.leaf_level = leaf;
          k.oa = 0xc000'0000;
          k.txn.iova = 0x4000'0000 + (edge == 0 ? 0 : edge == 1 ? size - 1 : (size / 2 + 0x678));
        });
  } else if (id == "SMMU.S1.ADDR_SIZE.TABLE") {
    for (unsigned enc : kSmallEncodings) {
      const unsigned eff = address_size_bits(enc);
      for (unsigned l : {0u, 1u, 2u})
        for (uint64_t ta : {pow2(eff) - 0x1000, pow2(eff)})
          add({{Role::IPS, enc}, {Role::OAS, 6}, {Role::T0SZ, 16}, {Role::TXSZ, 16}}, [l, ta](Knobs& k) {
            k.txn.iova = 0x40'1234;
            k.table_oa_level = static_cast<int>(l);
            k.table_oa = ta;
          });
    }
  } else if (id == "SMMU.S1.ADDR_SIZE.LEAF") {
    for (unsigned enc : kSmallEncodings) {
      const unsigned eff = address_size_bits(enc);
      for (unsigned leaf : {1u, 2u, 3u}) {
        const uint64_t size = pow2(level_shift(leaf));
        for (uint64_t oa : {pow2(eff) - size, pow2(eff)})
          add({{Role::IPS, enc}, {Role::OAS, 6}, {Role::LEAF_OA, oa}}, [leaf, oa](Knobs& k) {
            k.leaf_level = leaf;
            k.oa = oa;
          });
      }
    }
  } else if (id == "SMMU.S1.AF.FAULT") {
    for (bool af : {false, true})
      for (bool affd : {false, true})
        for (bool ha : {false, true}) add({{Role::AF, af}, {Role::AFFD, affd}, {Role::HA, ha}, {Role::HTTU, 1}});
  } else if (id == "SMMU.S1.AF.UPDATE") {
    for (unsigned httu : {1u, 2u})
      for (bool af : {false, true})
        for (AccessKind acc : {AccessKind::Read, AccessKind::Write})
          add({{Role::AF, af}, {Role::HA, 1}, {Role::HTTU, httu}}, [acc](Knobs& k) {
            k.txn.access = acc;
            k.extra_ops = 1;  // the second access sees the updated descriptor
          });
  } else if (id == "SMMU.S1.DIRTY") {
    // HD x DBM x AP[2] x write with HA and HTTU = 0b10; a second access sees the written-back descriptor.
    auto dirty_setup = [](Knobs& k) {
      k.httu = 2;
      k.cd.ha = true;
      k.extra_ops = 1;
    };
    for (bool hd : {false, true})
      for (bool dbm : {false, true})
        for (bool ap2 : {false, true})
          for (bool write : {false, true})
            add({{Role::HD, hd}, {Role::DBM, dbm}, {Role::AP2, ap2}, {Role::WRITE, write}, {Role::PRIV, 1}},
                dirty_setup);
    // Writable-clean but write-protected by APTable[1], or not accessible at EL0: the write faults, nothing
    // is dirtied.
    add({{Role::HD, 1}, {Role::DBM, 1}, {Role::AP2, 1}, {Role::WRITE, 1}, {Role::AP_TABLE, 2}}, dirty_setup);
    add({{Role::HD, 1}, {Role::DBM, 1}, {Role::AP, 2}, {Role::WRITE, 1}, {Role::PRIV, 0}}, dirty_setup);
  } else if (id == "SMMU.S1.PERM.AP" || id == "SMMU.S1.PERM.EXECUTE" || id == "SMMU.EVENT.FIELDS") {
    const bool exec_clause = id == "SMMU.S1.PERM.EXECUTE";
    for (unsigned ap = 0; ap < 4; ++ap)
      for (bool priv : {false, true})
        for (AccessKind acc : {AccessKind::Read, AccessKind::Write, AccessKind::Execute}) {
          if (exec_clause && acc != AccessKind::Execute) continue;
          std::vector<Pin> pins{{Role::AP, ap}, {Role::PRIV, priv},
                                {Role::WRITE, acc == AccessKind::Write}, {Role::EXEC, acc == AccessKind::Execute},
                                {Role::RNW, acc != AccessKind::Write}};
          if (!exec_clause) {
            pins.push_back({Role::UXN, 0});
            pins.push_back({Role::PXN, 0});
            add(pins, [acc](Knobs& k) { k.txn.access = acc; });
          } else {
            for (unsigned xn = 0; xn < 4; ++xn) {
              std::vector<Pin> p = pins;
              p.push_back({Role::UXN, xn & 1});
              p.push_back({Role::PXN, xn >> 1});
              add(p, [acc](Knobs& k) { k.txn.access = acc; });
            }
          }
        }
    if (exec_clause)
      for (bool wxn : {false, true}) add({{Role::AP, 1}, {Role::EXEC, 1}, {Role::WXN, wxn}, {Role::PRIV, 1}});
    if (id == "SMMU.EVENT.FIELDS") ctx.renames.push_back({"access", Role::ACCESS_KIND});
    if (id == "SMMU.S1.PERM.AP") {
      // PAN (privileged access to EL0-accessible data faults) and APTable restricting the leaf's AP.
      for (unsigned ap = 0; ap < 4; ++ap)
        for (bool write : {false, true})
          add({{Role::AP, ap}, {Role::PRIV, 1}, {Role::PAN, 1}, {Role::WRITE, write}});
      for (unsigned apt = 1; apt < 4; ++apt)
        for (bool priv : {false, true})
          add({{Role::AP, 1}, {Role::AP_TABLE, apt}, {Role::PRIV, priv}, {Role::WRITE, 1}});
    }
  } else if (id == "SMMU.S1.FAULT_PRIORITY") {
    // Every combination of the four stage-1 fault conditions (IHI 0070 G.b §3.13.1; DDI 0487 J1 S1Walk).
    for (unsigned m = 0; m < 16; ++m)
      add({{Role::IPS, 0}, {Role::OAS, 6}}, [m](Knobs& k) {
        k.txn.iova = 0x40'1234;
        k.cd.ha = false;
        if (m & 2) k.oa = pow2(32);                                   // Address size (eff 32 bits)
        if (m & 4) k.leaf_bits &= ~desc::kAf;                         // Access flag
        if (m & 8) k.leaf_bits |= desc::ap(0b11), k.txn.access = AccessKind::Write;  // Permission
        if (m & 1) {  // Translation: the same leaf, but type 01 (reserved) at level 3
          k.bad_level = 3;
          k.bad_desc = (k.oa & mask(47, 12)) | desc::kTypeBlock | k.leaf_bits;
        }
      });
  } else if (id == "SMMU.S1.ATTRIBUTES") {
    for (unsigned idx = 0; idx < 8; ++idx)
      for (unsigned sh : {0u, 2u, 3u})
        add({{Role::ATTRINDX, idx}, {Role::SH, sh}, {Role::MAIR, 0x0011'2233'4455'ff44ull ^ (uint64_t{idx} << 13)}});
  } else if (id == "SMMU.EVENT.RECORD_TERMINATE") {
    ctx.renames.push_back({"a", Role::CD_A});
    ctx.renames.push_back({"r", Role::CD_R});
    for (bool ca : {false, true})
      for (bool cr : {false, true})
        for (unsigned fault = 0; fault < 5; ++fault)
          add({{Role::CD_A, ca}, {Role::CD_R, cr}}, [fault](Knobs& k) { plant_fault(k, fault); });
  } else if (id == "SMMU.EVENT.STALL") {
    // CD.S = 1 on an SMMU that offers both models (0b00) and on one that forces stalls (0b10, where CD.S = 0
    // is ILLEGAL), with CD.R and CD.A either way (both ignored for a stall), for each Translation-related
    // fault; a C_BAD_CD (never stalls) as the control. Stage-2 stalls come from the stage-2 scenarios.
    ctx.renames.push_back({"s", Role::CD_S});
    ctx.renames.push_back({"r", Role::CD_R});
    for (unsigned model : {0u, 2u})
      for (bool cr : {false, true})
        for (unsigned fault = 0; fault < 5; ++fault)
          add({{Role::CD_S, 1}, {Role::CD_R, cr}}, [model, cr, fault](Knobs& k) {
            k.stall_model = model;
            k.cd.a = !cr;
            plant_fault(k, fault);
          });
  } else {
    // A clause this generator has no edges for yet: Z3's own solutions, a few of them.
    add({}, nullptr, 4);
  }
  return a;
}

}  // namespace

namespace {

std::string where_of(const ClauseFile& file, const ClauseInfo& c) {
  return file.path + ":" + std::to_string(c.line) + ": " + c.id;
}

SmtPredicate predicate_of(const ClauseFile& file, const ClauseInfo& c) {
  std::vector<SmtField> fields;
  for (const ClauseField& f : c.fields) fields.push_back({f.name, f.width});
  return SmtPredicate(std::move(fields), c.smt, where_of(file, c));
}

// A value for a role that fits the field (so a pin never becomes an unparsable literal).
std::optional<std::string> pin_constraint(const ClauseField& f, uint64_t v) {
  if (f.width < 64 && (v >> f.width) != 0) return std::nullopt;  // cannot be represented: the field cannot hit it
  return "(= " + f.name + " " + bv_literal(v, f.width) + ")";
}

}  // namespace

bool is_stage2_clause(const std::string& id) {
  for (const char* prefix : {"SMMU.STE.S2.", "SMMU.S2.", "SMMU.NESTED.", "SMMU.EVENT.S2_", "SMMU.PBHA.S2",
                             "SMMU.PBHA.COMBINE"})
    if (id.rfind(prefix, 0) == 0) return true;
  return false;
}

std::vector<PredicateStatus> check_predicates(const ClauseFile& file) {
  std::vector<PredicateStatus> out;
  for (const ClauseInfo& c : file.clauses) {
    if (c.smt.empty()) continue;
    const SmtPredicate p = predicate_of(file, c);
    out.push_back({c.id, p.satisfiable(true), p.satisfiable(false)});
  }
  return out;
}

void generate_boundary(const ClauseFile& file, uint64_t seed, const std::function<void(const ScenarioSpec&)>& emit) {
  constexpr size_t kMaxPerClause = 40;
  for (const ClauseInfo& c : file.clauses) {
    if (c.smt.empty()) continue;
    // Stage-2, nested and combine clauses get their edges from stage2_scenarios.cpp (the knobs here build
    // stage-1 configurations only).
    if (is_stage2_clause(c.id)) continue;
    const SmtPredicate p = predicate_of(file, c);
    ClauseCtx ctx;
    ctx.clause = &c;
    std::vector<Aim> aims = aims_for(c.id, ctx);
    // A predicate over inputs only (no field the model computes) has a meaningful false side: inputs for which
    // the clause does not hold. With an output field, false is a wrong answer, so only true is aimed at.
    bool inputs_only = true;
    for (const ClauseField& f : c.fields) inputs_only = inputs_only && ctx.role_of(f.name).has_value();
    size_t n_true = 0, n_false = 0;
    for (const bool want : {true, false}) {
      if (!want && !inputs_only) break;
      for (const Aim& aim : aims) {
        size_t& n = want ? n_true : n_false;
        if (n >= kMaxPerClause) break;
        // Constraints: the pinned fields, then sanity defaults for the fields the aim leaves free.
        std::vector<std::string> cons = aim.extra;
        std::set<std::string> pinned;
        bool representable = true;
        for (const Pin& pin : aim.pins)
          for (const ClauseField* f : ctx.fields_of(pin.role)) {
            const auto k = pin_constraint(*f, pin.value);
            if (!k) representable = false;
            else cons.push_back(*k), pinned.insert(f->name);
          }
        if (!representable) continue;
        const std::vector<std::string> pins_only = cons;
        for (const ClauseField& f : c.fields) {
          if (pinned.count(f.name)) continue;
          if (const auto v = profile_value(f.name)) {
            if (const auto k = pin_constraint(f, *v)) cons.push_back(*k);
          } else if (const auto r = ctx.role_of(f.name)) {
            if (*r == Role::VA) {
              // Inside the TTB0 input range of the clause's TxSZ, if it has one, else of the smallest (N = 25).
              const auto tx = ctx.fields_of(Role::TXSZ).empty() ? ctx.fields_of(Role::T0SZ) : ctx.fields_of(Role::TXSZ);
              if (!tx.empty() && f.width == 64)
                cons.push_back("(bvult " + f.name + " (bvshl (_ bv1 64) (bvsub (_ bv64 64) ((_ zero_extend " +
                               std::to_string(64 - tx[0]->width) + ") " + tx[0]->name + "))))");
              else if (f.width > 25)
                cons.push_back("(bvult " + f.name + " " + bv_literal(pow2(25), f.width) + ")");
            } else if (const auto d = default_constraint(*r, f)) {
              cons.push_back(*d);
            }
          }
        }
        // The defaults only steer; the pinned edges must hold. An edge the predicate excludes is skipped.
        std::vector<SmtValues> sols = p.enumerate(want, aim.solutions, cons, seed);
        if (sols.empty()) sols = p.enumerate(want, aim.solutions, pins_only, seed);
        for (const SmtValues& vals : sols) {
          if (n >= kMaxPerClause) break;
          Knobs k;
          if (aim.setup) aim.setup(k);
          // TTB selection first: it decides which TTB's TxSZ/EPD/TBI/TG the other fields set.
          for (const auto& [name, v] : vals)
            if (ctx.role_of(name) == Role::WHICH) set_role(k, Role::WHICH, v);
          for (const auto& [name, v] : vals)
            if (const auto r = ctx.role_of(name); r && *r != Role::WHICH) set_role(k, *r, v);
          if (aim.setup) aim.setup(k);  // the aim's structure wins over Z3's free choices
          for (const Pin& pin : aim.pins)
            if (pin.role == Role::WHICH) set_role(k, pin.role, pin.value);
          for (const Pin& pin : aim.pins)
            if (pin.role != Role::WHICH) set_role(k, pin.role, pin.value);
          // The STE written is the transaction's unless the aim placed it (SID range edges).
          if (k.ste_sid == 0 && k.txn.stream_id < pow2(std::min(k.log2size, 12u))) k.ste_sid = k.txn.stream_id;
          ScenarioSpec s = build_from_knobs(k);
          s.id = "smmu-b-" + c.id + "-" + (want ? "true" : "false") + "-" + std::to_string(n);
          finish_scenario(s, {c.id});
          emit(s);
          ++n;
        }
      }
    }
  }
}

}  // namespace vipcts::smmu::gen
