// KTAP version 1, as Documentation/dev-tools/ktap.rst in the Linux kernel specifies it: a version line, a
// plan "1..N", one result line "ok|not ok N description[ # DIRECTIVE diagnostic]" per test, diagnostic lines
// starting with "# ", and nested tests indented by two spaces, each starting with its own version line and
// plan. One top-level test per clause; a failing clause has one subtest per failing scenario (those the
// report keeps), whose diagnostic lines carry expected, observed, diff and the replay command.
// Directives used: SKIP (not covered, not applicable), XFAIL (waived only), TIMEOUT and ERROR (a clause whose
// only trouble is timeouts, or crashes/errors); a wrong answer is a plain "not ok".
#include <algorithm>

#include "markup.hpp"
#include "writers.hpp"

namespace vipcts::reports {
namespace {

// ktap.rst: a description "can be any string of words (can't include #)"; one line each.
std::string description(const std::string& raw) {
  const std::string s = visible_controls(raw);
  std::string out;
  for (char c : s) out += (c == '#') ? '_' : (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

// A diagnostic line is one line: line breaks inside values are shown as "\n".
std::string diagnostic(const std::string& indent, const std::string& raw) {
  const std::string s = visible_controls(raw);
  std::string out = indent + "# ";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out + "\n";
}

void op_diagnostics(const ResultsModel& m, const OpDetail& d, const std::string& in, std::string& out) {
  out += diagnostic(in, "op " + std::to_string(d.op) + ": " + verdict_name(d.verdict) + " (" + m.file + ":" +
                            std::to_string(d.line) + ")");
  if (!d.request.is_null()) out += diagnostic(in, "request: " + d.request.dump());
  if (!d.expected.is_null()) out += diagnostic(in, "expected: " + d.expected.dump());
  if (!d.observed.is_null()) out += diagnostic(in, "observed: " + d.observed.dump());
  if (!d.diff.empty()) out += diagnostic(in, "diff: " + d.diff);
  if (!d.message.empty()) out += diagnostic(in, "message: " + d.message);
}

}  // namespace

std::string render_ktap(const ResultsModel& m) {
  std::string out = "KTAP version 1\n";
  out +=
      diagnostic("", "vipcts conformance report: suite " + m.suite + ", implementation " + m.implementation);
  for (const auto& [label, value] : m.provenance_rows()) out += diagnostic("", label + ": " + value);
  if (auto s = incomplete_notice(m); !s.empty()) out += diagnostic("", "WARNING: " + s);
  if (auto s = partial_line_notice(m); !s.empty()) out += diagnostic("", "WARNING: " + s);
  std::string totals =
      std::to_string(m.totals.total()) + " operations in " + std::to_string(m.scenarios) + " scenarios:";
  for (size_t i = 0; i < kVerdictCount; ++i) {
    totals += std::string(i ? ", " : " ") + std::to_string(m.totals.by[i]) + " " +
              verdict_label(static_cast<Verdict>(i));
  }
  out += diagnostic("", totals);

  const size_t n = m.clauses.size() + (m.complete ? 0 : 1);
  out += "1.." + std::to_string(n) + "\n";
  size_t number = 0;
  for (const ClauseRow& c : m.clauses) {
    ++number;
    const std::string status = c.status();
    std::string head = c.id;
    if (!c.title.empty()) head += ": " + c.title;
    if (!c.in_spec)
      head += c.id == kNoClause ? " (operations that name no clause)" : " (not in the spec's clause list)";
    out += diagnostic("", head);
    std::string counts = std::to_string(c.counts.run()) + " run";
    for (size_t i = 0; i < kVerdictCount; ++i) {
      if (c.counts.by[i])
        counts += ", " + std::to_string(c.counts.by[i]) + " " + verdict_label(static_cast<Verdict>(i));
    }
    out += diagnostic("", counts);

    const uint64_t failing = c.counts.failing();
    if (failing > 0) {
      // One subtest per failing scenario, in file order.
      const auto listed = m.failures_of(c.id);
      std::vector<std::string> scenarios;
      for (const OpDetail* d : listed) {
        if (std::find(scenarios.begin(), scenarios.end(), d->scenario) == scenarios.end()) {
          scenarios.push_back(d->scenario);
        }
      }
      if (!scenarios.empty()) {
        out += "  KTAP version 1\n  1.." + std::to_string(scenarios.size()) + "\n";
        for (size_t k = 0; k < scenarios.size(); ++k) {
          for (const OpDetail* d : listed) {
            if (d->scenario == scenarios[k]) op_diagnostics(m, *d, "  ", out);
          }
          out += diagnostic(
              "  ", "replay: " + replay_command(m.suite, m.implementation, m.replay_vectors, scenarios[k]));
          out += "  not ok " + std::to_string(k + 1) + " " + description(scenarios[k]) + "\n";
        }
      }
      if (listed.size() < failing) {
        out += diagnostic(
            "", std::to_string(failing - listed.size()) +
                    " more failing operations are not listed (the report keeps the first failures only)");
      }
      if (c.counts[Verdict::kXpass]) {
        out += diagnostic("", "xpass: an expected failure now passes; the expectations file is stale");
      }
      std::string directive;
      if (c.counts[Verdict::kFail] + c.counts[Verdict::kXpass] == 0) {
        directive =
            (c.counts[Verdict::kCrash] + c.counts[Verdict::kError] == 0) ? " # TIMEOUT " : " # ERROR ";
        directive += failing_breakdown(c.counts);
      }
      out += "not ok " + std::to_string(number) + " " + description(c.id) + directive + "\n";
    } else if (status == "waived") {
      for (const OpDetail& d : m.waived) {
        if (std::find(d.clauses.begin(), d.clauses.end(), c.id) == d.clauses.end()) continue;
        out += diagnostic("", "waived: " + d.scenario + " op " + std::to_string(d.op) + ": " + d.reason +
                                  (d.tracker.empty() ? "" : " (" + d.tracker + ")"));
      }
      out += "ok " + std::to_string(number) + " " + description(c.id) + " # XFAIL " +
             std::to_string(c.counts[Verdict::kWaived]) + " waived\n";
    } else if (status == "not covered") {
      out += "ok " + std::to_string(number) + " " + description(c.id) + " # SKIP not covered\n";
    } else if (status == "n/a") {
      out += "ok " + std::to_string(number) + " " + description(c.id) + " # SKIP not applicable\n";
    } else {
      out += "ok " + std::to_string(number) + " " + description(c.id) + "\n";
    }
  }
  if (!m.complete) {
    out += "not ok " + std::to_string(n) + " vipcts.run.complete # ERROR incomplete run: no summary line\n";
  }
  return out;
}

}  // namespace vipcts::reports
