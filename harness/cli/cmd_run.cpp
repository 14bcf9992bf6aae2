// vipcts run: vectors through an implementation into results.jsonl, then any --report views of them.
#include <cstdio>

#include "commands.hpp"
#include "harness/adapters/adapters.hpp"
#include "harness/core/errors.hpp"
#include "harness/core/runner.hpp"
#include "harness/core/suite.hpp"
#include "harness/core/vectors.hpp"
#include "harness/reports/report.hpp"

namespace vipcts::cli {
namespace {

struct RunArgs {
  std::string suite, impl, vectors, output = "results.jsonl", expect, clause, scenario, shard = "0/1";
  unsigned jobs = 1, timeout_ms = 5000, batch = 256;
  bool resume = false;
  std::vector<std::string> reports;  // FORMAT:PATH
};

int run_cmd(const Globals& g, const RunArgs& a) {
  // Check everything the command line alone can tell before starting any implementation.
  Shard shard = parse_shard(a.shard);
  std::vector<ReportOptions> reports;
  for (const auto& r : a.reports) {
    auto colon = r.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == r.size())
      throw InputError("--report: expected FORMAT:PATH (FORMAT one of " + std::string(report_formats()) +
                       "), found `" + r + "`");
    reports.push_back({a.output, r.substr(0, colon), r.substr(colon + 1)});
  }
  // The vector file says which suite it is for, and for which profile its outcomes were computed: the
  // reference follows that profile (the runner checks any other implementation's declaration against it).
  VectorReader peek;
  peek.open(a.vectors);
  const std::string suite_name = a.suite.empty() ? peek.header().suite : a.suite;
  const Suite* suite = find_suite(suite_name);
  if (!suite) throw InputError("--suite: unknown suite `" + suite_name + "`");

  ImplementationOptions io;
  io.timeout_ms = a.timeout_ms;
  io.batch = a.batch;
  io.vipcts_exe = self_executable();
  io.profile = peek.header().profile;
  std::unique_ptr<Implementation> impl = make_implementation(a.impl, io, *suite);

  RunOptions o;
  o.vectors_path = a.vectors;
  o.results_path = a.output;
  o.expect_path = a.expect;
  o.clause_glob = a.clause;
  o.scenario_glob = a.scenario;
  o.shard = shard;
  o.jobs = a.jobs;
  o.batch = a.batch;
  o.resume = a.resume;
  o.spec_dir = g.spec_dir();
  o.impl_spec = a.impl;
  o.command = g.argv;
  o.make_implementation = [spec = a.impl, io, suite] { return make_implementation(spec, io, *suite); };
  int rc = run(o, *suite, *impl);
  impl.reset();  // reap out-of-process implementations before the reports
  for (const auto& r : reports) {
    write_report(r);
    std::fprintf(stderr, "vipcts: wrote %s report %s\n", r.format.c_str(), r.output_path.c_str());
  }
  return rc;
}

}  // namespace

std::vector<std::pair<CLI::App*, Action>> add_run_command(CLI::App& app, const Globals& g) {
  auto a = std::make_shared<RunArgs>();
  auto* r = app.add_subcommand("run", "run vectors against an implementation");
  r->add_option("--suite", a->suite, "suite (default: the vector file's)");
  r->add_option("--impl", a->impl, "reference | exec:COMMAND | plugin:PATH.so | plugin-inproc:PATH.so")
      ->required();
  r->add_option("--vectors", a->vectors, "vector file (.jsonl, .yaml)")->required();
  r->add_option("-o,--output", a->output, "results file (default results.jsonl)");
  r->add_option("--expect", a->expect, "expectations file of the implementation");
  r->add_option("--clause", a->clause, "only scenarios exercising a clause matching GLOB");
  r->add_option("--scenario", a->scenario, "only the scenario(s) with this id (glob)");
  r->add_option("--shard", a->shard, "I/N: only scenarios whose ordinal % N == I");
  r->add_option("--jobs", a->jobs, "implementations run in parallel")->check(CLI::Range(1u, 1024u));
  r->add_option("--timeout-ms", a->timeout_ms, "per-operation timeout (out-of-process implementations)")
      ->check(CLI::Range(1u, 86400000u));
  r->add_option("--batch", a->batch, "operations in flight at once")->check(CLI::Range(1u, 1000000u));
  r->add_flag("--resume", a->resume, "continue an interrupted results file");
  r->add_option("--report", a->reports, "FORMAT:PATH, repeatable: write a report after the run");
  return {{r, [&g, a] { return run_cmd(g, *a); }}};
}

}  // namespace vipcts::cli
