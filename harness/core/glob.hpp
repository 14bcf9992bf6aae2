// Shell-style glob for clause and scenario selectors (--clause, --scenario, expectations): `*` matches any
// run of characters (dots included, so SMMU.S1.* matches SMMU.S1.AF.FAULT), `?` one character, `[...]` one
// character of a class (`a-f` ranges, `[!...]` negated; a `[` without its `]` is an ordinary character).
#pragma once

#include <string_view>

namespace vipcts {

// Whether `c` is in the class starting at pattern[p] == '['; `end` gets the index after its `]`, or p + 1
// (and the class is the literal '[') when there is no `]`.
inline bool glob_class(std::string_view pattern, size_t p, char c, size_t& end) {
  size_t i = p + 1;
  const bool negate = i < pattern.size() && pattern[i] == '!';
  if (negate) ++i;
  const size_t first = i;
  bool in = false;
  for (; i < pattern.size() && (pattern[i] != ']' || i == first); ++i) {
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      in = in || (c >= pattern[i] && c <= pattern[i + 2]);
      i += 2;
    } else {
      in = in || c == pattern[i];
    }
  }
  if (i >= pattern.size()) {
    end = p + 1;
    return c == '[';
  }
  end = i + 1;
  return in != negate;
}

inline bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with single backtrack point: linear in practice, no recursion depth issues.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0, end = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '[' && glob_class(pattern, p, text[t], end)) {
      p = end;
      ++t;
    } else if (p < pattern.size() && pattern[p] != '[' && (pattern[p] == '?' || pattern[p] == text[t])) {
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
