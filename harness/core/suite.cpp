#include "suite.hpp"

#include <algorithm>

#include "errors.hpp"

namespace vipcts {

std::string canonical_profile(const Suite& suite, std::string_view profile) {
  const std::vector<std::string> known = suite.profiles();
  if (profile.empty() || (!known.empty() && profile == known.front())) return {};
  if (std::find(known.begin(), known.end(), profile) != known.end()) return std::string(profile);
  std::string names;
  for (const std::string& k : known) names += names.empty() ? k + " (the default, also \"\")" : ", " + k;
  throw InputError("unknown profile `" + std::string(profile) + "` of suite " + std::string(suite.name()) +
                   (known.empty() ? " (it has none: use \"\")" : " (known: " + names + ")"));
}

}  // namespace vipcts
