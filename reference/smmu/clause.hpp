// The clauses of spec/smmu.yaml that the model decides on. Each translation reports the set it exercised, so
// coverage is measured from what the model actually did. conformance/smmu checks this list against the YAML.
#pragma once

#include <bitset>
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
  S1_PERM_AP,                 // SMMU.S1.PERM.AP
  S1_PERM_EXECUTE,            // SMMU.S1.PERM.EXECUTE
  S1_FAULT_PRIORITY,          // SMMU.S1.FAULT_PRIORITY
  S1_ATTRIBUTES,              // SMMU.S1.ATTRIBUTES
  EVENT_FIELDS,               // SMMU.EVENT.FIELDS
  EVENT_RECORD_TERMINATE,     // SMMU.EVENT.RECORD_TERMINATE
  PBHA_S1_OUTPUT,             // SMMU.PBHA.S1_OUTPUT
  kCount
};

constexpr size_t kClauseCount = static_cast<size_t>(Clause::kCount);

// The stable id of a clause as spelled in spec/smmu.yaml.
std::string_view clause_id(Clause c);

class ClauseSet {
 public:
  void add(Clause c) { bits_.set(static_cast<size_t>(c)); }
  bool contains(Clause c) const { return bits_.test(static_cast<size_t>(c)); }
  bool empty() const { return bits_.none(); }
  template <typename F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < kClauseCount; ++i)
      if (bits_.test(i)) f(static_cast<Clause>(i));
  }
  bool operator==(const ClauseSet&) const = default;

 private:
  std::bitset<kClauseCount> bits_;
};

}  // namespace vipcts::smmu
