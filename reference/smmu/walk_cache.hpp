// A stage-1 walk cache: for a VA region, the last-level table that a chain of table descriptors leads to and
// the hierarchical controls gathered on the way — the walk cache an SMMU may pair with its stage-1 TLB (Arm
// IHI 0070 G.b §16.2; DDI 0487 "translation table walk caches"). Leaves are never cached: every translation
// reads and checks its own leaf descriptor.
//
// As with ConfigCache, an entry is used only while it is exact: same memory object and generation (any write
// invalidates), same walk parameters. So it never changes an answer; it saves re-reading descriptors that
// cannot have changed. Only untraced stage-1 walks without stage 2 use it (s1_walk decides).
#pragma once

#include <array>
#include <cstdint>

#include "../common/sparse_memory.hpp"
#include "granule.hpp"
#include "permissions.hpp"

namespace vipcts::smmu {

class WalkCache {
 public:
  static constexpr size_t kEntries = 64;

  // What determines a walk down to the last-level table, apart from memory: the walk's parameters and the VA
  // bits that index the levels above it.
  struct Key {
    uint64_t ttb = 0;
    uint64_t va_region = 0;  // VA[N-1 : level_shift(final - 1)]
    unsigned txsz = 0;
    unsigned eff_ips = 0;
    Granule granule = Granule::K4;
    bool ds = false;
    bool had = false;
    bool operator==(const Key&) const = default;
  };
  struct Entry {
    bool valid = false;
    Key key;
    const SparseMemory* memory = nullptr;
    uint64_t generation = 0;
    int start_level = 0;
    uint64_t table = 0;  // the last-level table's address
    TablePermissions perms;
  };

  const Entry* find(const SparseMemory& memory, const Key& key) const {
    const Entry& e = entries_[slot(key)];
    if (!e.valid || e.memory != &memory || e.generation != memory.generation() || !(e.key == key))
      return nullptr;
    return &e;
  }
  void store(const SparseMemory& memory, const Key& key, int start_level, uint64_t table,
             const TablePermissions& perms) {
    entries_[slot(key)] = Entry{true, key, &memory, memory.generation(), start_level, table, perms};
  }
  void clear() { entries_ = {}; }

 private:
  static size_t slot(const Key& key) {
    return static_cast<size_t>(((key.va_region ^ (key.ttb >> 12)) * 0x9e3779b97f4a7c15ull) >> 58) % kEntries;
  }
  std::array<Entry, kEntries> entries_{};
};

}  // namespace vipcts::smmu
