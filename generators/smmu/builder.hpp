// Writes a scenario's in-memory structures: a linear stream table of STEs, CDs, and stage-1 4 KB translation
// tables allocated from a bump allocator. It writes whatever it is told, valid or not; the generators decide.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "encode.hpp"
#include "reference/common/sparse_memory.hpp"

namespace vipcts::smmu::gen {

class Builder {
 public:
  // Pages are allocated upwards from `alloc_base` (4 KB aligned).
  Builder(SparseMemory& memory, uint64_t alloc_base) : memory_(memory), next_(alloc_base) {}

  // A fresh zeroed 4 KB page.
  uint64_t alloc_page() {
    const uint64_t p = next_;
    next_ += SparseMemory::kPageSize;
    return p;
  }
  // `bytes` (rounded up to 4 KB) aligned to `align` (a power of two >= 4 KB).
  uint64_t alloc(uint64_t bytes, uint64_t align);

  void write_ste(uint64_t strtab_base, uint32_t sid, const Ste& ste);
  // 2-level Stream table (IHI 0070 G.b §5.1, §6.3.25) whose level-1 array is at `l1_base` (aligned to its size)
  // with effective SPLIT `split`: the STE of `sid` goes in the level-2 array of L1STD sid >> split. A missing
  // L1STD (all zero) gets a fresh level-2 array of 2^(span-1) STEs, aligned to its size, and Span = `span`; an
  // existing one is used as it is. Returns the STE's address, or nullopt when the L1STD does not cover sid.
  std::optional<uint64_t> write_ste_2level(uint64_t l1_base, unsigned split, unsigned span, uint32_t sid,
                                           const Ste& ste);
  void write_cd(uint64_t addr, const Cd& cd);
  // Context descriptor table at `ptr` (IHI 0070 G.b §5.2 S1Fmt, §5.3), linear (split = 0) or 2-level with
  // SPLIT 6 or 10: writes the CD of `index`. A 2-level table's L1CD gets a fresh level-2 table (4 KB or 64
  // KB, aligned to its size) and V = 1 when it is still zero; an existing one is used as it is. Returns the
  // CD's address.
  uint64_t write_cd_in_table(uint64_t ptr, unsigned split, uint32_t index, const Cd& cd);

  // Maps va with a leaf at `leaf_level` (1: 1 GB block, 2: 2 MB block, 3: 4 KB page) in the tree rooted at
  // `root`, whose walk starts at start_level(txsz), creating the tables in between. leaf_desc is written as is.
  // Returns the leaf descriptor's address, or nullopt if the path is already taken by a leaf or a table at the
  // leaf position (mappings never overlap).
  std::optional<uint64_t> map(uint64_t root, unsigned txsz, uint64_t va, unsigned leaf_level, uint64_t leaf_desc);

  // Where the walk for va reads its descriptors: one address per level from the start level, ending at the first
  // descriptor that is not a table descriptor (or at level 3).
  std::vector<uint64_t> path(uint64_t root, unsigned txsz, uint64_t va) const;

  SparseMemory& memory() { return memory_; }

 private:
  SparseMemory& memory_;
  uint64_t next_;
};

}  // namespace vipcts::smmu::gen
