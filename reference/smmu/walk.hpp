// Translation table walks, VMSAv8-64, 8-byte descriptors, any granule, either stage (Arm DDI 0487 M.a.a J1.1
// AArch64.S1Walk / S2Walk, S1StartLevel, S1TTBaseAddress, NextTableBase, BlockDescSupported; Arm IHI 0070 G.b
// §3.4, §5.2, §5.4). The geometry is reference/smmu/granule.hpp (proved against J1.1 by
// conformance/smmu/z3_proofs_test.cpp); this file walks memory with it.
#pragma once

#include <array>
#include <cstdint>

#include "../common/sparse_memory.hpp"
#include "granule.hpp"
#include "outcome.hpp"
#include "permissions.hpp"
#include "walk_cache.hpp"
#include "witness.hpp"

namespace vipcts::smmu {

// The faults a stage can report, in priority order within the stage (Translation > Address size > Access flag
// > Permission; DDI 0487 J1.1 AArch64.S1Walk then S1Translate, IHI 0070 §3.13.1). Stage2 marks a stage-1 walk
// that stopped because stage 2 faulted on a table address (nested: the caller holds the stage-2 fault).
enum class S1Fault : uint8_t { None, Translation, AddressSize, AccessFlag, Permission, Stage2 };

// Records that a decision on clause c was taken: adds c to the outcome and, when tracing, returns the Witness
// to fill with the clause's fields (nullptr on the fast path).
inline Witness* decide(Outcome& out, Trace* trace, Clause c) {
  out.clauses.add(c);
  if (trace == nullptr) [[likely]]
    return nullptr;
  return &trace->add(c);
}
// Records a decision on a clause that has no SMT predicate (so no witness fields).
inline void touch(Outcome& out, Clause c) {
  out.clauses.add(c);
}
// A walk level as the `level`/`start` fields of spec/smmu.yaml that can hold level -1 (4 KB with DS,
// FEAT_LPA2): 3-bit two's complement, so -1 is 0b111 and the predicates sign-extend it.
constexpr uint64_t level_field(int level) {
  return static_cast<uint64_t>(level) & 7;
}

// ---- Stage-1 4 KB helpers (the shape the stage-1 slice started with; generators use them).
// S1StartLevel = 3 - floor((N - 1 - 12) / 9), N = 64 - TxSZ. TxSZ must be in [16, 48].
constexpr unsigned s1_start_level(unsigned txsz) {
  return static_cast<unsigned>(vmsa::s1_start_level(Granule::K4, 64 - txsz));
}
// The starting-level table address: TTB aligned to the size of the starting-level table (J1.1
// AArch64.S1TTBaseAddress: tsize = N - (levels*9 + 12) + 3).
uint64_t s1_table_base(uint64_t ttb, unsigned txsz);
// The index of va into the table at `level`: VA[level_shift+8 : level_shift], cut off at N-1.
uint64_t s1_table_index(uint64_t va, unsigned txsz, unsigned level);

// When stage 2 is on (nested), every stage-1 descriptor address is an IPA and must be translated by stage 2
// before it is read (IHI 0070 G.b §3.3.3 and §5.2 S1ContextPtr: "pointer types"; DDI 0487 J1.1 AArch64.S1Walk
// calls AArch64.S2Translate for each descriptor fetch). The descriptor's own address is translated, not the
// table base: a 16/64 KB stage-1 table may span several stage-2 pages. false = stage 2 faulted (the hook
// keeps the details).
struct TableAddressHook {
  virtual bool descriptor_address(uint64_t ipa, uint64_t& pa) const = 0;

 protected:
  ~TableAddressHook() = default;
};

struct WalkParams {
  uint64_t ttb = 0;       // CD.TTBx / STE.S2TTB as an address
  unsigned txsz = 0;      // CD.TxSZ / STE.S2T0SZ, in range
  unsigned eff_ips = 48;  // effective output size in bits (eff_IPS at stage 1, eff_S2PS at stage 2)
  bool had = false;  // stage 1: CD.HADx effective (table bits [62:59] IGNORED); stage 2 has no table attrs
  Granule granule = Granule::K4;
  bool ds = false;        // 52-bit descriptors for 4K/16K (CD.DS / STE.S2DS)
  unsigned pamax = 48;    // IDR5.OAS in bits: 64 KB level-1 blocks need 52 (BlockDescSupported)
  int start_level = -10;  // stage 2: from S2SL0; stage 1: leave as is (computed from TxSZ and the granule)
  bool stage2 = false;    // stage-2 walk: no hierarchical table attributes
  const TableAddressHook* s2 = nullptr;  // nested: translate table addresses through stage 2
  WalkCache* cache = nullptr;            // untraced stage-1 walks without s2: resume at the last level
};

struct WalkResult {
  S1Fault fault = S1Fault::None;  // None, Translation, AddressSize or Stage2
  unsigned level = 0;  // level of the leaf, or of the descriptor that faulted (-1 wraps: read it as int)
  uint64_t desc = 0;              // the leaf descriptor
  uint64_t desc_addr = 0;         // where the leaf descriptor is (a PA)
  uint64_t fault_ipa = 0;         // Stage2: the IPA of the descriptor that stage 2 could not translate
  uint64_t oa = 0;                // output address (leaf base | offset), valid when fault = None
  TablePermissions table;         // hierarchical permissions gathered on the way (stage 1, HAD = 0)
};

// Input size and start level of a walk with these parameters.
constexpr unsigned walk_ia_bits(const WalkParams& p) {
  return 64 - p.txsz;
}
constexpr int walk_start_level(const WalkParams& p) {
  return p.stage2 ? p.start_level : vmsa::s1_start_level(p.granule, walk_ia_bits(p));
}

// Walks from the starting level to a leaf. Faults found on the way (invalid descriptor, block where the
// granule does not allow one, type 01 at level 3, next-level table beyond the effective output size, stage 2
// faulting on a table address) end the walk. Stage-1 clauses are decided (witnesses) for stage-1 walks only.
WalkResult s1_walk(const SparseMemory& memory, const WalkParams& params, uint64_t va, Outcome& out,
                   Trace* trace);

}  // namespace vipcts::smmu
