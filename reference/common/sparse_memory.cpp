#include "sparse_memory.hpp"

#include <algorithm>

namespace vipcts {

void SparseMemory::read_words(uint64_t addr, uint64_t* out, size_t n) const {
  const uint64_t first = addr >> kPageShift;
  const uint64_t last = (addr + 8 * (n == 0 ? 0 : n - 1)) >> kPageShift;
  if (first != last) {
    for (size_t i = 0; i < n; ++i) out[i] = read64(addr + 8 * i);
    return;
  }
  const uint64_t* page = find_page(first);
  if (page == nullptr) {
    std::fill(out, out + n, uint64_t{0});
    return;
  }
  const uint64_t* words = page + ((addr & (kPageSize - 1)) >> 3);
  std::copy(words, words + n, out);
}

void SparseMemory::insert_slot(uint64_t page_number, uint32_t index) {
  const size_t last = slots_.size() - 1;
  size_t i = slot_of(page_number);
  while (slots_[i].key != 0) i = (i + 1) & last;
  slots_[i] = Slot{page_number + 1, index};
}

void SparseMemory::grow() {
  const size_t size = slots_.empty() ? 16 : slots_.size() * 2;
  slots_.assign(size, Slot{});
  shift_ = 64;
  for (size_t s = size; s > 1; s >>= 1) --shift_;
  for (size_t p = 0; p < page_numbers_.size(); ++p) insert_slot(page_numbers_[p], static_cast<uint32_t>(p));
}

void SparseMemory::write64(uint64_t addr, uint64_t value) {
  ++generation_;
  const uint64_t page_number = addr >> kPageShift;
  const uint64_t* page = find_page(page_number);
  size_t offset;
  if (page != nullptr) {
    offset = static_cast<size_t>(page - words_.data());
  } else {
    if (value == 0) return;
    if (2 * (page_numbers_.size() + 1) > slots_.size()) grow();
    const auto index = static_cast<uint32_t>(page_numbers_.size());
    page_numbers_.push_back(page_number);
    words_.resize(words_.size() + kWordsPerPage, 0);
    insert_slot(page_number, index);
    offset = size_t{index} * kWordsPerPage;
  }
  words_[offset + ((addr & (kPageSize - 1)) >> 3)] = value;
}

void SparseMemory::clear() {
  ++generation_;
  slots_.clear();
  shift_ = 64;
  words_.clear();
  page_numbers_.clear();
}

std::vector<SparseMemory::Word> SparseMemory::nonzero_words() const {
  std::vector<Word> out;
  for (size_t p = 0; p < page_numbers_.size(); ++p) {
    const uint64_t* page = &words_[p * kWordsPerPage];
    for (size_t i = 0; i < kWordsPerPage; ++i) {
      if (page[i] != 0) out.push_back({(page_numbers_[p] << kPageShift) | (i << 3), page[i]});
    }
  }
  std::sort(out.begin(), out.end(), [](const Word& a, const Word& b) { return a.addr < b.addr; });
  return out;
}

}  // namespace vipcts
