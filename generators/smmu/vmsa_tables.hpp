// A translation table builder for any granule (4/16/64 KB), any start level and either stage: consistent
// tables for arbitrary mappings, including concatenated stage-2 start tables and 52-bit output addresses with
// 64 KB (FEAT_LPA: OA[51:48] in descriptor bits [15:12]). Geometry from reference/smmu/granule.hpp;
// descriptor layout Arm DDI 0487 M.a.a D8.3. Programming errors throw std::invalid_argument.
#pragma once

#include <cstdint>

#include "reference/common/sparse_memory.hpp"
#include "reference/smmu/granule.hpp"

namespace vipcts::smmu::gen {

class VmsaTableBuilder {
 public:
  // ia_bits = 64 - TxSZ; start_level: stage 1 passes vmsa::s1_start_level, stage 2 the S2SL0 level (which may
  // need concatenated start tables). Tables are allocated upwards from `base`, aligned as the walk requires.
  // ds: the 4 KB / 16 KB 52-bit descriptor form (CD.DS): OA[51:50] in bits [9:8], OA[49:48] in [49:48].
  VmsaTableBuilder(SparseMemory& memory, uint64_t base, Granule g, unsigned ia_bits, int start_level,
                   bool oa52 = false, bool ds = false);

  uint64_t root() const { return root_; }
  Granule granule() const { return g_; }
  unsigned ia_bits() const { return ia_bits_; }
  int start_level() const { return start_; }
  uint64_t next_free() const { return next_; }

  // Maps the block or page of `level` containing ia to oa (aligned down to the block size); `attrs` are ORed
  // into the leaf (AP/S2AP, AF, XN, PBHA, ...). The level must allow a leaf for the granule (callers check
  // vmsa::block_allowed or use level 3). Throws if the path is already a leaf.
  void map(uint64_t ia, int level, uint64_t oa, uint64_t attrs);

  // Address of the leaf descriptor of ia, 0 if not mapped.
  uint64_t leaf_address(uint64_t ia) const;
  // Address of the descriptor of ia at `level` if the walk reaches it through tables, else 0.
  uint64_t descriptor_address(uint64_t ia, int level) const;

  // Leaf and table descriptor encodings for this builder's granule.
  uint64_t leaf_descriptor(uint64_t oa, int level, uint64_t attrs) const;
  uint64_t table_descriptor(uint64_t next) const;

 private:
  uint64_t alloc(unsigned align_bits, uint64_t size);
  static uint64_t ds_address_bits(uint64_t addr);
  uint64_t next_table(uint64_t desc) const;

  SparseMemory& memory_;
  uint64_t next_;
  Granule g_;
  bool ds_;
  unsigned ia_bits_;
  int start_;
  bool lpa64_;
  uint64_t root_;
};

}  // namespace vipcts::smmu::gen
