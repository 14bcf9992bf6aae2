#include "witness.hpp"

namespace vipcts::smmu {

// Out of line so that decide(), on every clause of the fast path, stays small enough to inline.
Witness& Trace::add(Clause c) {
  witnesses.push_back(Witness{c});
  return witnesses.back();
}

}  // namespace vipcts::smmu
