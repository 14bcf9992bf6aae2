#include "context_descriptor.hpp"

namespace vipcts::smmu {

bool granule_supported(const SmmuRegisters& regs, Granule g) {
  switch (g) {
    case Granule::K4:
      return idr5_gran4k(regs);
    case Granule::K16:
      return idr5_gran16k(regs);
    case Granule::K64:
      return idr5_gran64k(regs);
    case Granule::Reserved:
      return false;
  }
  return false;
}

unsigned txsz_max(const SmmuRegisters& regs) {
  return bit(regs.idr3, 9) ? 48 : 39;
}  // IDR3.STT [9]

unsigned effective_ips_bits(const SmmuRegisters& regs, const ContextDescriptor& cd) {
  const unsigned ips = address_size_bits(cd.ips());
  const unsigned oas = address_size_bits(idr5_oas(regs));
  const unsigned eff = ips < oas ? ips : oas;
  return eff > 48 ? 48 : eff;
}

}  // namespace vipcts::smmu
