#include "stream_table.hpp"

namespace vipcts::smmu {

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

}  // namespace vipcts::smmu
