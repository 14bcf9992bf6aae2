// Page-Based Hardware Attributes (PBHA): leaf descriptor bits [62:59] that an implementation may carry with
// the access for IMPLEMENTATION DEFINED purposes (Arm DDI 0487 M.a.a D8.7.2 FEAT_HPDS2; Arm IHI 0070 G.b §5.2
// S2HWU59..62 and S2POE, §5.4 HAD0/HAD1 and HWU059..062/HWU159..162, §6.3.4 SMMU_IDR3.PBHA).
//
// Clauses SMMU.PBHA.*: where each stage's PBHA comes from (leaves only, never table descriptors), which
// enables gate it, that PBHA never changes the output address, the permissions or the fault, and how the two
// stages combine. The architecture does not define the combination; it is a profile parameter (PbhaCombine).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "../common/bits.hpp"

namespace vipcts::smmu {

constexpr unsigned kPbhaLsb = 59;  // descriptor bits [62:59] = PBHA[3:0]

// The four PBHA bits of a leaf descriptor, whether or not they are enabled.
constexpr uint8_t leaf_pbha_bits(uint64_t leaf_desc) {
  return static_cast<uint8_t>(bits(leaf_desc, 62, kPbhaLsb));
}

// Stage-1 enables for the TTBx a translation used: bit n of the result enables descriptor bit 59+n. A bit
// counts only when SMMU_IDR3.PBHA = 1, CD.HADx = 1 (HADx is itself IGNORED unless IDR3.HAD = 1; IDR3.PBHA = 1
// requires IDR3.HAD = 1) and CD.HWUx(59+n) = 1. The HWU fields are CD bits [127:124] for TTB0 and [191:188]
// for TTB1.
constexpr uint8_t s1_pbha_enables(bool idr3_pbha, bool idr3_had, bool hadx, unsigned hwux) {
  return (idr3_pbha && idr3_had && hadx) ? static_cast<uint8_t>(hwux & 0xf) : uint8_t{0};
}

// Stage-2 enables: SMMU_IDR3.PBHA = 1 and STE.S2HWU(59+n) = 1 (STE bits [75:72]); no HAD dependency at stage
// 2 (§5.2 S2HWU59 note).
constexpr uint8_t s2_pbha_enables(bool idr3_pbha, unsigned s2hwu) {
  return idr3_pbha ? static_cast<uint8_t>(s2hwu & 0xf) : uint8_t{0};
}

// Any S2HWU bit set together with STE.S2POE = 1 is ILLEGAL: C_BAD_STE (§5.2 S2POE). S2POE is RES0 without
// SMMU_IDR3.S2PO [20], so only an implementation advertising S2PO can reach this.
constexpr bool s2hwu_with_s2poe_illegal(bool idr3_s2po, bool s2poe, unsigned s2hwu) {
  return idr3_s2po && s2poe && (s2hwu & 0xf) != 0;
}

// How an implementation combines stage-1 and stage-2 PBHA for a nested translation. Neither Arm IHI 0070 nor
// DDI 0487 defines it; Arm's cores are reported to let stage 2 win (J. Morse, "arm64: mm: Prototype to allow
// drivers to request PBHA values", RFC, 2021-10-15). An implementation declares its rule in its profile
// (`pbha-combine=stage2-wins|or|impdef`); with impdef the output PBHA of nested translations is not compared.
enum class PbhaCombine : uint8_t { Stage2Wins, Or, ImpDef };

std::string_view pbha_combine_name(PbhaCombine c);
bool parse_pbha_combine(std::string_view name, PbhaCombine& out);

// The PBHA value of one stage: the leaf's bits masked by that stage's enables (disabled bits are IGNORED at
// stage 1 and RES0 at stage 2 [62:60]; either way they do not reach the output).
constexpr uint8_t stage_pbha(uint64_t leaf_desc, uint8_t enables) {
  return static_cast<uint8_t>(leaf_pbha_bits(leaf_desc) & enables);
}

// The PBHA output of a translation. Only one stage translating: that stage's value. Both: per the rule; stage
// 2 wins means bit n is the stage-2 bit when stage 2 enables it, else the stage-1 bit when stage 1 enables
// it, else 0; OR ORs the two enabled values. nullopt: IMPLEMENTATION DEFINED, not compared.
constexpr std::optional<uint8_t> combine_pbha(PbhaCombine rule, uint8_t s1_value, uint8_t s1_enables,
                                              uint8_t s2_value, uint8_t s2_enables) {
  const uint8_t s1 = s1_value & s1_enables;
  const uint8_t s2 = s2_value & s2_enables;
  if (s1_enables == 0) return s2;
  if (s2_enables == 0) return s1;
  switch (rule) {
    case PbhaCombine::Stage2Wins:
      return static_cast<uint8_t>(s2 | (s1 & ~s2_enables & 0xf));
    case PbhaCombine::Or:
      return static_cast<uint8_t>(s1 | s2);
    case PbhaCombine::ImpDef:
      break;
  }
  return std::nullopt;
}

}  // namespace vipcts::smmu
