// Deterministic use of RapidCheck generators outside a property: the same (seed, size) always yields the same
// value, so `vipcts gen --seed S` is byte-stable and a scenario can be rebuilt from its id alone.
#pragma once

#include <rapidcheck.h>

#include <cstdint>

namespace vipcts {

// RapidCheck's usual size range is 0..100; generators in this repository treat it as "how big", not as a bound.
constexpr int kDefaultGenSize = 100;

template <typename T>
T generate_seeded(const rc::Gen<T>& gen, uint64_t seed, int size = kDefaultGenSize) {
  return gen(rc::Random(seed), size).value();
}

// A seed for sub-item `index` of a stream seeded with `seed` (splitmix64 finaliser: neighbouring indices give
// unrelated seeds, and the mapping is fixed forever because scenario ids depend on it).
constexpr uint64_t derive_seed(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace vipcts
