// A sparse physical memory: only the 64-bit words that were written exist; every other word reads as zero.
// The SMMU model reads tables from it; scenarios send it once as a list of (address, value) words.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vipcts {

class SparseMemory {
 public:
  static constexpr unsigned kPageShift = 12;
  static constexpr uint64_t kPageSize = uint64_t{1} << kPageShift;
  static constexpr size_t kWordsPerPage = kPageSize / 8;

  // Little-endian 64-bit access. addr must be 8-byte aligned (descriptors, STEs and CDs always are).
  uint64_t read64(uint64_t addr) const {
    const uint64_t* page = find_page(addr >> kPageShift);
    return page == nullptr ? 0 : page[(addr & (kPageSize - 1)) >> 3];
  }
  void write64(uint64_t addr, uint64_t value);
  // n consecutive words from addr (8-byte aligned) into out: one page lookup when they share a page, as the
  // 64-byte aligned STEs and CDs always do.
  void read_words(uint64_t addr, uint64_t* out, size_t n) const;

  bool empty() const { return page_numbers_.empty(); }
  void clear();
  // Changes with every write and clear: a cache of what was read from this memory (smmu::ConfigCache) is
  // stale once it differs.
  uint64_t generation() const { return generation_; }

  struct Word {
    uint64_t addr;
    uint64_t value;
  };
  // Every non-zero word, sorted by address: a stable serialisation.
  std::vector<Word> nonzero_words() const;

 private:
  // Pages live one after another in words_; an open-addressing table (linear probing, at most half full) maps
  // a page number to its position. A translation reads several descriptors, each a page lookup: this keeps a
  // lookup at one multiply and, almost always, one probe.
  struct Slot {
    uint64_t key = 0;  // page number + 1; 0 = empty
    uint32_t index = 0;
  };
  size_t slot_of(uint64_t page_number) const {
    return static_cast<size_t>((page_number * 0x9e3779b97f4a7c15ull) >> shift_);
  }
  const uint64_t* find_page(uint64_t page_number) const {
    if (slots_.empty()) return nullptr;
    const size_t last = slots_.size() - 1;
    for (size_t i = slot_of(page_number);; i = (i + 1) & last) {
      const Slot& s = slots_[i];
      if (s.key == page_number + 1) return &words_[size_t{s.index} * kWordsPerPage];
      if (s.key == 0) return nullptr;
    }
  }
  void insert_slot(uint64_t page_number, uint32_t index);
  void grow();

  std::vector<Slot> slots_;  // size a power of two, or empty
  unsigned shift_ = 64;      // 64 - log2(slots_.size())
  std::vector<uint64_t> words_;
  std::vector<uint64_t> page_numbers_;  // by page index
  uint64_t generation_ = 0;
};

}  // namespace vipcts
