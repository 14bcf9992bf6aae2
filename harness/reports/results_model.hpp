// A results.jsonl file (docs/formats.md §4) read strictly and aggregated while streaming. Passing operations
// are only counted; failing and waived ones are kept up to a limit, so memory does not grow with the file.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/json.hpp"

namespace vipcts::reports {

// The verdicts of docs/formats.md §4, in the order of its summary line.
enum class Verdict : uint8_t { kPass, kFail, kNotApplicable, kCrash, kTimeout, kError, kWaived, kXpass };
inline constexpr size_t kVerdictCount = 8;

// "pass", "fail", "not_applicable", ... as written in results.jsonl.
const char* verdict_name(Verdict v);
// For people: "pass", "fail", "n/a", ...
const char* verdict_label(Verdict v);
// fail, crash, timeout, error and xpass make the exit code 1 (docs/formats.md §6) and get a replay command.
bool is_failing(Verdict v);

struct Counts {
  std::array<uint64_t, kVerdictCount> by{};
  uint64_t operator[](Verdict v) const { return by[static_cast<size_t>(v)]; }
  uint64_t& operator[](Verdict v) { return by[static_cast<size_t>(v)]; }
  uint64_t total() const;
  uint64_t run() const { return total() - (*this)[Verdict::kNotApplicable]; }  // executed operations
  uint64_t failing() const;
};

// The matrix row of operations that name no clause (never a clause id: ids have no parentheses).
inline constexpr const char* kNoClause = "(no clause)";

// One row of the per-clause matrix.
struct ClauseRow {
  std::string id;
  std::string title;
  bool in_spec = true;  // false: named by results but absent from provenance.spec.clauses, or kNoClause
  Counts counts;
  // "fail", "xpass", "waived", "pass", "n/a" or "not covered" (no operation exercised the clause).
  std::string status() const;
};

// One failing (fail, crash, timeout, error, xpass) or waived operation.
struct OpDetail {
  size_t line = 0;
  std::string scenario;
  uint64_t op = 0;
  std::vector<std::string> clauses;
  Verdict verdict = Verdict::kFail;
  Json request;   // null when absent
  Json expected;  // null when absent
  Json observed;  // null when absent
  std::string diff;
  std::string message;
  std::string reason;   // waived
  std::string tracker;  // waived, optional
};

// A scenario with at least one failing operation.
struct ScenarioRow {
  std::string id;
  Counts counts;
  Verdict worst = Verdict::kPass;
  std::string replay;  // the command that replays it (docs/formats.md §4)
};

struct ResultsModel {
  std::string file;
  Json provenance;
  std::string suite;
  std::string implementation;      // provenance.implementation.id
  bool complete = false;           // the summary line was present (and matched)
  bool partial_last_line = false;  // an interrupted write left a partial last line, which was not read
  size_t lines = 0;                // lines read

  Counts totals;
  uint64_t unattributed = 0;  // operations naming no clause
  std::vector<ClauseRow>
      clauses;  // provenance order, then clauses only the results name, in first-seen order

  uint64_t scenarios = 0;
  Counts scenarios_by_worst;  // each scenario counted under its most severe verdict
  std::vector<ScenarioRow> failing_scenarios;
  uint64_t failing_scenarios_omitted = 0;

  std::vector<OpDetail> failures;  // fail, crash, timeout, error, xpass, in file order
  uint64_t failures_omitted = 0;
  std::vector<OpDetail> waived;
  uint64_t waived_omitted = 0;

  std::string replay_vectors;  // RESULTS.replay.jsonl
  // Lines of the expectations file whose entries selected passing operations and waived none (stale).
  std::vector<uint64_t> stale_expectations;

  int exit_code() const;  // docs/formats.md §6, and 1 for an interrupted run
  // Provenance as (label, text) pairs for people, in a fixed order; absent fields are left out.
  std::vector<std::pair<std::string, std::string>> provenance_rows() const;
  // The failures kept for one clause.
  std::vector<const OpDetail*> failures_of(const std::string& clause) const;
};

struct LoadOptions {
  size_t max_details = 1000;
};

// Throws InputError "FILE:LINE: field: problem".
ResultsModel load_results(const std::string& path, const LoadOptions& options = {});
// The same from a stream; name is used in messages and for the replay file name.
ResultsModel load_results(std::istream& in, const std::string& name, const LoadOptions& options = {});

// Shell quoting for the replay command: 'text' with ' written as '\''.
std::string shell_quote(const std::string& s);
// shell_quote only when s has characters outside [A-Za-z0-9_@%+=:,./-].
std::string shell_word(const std::string& s);
// RESULTS.replay.jsonl for a results path: "out/results.jsonl" -> "out/results.replay.jsonl".
std::string replay_path(const std::string& results_path);
std::string replay_command(const std::string& suite, const std::string& implementation,
                           const std::string& replay_vectors, const std::string& scenario);

}  // namespace vipcts::reports
