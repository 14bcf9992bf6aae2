// Field values behind one clause decision, named as in the clause's `fields:` in spec/smmu.yaml, so the
// clause's SMT predicate can be evaluated on what the model really computed (conformance checks every
// generated vector).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "clause.hpp"

namespace vipcts::smmu {

struct Witness {
  static constexpr size_t kMaxFields = 8;
  Clause clause;
  uint8_t count = 0;
  std::array<std::string_view, kMaxFields> names{};
  std::array<uint64_t, kMaxFields> values{};

  Witness& set(std::string_view name, uint64_t value) {
    names[count] = name;
    values[count] = value;
    ++count;
    return *this;
  }
};

// Optional recorder passed to translate(); nullptr on the fast path.
struct Trace {
  std::vector<Witness> witnesses;
  Witness& add(Clause c);
};

}  // namespace vipcts::smmu
