#include "sparse_memory.hpp"

#include <algorithm>

namespace vipcts {

uint64_t SparseMemory::read64(uint64_t addr) const {
  const auto it = pages_.find(addr >> kPageShift);
  if (it == pages_.end()) return 0;
  return it->second[(addr & (kPageSize - 1)) >> 3];
}

void SparseMemory::read_words(uint64_t addr, uint64_t* out, size_t n) const {
  const uint64_t first = addr >> kPageShift;
  const uint64_t last = (addr + 8 * (n == 0 ? 0 : n - 1)) >> kPageShift;
  if (first != last) {
    for (size_t i = 0; i < n; ++i) out[i] = read64(addr + 8 * i);
    return;
  }
  const auto it = pages_.find(first);
  const size_t base = (addr & (kPageSize - 1)) >> 3;
  for (size_t i = 0; i < n; ++i) out[i] = it == pages_.end() ? 0 : it->second[base + i];
}

void SparseMemory::write64(uint64_t addr, uint64_t value) {
  auto it = pages_.find(addr >> kPageShift);
  if (it == pages_.end()) {
    if (value == 0) return;
    it = pages_.emplace(addr >> kPageShift, Page(kPageSize / 8, 0)).first;
  }
  it->second[(addr & (kPageSize - 1)) >> 3] = value;
}

std::vector<SparseMemory::Word> SparseMemory::nonzero_words() const {
  std::vector<Word> out;
  for (const auto& [page, words] : pages_) {
    for (size_t i = 0; i < words.size(); ++i) {
      if (words[i] != 0) out.push_back({(page << kPageShift) | (i << 3), words[i]});
    }
  }
  std::sort(out.begin(), out.end(), [](const Word& a, const Word& b) { return a.addr < b.addr; });
  return out;
}

}  // namespace vipcts
