#include "builder.hpp"

namespace vipcts::smmu::gen {

uint64_t Builder::alloc(uint64_t bytes, uint64_t align) {
  if (align < SparseMemory::kPageSize) align = SparseMemory::kPageSize;
  next_ = (next_ + align - 1) & ~(align - 1);
  const uint64_t p = next_;
  next_ += (bytes + SparseMemory::kPageSize - 1) & ~(SparseMemory::kPageSize - 1);
  return p;
}

// Linear stream table: STE n is at STRTAB_BASE + 64 n (IHI 0070 G.b §3.3.1).
void Builder::write_ste(uint64_t strtab_base, uint32_t sid, const Ste& ste) {
  const auto w = ste.encode();
  for (unsigned i = 0; i < 8; ++i) memory_.write64(strtab_base + uint64_t{sid} * 64 + 8 * i, w[i]);
}

std::optional<uint64_t> Builder::write_ste_2level(uint64_t l1_base, unsigned split, unsigned span,
                                                  uint32_t sid, const Ste& ste) {
  const uint64_t l1_addr = l1_base + 8 * uint64_t{sid >> split};
  uint64_t l1std = memory_.read64(l1_addr);
  if (l1std == 0) {
    const uint64_t bytes = uint64_t{64} << (span - 1);
    l1std = alloc(bytes, bytes) | span;
    memory_.write64(l1_addr, l1std);
  }
  const unsigned have = static_cast<unsigned>(l1std & 0x1f);
  const uint32_t index = sid & ((1u << split) - 1);
  if (have == 0 || (index >> (have - 1)) != 0) return std::nullopt;
  const uint64_t at = (l1std & mask(55, 6) & ~((uint64_t{64} << (have - 1)) - 1)) + uint64_t{index} * 64;
  write_ste(at, 0, ste);
  return at;
}

uint64_t Builder::write_cd_in_table(uint64_t ptr, unsigned split, uint32_t index, const Cd& cd) {
  if (split == 0) {
    write_cd(ptr + uint64_t{index} * 64, cd);
    return ptr + uint64_t{index} * 64;
  }
  const uint64_t l1_addr = ptr + 8 * uint64_t{index >> split};
  uint64_t l1cd = memory_.read64(l1_addr);
  if (l1cd == 0) {
    const uint64_t bytes = uint64_t{64} << split;  // 4 KB (SPLIT 6) or 64 KB (SPLIT 10), aligned to its size
    l1cd = alloc(bytes, bytes) | 1;                // V = 1
    memory_.write64(l1_addr, l1cd);
  }
  const uint64_t at = (l1cd & mask(55, 12)) + uint64_t{index & ((1u << split) - 1)} * 64;
  write_cd(at, cd);
  return at;
}

void Builder::write_cd(uint64_t addr, const Cd& cd) {
  const auto w = cd.encode();
  for (unsigned i = 0; i < 8; ++i) memory_.write64(addr + 8 * i, w[i]);
}

std::optional<uint64_t> Builder::map(uint64_t root, unsigned txsz, uint64_t va, unsigned leaf_level,
                                     uint64_t leaf_desc) {
  uint64_t table = root;
  for (unsigned level = start_level(txsz); level <= 3; ++level) {
    const uint64_t at = table + 8 * table_index(va, level, txsz);
    const uint64_t d = memory_.read64(at);
    if (level == leaf_level) {
      if ((d & 1) != 0 && (level == 3 || (d & 2) == 0)) return std::nullopt;  // a leaf is already there
      if (level < 3 && (d & 3) == 3) return std::nullopt;                     // a table is already there
      memory_.write64(at, leaf_desc);
      return at;
    }
    if ((d & 3) == 3) {
      table = d & desc::kOaMask;
      continue;
    }
    if ((d & 1) != 0) return std::nullopt;  // a block covers va already
    const uint64_t next = alloc_page();
    memory_.write64(at, desc::table(next));
    table = next;
  }
  return std::nullopt;  // leaf_level above the start level: nothing to map
}

std::vector<uint64_t> Builder::path(uint64_t root, unsigned txsz, uint64_t va) const {
  std::vector<uint64_t> out;
  uint64_t table = root;
  for (unsigned level = start_level(txsz); level <= 3; ++level) {
    const uint64_t at = table + 8 * table_index(va, level, txsz);
    out.push_back(at);
    const uint64_t d = memory_.read64(at);
    if (level == 3 || (d & 3) != 3) break;
    table = d & desc::kOaMask;
  }
  return out;
}

}  // namespace vipcts::smmu::gen
