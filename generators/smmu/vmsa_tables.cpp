#include "vmsa_tables.hpp"

#include <stdexcept>

namespace vipcts::smmu::gen {

VmsaTableBuilder::VmsaTableBuilder(SparseMemory& memory, uint64_t base, Granule g, unsigned ia_bits,
                                   int start_level, bool oa52, bool ds)
    : memory_(memory),
      next_(base),
      g_(g),
      ds_(ds && g != Granule::K64),
      ia_bits_(ia_bits),
      start_(start_level),
      lpa64_(oa52 && g == Granule::K64),
      root_(0) {
  if (g == Granule::Reserved || ia_bits < vmsa::granule_bits(g) + 1 || ia_bits > 52 || start_level < -1 ||
      start_level > 3 || vmsa::level_shift(g, start_level) >= ia_bits)
    throw std::invalid_argument("VmsaTableBuilder: inconsistent granule, input size and start level");
  const unsigned align = vmsa::start_table_align_bits(g, ia_bits, start_level, oa52);
  root_ = alloc(align > vmsa::granule_bits(g) ? align : vmsa::granule_bits(g), uint64_t{1} << align);
}

uint64_t VmsaTableBuilder::alloc(unsigned align_bits, uint64_t size) {
  const uint64_t a = uint64_t{1} << align_bits;
  next_ = (next_ + a - 1) & ~(a - 1);
  const uint64_t p = next_;
  const uint64_t gsize = uint64_t{1} << vmsa::granule_bits(g_);
  next_ += size < gsize ? gsize : size;
  return p;
}

uint64_t VmsaTableBuilder::leaf_descriptor(uint64_t oa, int level, uint64_t attrs) const {
  uint64_t d = (oa & mask(47, vmsa::level_shift(g_, level))) | (level == vmsa::kFinalLevel ? 0b11 : 0b01);
  if (lpa64_) d |= bits(oa, 51, 48) << 12;
  // With DS, bits [9:8] and [49:48] are address bits: the caller's SH there is dropped.
  if (ds_) return d | ds_address_bits(oa) | (attrs & ~(mask(9, 8) | mask(49, 48)));
  return d | attrs;
}

uint64_t VmsaTableBuilder::ds_address_bits(uint64_t addr) {
  return (bits(addr, 51, 50) << 8) | (bits(addr, 49, 48) << 48);
}

uint64_t VmsaTableBuilder::table_descriptor(uint64_t next) const {
  uint64_t d = (next & mask(47, vmsa::granule_bits(g_))) | 0b11;
  if (lpa64_) d |= bits(next, 51, 48) << 12;
  if (ds_) d |= ds_address_bits(next);
  return d;
}

uint64_t VmsaTableBuilder::next_table(uint64_t desc) const {
  return vmsa::next_table_base(desc, g_, ds_, lpa64_);
}

void VmsaTableBuilder::map(uint64_t ia, int level, uint64_t oa, uint64_t attrs) {
  if (level < start_ || level > vmsa::kFinalLevel)
    throw std::invalid_argument("VmsaTableBuilder: bad leaf level");
  uint64_t table = root_;
  for (int l = start_; l < level; ++l) {
    const uint64_t addr = table + vmsa::table_index(ia, g_, ia_bits_, l, start_) * 8;
    const uint64_t d = memory_.read64(addr);
    if ((d & 3) == 3) {
      table = next_table(d);
      continue;
    }
    if (d & 1) throw std::invalid_argument("VmsaTableBuilder: ia already mapped by a block");
    const unsigned gb = vmsa::granule_bits(g_);
    const uint64_t t = alloc(gb, uint64_t{1} << gb);
    memory_.write64(addr, table_descriptor(t));
    table = t;
  }
  const uint64_t addr = table + vmsa::table_index(ia, g_, ia_bits_, level, start_) * 8;
  if (memory_.read64(addr) & 1) throw std::invalid_argument("VmsaTableBuilder: ia already mapped");
  memory_.write64(addr, leaf_descriptor(oa, level, attrs));
}

uint64_t VmsaTableBuilder::descriptor_address(uint64_t ia, int level) const {
  uint64_t table = root_;
  for (int l = start_; l <= vmsa::kFinalLevel; ++l) {
    const uint64_t addr = table + vmsa::table_index(ia, g_, ia_bits_, l, start_) * 8;
    if (l == level) return addr;
    const uint64_t d = memory_.read64(addr);
    if ((d & 3) != 3) return 0;
    table = next_table(d);
  }
  return 0;
}

uint64_t VmsaTableBuilder::leaf_address(uint64_t ia) const {
  uint64_t table = root_;
  for (int l = start_; l <= vmsa::kFinalLevel; ++l) {
    const uint64_t addr = table + vmsa::table_index(ia, g_, ia_bits_, l, start_) * 8;
    const uint64_t d = memory_.read64(addr);
    if ((d & 1) == 0) return 0;
    if (l == vmsa::kFinalLevel || (d & 3) == 1) return addr;
    table = next_table(d);
  }
  return 0;
}

}  // namespace vipcts::smmu::gen
