// Stage-1 translation table walk, VMSAv8-64, 4 KB granule, DS = 0 (Arm DDI 0487 M.a.a J1.1 AArch64.S1Walk,
// AArch64.S1StartLevel, AArch64.S1TTBaseAddress, AArch64.NextTableBase; Arm IHI 0070 G.b §3.4, §5.4).
#pragma once

#include <cstdint>

#include "../common/sparse_memory.hpp"
#include "outcome.hpp"
#include "permissions.hpp"
#include "witness.hpp"

namespace vipcts::smmu {

enum class S1Fault : uint8_t { None, Translation, AddressSize, AccessFlag, Permission };

// Records that a decision on clause c was taken: adds c to the outcome and, when tracing, returns the Witness
// to fill with the clause's fields (nullptr on the fast path).
inline Witness* decide(Outcome& out, Trace* trace, Clause c) {
  out.clauses.add(c);
  return trace != nullptr ? &trace->add(c) : nullptr;
}

// S1StartLevel = 3 - floor((N - 1 - 12) / 9), N = 64 - TxSZ. TxSZ must be in [16, 48].
constexpr unsigned s1_start_level(unsigned txsz) {
  return 3 - (64 - txsz - 1 - 12) / 9;
}

// The starting-level table address: TTB aligned to the size of the starting-level table (J1.1
// AArch64.S1TTBaseAddress: tsize = N - (levels*9 + 12) + 3).
uint64_t s1_table_base(uint64_t ttb, unsigned txsz);

// The index of va into the table at `level`: VA[level_shift+8 : level_shift], cut off at N-1.
uint64_t s1_table_index(uint64_t va, unsigned txsz, unsigned level);

struct WalkParams {
  uint64_t ttb = 0;       // CD.TTBx as an address
  unsigned txsz = 0;      // CD.TxSZ, in range
  unsigned eff_ips = 48;  // effective IPS in bits (CD.IPS capped by OAS and by 48 for 4 KB)
  bool had = false;       // CD.HADx effective: table descriptor bits [62:59] IGNORED
};

struct WalkResult {
  S1Fault fault = S1Fault::None;  // None, Translation or AddressSize
  unsigned level = 0;             // level of the leaf, or of the descriptor that faulted
  uint64_t desc = 0;              // the leaf descriptor
  uint64_t desc_addr = 0;         // where the leaf descriptor is
  TablePermissions table;         // hierarchical permissions gathered on the way
};

// Walks from the starting level to a leaf. Faults found on the way (invalid descriptor, block at level 0,
// type 01 at level 3, next-level table beyond eff_IPS) end the walk.
WalkResult s1_walk(const SparseMemory& memory, const WalkParams& params, uint64_t va, Outcome& out,
                   Trace* trace);

}  // namespace vipcts::smmu
