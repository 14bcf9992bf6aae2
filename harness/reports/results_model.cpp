// Strict streaming reader of results.jsonl (docs/formats.md §4). The file can hold millions of passing
// operations, so each line is parsed, checked, counted and dropped; only failing and waived operations are
// kept, up to LoadOptions::max_details, and the rest are counted.
#include "results_model.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <string_view>

#include "harness/core/errors.hpp"

namespace vipcts::reports {
namespace {

constexpr std::array<const char*, kVerdictCount> kNames = {"pass",    "fail",  "not_applicable", "crash",
                                                           "timeout", "error", "waived",         "xpass"};
constexpr std::array<const char*, kVerdictCount> kLabels = {"pass",    "fail",  "n/a",    "crash",
                                                            "timeout", "error", "waived", "xpass"};

// Most severe first: a scenario is shown under the first verdict of this list that it holds. Harness
// trouble (crash, timeout, error) outranks a wrong answer because it hides later answers.
constexpr std::array<Verdict, kVerdictCount> kSeverity = {
    Verdict::kCrash, Verdict::kTimeout, Verdict::kError, Verdict::kFail,
    Verdict::kXpass, Verdict::kWaived,  Verdict::kPass,  Verdict::kNotApplicable};

// "FILE:LINE: message" (docs/formats.md §6: one line naming file, line and field).
[[noreturn]] void fail_at(const std::string& file, size_t line, const std::string& message) {
  throw InputError(file + ":" + std::to_string(line) + ": " + message);
}

std::string json_quoted(const std::string& s) {
  return Json(s).dump();
}

std::string json_type(const Json& j) {
  return j.is_null() ? "null" : j.type_name();
}

class LineReader {
 public:
  LineReader(const std::string& file, size_t line, const Json& obj, const std::string& what)
      : file_(file), line_(line), obj_(obj), what_(what) {}

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    fail_at(file_, line_, what_ + "." + field + ": " + problem);
  }
  bool has(const char* key) const { return obj_.contains(key); }
  const Json& require(const char* key) const {
    auto it = obj_.find(key);
    if (it == obj_.end()) fail(key, "missing");
    return *it;
  }
  std::string string(const char* key, bool required, bool non_empty = false) const {
    auto it = obj_.find(key);
    if (it == obj_.end()) {
      if (required) fail(key, "missing");
      return {};
    }
    if (!it->is_string()) fail(key, "expected a string, found " + json_type(*it));
    std::string s = it->get<std::string>();
    if (non_empty && s.empty()) fail(key, "must not be empty");
    return s;
  }
  uint64_t count(const char* key) const {
    const Json& j = require(key);
    if (!j.is_number_unsigned()) fail(key, "expected a non-negative integer, found " + j.dump());
    return j.get<uint64_t>();
  }
  std::vector<std::string> strings(const char* key, bool required) const {
    std::vector<std::string> out;
    auto it = obj_.find(key);
    if (it == obj_.end()) {
      if (required) fail(key, "missing");
      return out;
    }
    if (!it->is_array()) fail(key, "expected an array of strings, found " + json_type(*it));
    for (size_t i = 0; i < it->size(); ++i) {
      const Json& e = (*it)[i];
      if (!e.is_string()) fail(std::string(key) + "[" + std::to_string(i) + "]", "expected a string");
      out.push_back(e.get<std::string>());
    }
    return out;
  }
  const Json& object(const char* key, bool required) const {
    static const Json kNull;
    auto it = obj_.find(key);
    if (it == obj_.end()) {
      if (required) fail(key, "missing");
      return kNull;
    }
    if (!it->is_object()) fail(key, "expected an object, found " + json_type(*it));
    return *it;
  }

