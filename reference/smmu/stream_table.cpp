#include "stream_table.hpp"

#include "walk.hpp"

namespace vipcts::smmu {

namespace {

constexpr bool beyond(uint64_t addr, unsigned size_bits) {
  return size_bits < 64 && (addr >> size_bits) != 0;
}

// Addresses with bits [n-1:0] cleared.
constexpr uint64_t align_down(uint64_t addr, unsigned n) {
  return n >= 64 ? 0 : addr & (~uint64_t{0} << n);
}

// Span 12..31 are reserved and behave as 0 (§5.1 Span). With SPLIT at most 10 they are also beyond SPLIT + 1,
// so the two rules never disagree.
constexpr unsigned kSpanMax = 11;

}  // namespace

unsigned effective_sid_bits(const SmmuRegisters& regs) {
  const unsigned log2size = strtab_log2size(regs);
  const unsigned sidsize = idr1_sidsize(regs);
  return log2size < sidsize ? log2size : sidsize;
}

bool sid_out_of_range(const SmmuRegisters& regs, uint32_t sid) {
  const unsigned n = effective_sid_bits(regs);
  return n < 64 && (uint64_t{sid} >> n) != 0;
}

uint64_t linear_ste_address(const SmmuRegisters& regs, uint32_t sid) {
  const unsigned align = strtab_log2size(regs) + 6;
  const uint64_t align_mask = align >= 64 ? 0 : ~uint64_t{0} << align;
  return (strtab_base_addr(regs) & align_mask) + uint64_t{sid} * 64;
}

unsigned strtab_split(const SmmuRegisters& regs) {
  const unsigned split = strtab_split_field(regs);
  return split == 6 || split == 8 || split == 10 ? split : 6;
}

uint64_t l1std_address(const SmmuRegisters& regs, uint32_t sid) {
  const unsigned split = strtab_split(regs);
  // Level-1 table size in bytes: 8 * 2^(LOG2SIZE - SPLIT); never aligned to less than 64 bytes.
  const int l1_bits = static_cast<int>(strtab_log2size(regs)) - static_cast<int>(split) + 3;
  const unsigned align = l1_bits > 6 ? static_cast<unsigned>(l1_bits) : 6;
  return align_down(strtab_base_addr(regs), align) + uint64_t{sid >> split} * 8;
}

bool l1std_reaches_ste(const L1Std& l1, unsigned split, uint32_t sid) {
  const unsigned span = l1.span();
  if (span == 0 || span > kSpanMax || span > split + 1) return false;
  const uint32_t l2_index = sid & ((uint32_t{1} << split) - 1);
  return (l2_index >> (span - 1)) == 0;
}

uint64_t l2_ste_address(const L1Std& l1, unsigned split, uint32_t sid) {
  const uint32_t l2_index = sid & ((uint32_t{1} << split) - 1);
  return align_down(l1.l2ptr(), 5 + l1.span()) + uint64_t{l2_index} * 64;
}

SteLocation locate_ste(const SparseMemory& memory, const SmmuRegisters& regs, uint32_t sid, Outcome& out,
                       Trace* trace) {
  const unsigned oas = address_size_bits(idr5_oas(regs));
  // FMT = 0b01 is 2-level; other values are reserved and behave as linear. FMT is RES0 unless IDR0.ST_LEVEL
  // != 0: a 2-level FMT on an SMMU without 2-level tables, or with a reserved ST_LEVEL, is left out.
  const unsigned fmt = strtab_fmt(regs);
  if (fmt == 1 && idr0_st_level(regs) != 1) return {SteLookup::Unmodelled, 0};
  const bool two_level = fmt == 1;
  const unsigned split = strtab_split(regs);
  if (Witness* w = decide(out, trace, Clause::STRTAB_FMT)) {
    w->set("fmt", fmt).set("split_field", strtab_split_field(regs)).set("two_level", two_level);
    w->set("eff_split", split);
  }

  const bool sid_bad = sid_out_of_range(regs, sid);
  const bool recinvsid = cr2_recinvsid(regs);
  if (Witness* w = decide(out, trace, Clause::STRTAB_SID_RANGE)) {
    w->set("sid", sid).set("log2size", strtab_log2size(regs)).set("sidsize", idr1_sidsize(regs));
    w->set("recinvsid", recinvsid).set("bad", sid_bad).set("event", sid_bad && recinvsid);
  }
  if (sid_bad) return {SteLookup::BadStreamId, 0};

  if (!two_level) {
    const uint64_t ste_addr = linear_ste_address(regs, sid);
    if (Witness* w = decide(out, trace, Clause::STRTAB_LINEAR_STE_ADDRESS)) {
      w->set("base", regs.strtab_base).set("log2size", strtab_log2size(regs)).set("sid", sid);
      w->set("ste_addr", ste_addr);
    }
    // An STE address beyond the OAS is truncated or gives F_STE_FETCH (§3.4.3): CONSTRAINED, not modelled.
    if (beyond(ste_addr + 63, oas)) return {SteLookup::Unmodelled, 0};
    return {SteLookup::Found, ste_addr};
  }

  const uint64_t l1_addr = l1std_address(regs, sid);
  if (Witness* w = decide(out, trace, Clause::STRTAB_L1STD_ADDRESS)) {
    w->set("base", regs.strtab_base).set("log2size", strtab_log2size(regs)).set("split", split);
    w->set("sid", sid).set("l1_addr", l1_addr);
  }
  // Like the STE, an L1STD beyond the OAS is CONSTRAINED UNPREDICTABLE (§3.4.3): not modelled.
  if (beyond(l1_addr + 7, oas)) return {SteLookup::Unmodelled, 0};
  const L1Std l1{memory.read64(l1_addr)};

  const bool bad = !l1std_reaches_ste(l1, split, sid);
  if (Witness* w = decide(out, trace, Clause::STRTAB_L1STD_SPAN)) {
    w->set("span", l1.span()).set("split", split).set("sid", sid).set("recinvsid", recinvsid);
    w->set("bad", bad).set("event", bad && recinvsid);
  }
  if (bad) return {SteLookup::BadStreamId, 0};

  const uint64_t ste_addr = l2_ste_address(l1, split, sid);
  if (Witness* w = decide(out, trace, Clause::STRTAB_L2_STE_ADDRESS))
    w->set("l1std", l1.raw).set("split", split).set("sid", sid).set("ste_addr", ste_addr);
  // L2Ptr bits above the OAS are RES0 and an STE beyond it is CONSTRAINED (§5.1 L2Ptr, §3.4.3): not modelled.
  if (beyond(ste_addr + 63, oas)) return {SteLookup::Unmodelled, 0};
  return {SteLookup::Found, ste_addr};
}

}  // namespace vipcts::smmu
