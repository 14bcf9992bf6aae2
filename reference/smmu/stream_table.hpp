// Locating the STE of a StreamID in a linear Stream table (Arm IHI 0070 G.b §3.3.2, §6.3.24, §6.3.25).
#pragma once

#include <cstdint>

#include "registers.hpp"

namespace vipcts::smmu {

// Number of StreamID bits the table covers: MIN(STRTAB_BASE_CFG.LOG2SIZE, IDR1.SIDSIZE) (§6.3.25).
unsigned effective_sid_bits(const SmmuRegisters& regs);

// StreamID >= 2^effective_sid_bits is out of range: C_BAD_STREAMID (§7.3.3).
bool sid_out_of_range(const SmmuRegisters& regs, uint32_t sid);

// Base ADDR aligned to the table size, ADDR[LOG2SIZE+5:0] = 0 with the literal LOG2SIZE (§6.3.24), plus
// SID*64.
uint64_t linear_ste_address(const SmmuRegisters& regs, uint32_t sid);

}  // namespace vipcts::smmu
