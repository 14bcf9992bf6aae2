#include "walk.hpp"

#include "descriptor.hpp"

namespace vipcts::smmu {

uint64_t s1_table_base(uint64_t ttb, unsigned txsz) {
  const unsigned n = 64 - txsz;
  const int start = vmsa::s1_start_level(Granule::K4, n);
  return ttb & ~mask(vmsa::start_table_align_bits(Granule::K4, n, start, false) - 1, 0);
}

uint64_t s1_table_index(uint64_t va, unsigned txsz, unsigned level) {
  const unsigned n = 64 - txsz;
  return vmsa::table_index(va, Granule::K4, n, static_cast<int>(level), vmsa::s1_start_level(Granule::K4, n));
}

WalkResult s1_walk(const SparseMemory& memory, const WalkParams& params, uint64_t va, Outcome& out,
                   Trace* trace) {
  WalkResult result;
  const Granule g = params.granule;
  const unsigned n = walk_ia_bits(params);
  // 52-bit descriptor fields: 64 KB when the effective output size is 52 (FEAT_LPA), or DS (J1.1
  // AArch64.S1LeafBase / NextTableBase).
  const bool lpa64 = g == Granule::K64 && params.eff_ips >= 52;
  const bool s1 = !params.stage2;
  Trace* const t = s1 ? trace : nullptr;
  int start;
  int level;
  uint64_t table;
  // The walk cache may know the last-level table this VA region leads to; each table level it skips would
  // have decided the same four clauses.
  WalkCache* const cache = s1 && params.s2 == nullptr && trace == nullptr ? params.cache : nullptr;
  WalkCache::Key key;
  const WalkCache::Entry* hit = nullptr;
  if (cache != nullptr) {
    key = {params.ttb,  (va & mask(n - 1, 0)) >> vmsa::level_shift(g, vmsa::kFinalLevel - 1),
           params.txsz, params.eff_ips,
           g,           params.ds,
           params.had};
    hit = cache->find(memory, key);
  }
  if (hit != nullptr) {
    for (Clause c :
         {Clause::S1_WALK_INDEX, Clause::S1_DESC_INVALID, Clause::S1_DESC_TABLE, Clause::S1_ADDR_SIZE_TABLE})
      touch(out, c);
    start = hit->start_level;
    level = vmsa::kFinalLevel;
    table = hit->table;
    result.table = hit->perms;
  } else {
    start = walk_start_level(params);
    level = start;
    // The start-level table base is aligned to the size of the start-level table(s) (J1.1 S1TTBaseAddress /
    // S2TTBaseAddress), at least 64 bytes with 52-bit output.
    const unsigned align = vmsa::start_table_align_bits(g, n, start, params.eff_ips >= 52);
    table = params.ttb & ~mask(align - 1, 0);
  }
  for (;;) {
    result.level = static_cast<unsigned>(level);
    const uint64_t index = vmsa::table_index(va, g, n, level, start);
    const uint64_t desc_ia = table + index * 8;
    if (s1) {
      if (Witness* w = decide(out, t, Clause::S1_WALK_INDEX)) {
        w->set("granule", granule_code(g)).set("iova", va).set("txsz", params.txsz);
        w->set("level", level_field(level));
        w->set("table", table).set("index", index).set("desc_addr", desc_ia);
      }
    } else if (Witness* w = decide(out, trace, Clause::S2_WALK_INDEX)) {
      w->set("granule", granule_code(g)).set("ipa", va).set("s2t0sz", params.txsz);
      w->set("level", level_field(level)).set("start", level_field(start));
      w->set("table", table).set("index", index).set("desc_addr", desc_ia);
    }
    // Nested: the descriptor address is an IPA; stage 2 translates it before the read.
    uint64_t desc_addr = desc_ia;
    if (params.s2 != nullptr && !params.s2->descriptor_address(desc_ia, desc_addr)) {
      result.fault = S1Fault::Stage2;
      result.fault_ipa = desc_ia;
      return result;
    }
    const uint64_t desc = memory.read64(desc_addr);
    const unsigned type = desc_type(desc);

    // Bit 0 clear: invalid at every level (DDI 0487 D8.3.1).
    if (s1) {
      if (Witness* w = decide(out, t, Clause::S1_DESC_INVALID))
        w->set("type", type).set("fault", !desc_valid(desc));
    }
    if (!s1) touch(out, Clause::S2_DESC);
    if (!desc_valid(desc)) {
      result.fault = S1Fault::Translation;
      return result;
    }

    if (level < vmsa::kFinalLevel) {
      const bool is_table = type == 3;
      const uint64_t next = vmsa::next_table_base(desc, g, params.ds, lpa64);
      if (s1) {
        if (Witness* w = decide(out, t, Clause::S1_DESC_TABLE)) {
          w->set("granule", granule_code(g)).set("lpa", lpa64).set("ds", params.ds).set("desc", desc);
          w->set("level", level_field(level)).set("is_table", is_table).set("next_table", next);
        }
      }
      if (!is_table) {
        // A block: legal only where the granule allows one (J1.1 BlockDescSupported); elsewhere it is
        // treated as invalid: Translation fault (DDI 0487 D8.3.1, Table D8-48).
        const bool fault = !vmsa::block_allowed(g, level, params.ds, params.pamax);
        if (s1) {
          if (Witness* w = decide(out, t, Clause::S1_DESC_BLOCK_LEVEL))
            w->set("granule", granule_code(g))
                .set("pa52", params.pamax >= 52)
                .set("ds", params.ds)
                .set("type", type)
                .set("level", level_field(level))
                .set("fault", fault);
        }
        if (fault) {
          result.fault = S1Fault::Translation;
          return result;
        }
        result.desc = desc;
        result.desc_addr = desc_addr;
        break;
      }
      // Next-level table address beyond the effective output size: Address Size fault, reported at the level
      // of the table descriptor (J1.1 AArch64.S1Walk keeps fault.level; IHI 0070 §5.4 IPS, §5.2 S2PS: table
      // addresses are checked).
      const bool too_big = (next >> params.eff_ips) != 0;
      if (s1) {
        if (Witness* w = decide(out, t, Clause::S1_ADDR_SIZE_TABLE))
          w->set("next_table", next).set("eff_ips", params.eff_ips).set("fault", too_big);
      } else if (Witness* w = decide(out, trace, Clause::S2_ADDR_SIZE)) {
        w->set("addr", next).set("eff_s2ps", params.eff_ips).set("fault", too_big);
      }
      if (too_big) {
        result.fault = S1Fault::AddressSize;
        return result;
      }
      // Hierarchical controls (stage 1 only, unless HADx); PBHA is never taken from table descriptors.
      if (s1 && !params.had) {
        result.table.ap_table |= desc_ap_table(desc);
        result.table.uxn_table |= desc_uxn_table(desc);
        result.table.pxn_table |= desc_pxn_table(desc);
      }
      table = next;
      ++level;
      if (cache != nullptr && level == vmsa::kFinalLevel)
        cache->store(memory, key, start, table, result.table);
      continue;
    }

    // Level 3: 11 is a page, 01 is reserved and faults like an invalid descriptor.
    const bool reserved = type == 1;
    if (s1) {
      if (Witness* w = decide(out, t, Clause::S1_DESC_L3_RESERVED))
        w->set("type", type).set("level", static_cast<uint64_t>(level)).set("fault", reserved);
    }
    if (reserved) {
      result.fault = S1Fault::Translation;
      return result;
    }
    result.desc = desc;
    result.desc_addr = desc_addr;
    break;
  }
  // Output address: the leaf's OA bits above the block size, the input's offset below (J1.1 StageOA).
  const unsigned shift = vmsa::level_shift(g, level);
  result.oa = vmsa::leaf_base(result.desc, g, level, params.ds, lpa64) | (va & mask(shift - 1, 0));
  return result;
}

}  // namespace vipcts::smmu