 private:
  const std::string& file_;
  size_t line_;
  const Json& obj_;
  std::string what_;
};

bool verdict_from(const std::string& s, Verdict& v) {
  for (size_t i = 0; i < kVerdictCount; ++i) {
    if (s == kNames[i]) {
      v = static_cast<Verdict>(i);
      return true;
    }
  }
  return false;
}

class Loader {
 public:
  Loader(const std::string& file, const LoadOptions& options) : options_(options) { m_.file = file; }

  ResultsModel run(std::istream& in) {
    std::string text;
    size_t line = 0;
    bool summary_seen = false;
    while (std::getline(in, text)) {
      ++line;
      // getline() sets eof when the last line had no '\n': the writer may have been stopped mid-line.
      const bool unterminated = in.eof();
      Json j;
      try {
        j = Json::parse(text);
      } catch (const Json::parse_error& e) {
        if (unterminated && line > 1 && !summary_seen) {
          // docs/formats.md §4: --resume drops a trailing partial line; so does the report, and says so.
          m_.partial_last_line = true;
          break;
        }
        std::string what = e.what();
        // nlohmann's message starts with "[json.exception.parse_error.101] "; keep the part that helps.
        if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
        fail_at(m_.file, line, "invalid JSON: " + what);
      }
      m_.lines = line;
      if (!j.is_object()) fail_at(m_.file, line, "expected a JSON object, found " + json_type(j));
      if (summary_seen) fail_at(m_.file, line, "a line follows the summary line");
      auto type_it = j.find("type");
      if (type_it == j.end()) fail_at(m_.file, line, "type: missing");
      if (!type_it->is_string()) fail_at(m_.file, line, "type: expected a string");
      const std::string type = type_it->get<std::string>();
      if (line == 1) {
        if (type != "provenance") {
          fail_at(m_.file, line,
                  "type: the first line must be the provenance line, found " + json_quoted(type));
        }
        provenance(j, line);
      } else if (type == "result") {
        result(j, line);
      } else if (type == "summary") {
        end_scenario();
        summary(j, line);
        summary_seen = true;
      } else if (type == "provenance") {
        fail_at(m_.file, line, "type: a second provenance line");
      } else {
        fail_at(m_.file, line,
                "type: unknown line type " + json_quoted(type) + " (expected result or summary)");
      }
    }
    if (in.bad()) fail_at(m_.file, line, "read error");
    if (line == 0) fail_at(m_.file, 1, "empty file: the provenance line is missing");
    end_scenario();
    m_.complete = summary_seen;
    return std::move(m_);
  }

 private:
  void provenance(const Json& j, size_t line) {
    LineReader r(m_.file, line, j, "provenance");
    const Json& format = r.require("format");
    if (format != Json(1)) r.fail("format", "unsupported version " + format.dump() + " (expected 1)");
    LineReader(m_.file, line, r.object("vipcts", true), "provenance.vipcts").string("version", true);
    m_.suite = r.string("suite", true, true);
    const Json& spec = r.object("spec", true);
    const Json& clauses = LineReader(m_.file, line, spec, "provenance.spec").require("clauses");
    if (!clauses.is_array()) r.fail("spec.clauses", "expected an array, found " + json_type(clauses));
    for (size_t i = 0; i < clauses.size(); ++i) {
      const std::string what = "provenance.spec.clauses[" + std::to_string(i) + "]";
      if (!clauses[i].is_object()) fail_at(m_.file, line, what + ": expected an object");
      LineReader c(m_.file, line, clauses[i], what);
      ClauseRow row;
      row.id = c.string("id", true, true);
      row.title = c.string("title", false);
      if (index_.count(row.id)) c.fail("id", "duplicate clause id " + json_quoted(row.id));
      index_.emplace(row.id, m_.clauses.size());
      m_.clauses.push_back(std::move(row));
    }
    const Json& impl = r.object("implementation", true);
    m_.implementation = LineReader(m_.file, line, impl, "provenance.implementation").string("id", true, true);
    r.object("vectors", false);
    r.object("selection", false);
    if (r.has("expectations") && !j["expectations"].is_null()) r.object("expectations", false);
    r.strings("command", true);
    m_.provenance = j;
    m_.replay_vectors = replay_path(m_.file);
  }

