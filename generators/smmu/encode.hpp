// Encoders for the SMMU structures the generators write: STE and CD fields (Arm IHI 0070 G.b §5.2, §5.4),
// register fields (§6.3) and VMSAv8-64 stage-1 descriptors (Arm DDI 0487 M.a.a D8.3). Field names follow the
// specifications; every field is written at its absolute bit position so a generator can also write values the
// architecture calls reserved or ILLEGAL (the malformed scenarios need exactly that).
#pragma once

#include <array>
#include <cstdint>

#include "reference/common/bits.hpp"

namespace vipcts::smmu::gen {

// ---- Registers (IHI 0070 G.b §6.3) ----
namespace reg {
constexpr uint32_t kIdr0S2P = 1u << 0;
constexpr uint32_t kIdr0S1P = 1u << 1;
constexpr uint32_t idr0_ttf(uint32_t v) { return (v & 3u) << 2; }           // 0b10 = AArch64
constexpr uint32_t idr0_httu(uint32_t v) { return (v & 3u) << 6; }          // 0 none, 1 AF, 2 AF+dirty
constexpr uint32_t kIdr0Cd2l = 1u << 19;                                    // 2-level CD tables
constexpr uint32_t idr0_stall_model(uint32_t v) { return (v & 3u) << 24; }  // 0b01 = no stall
constexpr uint32_t idr0_st_level(uint32_t v) { return (v & 3u) << 27; }     // 0b01 = 2-level Stream tables
constexpr uint32_t idr1_sidsize(uint32_t v) { return v & 0x3fu; }
constexpr uint32_t idr1_ssidsize(uint32_t v) {
  return (v & 0x1fu) << 6;
}
constexpr uint32_t kIdr5Gran4K = 1u << 4;
constexpr uint32_t idr5_oas(uint32_t v) { return v & 7u; }
constexpr uint32_t kCr0SmmuEn = 1u << 0;
constexpr uint32_t kCr2RecInvSid = 1u << 1;
constexpr uint32_t kGbpaAbort = 1u << 20;
constexpr uint32_t strtab_base_cfg(uint32_t fmt, uint32_t log2size, uint32_t split = 0) {
  return ((fmt & 3u) << 16) | ((split & 0x1fu) << 6) | (log2size & 0x3fu);
}
}  // namespace reg

// The SPLIT a 2-level table uses: 6, 8 or 10 as written, other values are reserved and behave as 6 (§6.3.25).
constexpr unsigned effective_split(unsigned split_field) {
  return split_field == 6 || split_field == 8 || split_field == 10 ? split_field : 6;
}

// ---- Stream table entry (IHI 0070 G.b §5.2), 8 doublewords ----
struct Ste {
  bool v = true;
  unsigned config = 0b101;        // 000 abort, 100 bypass, 101 stage 1 only, 110 S2, 111 nested, 0xx reserved
  unsigned s1fmt = 0;             // [5:4]
  uint64_t s1_context_ptr = 0;    // [55:6], the CD address (64-byte aligned)
  unsigned s1cdmax = 0;           // [63:59]
  unsigned s1dss = 0;             // [65:64]
  bool s1stalld = false;          // [91]
  std::array<uint64_t, 8> encode() const {
    std::array<uint64_t, 8> w{};
    w[0] = (v ? 1u : 0u) | (uint64_t{config & 7u} << 1) | (uint64_t{s1fmt & 3u} << 4) |
           (s1_context_ptr & mask(55, 6)) | (uint64_t{s1cdmax & 31u} << 59);
    w[1] = uint64_t{s1dss & 3u} | (uint64_t{s1stalld} << (91 - 64));
    return w;
  }
};

// ---- Context descriptor (IHI 0070 G.b §5.4), 8 doublewords ----
struct Cd {
  unsigned t0sz = 16;   // [5:0]
  unsigned tg0 = 0;     // [7:6]   00 4K, 01 64K, 10 16K, 11 reserved
  unsigned ir0 = 1, or0 = 1, sh0 = 3;  // [9:8] [11:10] [13:12] walk attributes (not modelled)
  bool epd0 = false;    // [14]
  unsigned t1sz = 16;   // [21:16]
  unsigned tg1 = 2;     // [23:22] TG1 encoding differs: 01 16K, 10 4K, 11 64K, 00 reserved
  bool epd1 = true;     // [30]
  bool v = true;        // [31]
  unsigned ips = 5;     // [34:32], IDR5.OAS encoding
  bool affd = false;    // [35]
  bool wxn = false;     // [36]
  bool uwxn = false;    // [37]
  bool tbi0 = false;    // [38]
  bool tbi1 = false;    // [39]
  bool pan = false;     // [40]
  bool aa64 = true;     // [41]
  bool hd = false;      // [42]
  bool ha = false;      // [43]
  bool s = false;       // [44]
  bool r = true;        // [45]
  bool a = true;        // [46]
  bool aset = false;    // [47]
  unsigned asid = 0;    // [63:48]
  bool had0 = false;    // [65]
  uint64_t ttb0 = 0;    // [115:68] = address bits [51:4]
  bool had1 = false;    // [129]
  uint64_t ttb1 = 0;    // [179:132] = address bits [51:4]
  uint64_t mair = 0;    // MAIR0 [223:192], MAIR1 [255:224]: attribute n is byte n
  std::array<uint64_t, 8> encode() const {
    std::array<uint64_t, 8> w{};
    w[0] = uint64_t{t0sz & 63u} | (uint64_t{tg0 & 3u} << 6) | (uint64_t{ir0 & 3u} << 8) |
           (uint64_t{or0 & 3u} << 10) | (uint64_t{sh0 & 3u} << 12) | (uint64_t{epd0} << 14) |
           (uint64_t{t1sz & 63u} << 16) | (uint64_t{tg1 & 3u} << 22) | (uint64_t{epd1} << 30) |
           (uint64_t{v} << 31) | (uint64_t{ips & 7u} << 32) | (uint64_t{affd} << 35) | (uint64_t{wxn} << 36) |
           (uint64_t{uwxn} << 37) | (uint64_t{tbi0} << 38) | (uint64_t{tbi1} << 39) | (uint64_t{pan} << 40) |
           (uint64_t{aa64} << 41) | (uint64_t{hd} << 42) | (uint64_t{ha} << 43) | (uint64_t{s} << 44) |
           (uint64_t{r} << 45) | (uint64_t{a} << 46) | (uint64_t{aset} << 47) | (uint64_t{asid & 0xffffu} << 48);
    w[1] = (uint64_t{had0} << 1) | (ttb0 & mask(51, 4));
    w[2] = (uint64_t{had1} << 1) | (ttb1 & mask(51, 4));
    w[3] = mair;
    return w;
  }
};

// ---- Stage-1 VMSAv8-64 descriptors, 4 KB granule (DDI 0487 M.a.a D8.3) ----
namespace desc {
constexpr uint64_t kTypeTableOrPage = 0b11;  // table at L0-L2, page at L3
constexpr uint64_t kTypeBlock = 0b01;        // block at L1/L2; reserved (invalid) at L3 and, without DS, at L0
constexpr uint64_t kAf = uint64_t{1} << 10;
constexpr uint64_t kNg = uint64_t{1} << 11;
constexpr uint64_t kDbm = uint64_t{1} << 51;  // Dirty Bit Modifier (used with CD.HD)
constexpr uint64_t kPxn = uint64_t{1} << 53;
constexpr uint64_t kUxn = uint64_t{1} << 54;
constexpr uint64_t kOaMask = mask(47, 12);   // OA[47:12]; DS = 0 so bits [51:48] are RES0
constexpr uint64_t attr_indx(unsigned i) { return uint64_t{i & 7u} << 2; }
constexpr uint64_t ap(unsigned ap21) { return uint64_t{ap21 & 3u} << 6; }  // AP[2:1]
constexpr uint64_t sh(unsigned v) { return uint64_t{v & 3u} << 8; }
// Bits software and PBHA may use that a stage-1 walk must ignore here (IDR3.PBHA = 0): [58:55], [62:59], [63].
constexpr uint64_t kIgnoredMask = mask(63, 55);
constexpr uint64_t table(uint64_t next) { return (next & kOaMask) | kTypeTableOrPage; }
}  // namespace desc

// The VMSAv8-64 4 KB granule walk geometry (DDI 0487 M.a.a J1, AArch64.S1StartLevel): N = 64 - TxSZ input bits,
// start level = 3 - floor((N - 1 - 12) / 9); level l resolves VA[12 + 9(3-l) + 8 : 12 + 9(3-l)].
constexpr unsigned level_shift(unsigned level) { return 12 + 9 * (3 - level); }
constexpr unsigned start_level(unsigned txsz) {
  const int n = 64 - static_cast<int>(txsz);
  return static_cast<unsigned>(3 - (n - 1 - 12) / 9);
}
// Index of va's descriptor in the level-`level` table; at the start level the index is cut off at bit N-1.
constexpr uint64_t table_index(uint64_t va, unsigned level, unsigned txsz) {
  const unsigned shift = level_shift(level);
  const unsigned n = 64 - txsz;
  const unsigned top = (level == start_level(txsz)) ? n - 1 : shift + 8;
  return bits(va, top, shift);
}

}  // namespace vipcts::smmu::gen
