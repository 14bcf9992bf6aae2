#include "clause.hpp"

#include <array>

namespace vipcts::vfio {

namespace {
constexpr std::array<std::string_view, kClauseCount> kClauseIds = {
#define VIPCTS_VFIO_ID(name, id) id,
    VIPCTS_VFIO_CLAUSES(VIPCTS_VFIO_ID)
#undef VIPCTS_VFIO_ID
};
}  // namespace

std::string_view clause_id(Clause c) {
  return kClauseIds[static_cast<size_t>(c)];
}

}  // namespace vipcts::vfio
