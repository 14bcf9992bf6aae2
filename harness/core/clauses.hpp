// The clause files under spec/ (one per area): the loader is strict because clause ids are the currency of
// every result and report; a typo must stop the run with file, line and field, never become an unknown
// clause.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vipcts {

struct ClauseField {
  std::string name;
  unsigned width = 0;  // bit-vector width, 1..64
};

struct ClauseInfo {
  std::string id, title, rule, source, note, smt;
  std::vector<ClauseField> fields;  // in file order
  size_t line = 0;                  // 1-based line of the clause's entry
};

struct ClauseFile {
  std::string path, suite, sha256;
  unsigned version = 1;
  std::vector<ClauseInfo> clauses;  // in file order
  const ClauseInfo* find(std::string_view id) const;
};

// Throws InputError "FILE:LINE: clause ID: field `x`: message" on any schema violation. `check_predicates`:
// also parse every `smt` predicate with Z3 (the slow part; `spec check` and `gen` do it, `run` only needs
// the ids and titles).
ClauseFile load_clause_file(const std::string& path, bool check_predicates = true);

// The clause files of a spec directory (*.yaml, *.yml), sorted by name. Throws InputError if DIR is
// unreadable.
std::vector<std::string> list_clause_files(const std::string& dir);

// Where the clause files are: `option` (--spec-dir) if given, else $VIPCTS_SPEC_DIR, else `compiled_in` (the
// build's VIPCTS_SPEC_DIR, passed in by main) if that directory exists, else "./spec".
std::string find_spec_dir(const std::string& option, const std::string& compiled_in);

// True if `id` has the clause id shape ^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$.
bool valid_clause_id(std::string_view id);

}  // namespace vipcts
