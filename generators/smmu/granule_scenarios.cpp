#include "granule_scenarios.hpp"

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "generators/common/seeded.hpp"
#include "page_table.hpp"
#include "reference/smmu/granule.hpp"
#include "vmsa_tables.hpp"

namespace vipcts::smmu::gen {

namespace {

constexpr uint64_t kStrtab = 0x10000;   // linear Stream table, 16 STEs
constexpr uint64_t kCdAddr = 0x20000;   // the CD of StreamID 0
constexpr uint64_t kTables = 0x100000;  // translation tables from 1 MB upwards
constexpr uint64_t kHighTables = (uint64_t{1} << 49) | kTables;  // above 2^48: 52-bit table addresses
constexpr uint64_t kAf = uint64_t{1} << 10;

unsigned tg0_code(Granule g) {
  return g == Granule::K4 ? 0 : g == Granule::K64 ? 1 : 2;  // TG0: 00 4K, 01 64K, 10 16K
}
unsigned tg1_code(Granule g) {
  return g == Granule::K16 ? 1 : g == Granule::K4 ? 2 : 3;  // TG1: 01 16K, 10 4K, 11 64K
}

struct Plan {
  Granule g = Granule::K4;
  unsigned ia_bits = 48;
  bool ttb1 = false;
  bool tbi = false;
  unsigned oas = 5;  // IDR5.OAS encoding
  unsigned ips = 5;  // CD.IPS encoding
  // PBHA: IDR3.{PBHA,HAD}, CD.HADx, CD.HWUx; pbha_only = one page, two reads (the enable sweep).
  bool idr3_pbha = false, idr3_had = false, hadx = false;
  unsigned hwu = 0;
  bool pbha_only = false;
  bool wxn = false;
  // 52-bit addresses: IDR5.DS [7] and IDR5.VAX = 0b01 (an SMMU with DS supports 52-bit VAs, §6.3.6), CD.DS,
  // and translation tables placed above 2^48 (legal only when the descriptors can express it).
  bool idr5_ds = false, vax = false, cd_ds = false, high_tables = false;
};

class ScenarioMaker {
 public:
  ScenarioMaker(const Plan& p, uint64_t seed) : p_(p), rng_(seed) {}

