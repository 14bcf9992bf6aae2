// The suites this vipcts knows, in a fixed order (listings and reports are deterministic). Adding a suite is
// one line in kSuites below (plus its #include).
#include <string_view>
#include <vector>

#include "harness/core/suite.hpp"
#include "smmu/suite.hpp"
#include "vfio/suite.hpp"

namespace vipcts {

namespace {

const std::vector<const Suite*>& registry() {
  static const std::vector<const Suite*> kSuites = {
      &smmu::smmu_suite(),
      &vfio::vfio_suite(),
  };
  return kSuites;
}

}  // namespace

const Suite* find_suite(std::string_view name) {
  for (const Suite* s : registry())
    if (s->name() == name) return s;
  return nullptr;
}

std::vector<const Suite*> all_suites() {
  return registry();
}

}  // namespace vipcts
