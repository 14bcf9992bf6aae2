// An implementation's expectations file (docs/formats.md §5): known failures, each with a reason, that turn
// the matching results into `waived`; a matching result that passes is `xpass` so stale entries get noticed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vipcts {

struct Expectation {
  std::string clause;    // clause id or glob; "" = any
  std::string scenario;  // scenario id or glob; "" = any
  std::string detail;    // glob over the failure's diff (fail) or message (crash, timeout, error); "" = any
  std::string request;   // glob over the operation's request as compact JSON; "" = any
  std::string verdict = "fail";  // fail, crash, timeout or error
  std::string reason;
  std::string tracker;  // optional
  size_t line = 0;
};

struct ExpectationFile {
  std::string path, sha256, implementation;
  std::vector<Expectation> entries;

  // First entry whose selectors match (clause glob matches one of `clauses`, if given; scenario glob matches,
  // if given; request glob matches `request`, if given). With `verdict` non-empty, the entry's verdict must
  // also be that one. An entry with a `detail` selector selects failures only (never a pass, for which
  // verdict is "").
  const Expectation* match(std::string_view verdict, std::string_view scenario,
                           const std::vector<std::string>& clauses, std::string_view detail = {},
                           std::string_view request = {}) const;
};

// Strict: unknown keys, missing reason, a verdict other than fail/crash/timeout/error, an entry with neither
// clause nor scenario -> InputError "FILE:LINE: field: message".
ExpectationFile load_expectations(const std::string& path);

}  // namespace vipcts
