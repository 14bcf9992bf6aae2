// JSON <-> vfio model types: the payloads of docs/vfio-operations.md (state, requests, outcomes). Decoding is
// strict (wrong types, out-of-range values, missing and unknown keys name the JSON path); encoding writes
// keys in the documented order so vector files are byte-stable.
#pragma once

#include <string>

#include "harness/core/json.hpp"
#include "harness/suites/smmu/codec.hpp"  // Path, hex and integer parsing shared by every suite codec
#include "reference/vfio/types.hpp"

namespace vipcts::vfio::codec {

using smmu::codec::Path;

ScenarioState decode_state(const Json& state, const Path& path = Path("state"));
Json encode_state(const ScenarioState& state);

Request decode_request(const Json& request, const Path& path = Path("request"));
Json encode_request(const Request& request);

// The expected outcome as written to vectors. `diagnostics` adds `_mappings` (ignored by comparison).
Json encode_outcome(const Outcome& outcome, const ScenarioState& state, bool diagnostics = true);

// One-line diff of the compared fields ("" when they match): ret, errno, and every expected key not starting
// with '_'. Throws InputError (path "expect...") when `expected` is malformed.
std::string compare_outcomes(const Json& expected, const Json& observed);

}  // namespace vipcts::vfio::codec
