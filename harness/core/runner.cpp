#include "runner.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "clauses.hpp"
#include "errors.hpp"
#include "expectations.hpp"
#include "glob.hpp"
#include "json_text.hpp"
#include "results.hpp"
#include "sha256.hpp"
#include "vectors.hpp"
#include "vipcts_version.hpp"

namespace vipcts {

Shard parse_shard(const std::string& text) {
  auto bad = [&]() -> InputError {
    return InputError("--shard: expected I/N with 0 <= I < N, found `" + text + "`");
  };
  auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) throw bad();
  auto digits = [](std::string_view s) {
    return s.size() <= 9 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  std::string i = text.substr(0, slash), n = text.substr(slash + 1);
  if (!digits(i) || !digits(n)) throw bad();
  Shard s{unsigned(std::stoul(i)), unsigned(std::stoul(n))};
  if (s.count == 0 || s.index >= s.count) throw bad();
  return s;
}

namespace {

// One scenario as read from the vector file.
struct Work {
  uint64_t seq = 0;  // position among the scenarios this run executes: results are written in this order
  size_t line = 0;
  ScenarioHeader header;
  std::vector<Operation> ops;
};

// One result line of results.jsonl (docs/formats.md §4).
struct Result {
  std::string line;          // its JSON text
  std::string_view verdict;  // an entry of kVerdicts
  uint64_t expectation = 0;  // `waived`: the line of the expectation that waived it
};

std::string_view static_verdict(std::string_view v) {
  for (std::string_view k : kVerdicts)
    if (k == v) return k;
  throw std::logic_error("unknown verdict " + std::string(v));
}

Result result_of(const Json& j) {
  Result r{j.dump(), static_verdict(j["verdict"].get_ref<const std::string&>()), 0};
  if (r.verdict == "waived" && j.contains("expectation")) r.expectation = j["expectation"].get<uint64_t>();
  return r;
}

// What running a scenario produced.
struct Done {
  std::vector<Result> results;  // one per op, in op order (kept only when the caller asks)
  bool failing = false;
};

const char* kind_verdict(ObservationKind k) {
  switch (k) {
    case ObservationKind::Crash:
      return "crash";
    case ObservationKind::Timeout:
      return "timeout";
    default:
      return "error";
  }
}

class Runner {
 public:
  Runner(const RunOptions& o, const Suite& s, const std::string& vectors_path)
      : opt_(o), suite_(s), vectors_path_(vectors_path) {}

  std::optional<ExpectationFile> expectations;