  void result(const Json& j, size_t line) {
    static const std::set<std::string> kKeys = {"type",    "scenario", "op",       "clauses",    "verdict",
                                                "request", "expected", "observed", "diff",       "message",
                                                "missing", "reason",   "tracker",  "expectation"};
    LineReader r(m_.file, line, j, "result");
    for (const auto& [key, value] : j.items()) {
      // Like outcomes (docs/formats.md §2.3), fields starting with '_' are private extensions.
      if (!kKeys.count(key) && key.rfind('_', 0) != 0) r.fail(key, "unknown field");
    }
    OpDetail d;
    d.line = line;
    d.scenario = r.string("scenario", true, true);
    d.op = r.count("op");
    d.clauses = r.strings("clauses", false);
    const std::string verdict = r.string("verdict", true);
    if (!verdict_from(verdict, d.verdict)) {
      r.fail("verdict", "unknown verdict " + json_quoted(verdict) +
                            " (expected pass, fail, not_applicable, crash, timeout, error, waived or xpass)");
    }
    // Fields each verdict must carry (docs/formats.md §4).
    const bool fail = d.verdict == Verdict::kFail;
    if (fail) {
      r.require("request");
      r.require("expected");
      r.require("observed");
    }
    d.diff = r.string("diff", fail);
    d.message = r.string("message", d.verdict == Verdict::kError);
    r.strings("missing", d.verdict == Verdict::kNotApplicable);
    d.reason = r.string("reason", d.verdict == Verdict::kWaived);
    d.tracker = r.string("tracker", false);

    // Results come in scenario order (docs/formats.md §4), so a scenario is one run of lines.
    if (!in_scenario_ || d.scenario != current_.id) {
      end_scenario();
      in_scenario_ = true;
      current_ = ScenarioRow{};
      current_.id = d.scenario;
    } else if (d.op <= last_op_) {
      r.fail("op", "operation " + std::to_string(d.op) + " of scenario " + json_quoted(d.scenario) +
                       " follows operation " + std::to_string(last_op_) + " (duplicate or out of order)");
    }
    last_op_ = d.op;
    current_.counts[d.verdict]++;
    m_.totals[d.verdict]++;

    std::vector<std::string> attributed = d.clauses;
    if (attributed.empty()) {
      // Counted under a row of its own so that no result drops out of the clause views.
      m_.unattributed++;
      attributed.push_back(kNoClause);
    }
    std::set<std::string> seen;
    for (const std::string& id : attributed) {
      if (!seen.insert(id).second) continue;  // a clause named twice by one operation counts once
      auto it = index_.find(id);
      if (it == index_.end()) {
        // Not in provenance.spec.clauses: kept and flagged rather than dropped.
        ClauseRow row;
        row.id = id;
        row.in_spec = false;
        it = index_.emplace(id, m_.clauses.size()).first;
        m_.clauses.push_back(std::move(row));
      }
      m_.clauses[it->second].counts[d.verdict]++;
    }

    const bool failing = is_failing(d.verdict);
    if (!failing && d.verdict != Verdict::kWaived) return;
    if (j.contains("request")) d.request = j["request"];
    if (j.contains("expected")) d.expected = j["expected"];
    if (j.contains("observed")) d.observed = j["observed"];
    auto& list = failing ? m_.failures : m_.waived;
    auto& omitted = failing ? m_.failures_omitted : m_.waived_omitted;
    if (list.size() < options_.max_details) {
      list.push_back(std::move(d));
    } else {
      omitted++;
    }
  }

