// Shell-style glob for clause and scenario selectors (--clause, --scenario, expectations): `*` matches any run
// of characters (dots included, so SMMU.S1.* matches SMMU.S1.AF.FAULT), `?` one character; no classes.
#pragma once

#include <string_view>

namespace vipcts {

inline bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with single backtrack point: linear in practice, no recursion depth issues.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace vipcts