  ScenarioSpec make() {
    ScenarioSpec s;
    s.regs = default_registers(kStrtab, 4);
    s.regs.idr5 = (s.regs.idr5 & ~7u) | (p_.oas & 7u) | (1u << 4) | (1u << 5) | (1u << 6);  // all granules
    if (p_.idr5_ds) s.regs.idr5 |= 1u << 7;
    if (p_.vax) s.regs.idr5 |= 1u << 10;
    if (p_.idr3_had) s.regs.idr3 |= 1u << 2;
    if (p_.idr3_pbha) s.regs.idr3 |= 1u << 3;
    SteFields ste;
    ste.s1_context_ptr = kCdAddr;
    write_words(s.memory, ste_address(s.regs, 0), encode_ste(ste));

    const unsigned pamax = address_size_bits(p_.oas);
    const bool ds = p_.idr5_ds && p_.cd_ds && p_.g != Granule::K64;
    const unsigned eff = vmsa::effective_output_bits(address_size_bits(p_.ips), pamax, p_.g, ds);
    const int start = vmsa::s1_start_level(p_.g, p_.ia_bits);
    VmsaTableBuilder b(s.memory, p_.high_tables ? kHighTables : kTables, p_.g, p_.ia_bits, start, eff >= 52,
                       ds);

    CdFields cd;
    cd.t0sz = cd.t1sz = 64 - p_.ia_bits;
    cd.tg0 = tg0_code(p_.g);
    cd.tg1 = tg1_code(p_.g);
    cd.epd0 = p_.ttb1;
    cd.epd1 = !p_.ttb1;
    cd.ttb0 = cd.ttb1 = b.root();
    cd.ips = p_.ips;
    cd.tbi0 = cd.tbi1 = p_.tbi;
    cd.had0 = cd.had1 = p_.hadx;
    cd.hwu0 = cd.hwu1 = p_.hwu;
    cd.wxn = p_.wxn;
    cd.ds = p_.cd_ds;
    cd.sh0 = static_cast<unsigned>(pick(4));
    cd.sh1 = static_cast<unsigned>(pick(4));
    cd.mair = 0x0004'44ff'bb00'ff44ull;
    write_words(s.memory, kCdAddr, encode_cd(cd));

    std::vector<std::pair<uint64_t, uint64_t>> hits;  // (ia, size) of mapped leaves
    // AP[2:1] = 01 (read/write at EL0 and EL1) for the PBHA sweep, any AP otherwise (AP = 00 with WXN makes a
    // privileged fetch fault); random AttrIndx and PBHA bits.
    const uint64_t attrs_base = kAf | (uint64_t{3} << 8) /*SH*/;
    auto leaf_attrs = [&] {
      return attrs_base | ((p_.pbha_only ? 1 : pick(4)) << 6) | (pick(8) << 2) | (pick(16) << 59);
    };
    for (int level = start; level <= 3; ++level) {
      if (p_.pbha_only && level != 3) continue;
      // Every level from the start: where the granule forbids a block (vmsa::block_allowed; never at level
      // -1), the block is mapped all the same and the walk must give a Translation fault.
      const unsigned shift = vmsa::level_shift(p_.g, level);
      const uint64_t size = uint64_t{1} << shift;
      const uint64_t oa = shift >= eff ? 0 : pick(uint64_t{1} << (eff - shift)) * size;
      if (const uint64_t ia = place(b, level, oa, leaf_attrs())) hits.emplace_back(ia, size);
    }
    if (!p_.pbha_only) {
      // Output-address boundaries at the page level: 2^eff - page passes, 2^eff is an Address Size fault
      // (when the descriptor can hold it).
      const uint64_t page = uint64_t{1} << vmsa::granule_bits(p_.g);
      const unsigned lim = vmsa::descriptor_oa_limit(p_.g, ds);
      if (const uint64_t ia = place(b, 3, (uint64_t{1} << eff) - page, leaf_attrs()))
        hits.emplace_back(ia, page);
      if (eff < lim)
        if (const uint64_t ia = place(b, 3, uint64_t{1} << eff, leaf_attrs())) hits.emplace_back(ia, page);
      // Level-3 type 0b01 (reserved): map a page, then rewrite its type.
      if (const uint64_t ia = place(b, 3, pick(uint64_t{1} << (eff - 20)) << 20, leaf_attrs())) {
        const uint64_t a = b.leaf_address(ia);
        s.memory.write64(a, (s.memory.read64(a) & ~uint64_t{3}) | 1);
        hits.emplace_back(ia, page);
      }
      // Table bits [62:59] are APTable/XNTable/PXNTable (HADx = 0) or IGNORED (HADx = 1); never PBHA.
      for (const auto& [ia, size] : hits) {
        if (pick(2) == 0) continue;
        const uint64_t t = b.descriptor_address(ia, start);
        const uint64_t d = s.memory.read64(t);
        if ((d & 3) == 3) s.memory.write64(t, d | (pick(16) << 59));
      }
    }

    for (const auto& [ia, size] : hits) {
      s.transactions.push_back(txn(ia, AccessKind::Read, true));
      s.transactions.push_back(txn(ia + size - 1, AccessKind::Read, false));
      if (p_.pbha_only) continue;
      s.transactions.push_back(txn(ia + size / 2, AccessKind::Write, true));
      s.transactions.push_back(txn(ia + pick(size), AccessKind::Execute, pick(2) == 0));
    }
    // An address nothing maps: Translation fault at the level where the walk stops.
    for (int tries = 0; tries < 16; ++tries) {
      const uint64_t ia = pick(uint64_t{1} << (p_.ia_bits - 1)) << 1;
      if (b.leaf_address(ia) == 0) {
        s.transactions.push_back(txn(ia, AccessKind::Read, false));
        break;
      }
    }
    return s;
  }

 private:
  uint64_t pick(uint64_t n) { return n <= 1 ? 0 : rng_() % n; }

  // Maps a leaf at `level` for some free ia (random, aligned, below 2^ia_bits); 0 when none was found.
  uint64_t place(VmsaTableBuilder& b, int level, uint64_t oa, uint64_t attrs) {
    const unsigned shift = vmsa::level_shift(p_.g, level);
    for (int tries = 0; tries < 32; ++tries) {
      const uint64_t ia = pick(uint64_t{1} << (p_.ia_bits - shift)) << shift;
      if (ia == 0) continue;  // keep VA 0 free for nothing in particular: a readable id in failures
      try {
        b.map(ia, level, oa, attrs);
        return ia;
      } catch (const std::invalid_argument&) {
      }
    }
    return 0;
  }

  // The VA that reaches ia through the plan's TTB: TTB1 sets VA[55:N] (and [63:56] without TBI); TBI puts a
  // random top byte on the address.
  Transaction txn(uint64_t ia, AccessKind k, bool privileged) {
    uint64_t va = ia;
    if (p_.ttb1) va |= mask(p_.tbi ? 55 : 63, p_.ia_bits);
    if (p_.tbi) va = (va & mask(55, 0)) | (pick(256) << 56);
    Transaction t;
    t.iova = va;
    t.access = k;
    t.privileged = privileged;
    return t;
  }