  void end_scenario() {
    if (!in_scenario_) return;
    in_scenario_ = false;
    m_.scenarios++;
    for (Verdict v : kSeverity) {
      if (current_.counts[v] > 0) {
        current_.worst = v;
        break;
      }
    }
    m_.scenarios_by_worst[current_.worst]++;
    if (current_.counts.failing() == 0) return;
    if (m_.failing_scenarios.size() >= options_.max_details) {
      m_.failing_scenarios_omitted++;
      return;
    }
    current_.replay = replay_command(m_.suite, m_.implementation, m_.replay_vectors, current_.id);
    m_.failing_scenarios.push_back(std::move(current_));
  }

  void summary(const Json& j, size_t line) {
    LineReader r(m_.file, line, j, "summary");
    for (const auto& [key, value] : j.items()) {
      if (key == "type" || key == "total") continue;
      if (key == "stale_expectations") {
        if (!value.is_array()) r.fail(key, "expected a list of expectation-file lines");
        for (const auto& l : value) {
          if (!l.is_number_unsigned()) r.fail(key, "expected a list of expectation-file lines");
          m_.stale_expectations.push_back(l.get<uint64_t>());
        }
        continue;
      }
      Verdict v;
      if (!verdict_from(key, v)) r.fail(key, "unknown field");
    }
    // The summary must agree with the lines: a mismatch means lines were lost or added.
    auto check = [&](const char* key, uint64_t counted) {
      const uint64_t claimed = r.count(key);
      if (claimed != counted) {
        r.fail(key, std::to_string(claimed) + ", but the file holds " + std::to_string(counted) + " " +
                        (std::string(key) == "total" ? "results" : std::string(key) + " results"));
      }
    };
    check("total", m_.totals.total());
    for (size_t i = 0; i < kVerdictCount; ++i) check(kNames[i], m_.totals.by[i]);
  }

  LoadOptions options_;
  ResultsModel m_;
  std::map<std::string, size_t> index_;
  bool in_scenario_ = false;
  ScenarioRow current_;
  uint64_t last_op_ = 0;
};

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// A provenance value as one line of text: strings as they are, the rest as compact JSON.
std::string text_of(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

}  // namespace

const char* verdict_name(Verdict v) {
  return kNames[static_cast<size_t>(v)];
}
const char* verdict_label(Verdict v) {
  return kLabels[static_cast<size_t>(v)];
}

bool is_failing(Verdict v) {
  return v == Verdict::kFail || v == Verdict::kCrash || v == Verdict::kTimeout || v == Verdict::kError ||
         v == Verdict::kXpass;
}

uint64_t Counts::total() const {
  uint64_t t = 0;
  for (uint64_t n : by) t += n;
  return t;
}

uint64_t Counts::failing() const {
  uint64_t t = 0;
  for (size_t i = 0; i < kVerdictCount; ++i) {
    if (is_failing(static_cast<Verdict>(i))) t += by[i];
  }
  return t;
}

std::string ClauseRow::status() const {
  if (counts[Verdict::kFail] + counts[Verdict::kCrash] + counts[Verdict::kTimeout] +
      counts[Verdict::kError]) {
    return "fail";
  }
  if (counts[Verdict::kXpass]) return "xpass";
  if (counts[Verdict::kWaived]) return "waived";
  if (counts[Verdict::kPass]) return "pass";
  if (counts[Verdict::kNotApplicable]) return "n/a";
  return "not covered";
}

int ResultsModel::exit_code() const {
  // docs/formats.md §6. An interrupted run did not run every operation, so it is never reported as clean.
  return (totals.failing() > 0 || !stale_expectations.empty() || !complete) ? 1 : 0;
}

std::vector<std::pair<std::string, std::string>> ResultsModel::provenance_rows() const {
  std::vector<std::pair<std::string, std::string>> rows;
  const Json& p = provenance;
  auto str = [](const Json& obj, const char* key) -> std::string {
    if (!obj.is_object() || !obj.contains(key)) return {};
    return text_of(obj[key]);
  };
  for (const auto& [key, value] : p.items()) {
    if (key == "type" || key == "format") continue;
    if (key == "vipcts") {
      std::string s = str(value, "version");
      if (value.contains("git")) s += " (git " + str(value, "git") + ")";
      rows.emplace_back("vipcts", s);
    } else if (key == "suite") {
      rows.emplace_back("suite", text_of(value));
    } else if (key == "spec") {
      std::string s = str(value, "file");
      if (value.contains("sha256")) s += " sha256:" + str(value, "sha256");
      s += " (" + std::to_string(value["clauses"].size()) + " clauses)";
      rows.emplace_back("spec", s);
    } else if (key == "vectors" && value.is_object()) {
      std::string s = str(value, "file");
      if (value.contains("sha256")) s += " sha256:" + str(value, "sha256");
      if (value.contains("seed")) s += " seed " + str(value, "seed");
      rows.emplace_back("vectors", s);
    } else if (key == "implementation") {
      rows.emplace_back("implementation", str(value, "id"));
      for (const auto& [k, v] : value.items()) {
        if (k == "id") continue;
        std::string s;
        if (v.is_array() && std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_string(); })) {
          s = join(v.get<std::vector<std::string>>(), ", ");
        } else {
          s = text_of(v);
        }
        if (k == "profile" && s.empty()) s = "(default)";
        rows.emplace_back("implementation " + k, s);
      }
    } else if (key == "expectations") {
      if (value.is_null()) {
        rows.emplace_back("expectations", "none");
      } else {
        std::string s = str(value, "file");
        if (value.contains("sha256")) s += " sha256:" + str(value, "sha256");
        rows.emplace_back("expectations", s);
      }
    } else if (key == "selection" && value.is_object()) {
      std::vector<std::string> parts;
      for (const auto& [k, v] : value.items()) parts.push_back(k + "=" + text_of(v));
      rows.emplace_back("selection", join(parts, ", "));
    } else if (key == "command") {
      std::vector<std::string> words;
      for (const Json& w : value) words.push_back(shell_word(w.get<std::string>()));
      rows.emplace_back("command", join(words, " "));
    } else {
      rows.emplace_back(key, text_of(value));  // fields this version does not know are shown, not dropped
    }
  }
  rows.emplace_back("run", complete ? "complete" : "INCOMPLETE (no summary line: the run was interrupted)");
  return rows;
}

