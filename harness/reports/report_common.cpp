// Wording shared by the report formats.
#include "writers.hpp"

namespace vipcts::reports {

std::string incomplete_notice(const ResultsModel& m) {
  if (m.complete) return {};
  // docs/formats.md §4: the summary line is written last, when the run completed.
  return "incomplete run: " + m.file + " has no summary line (the run was interrupted after " +
         std::to_string(m.totals.total()) + " operations); the results below cover only what ran";
}

std::string partial_line_notice(const ResultsModel& m) {
  if (!m.partial_last_line) return {};
  return "the last line of " + m.file + " (line " + std::to_string(m.lines + 1) +
         ") was cut short by the interruption and was not read";
}

std::string failing_breakdown(const Counts& c) {
  std::string out;
  for (Verdict v : {Verdict::kFail, Verdict::kCrash, Verdict::kTimeout, Verdict::kError, Verdict::kXpass}) {
    if (c[v] == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(c[v]) + " " + verdict_label(v);
  }
  return out;
}

}  // namespace vipcts::reports