  // Runs one scenario on `impl`; `emit` gets each op's result in op order as soon as its batch is done; or,
  // without `emit`, the results are returned in Done::results.
  Done run_scenario(Implementation& impl, const Work& w,
                    const std::function<void(size_t, Result&&)>& emit) const {
    Done done;
    const auto& claimed = impl.info().features;
    auto missing_of = [&](const std::vector<std::string>& need) {
      std::vector<std::string> miss;
      for (const auto& f : need)
        if (std::find(claimed.begin(), claimed.end(), f) == claimed.end()) miss.push_back(f);
      return miss;
    };
    std::vector<std::string> scenario_missing = missing_of(w.header.features);

    auto finish_result = [&](size_t i, Result&& r) {
      if (is_failing_verdict(r.verdict)) done.failing = true;
      if (emit)
        emit(i, std::move(r));
      else
        done.results.push_back(std::move(r));
    };
    auto finish = [&](size_t i, const Json& line) { finish_result(i, result_of(line)); };
    // The hot path: pass and not_applicable written as text (the same bytes as the DOM's dump()).
    auto finish_text = [&](size_t i, const Operation& op, std::string_view verdict,
                           const std::vector<std::string>* missing = nullptr) {
      Result r{"{\"type\":\"result\",\"scenario\":", verdict, 0};
      append_json_string(r.line, w.header.id);
      r.line += ",\"op\":";
      r.line += std::to_string(op.index);
      r.line += ",\"clauses\":";
      if (op.clauses.empty())
        append_json_strings(r.line, w.header.clauses);
      else
        r.line += op.clauses.json();
      r.line += ",\"verdict\":\"";
      r.line += verdict;
      r.line += '"';
      if (missing) {
        r.line += ",\"missing\":";
        append_json_strings(r.line, *missing);
      }
      r.line += '}';
      finish_result(i, std::move(r));
    };
    auto base = [&](const Operation& op, const char* verdict) {
      Json j = {{"type", "result"}, {"scenario", w.header.id}, {"op", op.index}};
      j["clauses"] = result_clauses(w, op);
      j["verdict"] = verdict;
      return j;
    };

    // Which ops are applicable: an unclaimed feature (scenario or op) means not applicable, and no call.
    std::vector<std::vector<std::string>> missing(w.ops.size());
    std::vector<size_t> applicable, pos_of(w.ops.size());
    for (size_t i = 0; i < w.ops.size(); ++i) {
      std::vector<std::string> m = scenario_missing;
      for (auto& f : missing_of(w.ops[i].features))
        if (std::find(m.begin(), m.end(), f) == m.end()) m.push_back(f);
      std::sort(m.begin(), m.end());
      missing[i] = m;
      if (m.empty()) {
        pos_of[i] = applicable.size();
        applicable.push_back(i);
      }
    }

    std::optional<Observation> open_failure;
    bool opened = false;
    if (!applicable.empty()) {
      try {
        Observation o = impl.open(suite_, w.header);
        if (o.kind == ObservationKind::Outcome)
          opened = true;
        else
          open_failure = std::move(o);
      } catch (const std::exception& e) {
        open_failure = Observation{ObservationKind::Error, nullptr, where(w.line) + e.what()};
      }
      if (open_failure) open_failure->message = "open: " + open_failure->message;
    }

    size_t next_app = 0;  // index into `applicable` of the next op to send
    std::vector<Observation> observed;
    size_t batch = std::max(1u, opt_.batch);
    for (size_t i = 0; i < w.ops.size(); ++i) {
      const Operation& op = w.ops[i];
      if (!missing[i].empty()) {
        finish_text(i, op, static_verdict("not_applicable"), &missing[i]);
        continue;
      }
      if (open_failure) {
        finish(i, failure(w, op, base, *open_failure));
        continue;
      }
      // Send the next batch of applicable ops when this op's observation is not there yet.
      size_t pos = pos_of[i];
      if (pos >= next_app) {
        size_t n = std::min(batch, applicable.size() - next_app);
        std::vector<std::string_view> reqs;
        reqs.reserve(n);
        for (size_t k = 0; k < n; ++k) reqs.push_back(w.ops[applicable[next_app + k]].request.text());
        std::vector<Observation> got;
        try {
          got = impl.apply_text(reqs);
        } catch (const std::exception& e) {
          got.clear();
          for (size_t k = 0; k < n; ++k) got.push_back({ObservationKind::Error, nullptr, e.what()});
        }
        if (got.size() != n) {
          std::string msg = "implementation returned " + std::to_string(got.size()) + " observations for " +
                            std::to_string(n) + " requests";
          got.resize(n);
          for (auto& g : got) g = {ObservationKind::Error, nullptr, msg};
        }
        observed.resize(next_app);
        for (auto& g : got) observed.push_back(std::move(g));
        next_app += n;
      }
      const Observation& o = observed[pos];
      if (o.kind != ObservationKind::Outcome) {
        finish(i, failure(w, op, base, o));
        continue;
      }
      Comparison cmp;
      try {
        cmp = suite_.compare_text(op.expect.text(), o.text);
      } catch (const std::exception& e) {
        Json j = base(op, "error");
        j["message"] = where(w.line) + "comparing outcomes: " + e.what();
        j["request"] = op.request.json();
        j["observed"] = observed_json(o);
        finish(i, std::move(j));
        continue;
      }
      if (cmp.match) {
        // Only an entry that names the scenario turns a pass into xpass: a clause-wide entry also selects
        // operations that never reach the known bug (the clause is exercised but not broken by them). Such an
        // entry is stale when it waives nothing in the whole run (see run(); docs/formats.md §5).
        const Expectation* e =
            expectations ? expectations->match("", w.header.id, result_clauses(w, op), {}, op.request.text())
                         : nullptr;
        if (e && e->scenario.empty()) e = nullptr;
        if (!e) {
          finish_text(i, op, static_verdict("pass"));
        } else {
          // Expected to fail but passed: the expectation is stale (docs/formats.md §5).
          Json j = base(op, "xpass");
          j["reason"] = e->reason;
          if (!e->tracker.empty()) j["tracker"] = e->tracker;
          finish(i, std::move(j));
        }
        continue;
      }
      if (!o.text.empty() && is_canonical_json(o.text)) {
        finish_result(i, fail_text(w, op, o.text, cmp.diff));
        continue;
      }
      Json j = base(op, "fail");
      waive(j, w, op, cmp.diff);
      j["request"] = op.request.json();
      j["expected"] = op.expect.json();
      j["observed"] = observed_json(o);
      j["diff"] = cmp.diff;
      finish(i, std::move(j));
    }
    if (opened) {
      try {
        impl.close();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "vipcts: warning: %s: close after scenario %s: %s\n", opt_.impl_spec.c_str(),
                     w.header.id.c_str(), e.what());
      }
    }
    return done;
  }

