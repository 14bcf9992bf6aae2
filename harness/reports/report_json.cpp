// The json report: one object with the provenance verbatim, the summary, the per-clause matrix, the failing
// scenarios with their replay commands, the failing and the waived operations. Keys in a fixed order
// (vipcts::Json keeps insertion order), so the output is byte-stable.
#include "writers.hpp"

namespace vipcts::reports {
namespace {

Json counts_json(const Counts& c) {
  Json j = Json::object();
  j["total"] = c.total();
  for (size_t i = 0; i < kVerdictCount; ++i) j[verdict_name(static_cast<Verdict>(i))] = c.by[i];
  return j;
}

Json op_json(const ResultsModel& m, const OpDetail& d) {
  Json j = Json::object();
  j["scenario"] = d.scenario;
  j["op"] = d.op;
  j["line"] = d.line;
  j["clauses"] = d.clauses;
  j["verdict"] = verdict_name(d.verdict);
  if (d.verdict == Verdict::kWaived) {
    j["reason"] = d.reason;
    j["tracker"] = d.tracker;
  }
  j["request"] = d.request;
  j["expected"] = d.expected;
  j["observed"] = d.observed;
  j["diff"] = d.diff;
  j["message"] = d.message;
  if (is_failing(d.verdict))
    j["replay"] = replay_command(m.suite, m.implementation, m.replay_vectors, d.scenario);
  return j;
}

}  // namespace

std::string render_json(const ResultsModel& m) {
  Json r = Json::object();
  r["type"] = "report";
  r["format"] = 1;
  r["provenance"] = m.provenance;
  r["complete"] = m.complete;
  Json notes = Json::array();
  if (auto s = incomplete_notice(m); !s.empty()) notes.push_back(s);
  if (auto s = partial_line_notice(m); !s.empty()) notes.push_back(s);
  r["notes"] = notes;
  r["exit_code"] = m.exit_code();

  Json summary = counts_json(m.totals);
  summary["unattributed"] = m.unattributed;
  uint64_t covered = 0, listed = 0;
  for (const ClauseRow& c : m.clauses) {
    if (!c.in_spec) continue;
    listed++;
    if (c.counts.total() > 0) covered++;
  }
  summary["clauses"] = {{"total", listed}, {"covered", covered}, {"not_covered", listed - covered}};
  Json scenarios = counts_json(m.scenarios_by_worst);
  scenarios["failing"] = m.failing_scenarios.size() + m.failing_scenarios_omitted;
  summary["scenarios"] = scenarios;
  summary["stale_expectations"] = m.stale_expectations;
  r["summary"] = summary;

  Json clauses = Json::array();
  for (const ClauseRow& c : m.clauses) {
    Json j = Json::object();
    j["id"] = c.id;
    j["title"] = c.title;
    j["in_spec"] = c.in_spec;
    j["status"] = c.status();
    j["run"] = c.counts.run();
    for (size_t i = 0; i < kVerdictCount; ++i) j[verdict_name(static_cast<Verdict>(i))] = c.counts.by[i];
    clauses.push_back(std::move(j));
  }
  r["clauses"] = std::move(clauses);

  Json failing = Json::array();
  for (const ScenarioRow& s : m.failing_scenarios) {
    Json j = Json::object();
    j["id"] = s.id;
    j["verdict"] = verdict_name(s.worst);
    j["ops"] = counts_json(s.counts);
    j["replay"] = s.replay;
    failing.push_back(std::move(j));
  }
  r["failing_scenarios"] = std::move(failing);
  r["failing_scenarios_omitted"] = m.failing_scenarios_omitted;

  Json failures = Json::array();
  for (const OpDetail& d : m.failures) failures.push_back(op_json(m, d));
  r["failures"] = std::move(failures);
  r["failures_omitted"] = m.failures_omitted;
  Json waived = Json::array();
  for (const OpDetail& d : m.waived) waived.push_back(op_json(m, d));
  r["waived"] = std::move(waived);
  r["waived_omitted"] = m.waived_omitted;
  return r.dump(2) + "\n";
}

}  // namespace vipcts::reports
