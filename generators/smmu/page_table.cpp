#include "page_table.hpp"

#include <stdexcept>

#include "reference/common/bits.hpp"
#include "reference/smmu/descriptor.hpp"
#include "reference/smmu/stream_table.hpp"
#include "reference/smmu/walk.hpp"

namespace vipcts::smmu::gen {

uint64_t leaf_descriptor(uint64_t oa, unsigned level, const LeafAttrs& a) {
  uint64_t d = (oa & mask(47, level_shift(level))) | (level == kFinalLevel ? 0b11 : 0b01);
  d = deposit(d, 4, 2, a.attr_indx);
  d = deposit(d, 7, 6, a.ap);
  d = deposit(d, 9, 8, a.sh);
  d = deposit(d, 10, 10, a.af);
  d = deposit(d, 11, 11, a.ng);
  d = deposit(d, 53, 53, a.pxn);
  d = deposit(d, 54, 54, a.uxn);
  return d | a.extra;
}

PageTableBuilder::PageTableBuilder(SparseMemory& memory, BumpAllocator& alloc, unsigned txsz)
    : memory_(memory), alloc_(alloc), txsz_(txsz), root_(alloc.alloc_page()) {
  if (txsz < 16 || txsz > 48) throw std::invalid_argument("PageTableBuilder: TxSZ must be in [16, 48]");
}

unsigned PageTableBuilder::start_level() const {
  return s1_start_level(txsz_);
}

uint64_t PageTableBuilder::table_for(uint64_t va, unsigned level, bool create) {
  uint64_t table = root_;
  for (unsigned l = start_level(); l < level; ++l) {
    const uint64_t addr = table + s1_table_index(va, txsz_, l) * 8;
    const uint64_t desc = memory_.read64(addr);
    if (desc_type(desc) == 3) {
      table = desc_next_table(desc);
      continue;
    }
    if (desc_valid(desc)) throw std::invalid_argument("PageTableBuilder: va already mapped by a block");
    if (!create) return 0;
    const uint64_t next = alloc_.alloc_page();
    memory_.write64(addr, next | 0b11);
    table = next;
  }
  return table;
}

void PageTableBuilder::map(uint64_t va, uint64_t size, uint64_t oa, const LeafAttrs& attrs) {
  unsigned level;
  if (size == kPage) {
    level = 3;
  } else if (size == kBlock2M) {
    level = 2;
  } else if (size == kBlock1G) {
    level = 1;
  } else {
    throw std::invalid_argument("PageTableBuilder: size must be 4K, 2M or 1G");
  }
  if ((va | oa) & (size - 1)) throw std::invalid_argument("PageTableBuilder: va/oa not aligned to size");
  if (level < start_level()) throw std::invalid_argument("PageTableBuilder: block above the start level");
  const uint64_t table = table_for(va, level, true);
  const uint64_t addr = table + s1_table_index(va, txsz_, level) * 8;
  if (desc_valid(memory_.read64(addr))) throw std::invalid_argument("PageTableBuilder: va already mapped");
  memory_.write64(addr, leaf_descriptor(oa, level, attrs));
}

uint64_t PageTableBuilder::descriptor_address(uint64_t va, unsigned level) const {
  const uint64_t table = const_cast<PageTableBuilder*>(this)->table_for(va, level, false);
  return table == 0 ? 0 : table + s1_table_index(va, txsz_, level) * 8;
}

uint64_t PageTableBuilder::leaf_address(uint64_t va) const {
  for (unsigned l = start_level(); l <= kFinalLevel; ++l) {
    const uint64_t addr = descriptor_address(va, l);
    if (addr == 0) return 0;
    const uint64_t d = memory_.read64(addr);
    if (!desc_valid(d)) return 0;
    if (l == kFinalLevel || desc_type(d) == 1) return addr;
  }
  return 0;
}

void PageTableBuilder::set_table_bits(uint64_t va, unsigned level, uint64_t bits_to_set) {
  const uint64_t addr = descriptor_address(va, level);
  if (addr == 0 || desc_type(memory_.read64(addr)) != 3 || level >= kFinalLevel)
    throw std::invalid_argument("PageTableBuilder: no table descriptor there");
  memory_.write64(addr, memory_.read64(addr) | bits_to_set);
}

std::array<uint64_t, 8> encode_ste(const SteFields& f) {
  std::array<uint64_t, 8> w{};
  w[0] = deposit(w[0], 0, 0, f.v);
  w[0] = deposit(w[0], 3, 1, f.config);
  w[0] |= f.s1_context_ptr & mask(55, 6);
  w[0] = deposit(w[0], 63, 59, f.s1cdmax);
  w[0] = deposit(w[0], 5, 4, f.s1fmt);
  w[1] = deposit(w[1], 65 - 64, 64 - 64, f.s1dss);
  w[1] = deposit(w[1], 91 - 64, 91 - 64, f.s1stalld);
  w[1] = deposit(w[1], 95 - 64, 94 - 64, f.strw);
  w[1] = deposit(w[1], 113 - 64, 112 - 64, f.privcfg);
  w[1] = deposit(w[1], 115 - 64, 114 - 64, f.instcfg);
  return w;
}

std::array<uint64_t, 8> encode_cd(const CdFields& f) {
  std::array<uint64_t, 8> w{};
  uint64_t& w0 = w[0];
  w0 = deposit(w0, 5, 0, f.t0sz);
  w0 = deposit(w0, 7, 6, f.tg0);
  w0 = deposit(w0, 13, 12, f.sh0);
  w0 = deposit(w0, 14, 14, f.epd0);
  w0 = deposit(w0, 15, 15, f.endi);
  w0 = deposit(w0, 21, 16, f.t1sz);
  w0 = deposit(w0, 23, 22, f.tg1);
  w0 = deposit(w0, 29, 28, f.sh1);
  w0 = deposit(w0, 30, 30, f.epd1);
  w0 = deposit(w0, 31, 31, f.v);
  w0 = deposit(w0, 34, 32, f.ips);
  w0 = deposit(w0, 35, 35, f.affd);
  w0 = deposit(w0, 36, 36, f.wxn);
  w0 = deposit(w0, 37, 37, f.uwxn);
  w0 = deposit(w0, 38, 38, f.tbi0);
  w0 = deposit(w0, 39, 39, f.tbi1);
  w0 = deposit(w0, 40, 40, f.pan);
  w0 = deposit(w0, 41, 41, f.aa64);
  w0 = deposit(w0, 42, 42, f.hd);
  w0 = deposit(w0, 43, 43, f.ha);
  w0 = deposit(w0, 44, 44, f.s);
  w0 = deposit(w0, 45, 45, f.r);
  w0 = deposit(w0, 46, 46, f.a);
  w0 = deposit(w0, 47, 47, f.aset);
  w0 = deposit(w0, 63, 48, f.asid);
  w[1] = deposit(w[1], 65 - 64, 65 - 64, f.had0);
  w[1] |= f.ttb0 & mask(115 - 64, 68 - 64);
  w[1] = deposit(w[1], 127 - 64, 124 - 64, f.hwu0);
  w[2] = deposit(w[2], 129 - 128, 129 - 128, f.had1);
  w[2] |= f.ttb1 & mask(179 - 128, 132 - 128);
  w[2] = deposit(w[2], 186 - 128, 186 - 128, f.ds);
  w[2] = deposit(w[2], 191 - 128, 188 - 128, f.hwu1);
  w[3] = f.mair;
  return w;
}

void write_words(SparseMemory& memory, uint64_t addr, const std::array<uint64_t, 8>& words) {
  for (size_t i = 0; i < words.size(); ++i) memory.write64(addr + 8 * i, words[i]);
}

SmmuRegisters default_registers(uint64_t strtab_base, unsigned log2size) {
  SmmuRegisters r;
  r.idr0 = (1u << 1) | (0b10u << 2) | (0b10u << 6);  // S1P, TTF = AArch64, HTTU = access + dirty
  r.idr1 = 16;                                       // SIDSIZE = 16, SSIDSIZE = 0
  r.idr3 = 0;
  r.idr5 = 0b101u | (1u << 4);  // OAS = 48 bits, GRAN4K
  r.cr0 = 1;                    // SMMUEN
  r.cr2 = 1u << 1;              // RECINVSID
  r.gbpa = 0;
  r.strtab_base = strtab_base & mask(51, 6);
  r.strtab_base_cfg = log2size & 0x3f;  // FMT = linear
  return r;
}

uint64_t ste_address(const SmmuRegisters& regs, uint32_t sid) {
  return linear_ste_address(regs, sid);
}

}  // namespace vipcts::smmu::gen
