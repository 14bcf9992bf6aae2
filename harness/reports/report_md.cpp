// Markdown report for people and for committing next to an implementation (reports/<impl>/): title,
// provenance, summary, per-clause matrix, not-covered list, failing scenarios with their replay commands,
// failures with expected/observed as fenced JSON, and the waived list. GitHub-flavoured tables.
#include <algorithm>

#include "markup.hpp"
#include "writers.hpp"

namespace vipcts::reports {
namespace {

std::string cell(const std::string& s) {
  return md_text(s);
}

std::string clause_list(const std::vector<std::string>& ids, bool table) {
  if (ids.empty()) return md_text(kNoClause);
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + md_code(ids[i], table);
  return out;
}

std::string status_cell(const std::string& status) {
  if (status == "fail" || status == "xpass") return "**" + status + "**";
  if (status == "not covered") return "*not covered*";
  return md_text(status);
}

void op_section(const ResultsModel& m, const OpDetail& d, size_t number, std::string& out) {
  out += "### " + std::to_string(number) + ". " + md_code(d.scenario) + " op " + std::to_string(d.op) + ": " +
         verdict_label(d.verdict) + "\n\n";
  out += "- clauses: " + clause_list(d.clauses, false) + "\n";
  out += "- result line: " + md_code(m.file + ":" + std::to_string(d.line)) + "\n";
  if (!d.diff.empty()) out += "- diff: " + md_code(d.diff) + "\n";
  if (!d.message.empty()) out += "- message: " + md_text(d.message) + "\n";
  if (d.verdict == Verdict::kXpass) out += "- expected to fail but passed: the expectations entry is stale\n";
  out += "\n";
  auto block = [&](const char* label, const Json& j) {
    if (j.is_null()) return;
    out += std::string(label) + ":\n\n" + md_fence(j.dump(2), "json") + "\n";
  };
  block("Request", d.request);
  block("Expected", d.expected);
  block("Observed", d.observed);
  out += "Replay:\n\n" +
         md_fence(replay_command(m.suite, m.implementation, m.replay_vectors, d.scenario), "sh") + "\n";
}

}  // namespace

std::string render_md(const ResultsModel& m) {
  std::string out =
      "# vipcts conformance report: " + md_code(m.implementation) + ", suite " + md_code(m.suite) + "\n\n";
  if (auto s = incomplete_notice(m); !s.empty()) out += "> **INCOMPLETE RUN.** " + md_text(s) + "\n\n";
  if (auto s = partial_line_notice(m); !s.empty()) out += "> **Note.** " + md_text(s) + "\n\n";

  out += "## Provenance\n\n| field | value |\n|---|---|\n";
  for (const auto& [label, value] : m.provenance_rows())
    out += "| " + cell(label) + " | " + cell(value) + " |\n";

  out += "\n## Summary\n\n";
  out += std::string("**Result: ") +
         (m.exit_code() == 0 ? "PASS"
          : m.complete       ? "FAIL"
                             : "INCOMPLETE") +
         "** (exit code " + std::to_string(m.exit_code()) + ")\n\n";
  out += "| operations |";
  std::string rule = "|---:|", row = "| " + std::to_string(m.totals.total()) + " |";
  for (size_t i = 0; i < kVerdictCount; ++i) {
    out += std::string(" ") + verdict_label(static_cast<Verdict>(i)) + " |";
    rule += "---:|";
    row += " " + std::to_string(m.totals.by[i]) + " |";
  }
  out += "\n" + rule + "\n" + row + "\n\n";
  uint64_t listed = 0, covered = 0;
  std::vector<const ClauseRow*> not_covered;
  for (const ClauseRow& c : m.clauses) {
    if (!c.in_spec) continue;
    listed++;
    if (c.counts.total() > 0) {
      covered++;
    } else {
      not_covered.push_back(&c);
    }
  }
  const uint64_t failing_scenarios = m.failing_scenarios.size() + m.failing_scenarios_omitted;
  out += "- scenarios: " + std::to_string(m.scenarios) + ", failing: " + std::to_string(failing_scenarios) +
         "\n";
  out += "- clauses: " + std::to_string(listed) + " in the spec, " + std::to_string(covered) + " covered, " +
         std::to_string(listed - covered) + " not covered\n";
  if (m.unattributed) out += "- operations that name no clause: " + std::to_string(m.unattributed) + "\n";
  for (uint64_t line : m.stale_expectations)
    out += "- **stale expectation** (expectations file line " + std::to_string(line) +
           "): it selected passing operations and waived none\n";
  out += "\n## Clause matrix\n\n";
  out += "| clause | title | status | run | pass | fail | n/a | waived | xpass | crash | timeout | error |\n";
  out += "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const ClauseRow& c : m.clauses) {
    std::string title = c.title;
    if (!c.in_spec)
      title += c.id == kNoClause ? "(operations that name no clause)" : "(not in the spec's clause list)";
    out += "| " + md_code(c.id, true) + " | " + cell(title) + " | " + status_cell(c.status()) + " | " +
           std::to_string(c.counts.run());
    for (Verdict v : {Verdict::kPass, Verdict::kFail, Verdict::kNotApplicable, Verdict::kWaived,
                      Verdict::kXpass, Verdict::kCrash, Verdict::kTimeout, Verdict::kError}) {
      out += " | " + std::to_string(c.counts[v]);
    }
    out += " |\n";
  }

  out += "\n## Not covered\n\n";
  if (not_covered.empty()) out += "Every clause of the spec was exercised by at least one operation.\n";
  for (const ClauseRow* c : not_covered) {
    out += "- " + md_code(c->id) + (c->title.empty() ? "" : ": " + md_text(c->title)) + "\n";
  }

  out += "\n## Failing scenarios\n\n";
  if (failing_scenarios == 0) {
    out += "None.\n";
  } else {
    out += "| scenario | worst | failing operations | replay |\n|---|---|---|---|\n";
    for (const ScenarioRow& s : m.failing_scenarios) {
      out += "| " + md_code(s.id, true) + " | " + verdict_label(s.worst) + " | " +
             md_text(failing_breakdown(s.counts)) + " | " + md_code(s.replay, true) + " |\n";
    }
    if (m.failing_scenarios_omitted) {
      out += "\n" + std::to_string(m.failing_scenarios_omitted) +
             " more failing scenarios are not listed (the report keeps the first ones only).\n";
    }
  }

  out += "\n## Failures\n\n";
  if (m.failures.empty()) out += "None.\n\n";
  for (size_t i = 0; i < m.failures.size(); ++i) op_section(m, m.failures[i], i + 1, out);
  if (m.failures_omitted) {
    out += std::to_string(m.failures_omitted) +
           " more failing operations are not listed (the report keeps the first ones only).\n\n";
  }

  out += "## Waived\n\n";
  if (m.waived.empty()) {
    out += "None.\n";
  } else {
    out += "| scenario | op | clauses | reason | tracker | diff |\n|---|---:|---|---|---|---|\n";
    for (const OpDetail& d : m.waived) {
      out += "| " + md_code(d.scenario, true) + " | " + std::to_string(d.op) + " | " +
             clause_list(d.clauses, true) + " | " + cell(d.reason) + " | " + cell(d.tracker) + " | " +
             (d.diff.empty() ? "" : md_code(d.diff, true)) + " |\n";
    }
    if (m.waived_omitted) {
      out += "\n" + std::to_string(m.waived_omitted) + " more waived operations are not listed.\n";
    }
  }
  return out;
}

}  // namespace vipcts::reports
