// Locating the STE of a StreamID in a linear or 2-level Stream table (Arm IHI 0070 G.b §3.3.1, §5.1, §6.3.24,
// §6.3.25).
#pragma once

#include <cstdint>

#include "../common/sparse_memory.hpp"
#include "outcome.hpp"
#include "registers.hpp"
#include "witness.hpp"

namespace vipcts::smmu {

// Number of StreamID bits the table covers: MIN(STRTAB_BASE_CFG.LOG2SIZE, IDR1.SIDSIZE) (§6.3.25).
unsigned effective_sid_bits(const SmmuRegisters& regs);

// StreamID >= 2^effective_sid_bits is out of range: C_BAD_STREAMID (§7.3.3).
bool sid_out_of_range(const SmmuRegisters& regs, uint32_t sid);

// Base ADDR aligned to the table size, ADDR[LOG2SIZE+5:0] = 0 with the literal LOG2SIZE (§6.3.24), plus
// SID*64.
uint64_t linear_ste_address(const SmmuRegisters& regs, uint32_t sid);

// ---- 2-level (SMMU.STRTAB.FMT, SMMU.STRTAB.L1STD_ADDRESS, SMMU.STRTAB.L1STD_SPAN,
// SMMU.STRTAB.L2_STE_ADDRESS).

// STRTAB_BASE_CFG.SPLIT as the SMMU uses it: 6, 8 and 10 as written, every other value is reserved and
// behaves as 6 (§6.3.25 SPLIT).
unsigned strtab_split(const SmmuRegisters& regs);

// Level 1 Stream Table Descriptor, 8 bytes (§5.1): Span [4:0], L2Ptr [55:6].
struct L1Std {
  uint64_t raw = 0;
  unsigned span() const { return static_cast<unsigned>(bits(raw, 4, 0)); }
  uint64_t l2ptr() const { return raw & mask(55, 6); }
};

// The L1STD of a StreamID (already in range): StreamID[LOG2SIZE-1:SPLIT] indexes the level-1 array, whose
// base is ADDR aligned to MAX(64 bytes, the level-1 table size), ADDR[MAX(5, LOG2SIZE - SPLIT - 1 + 3):0] = 0
// with the literal LOG2SIZE (§6.3.24).
uint64_t l1std_address(const SmmuRegisters& regs, uint32_t sid);

// Whether the L1STD leads to a STE for this StreamID (§5.1.1): Span 1..11 (0 invalid, 12..31 reserved and
// behave as 0), not beyond SPLIT + 1, and StreamID[SPLIT-1:0] inside the 2^(Span-1) STEs of the level-2
// array. Otherwise the StreamID is invalid: C_BAD_STREAMID, like an out-of-range one.
bool l1std_reaches_ste(const L1Std& l1, unsigned split, uint32_t sid);

// The STE in the level-2 array: L2Ptr with bits [5 + (Span - 1):0] treated as 0 (the array is aligned to its
// size), plus 64 * StreamID[SPLIT-1:0] (§5.1 L2Ptr). Only for an L1STD that reaches an STE.
uint64_t l2_ste_address(const L1Std& l1, unsigned split, uint32_t sid);

// Where the Stream table lookup ends (§3.3.1): at an STE address, at an invalid StreamID (C_BAD_STREAMID,
// recorded when CR2.RECINVSID = 1), or at a configuration the model leaves out (Unmodelled).
enum class SteLookup : uint8_t { Found, BadStreamId, Unmodelled };
struct SteLocation {
  SteLookup result = SteLookup::Unmodelled;
  uint64_t addr = 0;
};

// The whole lookup, recording the clauses it decides on in `out` (and their witnesses in `trace`).
SteLocation locate_ste(const SparseMemory& memory, const SmmuRegisters& regs, uint32_t sid, Outcome& out,
                       Trace* trace);

}  // namespace vipcts::smmu
