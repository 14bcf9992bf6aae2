#include "ste.hpp"

namespace vipcts::smmu {

bool ste_config_illegal(const SmmuRegisters& regs, const Ste& ste) {
  const unsigned config = ste.config();
  if (!bit(config, 2)) return false;  // 0b0xx: stream disabled, never ILLEGAL
  if (bit(config, 0) && !idr0_s1p(regs)) return true;
  if (bit(config, 1) && !idr0_s2p(regs)) return true;
  // STRW is RES0 unless IDR0.Hyp (bit 9); 0bx1 is Reserved, ILLEGAL (§5.2 STRW), only with stage 1
  // translating.
  const bool hyp = bit(regs.idr0, 9);
  if (bit(config, 0) && !bit(config, 1) && hyp && bit(ste.strw(), 0)) return true;
  return false;
}

}  // namespace vipcts::smmu
