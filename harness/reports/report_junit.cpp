// JUnit XML: one <testsuite> per suite (a results file holds one), one <testcase> per clause of the spec
// (classname = suite, name = clause id), so CI dashboards show the clause matrix. A clause with a wrong
// answer (fail, xpass) gets <failure>; one whose only trouble is crash, timeout or error gets <error>; a
// clause no operation exercised is <skipped message="not covered"/>, one that was only not applicable is
// <skipped message="not applicable"/>. No timestamp or time attributes: the output is byte-stable.
#include <algorithm>

#include "markup.hpp"
#include "writers.hpp"

namespace vipcts::reports {
namespace {

std::string property_name(const std::string& label) {
  if (label == "vipcts") return "vipcts.version";
  std::string out = "vipcts.";
  for (char c : label) out += (c == ' ') ? '.' : c;
  return out;
}

std::string op_text(const ResultsModel& m, const OpDetail& d) {
  std::string s = d.scenario + " op " + std::to_string(d.op) + ": " + verdict_name(d.verdict) + " (" +
                  m.file + ":" + std::to_string(d.line) + ")\n";
  if (!d.request.is_null()) s += "  request:  " + d.request.dump() + "\n";
  if (!d.expected.is_null()) s += "  expected: " + d.expected.dump() + "\n";
  if (!d.observed.is_null()) s += "  observed: " + d.observed.dump() + "\n";
  if (!d.diff.empty()) s += "  diff:     " + d.diff + "\n";
  if (!d.message.empty()) s += "  message:  " + d.message + "\n";
  if (d.verdict == Verdict::kWaived) {
    s += "  reason:   " + d.reason + "\n";
    if (!d.tracker.empty()) s += "  tracker:  " + d.tracker + "\n";
  } else {
    s += "  replay:   " + replay_command(m.suite, m.implementation, m.replay_vectors, d.scenario) + "\n";
  }
  return s;
}

}  // namespace

std::string render_junit(const ResultsModel& m) {
  uint64_t tests = 0, failures = 0, errors = 0, skipped = 0;
  std::string cases;
  for (const ClauseRow& c : m.clauses) {
    tests++;
    const std::string status = c.status();
    cases += "    <testcase classname=\"" + xml_escape(m.suite, true) + "\" name=\"" +
             xml_escape(c.id, true) + "\"";
    const uint64_t wrong = c.counts[Verdict::kFail] + c.counts[Verdict::kXpass];
    const uint64_t failing = c.counts.failing();
    std::string body;
    if (failing > 0) {
      const bool is_failure = wrong > 0;
      (is_failure ? failures : errors)++;
      const std::string element = is_failure ? "failure" : "error";
      const std::string message = std::to_string(failing) + " of " + std::to_string(c.counts.run()) +
                                  " operations failed (" + failing_breakdown(c.counts) + ")";
      std::string text;
      const auto listed = m.failures_of(c.id);
      for (const OpDetail* d : listed) text += op_text(m, *d);
      if (listed.size() < failing) {
        text += std::to_string(failing - listed.size()) +
                " more failing operations are not listed (the report keeps the first failures only)\n";
      }
      const std::string type = is_failure ? (c.counts[Verdict::kFail] ? "fail" : "xpass")
                                          : (c.counts[Verdict::kCrash]     ? "crash"
                                             : c.counts[Verdict::kTimeout] ? "timeout"
                                                                           : "error");
      body += "      <" + element + " message=\"" + xml_escape(message, true) + "\" type=\"" + type + "\">" +
              xml_escape(text) + "</" + element + ">\n";
    } else if (status == "not covered" || status == "n/a") {
      skipped++;
      body += std::string("      <skipped message=\"") +
              (status == "n/a" ? "not applicable" : "not covered") + "\"/>\n";
    }
    if (!c.in_spec) {
      body += std::string("      <system-err>") +
              (c.id == kNoClause ? "operations that name no clause"
                                 : "clause not listed in provenance.spec.clauses") +
              "</system-err>\n";
    }
    if (c.counts[Verdict::kWaived] > 0) {
      std::string text = std::to_string(c.counts[Verdict::kWaived]) + " waived operations\n";
      for (const OpDetail& d : m.waived) {
        if (std::find(d.clauses.begin(), d.clauses.end(), c.id) != d.clauses.end()) text += op_text(m, d);
      }
      body += "      <system-out>" + xml_escape(text) + "</system-out>\n";
    }
    cases += body.empty() ? "/>\n" : ">\n" + body + "    </testcase>\n";
  }
  if (!m.complete) {
    // An interrupted run must not look green: it becomes an error test case of its own.
    tests++;
    errors++;
    std::string text = incomplete_notice(m);
    if (auto p = partial_line_notice(m); !p.empty()) text += "; " + p;
    cases += "    <testcase classname=\"" + xml_escape(m.suite, true) +
             "\" name=\"vipcts.run.complete\">\n      <error message=\"" + xml_escape(text, true) +
             "\" type=\"incomplete\"/>\n    </testcase>\n";
  }

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  const std::string counts = " tests=\"" + std::to_string(tests) + "\" failures=\"" +
                             std::to_string(failures) + "\" errors=\"" + std::to_string(errors) +
                             "\" skipped=\"" + std::to_string(skipped) + "\"";
  out += "<testsuites name=\"vipcts\"" + counts + ">\n";
  out += "  <testsuite name=\"" + xml_escape(m.suite, true) + "\"" + counts + ">\n";
  out += "    <properties>\n";
  for (const auto& [label, value] : m.provenance_rows()) {
    out += "      <property name=\"" + xml_escape(property_name(label), true) + "\" value=\"" +
           xml_escape(value, true) + "\"/>\n";
  }
  out += "      <property name=\"vipcts.complete\" value=\"" + std::string(m.complete ? "true" : "false") +
         "\"/>\n";
  out += "      <property name=\"vipcts.operations\" value=\"" + std::to_string(m.totals.total()) + "\"/>\n";
  for (size_t i = 0; i < kVerdictCount; ++i) {
    out += "      <property name=\"vipcts.operations." + std::string(verdict_name(static_cast<Verdict>(i))) +
           "\" value=\"" + std::to_string(m.totals.by[i]) + "\"/>\n";
  }
  out += "    </properties>\n";
  out += cases;
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace vipcts::reports