 private:
  std::string where(size_t line) const { return located(vectors_path_, line, ""); }

  // An outcome from apply_text() (text), or from an implementation that filled `outcome` anyway.
  static Json observed_json(const Observation& o) {
    if (o.text.empty()) return o.outcome;
    Json j = Json::parse(o.text, nullptr, /*allow_exceptions=*/false);
    return j.is_discarded() ? Json(o.text) : j;
  }

  static const std::vector<std::string>& result_clauses(const Work& w, const Operation& op) {
    return op.clauses.empty() ? w.header.clauses : op.clauses.ids();
  }

  // Turns a failing verdict into `waived` when the expectations file expects it.
  // `detail` is the diff (fail) or the message (crash, timeout, error), for entries with a `detail` selector.
  void waive(Json& j, const Work& w, const Operation& op, std::string_view detail) const {
    if (!expectations) return;
    const Expectation* e = expectations->match(j["verdict"].get<std::string>(), w.header.id,
                                               result_clauses(w, op), detail, op.request.text());
    if (!e) return;
    j["verdict"] = "waived";
    j["expectation"] = e->line;
    j["reason"] = e->reason;
    if (!e->tracker.empty()) j["tracker"] = e->tracker;
  }

  // A `fail` (or, by the expectations, `waived`) result line written as text: the same bytes as the DOM path
  // above (key order, compact form), whose parse and dump of the request, expected and observed texts only
  // reproduce them when they are canonical (json_text.hpp), as `observed` is checked to be by the caller.
  // Against an implementation with known divergences these are a large share of all lines.
  Result fail_text(const Work& w, const Operation& op, std::string_view observed,
                   const std::string& diff) const {
    const Expectation* e = expectations ? expectations->match("fail", w.header.id, result_clauses(w, op),
                                                              diff, op.request.text())
                                        : nullptr;
    Result r{"{\"type\":\"result\",\"scenario\":", static_verdict(e ? "waived" : "fail"), 0};
    std::string& line = r.line;
    append_json_string(line, w.header.id);
    line += ",\"op\":";
    line += std::to_string(op.index);
    line += ",\"clauses\":";
    if (op.clauses.empty())
      append_json_strings(line, w.header.clauses);
    else
      line += op.clauses.json();
    line += ",\"verdict\":\"";
    line += r.verdict;
    line += '"';
    if (e) {
      r.expectation = e->line;
      line += ",\"expectation\":";
      line += std::to_string(e->line);
      line += ",\"reason\":";
      append_json_string(line, e->reason);
      if (!e->tracker.empty()) {
        line += ",\"tracker\":";
        append_json_string(line, e->tracker);
      }
    }
    line += ",\"request\":";
    line += op.request.text();
    line += ",\"expected\":";
    line += op.expect.text();
    line += ",\"observed\":";
    line += observed;
    line += ",\"diff\":";
    append_json_string(line, diff);
    line += '}';
    return r;
  }

  template <typename Base>
  Json failure(const Work& w, const Operation& op, Base& base, const Observation& o) const {
    Json j = base(op, kind_verdict(o.kind));
    waive(j, w, op, o.message);
    j["message"] = o.message;
    j["request"] = op.request.json();
    return j;
  }

