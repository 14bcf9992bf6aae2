// Stage 2: STE stage-2 configuration checks (every ILLEGAL condition of the S2* fields → C_BAD_STE) and the
// stage-2 translation of one IPA: input range, walk (S2SL0 start level, concatenated start tables), address
// size, Access flag (S2AFFD, S2HA), S2AP/XN permissions, dirty state through DBM (S2HD), S2PTW, PBHA.
// Arm IHI 0070 G.b §5.2 (S2T0SZ, S2SL0, S2TG, S2PS, S2AA64, S2ENDI, S2AFFD, S2PTW, S2HD, S2HA, S2S, S2HWU,
// S2POE, S2TTB, S2DS), §3.4 (address sizes), §3.13 (HTTU); Arm DDI 0487 M.a.a J1.1 AArch64.S2Translate,
// S2Walk, S2CheckPermissions; D8.4 (stage-2 descriptors).
#pragma once

#include <cstdint>

#include "../common/sparse_memory.hpp"
#include "outcome.hpp"
#include "registers.hpp"
#include "ste.hpp"
#include "transaction.hpp"
#include "walk.hpp"
#include "witness.hpp"

namespace vipcts::smmu {

// Why an STE's stage-2 configuration is not usable.
enum class S2Config : uint8_t {
  Ok,
  Illegal,     // C_BAD_STE
  Unmodelled,  // a feature the model does not cover (VMSAv8-32 LPAE, big-endian tables, D128, S2PIE, ...)
};

struct S2Params {
  S2Config config = S2Config::Ok;
  WalkParams walk;    // stage-2 walk parameters (stage2 = true)
  unsigned ias = 48;  // stage-2 input size limit (IAS)
  bool affd = false, ptw = false, hd = false, ha = false, s = false, r = true;
  bool idr3_pbha = false;    // SMMU_IDR3.PBHA
  unsigned s2hwu = 0;        // STE.S2HWU59..62
  uint8_t pbha_enables = 0;  // SMMU.PBHA.S2_OUTPUT: IDR3.PBHA and S2HWU
  bool xnx = false;          // IDR3.XNX: XN[0] (bit 53) distinguishes privileged/unprivileged execution
  unsigned sh0 = 0;          // STE.S2SH0: the shareability of stage-2 output with S2DS
};

// STE.S2DS in effect: RES0 without IDR5.DS, and only the 4 KB and 16 KB granules have the 52-bit descriptor
// form (§5.2 S2DS; DDI 0487 FEAT_LPA2, VTCR_EL2.DS).
bool s2ds_effective(const SmmuRegisters& regs, const Ste& ste, Granule g);

// Decodes and checks the STE stage-2 fields for Config = 0b11x (only reached when IDR0.S2P = 1: STE.CONFIG
// rejects the rest), deciding SMMU.STE.S2.* and SMMU.PBHA.S2POE.
S2Params s2_params(const SmmuRegisters& regs, const Ste& ste, Outcome& out, Trace* trace);

// Stage-2 input size limit IAS: OAS, or MAX(40, OAS) when AArch32 (VMSAv8-32 LPAE) tables are supported
// (IHI 0070 §3.4).
unsigned stage2_ias_bits(const SmmuRegisters& regs);

enum class S2Fault : uint8_t { None, Translation, AddressSize, AccessFlag, Permission };

// What the stage-2 lookup is for: the transaction's own access (CLASS = IN), a stage-1 table walk read
// (CLASS = TT) or a CD fetch (CLASS = CD). Walks and CD fetches are reads.
enum class S2Purpose : uint8_t { Input, TableWalk, CdFetch };

struct S2Result {
  S2Fault fault = S2Fault::None;
  uint64_t pa = 0;
  unsigned level = 0;
  uint64_t desc = 0;  // the stage-2 leaf (when the walk reached one)
  bool perm = false;  // the stage-2 permission check failed (computed whenever a leaf was reached)
  uint8_t pbha = 0;   // this stage's PBHA, masked by the S2HWU enables
  uint8_t sh = 0;     // this stage's shareability field (SMMU.S2.DS.SHAREABILITY; not combined with stage 1)
  bool update = false;
  DescriptorUpdate update_value;
  bool update_unknown = false;  // Permission fault with HA: UNKNOWN whether AF was set
};

// Translates one IPA. `access`/`privileged` are the transaction's for Input; walks and CD fetches are reads
// of data. Decides the SMMU.S2.* clauses on `out`.
S2Result s2_translate(const SparseMemory& memory, const S2Params& p, uint64_t ipa, S2Purpose purpose,
                      AccessKind access, bool privileged, Outcome& out, Trace* trace);

// The same without recording clauses (unit tests and benchmarks of the stage on its own).
inline S2Params s2_params(const SmmuRegisters& regs, const Ste& ste) {
  Outcome scratch;
  return s2_params(regs, ste, scratch, nullptr);
}
inline S2Result s2_translate(const SparseMemory& memory, const S2Params& p, uint64_t ipa, S2Purpose purpose,
                             AccessKind access, bool privileged) {
  Outcome scratch;
  return s2_translate(memory, p, ipa, purpose, access, privileged, scratch, nullptr);
}

// Stage-2 descriptor fields (DDI 0487 D8.3.2): S2AP [7:6] (bit 6 read, bit 7 write), MemAttr [5:2] (Device
// when [5:4] = 00), AF [10], DBM [51], XN [54:53].
constexpr bool s2_desc_read(uint64_t d) {
  return bit(d, 6);
}
constexpr bool s2_desc_write(uint64_t d) {
  return bit(d, 7);
}
constexpr bool s2_desc_device(uint64_t d) {
  return bits(d, 5, 4) == 0;
}
constexpr bool s2_desc_dbm(uint64_t d) {
  return bit(d, 51);
}
constexpr unsigned s2_desc_xn(uint64_t d) {
  return static_cast<unsigned>(bits(d, 54, 53));
}

// Whether stage 2 lets an instruction fetch execute: XN[1:0] with XNX (00 both, 01 unprivileged only, 10
// none, 11 privileged only), else XN[1] alone (DDI 0487 J1.1 AArch64.S2ApplyOutputPerms /
// S2CheckPermissions).
constexpr bool s2_executable(unsigned xn, bool xnx, bool privileged) {
  if (!xnx) return (xn & 2) == 0;
  switch (xn & 3) {
    case 0:
      return true;
    case 1:
      return !privileged;
    case 2:
      return false;
    default:
      return privileged;
  }
}

}  // namespace vipcts::smmu
