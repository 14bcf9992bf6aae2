#include "clause.hpp"

#include <array>

namespace vipcts::smmu {

namespace {
// Same order as enum Clause; spec/smmu.yaml lists the same ids in the same order (checked by conformance).
constexpr std::array<std::string_view, kClauseCount> kClauseIds = {
    "SMMU.GBPA.SMMU_DISABLED",
    "SMMU.STRTAB.SID_RANGE",
    "SMMU.STRTAB.LINEAR.STE_ADDRESS",
    "SMMU.STE.VALID",
    "SMMU.STE.CONFIG",
    "SMMU.STE.BYPASS",
    "SMMU.STE.SUBSTREAM",
    "SMMU.STE.CD_ADDRESS",
    "SMMU.CD.VALID",
    "SMMU.CD.AA64",
    "SMMU.CD.TXSZ_RANGE",
    "SMMU.CD.TG",
    "SMMU.CD.IPS_EFFECTIVE",
    "SMMU.CD.TTB_RANGE",
    "SMMU.CD.HTTU",
    "SMMU.CD.STALL",
    "SMMU.S1.TTB_SELECT",
    "SMMU.S1.EPD",
    "SMMU.S1.INPUT_RANGE",
    "SMMU.S1.WALK.START_LEVEL",
    "SMMU.S1.WALK.INDEX",
    "SMMU.S1.DESC.INVALID",
    "SMMU.S1.DESC.TABLE",
    "SMMU.S1.DESC.BLOCK_LEVEL",
    "SMMU.S1.DESC.L3_RESERVED",
    "SMMU.S1.OUTPUT_ADDRESS",
    "SMMU.S1.ADDR_SIZE.TABLE",
    "SMMU.S1.ADDR_SIZE.LEAF",
    "SMMU.S1.AF.FAULT",
    "SMMU.S1.AF.UPDATE",
    "SMMU.S1.DIRTY",
    "SMMU.S1.PERM.AP",
    "SMMU.S1.PERM.EXECUTE",
    "SMMU.S1.FAULT_PRIORITY",
    "SMMU.S1.ATTRIBUTES",
    "SMMU.EVENT.FIELDS",
    "SMMU.EVENT.RECORD_TERMINATE",
    "SMMU.PBHA.S1_OUTPUT",
    "SMMU.STE.S2.TG",
    "SMMU.STE.S2.T0SZ",
    "SMMU.STE.S2.SL0",
    "SMMU.STE.S2.CONCAT",
    "SMMU.STE.S2.PS_EFFECTIVE",
    "SMMU.STE.S2.TTB_RANGE",
    "SMMU.STE.S2.MISC",
    "SMMU.S2.S1_BYPASS_INPUT",
    "SMMU.S2.INPUT_RANGE",
    "SMMU.S2.WALK.INDEX",
    "SMMU.S2.DESC",
    "SMMU.S2.ADDR_SIZE",
    "SMMU.S2.OUTPUT_ADDRESS",
    "SMMU.S2.AF",
    "SMMU.S2.PERM",
    "SMMU.S2.PTW",
    "SMMU.S2.FAULT_PRIORITY",
    "SMMU.EVENT.S2_FIELDS",
    "SMMU.EVENT.S2_RECORD",
    "SMMU.NESTED.CD_FETCH",
    "SMMU.NESTED.TABLE_WALK",
    "SMMU.NESTED.PERMISSION",
    "SMMU.PBHA.S2_OUTPUT",
    "SMMU.PBHA.S2POE",
    "SMMU.PBHA.COMBINE",
    "SMMU.STRTAB.FMT",
    "SMMU.STRTAB.L1STD_ADDRESS",
    "SMMU.STRTAB.L1STD_SPAN",
    "SMMU.STRTAB.L2_STE_ADDRESS",
    "SMMU.STE.S1CDMAX",
    "SMMU.STE.S1FMT",
    "SMMU.STE.S1DSS",
    "SMMU.CD.TABLE.LINEAR",
    "SMMU.CD.TABLE.L1CD_ADDRESS",
    "SMMU.CD.TABLE.L2_CD",
    "SMMU.S2.DS.SHAREABILITY",
    "SMMU.EVENT.STALL",
};
}  // namespace

std::string_view clause_id(Clause c) {
  const auto i = static_cast<size_t>(c);
  return i < kClauseCount ? kClauseIds[i] : std::string_view{};
}

}  // namespace vipcts::smmu
