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

}  // namespace vipcts::smmu
