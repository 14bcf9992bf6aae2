// SubstreamIDs and Context descriptor tables: which CD a transaction uses and where it is (Arm IHI 0070 G.b
// §3.3.2, §5.2 S1Fmt/S1CDMax/S1DSS, §5.3 L1CD, §7.3.7, §7.3.9).
#pragma once

#include <cstdint>

#include "registers.hpp"
#include "ste.hpp"

namespace vipcts::smmu {

// ---- STE fields (SMMU.STE.S1CDMAX, SMMU.STE.S1FMT, SMMU.STE.SUBSTREAM, SMMU.STE.S1DSS)

// S1CDMax as the SMMU uses it: IGNORED (one CD) when IDR1.SSIDSIZE = 0 (§5.2 S1CDMax).
unsigned effective_s1cdmax(const SmmuRegisters& regs, const Ste& ste);

// S1CDMax above IDR1.SSIDSIZE is ILLEGAL (C_BAD_STE); with SSIDSIZE = 0 the field is IGNORED (§5.2 S1CDMax
// and the STE validity pseudocode).
bool s1cdmax_illegal(const SmmuRegisters& regs, const Ste& ste);

// With substreams in use, S1Fmt 0b01/0b10 (2-level CD tables) is ILLEGAL without IDR0.CD2L (§5.2 S1Fmt).
bool s1fmt_illegal(const SmmuRegisters& regs, const Ste& ste);

// The SubstreamID bits a level-2 CD table covers: 6 for S1Fmt 0b01 (4 KB leaf tables of 64 CDs), 10 for 0b10
// (64 KB leaf tables of 1024 CDs), 0 for a linear table (0b00, and the reserved 0b11 which behaves as 0b00).
unsigned cd_table_split(unsigned s1fmt);

// SSV = 1 is C_BAD_SUBSTREAMID when stage 1 does not translate, substreams are off (effective S1CDMax = 0) or
// the SubstreamID is at or above 2^S1CDMax (§5.2 S1CDMax, §7.3.9).
bool substream_bad(bool stage1, unsigned eff_s1cdmax, bool ssv, uint32_t ssid);

// What S1DSS makes of a transaction when substreams are in use (§5.2 S1DSS, §7.3.7): without a SubstreamID,
// 0b00 (and the reserved 0b11) terminates with F_STREAM_DISABLED, 0b01 bypasses stage 1 and 0b10 uses CD 0;
// with S1DSS = 0b10 SubstreamID 0 is reserved for that traffic, so SSV = 1 with SubstreamID 0 is
// F_STREAM_DISABLED too. Everything else uses the CD of its SubstreamID.
enum class DefaultSubstream : uint8_t { UseCd, StreamDisabled, BypassStage1 };
DefaultSubstream default_substream(unsigned s1dss, bool ssv, uint32_t ssid);

// ---- Table addresses (SMMU.CD.TABLE.LINEAR, SMMU.CD.TABLE.L1CD_ADDRESS, SMMU.CD.TABLE.L2_CD)

// Linear table of 2^S1CDMax CDs at S1ContextPtr: CD `index` at S1ContextPtr + 64 * index (§5.2 S1Fmt 0b00).
uint64_t linear_cd_address(const Ste& ste, uint32_t index);

// The L1CD of `index` in a 2-level table: S1ContextPtr + 8 * index[S1CDMax-1:SPLIT] (§5.2 S1Fmt 0b01/0b10).
uint64_t l1cd_address(const Ste& ste, unsigned split, uint32_t index);

// Whether S1ContextPtr has bits set that are RES0 because the table (linear, or the level-1 array) is aligned
// to its size: S1ContextPtr[S1CDMax+5:6] (linear), [S1CDMax-SPLIT+2:6] (2-level). What the SMMU does then is
// CONSTRAINED UNPREDICTABLE (§5.2 S1Fmt).
bool cd_table_ptr_misaligned(const Ste& ste, unsigned eff_s1cdmax, unsigned split);

// Level 1 Context Descriptor, 8 bytes (§5.3): V [0], L2Ptr [55:12].
struct L1Cd {
  uint64_t raw = 0;
  bool v() const { return bit(raw, 0); }
  uint64_t l2ptr() const { return raw & mask(55, 12); }
};

// L1CD.V = 0: the CD fetch finds no level-2 table, C_BAD_SUBSTREAMID (§5.3.1, §7.3.9).
bool l1cd_invalid(const L1Cd& l1);

// With 64 KB leaf tables L1CD.L2Ptr[15:12] are RES0 (§5.2 S1Fmt 0b10): set, the fetch is unpredictable.
bool l1cd_l2ptr_misaligned(const L1Cd& l1, unsigned split);

// The CD in the level-2 table: L2Ptr + 64 * index[SPLIT-1:0] (§5.2 S1Fmt, §5.3 L2Ptr).
uint64_t l2_cd_address(const L1Cd& l1, unsigned split, uint32_t index);

}  // namespace vipcts::smmu
