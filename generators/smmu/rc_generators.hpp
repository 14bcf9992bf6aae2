// RapidCheck generators for SMMU scenarios: a stage-1-only SMMUv3 profile (IDR0.S1P=1, S2P=0, TTF=AArch64,
// STALL_MODEL=01, GRAN4K only; a linear stream table, or a 2-level one with two_level_scenario()) with random STEs, CDs and 4 KB-granule tables, about 70 %
// well-formed and 30 % with one deliberate defect, and transactions aimed mostly at what is mapped.
#pragma once

#include <rapidcheck.h>

#include "generate.hpp"

namespace vipcts::smmu::gen {

// The memory map every generated scenario uses; all of it is below 4 GB so it is inside every OAS (>= 32 bits).
constexpr uint64_t kStrtabBase = 0x1000'0000;
constexpr uint64_t kCdBase = 0x1100'0000;   // CD of stream i at kCdBase + 0x1000 * i
constexpr uint64_t kTableBase = 0x2000'0000;  // translation tables, allocated upwards
constexpr uint64_t kCdTableBase = 0x4000'0000;  // CD tables (linear or level 1), 64 MB apart

// The defects a malformed scenario carries (one each). The comment names the clause it is aimed at.
enum class Defect : uint8_t {
  None,
  SteInvalid,        // STE.V = 0 (SMMU.STE.VALID)
  SteConfig,         // Config reserved, 000 abort, or a stage 2 that is not implemented (SMMU.STE.CONFIG)
  SubstreamNoCds,    // SSV = 1 with S1CDMax = 0 (SMMU.STE.SUBSTREAM)
  CdInvalid,         // CD.V = 0 (SMMU.CD.VALID)
  CdAa32,            // CD.AA64 = 0 (SMMU.CD.AA64)
  CdTxszRange,       // T0SZ/T1SZ outside 16..39 for an enabled TTB (SMMU.CD.TXSZ_RANGE)
  CdTg,              // TG0 64K/16K (not implemented) or reserved (SMMU.CD.TG)
  CdTtbRange,        // TTB0/TTB1 beyond the effective IPS (SMMU.CD.TTB_RANGE)
  CdHttu,            // HA/HD beyond IDR0.HTTU (SMMU.CD.HTTU)
  CdStall,           // CD.S = 1 with STALL_MODEL = 01 (SMMU.CD.STALL)
  DescInvalid,       // descriptor bit 0 clear at a random level (SMMU.S1.DESC.INVALID)
  DescL3Block,       // type 01 at level 3 (SMMU.S1.DESC.L3_RESERVED)
  DescL0Block,       // a block descriptor at level 0 (SMMU.S1.DESC.BLOCK_LEVEL)
  TableAddrSize,     // next-level table address >= 2^eff_IPS (SMMU.S1.ADDR_SIZE.TABLE)
  LeafAddrSize,      // leaf OA >= 2^eff_IPS (SMMU.S1.ADDR_SIZE.LEAF)
  BadStreamId,       // SIDs >= 2^LOG2SIZE (SMMU.STRTAB.SID_RANGE)
  NonCanonical,      // input addresses outside both TTB ranges (SMMU.S1.INPUT_RANGE)
  L1StdInvalid,      // 2-level: stream 0's L1STD Span 0, reserved, or beyond SPLIT + 1 (SMMU.STRTAB.L1STD_SPAN)
  SidBeyondSpan,     // 2-level: SIDs under stream 0's L1STD beyond its Span (SMMU.STRTAB.L1STD_SPAN)
  kCount
};

// A whole scenario without id, clauses and features (finish_scenario() adds those).
rc::Gen<ScenarioSpec> scenario(unsigned ops_per_scenario);
// The same SMMU profile with a 2-level Stream table (IDR0.ST_LEVEL = 0b01, FMT = 2-level, SPLIT 6/8/10 or
// reserved), any defect including the L1STD ones.
rc::Gen<ScenarioSpec> two_level_scenario(unsigned ops_per_scenario);
// SubstreamIDs: IDR1.SSIDSIZE (sometimes 0), IDR0.CD2L, STEs with S1CDMax != 0 and linear or 2-level CD
// tables, every S1DSS, transactions with and without a SubstreamID (in range, beyond 2^S1CDMax, 0), about 45
// % with one defect (S1CDMax above SSIDSIZE, 2-level without CD2L, L1CD.V = 0, an invalid CD, SubstreamID 0
// with S1DSS 0b10).
rc::Gen<ScenarioSpec> substream_scenario(unsigned ops_per_scenario);
rc::Gen<ScenarioSpec> scenario_with(Defect defect, unsigned ops_per_scenario);
rc::Gen<SmmuRegisters> registers();

}  // namespace vipcts::smmu::gen