  Plan p_;
  std::mt19937_64 rng_;
};

std::vector<Plan> plans() {
  std::vector<Plan> out;
  struct G {
    Granule g;
    std::vector<unsigned> ia;
  };
  // Input sizes hitting every start level of each granule, and its edges.
  const G grans[] = {{Granule::K4, {48, 40, 39, 31, 30, 25}},
                     {Granule::K16, {48, 47, 37, 36, 26, 25}},
                     {Granule::K64, {48, 43, 42, 30, 29, 25}}};
  unsigned n = 0;
  for (const G& g : grans) {
    for (unsigned ia : g.ia) {
      Plan p;
      p.g = g.g;
      p.ia_bits = ia;
      p.ttb1 = (n % 2) == 1;
      p.tbi = (n % 3) == 0;
      // Output-address boundaries at 40 bits: from CD.IPS (IPS < OAS) or from IDR5.OAS (IPS > OAS).
      p.ips = (n % 4) == 2 ? 2 : 5;
      p.oas = (n % 4) == 3 ? 2 : 5;
      // Hierarchical controls on or off (HADx = 1 makes table bits [62:59] IGNORED); WXN on odd plans.
      p.idr3_had = true;
      p.hadx = (n % 3) == 1;
      p.wxn = (n % 2) == 1;
      out.push_back(p);
      ++n;
    }
    // 52-bit output: OAS = IPS = 52. 64 KB expresses it (OA[51:48] in bits [15:12], L1 blocks legal); the
    // other granules cap eff_IPS at 48.
    Plan p;
    p.g = g.g;
    p.ia_bits = 48;
    p.oas = p.ips = 6;
    out.push_back(p);
  }
  // PBHA: every enable combination (IDR3.PBHA, IDR3.HAD, CD.HADx, CD.HWUx), through TTB0 and TTB1, cycling
  // the granule.
  for (unsigned m = 0; m < 8 * 16; ++m) {
    Plan p;
    p.g = m % 3 == 0 ? Granule::K4 : m % 3 == 1 ? Granule::K16 : Granule::K64;
    p.ia_bits = 39;
    p.idr3_pbha = (m & 1) != 0;
    p.idr3_had = (m & 2) != 0 || p.idr3_pbha;  // IDR3.PBHA = 1 requires IDR3.HAD = 1 (§6.3.4)
    p.hadx = (m & 4) != 0;
    p.hwu = m >> 3;
    p.ttb1 = ((m >> 3) & 1) != 0;
    p.pbha_only = true;
    out.push_back(p);
  }
  // 52-bit addresses (appended: the plans above keep their seeds). DS with 4 KB and 16 KB: OA[51:48] and
  // table addresses in descriptor bits [9:8] and [49:48], SH from CD.SHx, 4 KB level-0 and 16 KB level-1
  // blocks, tables above 2^48, and with VAX 16 KB TxSZ down to 12 (level 0 from 52 bits). 64 KB with VAX:
  // 52-bit VAs from level 1. 4 KB walks of more than 48 bits start at level -1 (the last plans).
  struct Big {
    Granule g;
    unsigned ia;
    bool idr5_ds, cd_ds, high;
  };
  const Big bigs[] = {
      {Granule::K4, 48, true, true, false},
      {Granule::K4, 48, true, true, true},
      {Granule::K4, 39, true, true, true},
      {Granule::K16, 52, true, true, false},
      {Granule::K16, 49, true, true, true},
      {Granule::K16, 48, true, true, false},
      {Granule::K16, 36, true, true, true},
      {Granule::K64, 52, true, false, false},
      {Granule::K64, 49, false, false, true},
      // Edges that must not translate: 16 KB with 52 VA bits but CD.DS = 0 (TxSZ 12 is ILLEGAL), 4 KB tables
      // above 2^48 with CD.DS = 0 (TTB beyond 48 bits: ILLEGAL), and CD.DS without IDR5.DS (RES0: eff_IPS 48,
      // bits [9:8] are SH again).
      {Granule::K16, 52, true, false, false},
      {Granule::K4, 48, true, false, true},
      {Granule::K4, 48, false, true, false},
      // 4 KB from level -1 (DDI 0487 AArch64.S1StartLevel with DS): 52 VA bits (a 16-entry level -1 table)
      // with tables above 2^48, 49 bits (2 entries); the level -1 block mapped by the loop above faults. TxSZ
      // 12 with CD.DS = 0 is ILLEGAL.
      {Granule::K4, 52, true, true, true},
      {Granule::K4, 49, true, true, false},
      {Granule::K4, 52, true, false, false},
  };
  for (const Big& x : bigs) {
    Plan p;
    p.g = x.g;
    p.ia_bits = x.ia;
    p.oas = p.ips = 6;
    p.idr5_ds = x.idr5_ds;
    p.vax = x.idr5_ds || x.ia > 48;  // DS implies 52-bit VA support (IDR5.DS, §6.3.6)
    p.cd_ds = x.cd_ds;
    p.high_tables = x.high;
    p.ttb1 = (out.size() % 2) == 1;
    p.tbi = (out.size() % 3) == 0;
    out.push_back(p);
  }
  return out;
}

}  // namespace

void generate_granule_scenarios(uint64_t seed, const std::function<void(ScenarioSpec&)>& emit) {
  const std::vector<Plan> all = plans();
  for (size_t i = 0; i < all.size(); ++i) {
    ScenarioMaker m(all[i], derive_seed(seed ^ 0x6772616e756c65ull, i));  // "granule"
    ScenarioSpec s = m.make();
    s.id = "smmu-g-" + std::to_string(seed) + "-" + std::to_string(i);
    emit(s);
  }
}

}  // namespace vipcts::smmu::gen
