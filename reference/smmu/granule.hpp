// Translation granule geometry for VMSAv8-64 with 8-byte descriptors, any granule (4 KB, 16 KB, 64 KB), any
// stage: start level, per-level index, block size, where blocks are legal, stage-2 start level from S2SL0 and
// its legality, concatenated start tables, TxSZ limits and output-address extraction (52-bit included).
// Arm DDI 0487 M.a.a J1.1: AArch64.S1StartLevel, S1TTBaseAddress, S1TTEntryAddress, S2StartLevel,
// S2SLTTEntryAddress, S2InconsistentSL, S2InvalidSL, BlockDescSupported, S2LeafBase, NextTableBase;
// Arm IHI 0070 G.b §5.2 (S2T0SZ, S2SL0, S2TG, S2DS) and §5.4 (TxSZ, TGx).
//
// Everything here is constexpr and total over its documented domain: conformance/smmu/z3_proofs_test.cpp
// evaluates these functions on every point of that domain and proves them equal to the architecture's
// formulas written independently in bit-vector logic.
#pragma once

#include <cstdint>

#include "../common/bits.hpp"

namespace vipcts::smmu {

// The granule a TGx / S2TG field selects (each field has its own encoding: tg0_granule, tg1_granule,
// s2tg_granule).
enum class Granule : uint8_t { K4, K16, K64, Reserved };

// TG0 encoding 00 4K, 01 64K, 10 16K, 11 reserved; TG1 01 16K, 10 4K, 11 64K, 00 reserved (IHI 0070 §5.4);
// S2TG uses the TG0 encoding (§5.2 S2TG).
constexpr Granule tg0_granule(unsigned tg0) {
  constexpr Granule kTg0[4] = {Granule::K4, Granule::K64, Granule::K16, Granule::Reserved};
  return kTg0[tg0 & 3];
}
constexpr Granule tg1_granule(unsigned tg1) {
  constexpr Granule kTg1[4] = {Granule::Reserved, Granule::K16, Granule::K4, Granule::K64};
  return kTg1[tg1 & 3];
}
constexpr Granule s2tg_granule(unsigned s2tg) {
  return tg0_granule(s2tg);
}
// The `granule` field of spec/smmu.yaml witnesses: 0 = 4 KB, 1 = 16 KB, 2 = 64 KB (3 = reserved).
constexpr unsigned granule_code(Granule g) {
  return static_cast<unsigned>(g);
}

// The geometry lives in its own namespace: the stage-1 4 KB helpers of descriptor.hpp/walk.hpp predate it.
namespace vmsa {

constexpr int kFinalLevel = 3;
constexpr unsigned kDescSizeLog2 = 3;  // 8-byte descriptors (VMSAv9-128 is not modelled)

// log2 of the granule: 12, 14, 16 (TGxGranuleBits). Reserved has no geometry; callers reject it first.
constexpr unsigned granule_bits(Granule g) {
  return g == Granule::K16 ? 14u : g == Granule::K64 ? 16u : 12u;
}

// Input bits resolved per level: granule bits - log2(descriptor size) = 9, 11, 13.
constexpr unsigned granule_stride(Granule g) {
  return granule_bits(g) - kDescSizeLog2;
}

// Stage-1 start level: FINAL_LEVEL - ((iasize - 1 - granulebits) DIV stride) (J1.1 AArch64.S1StartLevel).
// Domain: granulebits + 1 <= ia_bits <= 52. 4 KB with DS and iasize 52 starts at level -1.
constexpr int s1_start_level(Granule g, unsigned ia_bits) {
  return kFinalLevel - static_cast<int>((ia_bits - 1 - granule_bits(g)) / granule_stride(g));
}

// log2 of the region one descriptor at `level` maps (TranslationSize): granulebits + stride * (3 - level).
// This is also the block (or page, at level 3) size.
constexpr unsigned level_shift(Granule g, int level) {
  return granule_bits(g) + granule_stride(g) * static_cast<unsigned>(kFinalLevel - level);
}

// The index of ia into the table at `level`: IA[msb:lsb], lsb = level_shift, msb = lsb + stride - 1 below the
// start level and iasize - 1 at the start level (J1.1 S1TTEntryAddress / S2SLTTEntryAddress; at stage 2 the
// extra top bits select one of the concatenated start tables).
constexpr uint64_t table_index(uint64_t ia, Granule g, unsigned ia_bits, int level, int start_level) {
  const unsigned lsb = level_shift(g, level);
  const unsigned msb = level == start_level ? ia_bits - 1 : lsb + granule_stride(g) - 1;
  return bits(ia, msb, lsb);
}

// Whether a block descriptor (type 0b01) is legal at `level` (J1.1 AArch64.BlockDescSupported, 8-byte
// descriptors): 4K at L1/L2 (L0 with DS), 16K at L2 (L1 with DS), 64K at L2 (L1 when PAMax >= 52; for the
// SMMU the role of PAMax is played by IDR5.OAS, IHI 0070 §3.4). Level 3 type 0b01 is reserved; type 0b11 at
// level 3 is a page.
constexpr bool block_allowed(Granule g, int level, bool ds, unsigned pamax_bits) {
  switch (g) {
    case Granule::K4:
      return level == 1 || level == 2 || (level == 0 && ds);
    case Granule::K16:
      return level == 2 || (level == 1 && ds);
    case Granule::K64:
      return level == 2 || (level == 1 && pamax_bits >= 52);
    case Granule::Reserved:
      break;
  }
  return false;
}

// Largest output address a descriptor can express: 52 bits with 64 KB (FEAT_LPA) or DS, 48 otherwise
// (DDI 0487 AArch64.PhysicalAddressSize; IHI 0070 §5.4 IPS, §5.2 S2PS).
constexpr unsigned descriptor_oa_limit(Granule g, bool ds) {
  return (g == Granule::K64 || ds) ? 52u : 48u;
}

// Effective output size of a stage: MIN(field, OAS), then capped by what the descriptors can express.
constexpr unsigned effective_output_bits(unsigned field_bits, unsigned oas_bits, Granule g, bool ds) {
  const unsigned eff = field_bits < oas_bits ? field_bits : oas_bits;
  const unsigned lim = descriptor_oa_limit(g, ds);
  return eff < lim ? eff : lim;
}

// The OA of a block or page descriptor at `level` (J1.1 AArch64.S1LeafBase / S2LeafBase): bits
// [47:level_shift] (lower bits RES0, treated as zero), plus OA[51:48] from bits [15:12] for 64 KB when 52-bit
// output is in effect, or from bits {[9:8],[49:48]} with DS.
constexpr uint64_t leaf_base(uint64_t desc, Granule g, int level, bool ds, bool lpa64) {
  uint64_t base = desc & mask(47, level_shift(g, level));
  if (g == Granule::K64 && lpa64)
    base |= bits(desc, 15, 12) << 48;
  else if (ds)
    base |= (bits(desc, 9, 8) << 50) | (bits(desc, 49, 48) << 48);
  return base;
}

// The next-level table address of a table descriptor (J1.1 AArch64.NextTableBase): bits [47:granulebits],
// with the same 52-bit extensions as leaf_base.
constexpr uint64_t next_table_base(uint64_t desc, Granule g, bool ds, bool lpa64) {
  uint64_t base = desc & mask(47, granule_bits(g));
  if (g == Granule::K64 && lpa64)
    base |= bits(desc, 15, 12) << 48;
  else if (ds)
    base |= (bits(desc, 9, 8) << 50) | (bits(desc, 49, 48) << 48);
  return base;
}

// Alignment (log2 bytes) of the start-level table: iasize - (levels*stride + granulebits) + 3, at least 6
// with 52-bit output (J1.1 S1TTBaseAddress / S2TTBaseAddress; IHI 0070 §5.2 S2TTB). With concatenation at
// stage 2 this covers all the concatenated tables.
constexpr unsigned start_table_align_bits(Granule g, unsigned ia_bits, int start_level, bool oa52) {
  const unsigned levels = static_cast<unsigned>(kFinalLevel - start_level);
  const unsigned tsize = ia_bits - (levels * granule_stride(g) + granule_bits(g)) + kDescSizeLog2;
  return oa52 && tsize < 6 ? 6 : tsize;
}

// ---- TxSZ limits (IHI 0070 §5.4 T0SZ and §5.2 S2T0SZ, SMMUv3.1 and later).
// Maximum: 39 without IDR3.STT; with STT 48 for 4K/16K and 47 for 64K.
constexpr unsigned txsz_max(Granule g, bool stt) {
  return !stt ? 39u : g == Granule::K64 ? 47u : 48u;
}
// Minimum: MAX(16, 64 - ias) for 4K/16K without DS, MAX(12, 64 - ias) otherwise (64K, or DS). For stage 1 the
// SMMU bounds VA size by IDR5.VAX instead; callers pass ias = 48 or 52 accordingly.
constexpr unsigned txsz_min(Granule g, bool ds, unsigned ias_bits) {
  const unsigned floor = (g == Granule::K64 || ds) ? 12u : 16u;
  const unsigned by_ias = 64 - ias_bits;
  return by_ias > floor ? by_ias : floor;
}

// ---- Stage 2 start level (J1.1 AArch64.S2StartLevel): from {SL2, SL0} and the granule.
// 4K: 000 L2, 001 L1, 010 L0, 011 L3, 100 L-1; 16K: 00 L3, 01 L2, 10 L1, 11 L0; 64K: 00 L3, 01 L2, 10 L1.
// kNoLevel marks encodings with no level (4K 1x1/11x, 64K 11); S2InvalidSL rejects them.
constexpr int kNoLevel = -9;
constexpr int s2_start_level(Granule g, unsigned sl0, bool sl2) {
  sl0 &= 3;
  switch (g) {
    case Granule::K4:
      if (sl2) return sl0 == 0 ? -1 : kNoLevel;
      return sl0 == 0 ? 2 : sl0 == 1 ? 1 : sl0 == 2 ? 0 : 3;
    case Granule::K16:
      return sl2 ? kNoLevel : 3 - static_cast<int>(sl0);
    case Granule::K64:
      return sl2 || sl0 == 3 ? kNoLevel : 3 - static_cast<int>(sl0);
    case Granule::Reserved:
      break;
  }
  return kNoLevel;
}

// J1.1 AArch64.S2InvalidSL, with PAMax = OAS for the SMMU and FEAT_TTST = IDR3.STT.
// 4K: {SL2,SL0} 1x1 and 11x invalid; 100 needs PAMax 52; 010 (L0) needs PAMax >= 44; 011 (L3) needs TTST.
// 16K: 11 (L0) needs DS and PAMax 52; 10 (L1) needs PAMax >= 42. 64K: 11 invalid; 10 (L1) needs PAMax >= 44.
constexpr bool s2_invalid_sl(Granule g, unsigned sl0, bool sl2, bool ds, unsigned pamax_bits, bool ttst) {
  sl0 &= 3;
  switch (g) {
    case Granule::K4:
      if (sl2) return sl0 != 0 || pamax_bits < 52;
      if (sl0 == 2) return pamax_bits < 44;
      if (sl0 == 3) return !ttst;
      return false;
    case Granule::K16:
      if (sl2) return true;  // SL2 exists for 4K only (RES0 otherwise): treated as an invalid encoding
      if (sl0 == 3) return !ds || pamax_bits < 52;
      if (sl0 == 2) return pamax_bits < 42;
      return false;
    case Granule::K64:
      if (sl2) return true;
      if (sl0 == 3) return true;
      if (sl0 == 2) return pamax_bits < 44;
      return false;
    case Granule::Reserved:
      break;
  }
  return true;
}

// J1.1 AArch64.S2InconsistentSL: with levels = 3 - start, the input size must lie in
// [levels*stride + granulebits + 1, that + (stride - 1) + 4]; the "+4" admits up to 16 concatenated tables.
constexpr bool s2_inconsistent_sl(Granule g, int start_level, unsigned ia_bits) {
  const unsigned levels = static_cast<unsigned>(kFinalLevel - start_level);
  const unsigned lo = levels * granule_stride(g) + granule_bits(g) + 1;
  const unsigned hi = lo + (granule_stride(g) - 1) + 4;
  return ia_bits < lo || ia_bits > hi;
}

// Number of concatenated start-level tables: 2^(iasize - level_shift(start) - stride) when positive, else 1.
constexpr unsigned s2_concatenated_tables(Granule g, int start_level, unsigned ia_bits) {
  const unsigned covered = level_shift(g, start_level) + granule_stride(g);
  return ia_bits > covered ? 1u << (ia_bits - covered) : 1u;
}

}  // namespace vmsa
}  // namespace vipcts::smmu
