// Stream Table Entry: the fields this slice decodes, and the STE-level decisions (Arm IHI 0070 G.b §5.2).
#pragma once

#include <cstdint>

#include "../common/sparse_memory.hpp"
#include "registers.hpp"

namespace vipcts::smmu {

// Words 0 and 1 of the 64-byte STE hold every field stage-1-only and bypass configurations use.
struct Ste {
  uint64_t word0 = 0;
  uint64_t word1 = 0;

  bool v() const { return bit(word0, 0); }                                         // V [0]
  unsigned config() const { return static_cast<unsigned>(bits(word0, 3, 1)); }     // Config [3:1]
  uint64_t s1_context_ptr() const { return word0 & mask(55, 6); }                  // S1ContextPtr [55:6]
  unsigned s1cdmax() const { return static_cast<unsigned>(bits(word0, 63, 59)); }  // S1CDMax [63:59]
  bool s1stalld() const { return bit(word1, 91 - 64); }                            // S1STALLD [91]
  unsigned strw() const { return static_cast<unsigned>(bits(word1, 95 - 64, 94 - 64)); }       // STRW [95:94]
  unsigned privcfg() const { return static_cast<unsigned>(bits(word1, 113 - 64, 112 - 64)); }  // PRIVCFG
  unsigned instcfg() const { return static_cast<unsigned>(bits(word1, 115 - 64, 114 - 64)); }  // INSTCFG

  static Ste read(const SparseMemory& memory, uint64_t addr) {
    uint64_t w[2];
    memory.read_words(addr, w, 2);
    return Ste{w[0], w[1]};
  }
};

// Config 0b1x1 needs IDR0.S1P, 0b11x needs IDR0.S2P (§5.2 Config). STRW = 0bx1 is reserved and ILLEGAL when
// IDR0.Hyp = 1 (otherwise STRW is RES0). Stage-1 stall legality is SMMU.CD.STALL, decided separately.
bool ste_config_illegal(const SmmuRegisters& regs, const Ste& ste);

}  // namespace vipcts::smmu
