// VMSAv8-64 stage-1 translation table descriptor fields, 4 KB granule, DS = 0
// (Arm DDI 0487 M.a.a D8.3, Tables D8-48 and D8-50..53; J1.1 AArch64.NextTableBase / S1LeafBase).
#pragma once

#include <cstdint>

#include "../common/bits.hpp"

namespace vipcts::smmu {

constexpr unsigned kGranuleBits = 12;  // 4 KB granule
constexpr unsigned kStride = 9;        // granule bits - log2(8-byte descriptor)
constexpr unsigned kFinalLevel = 3;

// Descriptor type, bits [1:0]. x0 is invalid at every level; 01 is a block at levels 0-2 (allowed only at L1
// and L2 without DS) and reserved at level 3; 11 is a table at levels 0-2 and a page at level 3.
inline unsigned desc_type(uint64_t d) {
  return static_cast<unsigned>(bits(d, 1, 0));
}
inline bool desc_valid(uint64_t d) {
  return bit(d, 0);
}

// Table descriptor: next-level table address [47:12] (J1.1 AArch64.NextTableBase, TGx_4KB) and the
// hierarchical controls [63] NSTable, [62:61] APTable, [60] UXNTable, [59] PXNTable (IGNORED when CD.HADx =
// 1).
inline uint64_t desc_next_table(uint64_t d) {
  return d & mask(47, 12);
}
inline unsigned desc_ap_table(uint64_t d) {
  return static_cast<unsigned>(bits(d, 62, 61));
}
inline bool desc_uxn_table(uint64_t d) {
  return bit(d, 60);
}
inline bool desc_pxn_table(uint64_t d) {
  return bit(d, 59);
}

// Block/page descriptor fields, stage 1.
inline unsigned desc_attr_indx(uint64_t d) {
  return static_cast<unsigned>(bits(d, 4, 2));
}
inline unsigned desc_ap(uint64_t d) {
  return static_cast<unsigned>(bits(d, 7, 6));
}  // AP[2:1]
inline unsigned desc_sh(uint64_t d) {
  return static_cast<unsigned>(bits(d, 9, 8));
}
inline bool desc_af(uint64_t d) {
  return bit(d, 10);
}
inline bool desc_pxn(uint64_t d) {
  return bit(d, 53);
}
inline bool desc_uxn(uint64_t d) {
  return bit(d, 54);
}
// DBM (Dirty Bit Modifier, leaf bit 51): with hardware dirty-state management AP[2] = 1 means writable-clean.
inline bool desc_dbm(uint64_t d) {
  return bit(d, 51);
}
constexpr unsigned kDescAfBit = 10;
constexpr unsigned kDescAp2Bit = 7;

// log2 of the region one descriptor maps at `level`: 39, 30, 21, 12.
constexpr unsigned level_shift(unsigned level) {
  return kGranuleBits + kStride * (kFinalLevel - level);
}

// Output address of a block or page at `level` (J1.1 AArch64.S1LeafBase + StageOA): descriptor OA bits
// [47:level_shift] (bits below are RES0 in a block and treated as zero), low bits from the input address.
inline uint64_t leaf_output_address(uint64_t d, unsigned level, uint64_t va) {
  const unsigned shift = level_shift(level);
  return (d & mask(47, shift)) | (va & mask(shift - 1, 0));
}

}  // namespace vipcts::smmu
