// vfio model types <-> the C ABI structs of vipcts_vfio.h. Used by the suite's plugin bridge and by plugins
// written in C++ on top of the model (conformance/vfio/mutants).
#pragma once

#include <string>
#include <vector>

#include "reference/vfio/types.hpp"
#include "vipcts/vipcts_vfio.h"

namespace vipcts::vfio::abi {

// A vipcts_vfio_state with the storage its pointers refer to.
struct StateBuffer {
  std::string backend, kernel, geometry;
  std::vector<vipcts_vfio_range> reserved;
  vipcts_vfio_state state{};
};
void to_abi(const ScenarioState& s, StateBuffer& out);
ScenarioState from_abi(const vipcts_vfio_state& s);

struct RequestBuffer {
  std::vector<vipcts_vfio_range> ranges;
  vipcts_vfio_request request{};
};
void to_abi(const Request& r, RequestBuffer& out);
Request from_abi(const vipcts_vfio_request& r);

// Throws std::runtime_error if an out-of-range count or enum arrives from an implementation.
void to_abi(const Outcome& o, vipcts_vfio_outcome& out);
Outcome from_abi(const vipcts_vfio_outcome& o);

}  // namespace vipcts::vfio::abi
