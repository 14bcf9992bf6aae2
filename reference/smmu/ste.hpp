// Stream Table Entry: the fields this slice decodes, and the STE-level decisions (Arm IHI 0070 G.b §5.2).
#pragma once

#include <cstdint>

#include "../common/sparse_memory.hpp"
#include "registers.hpp"

namespace vipcts::smmu {

// Words 0..3 of the 64-byte STE: words 0 and 1 hold the stage-1 and bypass fields, words 1..3 the stage-2
// ones.
struct Ste {
  uint64_t word0 = 0;
  uint64_t word1 = 0;
  uint64_t word2 = 0;
  uint64_t word3 = 0;

  bool v() const { return bit(word0, 0); }                                         // V [0]
  unsigned config() const { return static_cast<unsigned>(bits(word0, 3, 1)); }     // Config [3:1]
  unsigned s1fmt() const { return static_cast<unsigned>(bits(word0, 5, 4)); }      // S1Fmt [5:4]
  uint64_t s1_context_ptr() const { return word0 & mask(55, 6); }                  // S1ContextPtr [55:6]
  unsigned s1cdmax() const { return static_cast<unsigned>(bits(word0, 63, 59)); }  // S1CDMax [63:59]
  unsigned s1dss() const { return static_cast<unsigned>(bits(word1, 65 - 64, 64 - 64)); }  // S1DSS [65:64]
  bool s1stalld() const { return bit(word1, 91 - 64); }                            // S1STALLD [91]
  unsigned strw() const { return static_cast<unsigned>(bits(word1, 95 - 64, 94 - 64)); }       // STRW [95:94]
  unsigned privcfg() const { return static_cast<unsigned>(bits(word1, 113 - 64, 112 - 64)); }  // PRIVCFG
  unsigned instcfg() const { return static_cast<unsigned>(bits(word1, 115 - 64, 114 - 64)); }  // INSTCFG

  // Stage 2 (§5.2). Absolute STE bit numbers in the comments.
  unsigned s2hwu() const { return static_cast<unsigned>(bits(word1, 75 - 64, 72 - 64)); }       // S2HWU59..62
  unsigned s2t0sz() const { return static_cast<unsigned>(bits(word2, 165 - 128, 160 - 128)); }  // [165:160]
  unsigned s2sl0() const { return static_cast<unsigned>(bits(word2, 167 - 128, 166 - 128)); }   // [167:166]
  unsigned s2sh0() const { return static_cast<unsigned>(bits(word2, 173 - 128, 172 - 128)); }   // [173:172]
  unsigned s2tg() const { return static_cast<unsigned>(bits(word2, 175 - 128, 174 - 128)); }    // [175:174]
  unsigned s2ps() const { return static_cast<unsigned>(bits(word2, 178 - 128, 176 - 128)); }    // [178:176]
  bool s2aa64() const { return bit(word2, 179 - 128); }
  bool s2endi() const { return bit(word2, 180 - 128); }
  bool s2affd() const { return bit(word2, 181 - 128); }
  bool s2ptw() const { return bit(word2, 182 - 128); }
  bool s2hd() const { return bit(word2, 183 - 128); }
  bool s2ha() const { return bit(word2, 184 - 128); }
  bool s2s() const { return bit(word2, 185 - 128); }
  bool s2r() const { return bit(word2, 186 - 128); }
  bool s2pie() const { return bit(word2, 188 - 128); }
  bool s2poe() const { return bit(word2, 189 - 128); }
  bool s2sl0_2() const { return bit(word3, 194 - 192); }
  bool s2ds() const { return bit(word3, 195 - 192); }
  uint64_t s2ttb() const { return word3 & mask(243 - 192, 196 - 192); }  // S2TTB [243:196] = address [51:4]

  static Ste read(const SparseMemory& memory, uint64_t addr) {
    uint64_t w[4];
    memory.read_words(addr, w, 4);
    return Ste{w[0], w[1], w[2], w[3]};
  }
};

// Config 0b1x1 needs IDR0.S1P, 0b11x needs IDR0.S2P (§5.2 Config). STRW = 0bx1 is reserved and ILLEGAL when
// IDR0.Hyp = 1 (otherwise STRW is RES0). Stage-1 stall legality is SMMU.CD.STALL, decided separately.
bool ste_config_illegal(const SmmuRegisters& regs, const Ste& ste);

}  // namespace vipcts::smmu
