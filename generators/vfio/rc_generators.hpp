// RapidCheck generators of vfio requests for one scenario state. IOVAs, sizes and vaddrs come from small
// palettes built from the geometry (region edges, a dense low window, the top of the address space), so that
// overlaps, bisections, edges and wraps are frequent. Handles are drawn from a small range; gen::run() maps
// handles that do not exist yet to -1 or 0.
#pragma once

#include <rapidcheck.h>

#include <vector>

#include "reference/vfio/types.hpp"

namespace vipcts::vfio::gen {

// `sva` adds I/O page fault operations (iommufd backend; the prefix then owns fault queue handle 3).
rc::Gen<Request> request_gen(const ScenarioState& state, bool sva = false);
rc::Gen<std::vector<Request>> sequence_gen(const ScenarioState& state, unsigned max_ops, bool sva = false);

// Interesting IOVAs of a state (sorted, unique). The dense window is below 2^28 (the edu DMA mask).
std::vector<uint64_t> iova_palette(const ScenarioState& state);
constexpr uint64_t kDenseBase = 0x100000;

}  // namespace vipcts::vfio::gen
