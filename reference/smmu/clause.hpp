// The clauses of spec/smmu.yaml that the model decides on. Each translation reports the set it exercised, so
// coverage is measured from what the model actually did. conformance/smmu checks this list against the YAML.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace vipcts::smmu {

enum class Clause : uint8_t {
  GBPA_SMMU_DISABLED,         // SMMU.GBPA.SMMU_DISABLED
  STRTAB_SID_RANGE,           // SMMU.STRTAB.SID_RANGE
  STRTAB_LINEAR_STE_ADDRESS,  // SMMU.STRTAB.LINEAR.STE_ADDRESS
  STE_VALID,                  // SMMU.STE.VALID
  STE_CONFIG,                 // SMMU.STE.CONFIG
  STE_BYPASS,                 // SMMU.STE.BYPASS
  STE_SUBSTREAM,              // SMMU.STE.SUBSTREAM
  STE_CD_ADDRESS,             // SMMU.STE.CD_ADDRESS
  CD_VALID,                   // SMMU.CD.VALID
  CD_AA64,                    // SMMU.CD.AA64
  CD_TXSZ_RANGE,              // SMMU.CD.TXSZ_RANGE
  CD_TG,                      // SMMU.CD.TG
  CD_IPS_EFFECTIVE,           // SMMU.CD.IPS_EFFECTIVE
  CD_TTB_RANGE,               // SMMU.CD.TTB_RANGE
  CD_HTTU,                    // SMMU.CD.HTTU
  CD_STALL,                   // SMMU.CD.STALL
  S1_TTB_SELECT,              // SMMU.S1.TTB_SELECT
  S1_EPD,                     // SMMU.S1.EPD
  S1_INPUT_RANGE,             // SMMU.S1.INPUT_RANGE
  S1_WALK_START_LEVEL,        // SMMU.S1.WALK.START_LEVEL
  S1_WALK_INDEX,              // SMMU.S1.WALK.INDEX
  S1_DESC_INVALID,            // SMMU.S1.DESC.INVALID
  S1_DESC_TABLE,              // SMMU.S1.DESC.TABLE
  S1_DESC_BLOCK_LEVEL,        // SMMU.S1.DESC.BLOCK_LEVEL
  S1_DESC_L3_RESERVED,        // SMMU.S1.DESC.L3_RESERVED
  S1_OUTPUT_ADDRESS,          // SMMU.S1.OUTPUT_ADDRESS
  S1_ADDR_SIZE_TABLE,         // SMMU.S1.ADDR_SIZE.TABLE
  S1_ADDR_SIZE_LEAF,          // SMMU.S1.ADDR_SIZE.LEAF
  S1_AF_FAULT,                // SMMU.S1.AF.FAULT
  S1_AF_UPDATE,               // SMMU.S1.AF.UPDATE
  S1_DIRTY,                   // SMMU.S1.DIRTY
  S1_PERM_AP,                 // SMMU.S1.PERM.AP
  S1_PERM_EXECUTE,            // SMMU.S1.PERM.EXECUTE
  S1_FAULT_PRIORITY,          // SMMU.S1.FAULT_PRIORITY
  S1_ATTRIBUTES,              // SMMU.S1.ATTRIBUTES
  EVENT_FIELDS,               // SMMU.EVENT.FIELDS
  EVENT_RECORD_TERMINATE,     // SMMU.EVENT.RECORD_TERMINATE
  PBHA_S1_OUTPUT,             // SMMU.PBHA.S1_OUTPUT
  STE_S2_TG,                  // SMMU.STE.S2.TG
  STE_S2_T0SZ,                // SMMU.STE.S2.T0SZ
  STE_S2_SL0,                 // SMMU.STE.S2.SL0
  STE_S2_CONCAT,              // SMMU.STE.S2.CONCAT
  STE_S2_PS_EFFECTIVE,        // SMMU.STE.S2.PS_EFFECTIVE
  STE_S2_TTB_RANGE,           // SMMU.STE.S2.TTB_RANGE
  STE_S2_MISC,                // SMMU.STE.S2.MISC
  S2_S1_BYPASS_INPUT,         // SMMU.S2.S1_BYPASS_INPUT
  S2_INPUT_RANGE,             // SMMU.S2.INPUT_RANGE
  S2_WALK_INDEX,              // SMMU.S2.WALK.INDEX
  S2_DESC,                    // SMMU.S2.DESC
  S2_ADDR_SIZE,               // SMMU.S2.ADDR_SIZE
  S2_OUTPUT_ADDRESS,          // SMMU.S2.OUTPUT_ADDRESS
  S2_AF,                      // SMMU.S2.AF
  S2_PERM,                    // SMMU.S2.PERM
  S2_PTW,                     // SMMU.S2.PTW
  S2_FAULT_PRIORITY,          // SMMU.S2.FAULT_PRIORITY
  EVENT_S2_FIELDS,            // SMMU.EVENT.S2_FIELDS
  EVENT_S2_RECORD,            // SMMU.EVENT.S2_RECORD
  NESTED_CD_FETCH,            // SMMU.NESTED.CD_FETCH
  NESTED_TABLE_WALK,          // SMMU.NESTED.TABLE_WALK
  NESTED_PERMISSION,          // SMMU.NESTED.PERMISSION
  PBHA_S2_OUTPUT,             // SMMU.PBHA.S2_OUTPUT
  PBHA_S2POE,                 // SMMU.PBHA.S2POE
  PBHA_COMBINE,               // SMMU.PBHA.COMBINE
  STRTAB_FMT,                 // SMMU.STRTAB.FMT
  STRTAB_L1STD_ADDRESS,       // SMMU.STRTAB.L1STD_ADDRESS
  STRTAB_L1STD_SPAN,          // SMMU.STRTAB.L1STD_SPAN
  STRTAB_L2_STE_ADDRESS,      // SMMU.STRTAB.L2_STE_ADDRESS
  STE_S1CDMAX,                // SMMU.STE.S1CDMAX
  STE_S1FMT,                  // SMMU.STE.S1FMT
  STE_S1DSS,                  // SMMU.STE.S1DSS
  CD_TABLE_LINEAR,            // SMMU.CD.TABLE.LINEAR
  CD_TABLE_L1CD_ADDRESS,      // SMMU.CD.TABLE.L1CD_ADDRESS
  CD_TABLE_L2_CD,             // SMMU.CD.TABLE.L2_CD
  S2_DS_SHAREABILITY,         // SMMU.S2.DS.SHAREABILITY
  EVENT_STALL,                // SMMU.EVENT.STALL
  kCount
};

constexpr size_t kClauseCount = static_cast<size_t>(Clause::kCount);

// The stable id of a clause as spelled in spec/smmu.yaml.
std::string_view clause_id(Clause c);

// A set of clauses as plain words: add() runs for every decision on the fast path, so no bounds check.
class ClauseSet {
 public:
  void add(Clause c) {
    const auto i = static_cast<size_t>(c);
    words_[i / 64] |= uint64_t{1} << (i % 64);
  }
  bool contains(Clause c) const {
    const auto i = static_cast<size_t>(c);
    return (words_[i / 64] >> (i % 64)) & 1;
  }
  bool empty() const {
    for (uint64_t w : words_)
      if (w != 0) return false;
    return true;
  }
  template <typename F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < kClauseCount; ++i)
      if (contains(static_cast<Clause>(i))) f(static_cast<Clause>(i));
  }
  bool operator==(const ClauseSet&) const = default;

 private:
  std::array<uint64_t, (kClauseCount + 63) / 64> words_{};
};

}  // namespace vipcts::smmu
