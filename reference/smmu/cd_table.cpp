#include "cd_table.hpp"

namespace vipcts::smmu {

namespace {

constexpr uint64_t low_bits(unsigned n) {
  return n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
}

constexpr unsigned kSplit4K = 6;    // S1Fmt 0b01: 64 CDs per 4 KB leaf table
constexpr unsigned kSplit64K = 10;  // S1Fmt 0b10: 1024 CDs per 64 KB leaf table

}  // namespace

unsigned effective_s1cdmax(const SmmuRegisters& regs, const Ste& ste) {
  return idr1_ssidsize(regs) == 0 ? 0 : ste.s1cdmax();
}

bool s1cdmax_illegal(const SmmuRegisters& regs, const Ste& ste) {
  const unsigned ssidsize = idr1_ssidsize(regs);
  return ssidsize != 0 && ste.s1cdmax() > ssidsize;
}

bool s1fmt_illegal(const SmmuRegisters& regs, const Ste& ste) {
  const unsigned fmt = ste.s1fmt();
  return effective_s1cdmax(regs, ste) != 0 && !idr0_cd2l(regs) && (fmt == 1 || fmt == 2);
}

unsigned cd_table_split(unsigned s1fmt) {
  switch (s1fmt) {
    case 1:
      return kSplit4K;
    case 2:
      return kSplit64K;
    default:
      return 0;
  }
}

bool substream_bad(bool stage1, unsigned eff_s1cdmax, bool ssv, uint32_t ssid) {
  if (!ssv) return false;
  return !stage1 || eff_s1cdmax == 0 || (uint64_t{ssid} >> eff_s1cdmax) != 0;
}

DefaultSubstream default_substream(unsigned s1dss, bool ssv, uint32_t ssid) {
  if (ssv) return s1dss == 2 && ssid == 0 ? DefaultSubstream::StreamDisabled : DefaultSubstream::UseCd;
  switch (s1dss) {
    case 1:
      return DefaultSubstream::BypassStage1;
    case 2:
      return DefaultSubstream::UseCd;  // CD 0
    default:
      return DefaultSubstream::StreamDisabled;  // 0b00, and 0b11 which behaves as 0b00
  }
}

uint64_t linear_cd_address(const Ste& ste, uint32_t index) {
  return ste.s1_context_ptr() + uint64_t{index} * 64;
}

uint64_t l1cd_address(const Ste& ste, unsigned split, uint32_t index) {
  return ste.s1_context_ptr() + uint64_t{index >> split} * 8;
}

bool cd_table_ptr_misaligned(const Ste& ste, unsigned eff_s1cdmax, unsigned split) {
  // Table size in bytes: 64 * 2^S1CDMax (linear) or 8 * 2^(S1CDMax - SPLIT) (level-1 array, at least one
  // L1CD); a table never needs more than the 64-byte alignment S1ContextPtr always has.
  const unsigned size_bits =
      split == 0 ? eff_s1cdmax + 6 : (eff_s1cdmax > split ? eff_s1cdmax - split : 0) + 3;
  return (ste.s1_context_ptr() & low_bits(size_bits)) != 0;
}

bool l1cd_invalid(const L1Cd& l1) {
  return !l1.v();
}

bool l1cd_l2ptr_misaligned(const L1Cd& l1, unsigned split) {
  return split == kSplit64K && bits(l1.raw, 15, 12) != 0;
}

uint64_t l2_cd_address(const L1Cd& l1, unsigned split, uint32_t index) {
  return l1.l2ptr() + uint64_t{index & low_bits(split)} * 64;
}

}  // namespace vipcts::smmu