  const RunOptions& opt_;
  const Suite& suite_;
  std::string vectors_path_;
};

std::string basename_of(const std::string& p) {
  auto s = p.find_last_of('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

Json make_provenance(const RunOptions& o, const Suite& suite, const ClauseFile& spec, const VectorHeader& vh,
                     const std::string& vectors_sha, const ImplementationInfo& info,
                     const std::optional<ExpectationFile>& ex) {
  Json clauses = Json::array();
  for (const auto& c : spec.clauses) clauses.push_back({{"id", c.id}, {"title", c.title}});
  Json p = {{"type", "provenance"}, {"format", 1}};
  p["vipcts"] = {{"version", VIPCTS_VERSION}, {"git", VIPCTS_GIT_HASH}};
  p["suite"] = std::string(suite.name());
  p["spec"] = {{"file", basename_of(spec.path)}, {"sha256", spec.sha256}, {"clauses", clauses}};
  p["vectors"] = {{"file", o.vectors_path}, {"sha256", vectors_sha}, {"seed", vh.seed}};
  p["implementation"] = {{"id", o.impl_spec.empty() ? info.id : o.impl_spec},
                         {"name", info.name},
                         {"version", info.version},
                         {"features", info.features},
                         {"profile", info.profile}};
  p["expectations"] = {{"file", ex ? ex->path : ""}, {"sha256", ex ? ex->sha256 : ""}};
  p["selection"] = {{"clause", o.clause_glob.empty() ? "*" : o.clause_glob},
                    {"shard", std::to_string(o.shard.index) + "/" + std::to_string(o.shard.count)},
                    {"scenario", o.scenario_glob}};
  p["command"] = o.command;
  return p;
}

// A suite's profiles (Suite::profiles()): a vectors file's expected outcomes hold for the profile it was
// generated for, and the implementation must declare that one. A mismatch is an input error (exit 2), not a
// failure of the operations that depend on the profile: the file cannot tell which ones they are (for smmu,
// the nested translations where both stages enable PBHA), and generating for the declared profile is cheap.
void check_profiles(const RunOptions& o, const Suite& suite, const VectorHeader& vh,
                    const ImplementationInfo& info) {
  if (suite.profiles().empty()) return;
  std::string vectors, declared;
  const std::string impl = o.impl_spec.empty() ? info.id : o.impl_spec;
  try {
    vectors = canonical_profile(suite, vh.profile);
  } catch (const InputError& e) {
    const bool jsonl = vector_encoding(o.vectors_path) == VectorEncoding::Jsonl;
    throw InputError(
        located(o.vectors_path, jsonl ? 1 : 0, std::string(jsonl ? "header." : "") + "profile: " + e.what()));
  }
  try {
    declared = canonical_profile(suite, info.profile);
  } catch (const InputError& e) {
    throw InputError("--impl " + impl + ": declared profile (hello `profile`, C ABI `profile`): " + e.what());
  }
  if (vectors == declared) return;
  auto name = [&](const std::string& p) {
    return p.empty() ? suite.profiles().front() + " (the default)" : p;
  };
  throw InputError("--impl " + impl + " declares profile " + name(declared) + ", but " + o.vectors_path +
                   " holds the outcomes of " + name(vectors) + "; generate vectors for it: vipcts gen " +
                   std::string(suite.name()) + " --profile " +
                   (declared.empty() ? suite.profiles().front() : declared) + " ...");
}

// A resumed run must continue the same run: same inputs, same implementation, same selection.
void check_resumable(const std::string& path, const Json& old, const Json& now) {
  auto same = [&](const char* a, const char* b) {
    const Json* x = old.contains(a) ? &old[a] : nullptr;
    if (!x || (b && !x->contains(b))) return false;
    return b ? (*x)[b] == now[a][b] : *x == now[a];
  };
  const std::pair<const char*, const char*> keys[] = {{"suite", nullptr},     {"vectors", "sha256"},
                                                      {"spec", "sha256"},     {"implementation", "id"},
                                                      {"selection", nullptr}, {"expectations", "sha256"}};
  for (auto [a, b] : keys)
    if (!same(a, b))
      throw InputError(located(path, 1,
                               std::string("provenance.") + a + (b ? std::string(".") + b : "") +
                                   ": differs from this run; cannot resume (start a new results file)"));
}

}  // namespace

int run(const RunOptions& opt, const Suite& suite, Implementation& first) {
  const std::string spec_path = opt.spec_dir + "/" + std::string(suite.clause_file());
  ClauseFile spec = load_clause_file(spec_path, /*check_predicates=*/false);  // `spec check` parses them
  if (spec.suite != suite.name())
    throw InputError(
        located(spec_path, 0,
                "suite: the file is for `" + spec.suite + "`, not `" + std::string(suite.name()) + "`"));
  std::optional<ExpectationFile> ex;
  if (!opt.expect_path.empty()) ex = load_expectations(opt.expect_path);

  const std::string vectors_sha = sha256_file(opt.vectors_path);
  VectorReader reader;
  reader.open(opt.vectors_path, suite.name());
  const VectorHeader& vh = reader.header();
  if (!vh.spec_sha256.empty() && vh.spec_sha256 != spec.sha256)
    std::fprintf(stderr,
                 "vipcts: warning: %s was generated from another version of %s (spec_sha256 differs)\n",
                 opt.vectors_path.c_str(), spec_path.c_str());

  check_profiles(opt, suite, vh, first.info());
  Json provenance = make_provenance(opt, suite, spec, vh, vectors_sha, first.info(), ex);

  ResultWriter results;
  ReplayWriter replay;
  ResumeState prior;
  std::set<std::string> in_replay;
  const std::string replay_path = ReplayWriter::path_for(opt.results_path);
  std::error_code ec;
  if (opt.resume && std::filesystem::exists(opt.results_path, ec)) {
    prior = results.resume(opt.results_path);
    check_resumable(opt.results_path, prior.provenance, provenance);
    in_replay = replay.resume(replay_path, vh);
  } else {
    results.create(opt.results_path, provenance);
    replay.create(replay_path, vh);
  }
  ResultCounts counts = prior.counts;
  std::map<std::string, uint64_t> clause_failures = prior.clause_failures;

  Runner runner(opt, suite, opt.vectors_path);
  runner.expectations = ex;

  std::set<std::string> unknown_clauses;
  std::unordered_set<std::string_view> known_clauses;  // every operation names ~30: a hash lookup each
  for (const auto& c : spec.clauses) known_clauses.insert(c.id);
  auto check_clauses = [&](const std::vector<std::string>& ids) {
    for (const auto& id : ids)
      if (!known_clauses.count(id) && unknown_clauses.insert(id).second)
        std::fprintf(stderr, "vipcts: warning: %s: clause %s is not in %s\n", opt.vectors_path.c_str(),
                     id.c_str(), spec_path.c_str());
  };
  // The reader shares one ClauseList per distinct list: each is checked once (the copies kept here keep the
  // identities unique; bounded like the reader's table).
  std::unordered_map<const void*, ClauseList> checked_lists;
  auto check_op_clauses = [&](const ClauseList& list) {
    if (list.identity() && checked_lists.count(list.identity())) return;
    check_clauses(list.ids());
    if (list.identity() && checked_lists.size() < 4096) checked_lists.emplace(list.identity(), list);
  };

  // The suite's checks of what was read, located at the vectors file's line (exit 2).
  auto checked = [&](size_t line, const auto& check) {
    try {
      check();
    } catch (const InputError& e) {
      throw InputError(located(opt.vectors_path, line, e.what()));
    }
  };
  // Reads the next scenario (header and all its ops); false at the end of the file.
  uint64_t ordinal = 0;
  // Operations are swapped into w.ops rather than moved, so that the reader fills the buffers of the previous
  // scenario's operations again (no allocation per operation when `w` is reused, as with --jobs 1).
  VectorEvent ev;
  auto read_scenario = [&](Work& w) {
    size_t n = 0;
    while (reader.next(ev)) {
      if (ev.kind == VectorEventKind::ScenarioBegin) {
        w.line = ev.line;
        w.header = std::move(ev.scenario);
        n = 0;
        checked(ev.line, [&] { suite.check_state_text(w.header.state.text()); });
      } else if (ev.kind == VectorEventKind::Op) {
        checked(ev.line, [&] { suite.check_operation(ev.op); });
        if (n < w.ops.size())
          std::swap(w.ops[n], ev.op);
        else
          w.ops.push_back(std::move(ev.op));
        ++n;
      } else {
        w.ops.resize(n);
        return true;
      }
    }
    return false;
  };
  auto selected = [&](const Work& w, uint64_t ord) {
    if (ord % opt.shard.count != opt.shard.index) return false;
    if (!opt.scenario_glob.empty() && !glob_match(opt.scenario_glob, w.header.id)) return false;
    if (opt.clause_glob.empty()) return true;
    for (const auto& c : w.header.clauses)
      if (glob_match(opt.clause_glob, c)) return true;
    for (const auto& op : w.ops)
      for (const auto& c : op.clauses)
        if (glob_match(opt.clause_glob, c)) return true;
    return false;
  };
  // With --resume: a scenario whose results are all there (and whose replay is, if it failed) is skipped.
  auto already_done = [&](const Work& w) {
    if (!opt.resume) return false;
    for (const auto& op : w.ops)
      if (!prior.done.count({w.header.id, op.index})) return false;
    return !prior.failing_scenarios.count(w.header.id) || in_replay.count(w.header.id);
  };
  auto is_done_op = [&](const Work& w, size_t i) {
    return opt.resume && prior.done.count({w.header.id, w.ops[i].index}) > 0;
  };
  // Clause-wide expectation entries (no scenario selector) that selected some result, and the entries that
  // waived one: an entry that selected results but waived none is stale.
  std::set<uint64_t> selecting = {}, waiving = prior.waived_expectations;
  auto record = [&](const Work& w, size_t i, const Result& r) {
    results.write(r.line);
    const std::string_view v = r.verdict;
    counts.add(v);
    if (v == "waived" && r.expectation) waiving.insert(r.expectation);
    const Operation& op = w.ops[i];
    const std::vector<std::string>& clauses = op.clauses.empty() ? w.header.clauses : op.clauses.ids();
    if (ex && v == "pass") {
      const Expectation* e = ex->match("", w.header.id, clauses, {}, op.request.text());
      if (e && e->scenario.empty()) selecting.insert(e->line);
    }
    if (is_failing_verdict(v))
      for (const auto& c : clauses) ++clause_failures[c];
  };
  auto after = [&](const Work& w, const Done& d) {
    bool failing = d.failing || prior.failing_scenarios.count(w.header.id);
    if (failing && !in_replay.count(w.header.id)) replay.write(w.header, w.ops);
  };

  const unsigned jobs = std::max(1u, opt.jobs);
  if (jobs == 1) {
    Work w;
    while (read_scenario(w)) {
      uint64_t ord = ordinal++;
      if (!selected(w, ord)) continue;
      check_clauses(w.header.clauses);
      for (const auto& op : w.ops) check_op_clauses(op.clauses);
      if (already_done(w)) continue;
      Done d = runner.run_scenario(first, w, [&](size_t i, Result&& r) {
        if (!is_done_op(w, i)) record(w, i, r);
      });
      after(w, d);
      results.flush_if_due();
    }
  } else {
    if (!opt.make_implementation)
      throw InputError("--jobs: this implementation cannot be started more than once");
    std::vector<std::unique_ptr<Implementation>> extra;
    for (unsigned k = 1; k < jobs; ++k) extra.push_back(opt.make_implementation());
    std::vector<Implementation*> impls{&first};
    for (auto& e : extra) impls.push_back(e.get());

    std::mutex m;
    std::condition_variable cv;
    std::deque<std::shared_ptr<Work>> queue;
    std::map<uint64_t, std::pair<std::shared_ptr<Work>, Done>> finished;
    bool closing = false;
    std::exception_ptr worker_error;
    auto worker = [&](Implementation* impl) {
      for (;;) {
        std::shared_ptr<Work> w;
        {
          std::unique_lock lk(m);
          cv.wait(lk, [&] { return closing || !queue.empty(); });
          if (queue.empty()) return;
          w = queue.front();
          queue.pop_front();
        }
        Done d;
        try {
          d = runner.run_scenario(*impl, *w, {});
        } catch (...) {
          std::lock_guard lk(m);
          if (!worker_error) worker_error = std::current_exception();
        }
        {
          std::lock_guard lk(m);
          finished.emplace(w->seq, std::make_pair(w, std::move(d)));
        }
        cv.notify_all();
      }
    };
    std::vector<std::thread> threads;
    for (auto* impl : impls) threads.emplace_back(worker, impl);
    auto stop = [&] {
      {
        std::lock_guard lk(m);
        closing = true;
        queue.clear();
      }
      cv.notify_all();
      for (auto& t : threads)
        if (t.joinable()) t.join();
    };
    // Results are written by this thread only, in `seq` order, so the file equals a --jobs 1 run's.
    uint64_t pushed = 0, written = 0;
    const uint64_t window = 4ull * jobs + 8;  // bounds the scenarios held in memory
    auto drain = [&](std::unique_lock<std::mutex>& lk) {
      for (;;) {
        auto it = finished.find(written);
        if (it == finished.end()) return;
        auto item = std::move(it->second);
        finished.erase(it);
        if (worker_error) std::rethrow_exception(worker_error);
        lk.unlock();
        const Work& w = *item.first;
        for (size_t i = 0; i < item.second.results.size(); ++i)
          if (!is_done_op(w, i)) record(w, i, item.second.results[i]);
        after(w, item.second);
        results.flush_if_due();
        lk.lock();
        ++written;
      }
    };
    try {
      for (;;) {
        auto w = std::make_shared<Work>();
        if (!read_scenario(*w)) break;
        uint64_t ord = ordinal++;
        if (!selected(*w, ord)) continue;
        check_clauses(w->header.clauses);
        for (const auto& op : w->ops) check_op_clauses(op.clauses);
        if (already_done(*w)) continue;
        std::unique_lock lk(m);
        cv.wait(lk, [&] { return pushed - written < window || finished.count(written) || worker_error; });
        if (worker_error) std::rethrow_exception(worker_error);
        drain(lk);
        w->seq = pushed++;
        queue.push_back(std::move(w));
        lk.unlock();
        cv.notify_all();
      }
      std::unique_lock lk(m);
      while (written < pushed) {
        cv.wait(lk, [&] { return finished.count(written) || worker_error; });
        if (worker_error) std::rethrow_exception(worker_error);
        drain(lk);
      }
      lk.unlock();
      stop();
    } catch (...) {
      stop();
      throw;
    }
  }

  std::vector<uint64_t> stale;
  for (uint64_t line : selecting)
    if (!waiving.count(line)) stale.push_back(line);
  results.finish(counts, stale);
  replay.close();
  for (uint64_t line : stale)
    std::fprintf(
        stderr, "vipcts: %s\n",
        located(ex->path, line, "stale expectation: it selected passing operations and waived none").c_str());

  if (opt.summary_out) {
    FILE* out = opt.summary_out;
    std::string line = std::string(suite.name()) + ": " + std::to_string(counts.total) +
                       " ops: " + std::to_string(counts["pass"]) + " passed, " +
                       std::to_string(counts["fail"]) + " failed";
    const std::pair<const char*, const char*> rest[] = {{"not_applicable", "not applicable"},
                                                        {"crash", "crashed"},
                                                        {"timeout", "timed out"},
                                                        {"error", "errors"},
                                                        {"waived", "waived"},
                                                        {"xpass", "xpass"}};
    for (auto [key, label] : rest)
      if (counts[key]) line += ", " + std::to_string(counts[key]) + " " + label;
    std::fprintf(out, "%s\n", line.c_str());
    if (!clause_failures.empty()) {
      std::vector<std::pair<std::string, uint64_t>> top(clause_failures.begin(), clause_failures.end());
      std::stable_sort(top.begin(), top.end(), [](auto& a, auto& b) { return a.second > b.second; });
      std::fprintf(out, "failures by clause%s:\n", top.size() > 10 ? " (top 10)" : "");
      for (size_t i = 0; i < top.size() && i < 10; ++i)
        std::fprintf(out, "  %6llu  %s\n", static_cast<unsigned long long>(top[i].second),
                     top[i].first.c_str());
    }
    std::fprintf(out, "results: %s%s\n", opt.results_path.c_str(),
                 counts.any_failing() ? (", replay: " + replay_path).c_str() : "");
    std::fflush(out);
  }
  return counts.any_failing() || !stale.empty() ? kExitFailures : kExitOk;
}

}  // namespace vipcts
