#pragma once

#include <nlohmann/json.hpp>

namespace vipcts {
// Ordered keys keep every file vipcts writes byte-stable and readable.
using Json = nlohmann::ordered_json;
}  // namespace vipcts
