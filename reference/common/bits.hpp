// Bit-field helpers written the way the specifications write fields: x[hi:lo].
#pragma once

#include <cstdint>

namespace vipcts {

// x[hi:lo], hi >= lo, hi <= 63.
constexpr uint64_t bits(uint64_t x, unsigned hi, unsigned lo) {
  const unsigned width = hi - lo + 1;
  const uint64_t mask = width >= 64 ? ~uint64_t{0} : ((uint64_t{1} << width) - 1);
  return (x >> lo) & mask;
}

constexpr bool bit(uint64_t x, unsigned n) { return ((x >> n) & 1) != 0; }

// A mask with bits [hi:lo] set.
constexpr uint64_t mask(unsigned hi, unsigned lo) {
  const unsigned width = hi - lo + 1;
  const uint64_t m = width >= 64 ? ~uint64_t{0} : ((uint64_t{1} << width) - 1);
  return m << lo;
}

// x with bits [hi:lo] replaced by v.
constexpr uint64_t deposit(uint64_t x, unsigned hi, unsigned lo, uint64_t v) {
  const uint64_t m = mask(hi, lo);
  return (x & ~m) | ((v << lo) & m);
}

// Field of a multi-word structure (STE, CD) given by its absolute bit position, as the SMMU spec numbers them.
// The field must not straddle a 64-bit word boundary.
template <unsigned N>
constexpr uint64_t field(const uint64_t (&words)[N], unsigned hi, unsigned lo) {
  return bits(words[lo / 64], hi % 64, lo % 64);
}

}  // namespace vipcts
