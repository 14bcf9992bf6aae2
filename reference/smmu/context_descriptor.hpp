// Context Descriptor: decode of the 64-byte CD and its validity (Arm IHI 0070 G.b §5.4).
#pragma once

#include <cstdint>

#include "../common/sparse_memory.hpp"
#include "granule.hpp"
#include "registers.hpp"

namespace vipcts::smmu {

// Words 0..3 of the CD (bits [255:0]) carry every field the slice uses.
struct ContextDescriptor {
  uint64_t word[4] = {0, 0, 0, 0};

  // Word 0, bits [63:0].
  unsigned t0sz() const { return static_cast<unsigned>(bits(word[0], 5, 0)); }
  unsigned tg0() const { return static_cast<unsigned>(bits(word[0], 7, 6)); }  // 00 4K, 01 64K, 10 16K
  unsigned sh0() const { return static_cast<unsigned>(bits(word[0], 13, 12)); }
  bool epd0() const { return bit(word[0], 14); }
  bool endi() const { return bit(word[0], 15); }
  unsigned t1sz() const { return static_cast<unsigned>(bits(word[0], 21, 16)); }
  unsigned tg1() const { return static_cast<unsigned>(bits(word[0], 23, 22)); }  // 01 16K, 10 4K, 11 64K
  unsigned sh1() const { return static_cast<unsigned>(bits(word[0], 29, 28)); }
  bool epd1() const { return bit(word[0], 30); }
  bool v() const { return bit(word[0], 31); }
  unsigned ips() const { return static_cast<unsigned>(bits(word[0], 34, 32)); }
  bool affd() const { return bit(word[0], 35); }
  bool wxn() const { return bit(word[0], 36); }
  bool tbi0() const { return bit(word[0], 38); }
  bool tbi1() const { return bit(word[0], 39); }
  bool pan() const { return bit(word[0], 40); }
  bool aa64() const { return bit(word[0], 41); }
  bool hd() const { return bit(word[0], 42); }
  bool ha() const { return bit(word[0], 43); }
  bool s() const { return bit(word[0], 44); }
  bool r() const { return bit(word[0], 45); }
  bool a() const { return bit(word[0], 46); }
  unsigned asid() const { return static_cast<unsigned>(bits(word[0], 63, 48)); }
  // Word 1, bits [127:64].
  bool had0() const { return bit(word[1], 65 - 64); }
  bool e0pd0() const { return bit(word[1], 66 - 64); }
  uint64_t ttb0() const { return word[1] & mask(115 - 64, 68 - 64); }  // TTB0 [115:68] = address [51:4]
  bool epan() const { return bit(word[1], 123 - 64); }
  unsigned hwu0() const { return static_cast<unsigned>(bits(word[1], 127 - 64, 124 - 64)); }  // HWU059..062
  // Word 2, bits [191:128].
  bool had1() const { return bit(word[2], 129 - 128); }
  bool e0pd1() const { return bit(word[2], 130 - 128); }
  bool aie() const { return bit(word[2], 131 - 128); }
  uint64_t ttb1() const { return word[2] & mask(179 - 128, 132 - 128); }  // TTB1 [179:132] = address [51:4]
  bool ds() const { return bit(word[2], 186 - 128); }
  bool pie() const { return bit(word[2], 187 - 128); }
  unsigned hwu1() const { return static_cast<unsigned>(bits(word[2], 191 - 128, 188 - 128)); }  // HWU159..162
  // Word 3: MAIR = {MAIR1, MAIR0} = CD bits [255:192] as one 64-bit value.
  uint64_t mair() const { return word[3]; }

  static ContextDescriptor read(const SparseMemory& memory, uint64_t addr) {
    ContextDescriptor cd;
    memory.read_words(addr, cd.word, 4);
    return cd;
  }
};

// Whether IDR5 advertises the granule (GRAN4K [4], GRAN16K [5], GRAN64K [6]); Reserved never is.
bool granule_supported(const SmmuRegisters& regs, Granule g);

// CD.TxSZ minimum (§5.4 T0SZ, CDTxSZInvalid): 12 when IDR5.VAX != 0 and the granule is 64 KB or DS is in
// effect (52-bit VAs), 16 otherwise; the maximum is vmsa::txsz_max (granule.hpp).
constexpr unsigned kTxszMin = 16;
constexpr unsigned kTxszMin52 = 12;
constexpr unsigned txsz_min(bool vax, bool g64, bool ds) {
  return vax && (g64 || ds) ? kTxszMin52 : kTxszMin;
}

}  // namespace vipcts::smmu
