// The SMMU registers a scenario programs once: the ID registers (the implementation's profile) and the
// stream-table configuration. Offsets and layouts: Arm IHI 0070 G.b §6.3.
#pragma once

#include <cstdint>

#include "../common/bits.hpp"

namespace vipcts::smmu {

struct SmmuRegisters {
  uint32_t idr0 = 0;  // 0x000: S1P[1] S2P[0] TTF[3:2] HTTU[7:6] CD2L[19] STALL_MODEL[25:24] ST_LEVEL[28:27]
  uint32_t idr1 = 0;  // 0x004: SIDSIZE[5:0], SSIDSIZE[10:6]
  uint32_t idr3 = 0;  // 0x00C: HAD[2], PBHA[3]
  uint32_t idr5 = 0;  // 0x014: OAS[2:0], GRAN4K[4], GRAN16K[5], GRAN64K[6]
  uint32_t cr0 = 0;   // 0x020: SMMUEN[0]
  uint32_t cr2 = 0;   // 0x02C: RECINVSID[1]
  uint32_t gbpa = 0;  // 0x044: ABORT[20]
  uint64_t strtab_base = 0;      // 0x080: ADDR[51:6]
  uint32_t strtab_base_cfg = 0;  // 0x088: FMT[17:16], SPLIT[10:6], LOG2SIZE[5:0]
  bool operator==(const SmmuRegisters&) const = default;
};

// Typed views of the fields the model uses.
inline bool idr0_s1p(const SmmuRegisters& r) {
  return bit(r.idr0, 1);
}
inline bool idr0_s2p(const SmmuRegisters& r) {
  return bit(r.idr0, 0);
}
inline unsigned idr0_ttf(const SmmuRegisters& r) {
  return static_cast<unsigned>(bits(r.idr0, 3, 2));
}
inline unsigned idr0_httu(const SmmuRegisters& r) {
  return static_cast<unsigned>(bits(r.idr0, 7, 6));
}
inline unsigned idr0_stall_model(const SmmuRegisters& r) {
  return static_cast<unsigned>(bits(r.idr0, 25, 24));
}
// IDR0.ST_LEVEL [28:27]: 0b00 linear Stream tables only, 0b01 2-level supported, others reserved.
inline unsigned idr0_st_level(const SmmuRegisters& r) {
  return static_cast<unsigned>(bits(r.idr0, 28, 27));
}
// IDR0.CD2L [19]: 2-level Context descriptor tables supported (§6.3.1).
inline bool idr0_cd2l(const SmmuRegisters& r) {
  return bit(r.idr0, 19);
}
// IDR1.SSIDSIZE [10:6]: SubstreamID bits, 0 = no substreams (§6.3.2).
inline unsigned idr1_ssidsize(const SmmuRegisters& r) {
  return static_cast<unsigned>(bits(r.idr1, 10, 6));
}
inline unsigned idr1_sidsize(const SmmuRegisters& r) {
  return static_cast<unsigned>(bits(r.idr1, 5, 0));
}
inline unsigned idr5_oas(const SmmuRegisters& r) {
  return static_cast<unsigned>(bits(r.idr5, 2, 0));
}
inline bool idr5_gran4k(const SmmuRegisters& r) {
  return bit(r.idr5, 4);
}
inline bool idr5_gran16k(const SmmuRegisters& r) {
  return bit(r.idr5, 5);
}
inline bool idr5_gran64k(const SmmuRegisters& r) {
  return bit(r.idr5, 6);
}
// IDR5.DS [7]: 52-bit addresses with the 4 KB and 16 KB granules (FEAT_LPA2 behaviour; §6.3.6).
inline bool idr5_ds(const SmmuRegisters& r) {
  return bit(r.idr5, 7);
}
// IDR5.VAX [11:10]: 0b00 48-bit VAs, 0b01 52-bit, 0b10 56-bit (VMSAv9-128 only), 0b11 reserved (§6.3.6).
inline unsigned idr5_vax(const SmmuRegisters& r) {
  return static_cast<unsigned>(bits(r.idr5, 11, 10));
}
inline bool cr0_smmuen(const SmmuRegisters& r) {
  return bit(r.cr0, 0);
}
inline bool cr2_recinvsid(const SmmuRegisters& r) {
  return bit(r.cr2, 1);
}
inline bool gbpa_abort(const SmmuRegisters& r) {
  return bit(r.gbpa, 20);
}
inline uint64_t strtab_base_addr(const SmmuRegisters& r) {
  return r.strtab_base & mask(51, 6);
}
inline unsigned strtab_fmt(const SmmuRegisters& r) {
  return static_cast<unsigned>(bits(r.strtab_base_cfg, 17, 16));
}
inline unsigned strtab_split_field(const SmmuRegisters& r) {
  return static_cast<unsigned>(bits(r.strtab_base_cfg, 10, 6));
}
inline unsigned strtab_log2size(const SmmuRegisters& r) {
  return static_cast<unsigned>(bits(r.strtab_base_cfg, 5, 0));
}

// IDR5.OAS / CD.IPS encoding → address bits (Arm IHI 0070 §6.3.6). Reserved encodings read as 52.
constexpr unsigned address_size_bits(unsigned encoding) {
  constexpr unsigned kBits[8] = {32, 36, 40, 42, 44, 48, 52, 52};
  return kBits[encoding & 7];
}

}  // namespace vipcts::smmu
