// Building SMMU scenarios in a SparseMemory: a stage-1 4 KB translation table builder with a bump allocator,
// and encoders for the linear Stream table, STEs and CDs (field positions: Arm IHI 0070 G.b §5.2, §5.4;
// descriptor layout: Arm DDI 0487 M.a.a D8.3). Depends only on reference/.
#pragma once

#include <array>
#include <cstdint>
#include <map>

#include "reference/common/sparse_memory.hpp"
#include "reference/smmu/registers.hpp"

namespace vipcts::smmu::gen {

constexpr uint64_t kPage = uint64_t{1} << 12;     // level-3 page
constexpr uint64_t kBlock2M = uint64_t{1} << 21;  // level-2 block
constexpr uint64_t kBlock1G = uint64_t{1} << 30;  // level-1 block

// Hands out zeroed, 4 KB-aligned physical pages upwards from `base`.
class BumpAllocator {
 public:
  explicit BumpAllocator(uint64_t base) : next_((base + kPage - 1) & ~(kPage - 1)) {}
  uint64_t alloc_page() {
    const uint64_t p = next_;
    next_ += kPage;
    return p;
  }
  uint64_t next() const { return next_; }

 private:
  uint64_t next_;
};

// Leaf (block/page) descriptor fields other than the output address.
struct LeafAttrs {
  unsigned attr_indx = 0;  // [4:2]
  unsigned ap = 1;         // AP[2:1], [7:6]: 0b01 = read/write at EL1 and EL0
  unsigned sh = 3;         // [9:8]
  bool af = true;          // [10]
  bool ng = false;         // [11]
  bool pxn = false;        // [53]
  bool uxn = false;        // [54]
  uint64_t extra = 0;      // ORed in as is: software bits [58:55], PBHA [62:59], bit [63], DBM [51], ...
};

// A block (level 1 or 2) or page (level 3) descriptor.
uint64_t leaf_descriptor(uint64_t oa, unsigned level, const LeafAttrs& attrs);

// A stage-1 VMSAv8-64 4 KB-granule table for one TTB with the given TxSZ (16..48). Tables are allocated on
// demand; the root is allocated by the constructor. Programming errors (misaligned va/oa, a size other than
// 4K/2M/1G, mapping over an existing mapping) throw std::invalid_argument.
class PageTableBuilder {
 public:
  PageTableBuilder(SparseMemory& memory, BumpAllocator& alloc, unsigned txsz);

  uint64_t root() const { return root_; }  // the TTB value
  unsigned txsz() const { return txsz_; }
  unsigned start_level() const;

  // Maps [va, va + size) to [oa, oa + size). size = kPage, kBlock2M or kBlock1G; va and oa aligned to size.
  // Only the bits of va below N = 64 - TxSZ are used to index, so TTB1 (upper) addresses work as given.
  void map(uint64_t va, uint64_t size, uint64_t oa, const LeafAttrs& attrs = {});

  // Address of the descriptor for va at `level`, if the walk reaches that level through tables (0 otherwise).
  uint64_t descriptor_address(uint64_t va, unsigned level) const;
  // Address of the leaf descriptor that maps va (0 if va is not mapped).
  uint64_t leaf_address(uint64_t va) const;

  // ORs bits into the table descriptor at `level` on the path to va (e.g. APTable, UXNTable, PXNTable).
  void set_table_bits(uint64_t va, unsigned level, uint64_t bits_to_set);

 private:
  uint64_t table_for(uint64_t va, unsigned level, bool create);

  SparseMemory& memory_;
  BumpAllocator& alloc_;
  unsigned txsz_;
  uint64_t root_;
};

// ---- Stream table, STE and CD encoders.

struct SteFields {
  bool v = true;
  unsigned config = 0b101;      // [3:1]: stage 1 only
  unsigned s1fmt = 0;           // [5:4]: CD table format
  uint64_t s1_context_ptr = 0;  // [55:6], 64-byte aligned address
  unsigned s1cdmax = 0;         // [63:59]
  unsigned s1dss = 0;           // [65:64]
  bool s1stalld = false;        // [91]
  unsigned strw = 0;            // [95:94]
  unsigned privcfg = 0;         // [113:112]
  unsigned instcfg = 0;         // [115:114]
};
std::array<uint64_t, 8> encode_ste(const SteFields& f);

struct CdFields {
  unsigned t0sz = 25, tg0 = 0;  // TG0 encoding: 0b00 = 4 KB
  bool epd0 = false, endi = false;
  unsigned t1sz = 25, tg1 = 2;  // TG1 encoding: 0b10 = 4 KB
  bool epd1 = true;
  bool v = true;
  unsigned ips = 5;  // 48 bits
  bool affd = false, wxn = false, uwxn = false, tbi0 = false, tbi1 = false, pan = false, aa64 = true;
  bool hd = false, ha = false, s = false, r = true, a = true, aset = false;
  unsigned asid = 0;
  bool had0 = false, had1 = false;
  uint64_t ttb0 = 0, ttb1 = 0;  // addresses, bits [51:4]
  unsigned hwu0 = 0, hwu1 = 0;  // HWU0{59..62} [127:124], HWU1{59..62} [191:188]
  uint64_t mair = 0;            // {MAIR1, MAIR0}
  unsigned sh0 = 0, sh1 = 0;    // SH0 [13:12], SH1 [29:28]: the leaves' shareability with DS
  bool ds = false;              // DS [186]: 52-bit descriptors for 4 KB and 16 KB (with IDR5.DS)
};
std::array<uint64_t, 8> encode_cd(const CdFields& f);

void write_words(SparseMemory& memory, uint64_t addr, const std::array<uint64_t, 8>& words);

// A profile the model fully covers: S1P, VMSAv8-64 only (TTF = 0b10), HTTU = 0b10 (AF + dirty), SIDSIZE 16,
// SSIDSIZE 0, OAS 48 bits, 4 KB granule only, SMMUEN = 1, RECINVSID = 1, linear table of 2^log2size STEs.
SmmuRegisters default_registers(uint64_t strtab_base, unsigned log2size = 8);
// The STE address of sid for the registers' linear table.
uint64_t ste_address(const SmmuRegisters& regs, uint32_t sid);

}  // namespace vipcts::smmu::gen