std::vector<const OpDetail*> ResultsModel::failures_of(const std::string& clause) const {
  std::vector<const OpDetail*> out;
  for (const OpDetail& d : failures) {
    if (clause == kNoClause && d.clauses.empty()) out.push_back(&d);
    if (std::find(d.clauses.begin(), d.clauses.end(), clause) != d.clauses.end()) out.push_back(&d);
  }
  return out;
}

ResultsModel load_results(std::istream& in, const std::string& name, const LoadOptions& options) {
  return Loader(name, options).run(in);
}

ResultsModel load_results(const std::string& path, const LoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ":0: cannot open results file");
  return load_results(in, path, options);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string shell_word(const std::string& s) {
  if (s.empty()) return "''";
  for (unsigned char c : s) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      std::string_view("_@%+=:,./-").find(static_cast<char>(c)) != std::string_view::npos;
    if (!safe) return shell_quote(s);
  }
  return s;
}

std::string replay_path(const std::string& results_path) {
  const std::string ext = ".jsonl";
  std::string base = results_path;
  if (base.size() > ext.size() && base.compare(base.size() - ext.size(), ext.size(), ext) == 0) {
    base.resize(base.size() - ext.size());
  }
  return base + ".replay.jsonl";
}

std::string replay_command(const std::string& suite, const std::string& implementation,
                           const std::string& replay_vectors, const std::string& scenario) {
  // docs/formats.md §4; the implementation id is always quoted (it often holds spaces: "exec:python3 x.py").
  return "vipcts run --suite " + shell_word(suite) + " --impl " + shell_quote(implementation) +
         " --vectors " + shell_word(replay_vectors) + " --scenario " + shell_word(scenario);
}

}  // namespace vipcts::reports
