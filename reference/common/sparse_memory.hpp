// A sparse physical memory: only the 64-bit words that were written exist; every other word reads as zero.
// The SMMU model reads tables from it; scenarios send it once as a list of (address, value) words.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace vipcts {

class SparseMemory {
 public:
  static constexpr unsigned kPageShift = 12;
  static constexpr uint64_t kPageSize = uint64_t{1} << kPageShift;

  // Little-endian 64-bit access. addr must be 8-byte aligned (descriptors, STEs and CDs always are).
  uint64_t read64(uint64_t addr) const;
  void write64(uint64_t addr, uint64_t value);
  // n consecutive words from addr (8-byte aligned) into out: one page lookup when they share a page, as the
  // 64-byte aligned STEs and CDs always do. Keeps the model's fast path at one hash lookup per structure.
  void read_words(uint64_t addr, uint64_t* out, size_t n) const;

  bool empty() const { return pages_.empty(); }
  void clear() { pages_.clear(); }

  struct Word {
    uint64_t addr;
    uint64_t value;
  };
  // Every non-zero word, sorted by address: a stable serialisation.
  std::vector<Word> nonzero_words() const;

 private:
  using Page = std::vector<uint64_t>;  // kPageSize / 8 words
  std::unordered_map<uint64_t, Page> pages_;
};

}  // namespace vipcts
