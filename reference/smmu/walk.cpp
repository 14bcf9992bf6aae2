#include "walk.hpp"

#include "descriptor.hpp"

namespace vipcts::smmu {

uint64_t s1_table_base(uint64_t ttb, unsigned txsz) {
  const unsigned n = 64 - txsz;
  const unsigned levels = kFinalLevel - s1_start_level(txsz);
  const unsigned tsize = n - (levels * kStride + kGranuleBits) + 3;
  return ttb & ~mask(tsize - 1, 0);
}

uint64_t s1_table_index(uint64_t va, unsigned txsz, unsigned level) {
  const unsigned n = 64 - txsz;
  const uint64_t in_range = va & mask(n - 1, 0);  // the start level indexes only up to bit N-1
  return (in_range >> level_shift(level)) & mask(kStride - 1, 0);
}

WalkResult s1_walk(const SparseMemory& memory, const WalkParams& params, uint64_t va, Outcome& out,
                   Trace* trace) {
  WalkResult result;
  unsigned level = s1_start_level(params.txsz);
  uint64_t table = s1_table_base(params.ttb, params.txsz);
  for (;;) {
    result.level = level;
    const uint64_t index = s1_table_index(va, params.txsz, level);
    const uint64_t desc_addr = table + index * 8;
    if (Witness* w = decide(out, trace, Clause::S1_WALK_INDEX)) {
      w->set("iova", va).set("txsz", params.txsz).set("level", level).set("table", table).set("index", index);
      w->set("desc_addr", desc_addr);
    }
    const uint64_t desc = memory.read64(desc_addr);
    const unsigned type = desc_type(desc);

    // Bit 0 clear: invalid at every level (DDI 0487 D8.3.1).
    if (Witness* w = decide(out, trace, Clause::S1_DESC_INVALID))
      w->set("type", type).set("fault", !desc_valid(desc));
    if (!desc_valid(desc)) {
      result.fault = S1Fault::Translation;
      return result;
    }

    if (level < kFinalLevel) {
      const bool is_table = type == 3;
      const uint64_t next = desc_next_table(desc);
      if (Witness* w = decide(out, trace, Clause::S1_DESC_TABLE))
        w->set("desc", desc).set("level", level).set("is_table", is_table).set("next_table", next);
      if (!is_table) {
        // A block: only at L1 (1 GB) and L2 (2 MB) with a 4 KB granule and DS = 0; at L0 it is reserved and
        // treated as invalid (DDI 0487 D8.3.1, Table D8-48).
        const bool fault = level == 0;
        if (Witness* w = decide(out, trace, Clause::S1_DESC_BLOCK_LEVEL))
          w->set("type", type).set("level", level).set("fault", fault);
        if (fault) {
          result.fault = S1Fault::Translation;
          return result;
        }
        result.desc = desc;
        result.desc_addr = desc_addr;
        return result;
      }
      // Next-level table address beyond eff_IPS: stage-1 Address Size fault, reported at the level of the
      // table descriptor (J1.1 AArch64.S1Walk keeps fault.level; IHI 0070 §5.4 IPS: table addresses are
      // checked).
      const bool too_big = (next >> params.eff_ips) != 0;
      if (Witness* w = decide(out, trace, Clause::S1_ADDR_SIZE_TABLE))
        w->set("next_table", next).set("eff_ips", params.eff_ips).set("fault", too_big);
      if (too_big) {
        result.fault = S1Fault::AddressSize;
        return result;
      }
      if (!params.had) {
        result.table.ap_table |= desc_ap_table(desc);
        result.table.uxn_table |= desc_uxn_table(desc);
        result.table.pxn_table |= desc_pxn_table(desc);
      }
      table = next;
      ++level;
      continue;
    }

    // Level 3: 11 is a page, 01 is reserved and faults like an invalid descriptor.
    const bool reserved = type == 1;
    if (Witness* w = decide(out, trace, Clause::S1_DESC_L3_RESERVED))
      w->set("type", type).set("level", level).set("fault", reserved);
    if (reserved) {
      result.fault = S1Fault::Translation;
      return result;
    }
    result.desc = desc;
    result.desc_addr = desc_addr;
    return result;
  }
}

}  // namespace vipcts::smmu
