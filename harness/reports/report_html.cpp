// A single self-contained HTML page (inline CSS, no script, no external resource) with the content of the
// Markdown report. Every piece of text from the results goes through xml_escape.
#include "markup.hpp"
#include "writers.hpp"

namespace vipcts::reports {
namespace {

std::string h(const std::string& s) {
  return xml_escape(s, true);
}
std::string pre(const std::string& s) {
  return "<pre>" + xml_escape(s) + "</pre>";
}
std::string code(const std::string& s) {
  return "<code>" + h(s) + "</code>";
}

constexpr const char* kStyle = R"(
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:80em}
h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ccc;margin-top:2em}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
td.n,th.n{text-align:right}pre{background:#f6f6f6;padding:.5em;overflow-x:auto;white-space:pre-wrap}
.banner{background:#fdd;border:2px solid #c00;padding:.7em;font-weight:bold}
.note{background:#ffd;border:1px solid #cc0;padding:.5em}
.s-fail,.s-xpass{background:#fcc}.s-pass{background:#cfc}.s-waived{background:#ffc}.s-na{background:#eee}
.s-not-covered{background:#fff;color:#888;font-style:italic}
)";

std::string status_class(const std::string& status) {
  if (status == "n/a") return "s-na";
  if (status == "not covered") return "s-not-covered";
  return "s-" + status;
}

std::string clause_list(const std::vector<std::string>& ids) {
  if (ids.empty()) return h(kNoClause);
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + code(ids[i]);
  return out;
}

}  // namespace

std::string render_html(const ResultsModel& m) {
  const std::string title = "vipcts conformance report: " + m.implementation + ", suite " + m.suite;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                    h(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  out += "<h1>vipcts conformance report: " + code(m.implementation) + ", suite " + code(m.suite) + "</h1>\n";
  if (auto s = incomplete_notice(m); !s.empty())
    out += "<p class=\"banner\">INCOMPLETE RUN. " + h(s) + "</p>\n";
  if (auto s = partial_line_notice(m); !s.empty()) out += "<p class=\"note\">" + h(s) + "</p>\n";

  out += "<h2>Provenance</h2>\n<table>\n";
  for (const auto& [label, value] : m.provenance_rows()) {
    out += "<tr><th>" + h(label) + "</th><td>" + h(value) + "</td></tr>\n";
  }
  out += "</table>\n";

  out += "<h2>Summary</h2>\n";
  out += std::string("<p><strong>Result: ") +
         (m.exit_code() == 0 ? "PASS"
          : m.complete       ? "FAIL"
                             : "INCOMPLETE") +
         "</strong> (exit code " + std::to_string(m.exit_code()) + ")</p>\n";
  out += "<table>\n<tr><th class=\"n\">operations</th>";
  std::string row = "<tr><td class=\"n\">" + std::to_string(m.totals.total()) + "</td>";
  for (size_t i = 0; i < kVerdictCount; ++i) {
    out += std::string("<th class=\"n\">") + verdict_label(static_cast<Verdict>(i)) + "</th>";
    row += "<td class=\"n\">" + std::to_string(m.totals.by[i]) + "</td>";
  }
  out += "</tr>\n" + row + "</tr>\n</table>\n";
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
  out += "<ul>\n<li>scenarios: " + std::to_string(m.scenarios) +
         ", failing: " + std::to_string(failing_scenarios) + "</li>\n<li>clauses: " + std::to_string(listed) +
         " in the spec, " + std::to_string(covered) + " covered, " + std::to_string(listed - covered) +
         " not covered</li>\n";
  if (m.unattributed)
    out += "<li>operations that name no clause: " + std::to_string(m.unattributed) + "</li>\n";
  out += "</ul>\n";

  out +=
      "<h2>Clause matrix</h2>\n<table>\n<tr><th>clause</th><th>title</th><th>status</th><th "
      "class=\"n\">run</th>";
  const Verdict order[] = {Verdict::kPass,  Verdict::kFail,  Verdict::kNotApplicable, Verdict::kWaived,
                           Verdict::kXpass, Verdict::kCrash, Verdict::kTimeout,       Verdict::kError};
  for (Verdict v : order) out += std::string("<th class=\"n\">") + verdict_label(v) + "</th>";
  out += "</tr>\n";
  for (const ClauseRow& c : m.clauses) {
    std::string t = c.title;
    if (!c.in_spec)
      t += c.id == kNoClause ? "(operations that name no clause)" : "(not in the spec's clause list)";
    const std::string status = c.status();
    out += "<tr><td>" + code(c.id) + "</td><td>" + h(t) + "</td><td class=\"" + status_class(status) + "\">" +
           h(status) + "</td><td class=\"n\">" + std::to_string(c.counts.run()) + "</td>";
    for (Verdict v : order) out += "<td class=\"n\">" + std::to_string(c.counts[v]) + "</td>";
    out += "</tr>\n";
  }
  out += "</table>\n";

  out += "<h2>Not covered</h2>\n";
  if (not_covered.empty()) {
    out += "<p>Every clause of the spec was exercised by at least one operation.</p>\n";
  } else {
    out += "<ul>\n";
    for (const ClauseRow* c : not_covered) {
      out += "<li>" + code(c->id) + (c->title.empty() ? "" : ": " + h(c->title)) + "</li>\n";
    }
    out += "</ul>\n";
  }

  out += "<h2>Failing scenarios</h2>\n";
  if (failing_scenarios == 0) {
    out += "<p>None.</p>\n";
  } else {
    out += "<table>\n<tr><th>scenario</th><th>worst</th><th>failing operations</th><th>replay</th></tr>\n";
    for (const ScenarioRow& s : m.failing_scenarios) {
      out += "<tr><td>" + code(s.id) + "</td><td>" + verdict_label(s.worst) + "</td><td>" +
             h(failing_breakdown(s.counts)) + "</td><td>" + code(s.replay) + "</td></tr>\n";
    }
    out += "</table>\n";
    if (m.failing_scenarios_omitted) {
      out += "<p>" + std::to_string(m.failing_scenarios_omitted) +
             " more failing scenarios are not listed (the report keeps the first ones only).</p>\n";
    }
  }

  out += "<h2>Failures</h2>\n";
  if (m.failures.empty()) out += "<p>None.</p>\n";
  for (size_t i = 0; i < m.failures.size(); ++i) {
    const OpDetail& d = m.failures[i];
    out += "<h3>" + std::to_string(i + 1) + ". " + code(d.scenario) + " op " + std::to_string(d.op) + ": " +
           verdict_label(d.verdict) + "</h3>\n<ul>\n<li>clauses: " + clause_list(d.clauses) + "</li>\n";
    out += "<li>result line: " + code(m.file + ":" + std::to_string(d.line)) + "</li>\n";
    if (!d.diff.empty()) out += "<li>diff: " + code(d.diff) + "</li>\n";
    if (!d.message.empty()) out += "<li>message: " + h(d.message) + "</li>\n";
    if (d.verdict == Verdict::kXpass)
      out += "<li>expected to fail but passed: the expectations entry is stale</li>\n";
    out += "</ul>\n";
    if (!d.request.is_null()) out += "<p>Request:</p>\n" + pre(d.request.dump(2)) + "\n";
    if (!d.expected.is_null()) out += "<p>Expected:</p>\n" + pre(d.expected.dump(2)) + "\n";
    if (!d.observed.is_null()) out += "<p>Observed:</p>\n" + pre(d.observed.dump(2)) + "\n";
    out += "<p>Replay:</p>\n" + pre(replay_command(m.suite, m.implementation, m.replay_vectors, d.scenario)) +
           "\n";
  }
  if (m.failures_omitted) {
    out += "<p>" + std::to_string(m.failures_omitted) +
           " more failing operations are not listed (the report keeps the first ones only).</p>\n";
  }

  out += "<h2>Waived</h2>\n";
  if (m.waived.empty()) {
    out += "<p>None.</p>\n";
  } else {
    out +=
        "<table>\n<tr><th>scenario</th><th class=\"n\">op</th><th>clauses</th><th>reason</th><th>tracker</th>"
        "<th>diff</th></tr>\n";
    for (const OpDetail& d : m.waived) {
      out += "<tr><td>" + code(d.scenario) + "</td><td class=\"n\">" + std::to_string(d.op) + "</td><td>" +
             clause_list(d.clauses) + "</td><td>" + h(d.reason) + "</td><td>" + h(d.tracker) + "</td><td>" +
             (d.diff.empty() ? "" : code(d.diff)) + "</td></tr>\n";
    }
    out += "</table>\n";
    if (m.waived_omitted) {
      out += "<p>" + std::to_string(m.waived_omitted) + " more waived operations are not listed.</p>\n";
    }
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace vipcts::reports
