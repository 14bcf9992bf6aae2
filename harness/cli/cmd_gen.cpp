// vipcts gen: a suite's scenarios, with the reference's expected outcomes, as a vector file (JSONL or YAML by
// extension). Same options -> byte-identical file. vipcts convert: the same vectors in the other encoding.
#include <cstdio>

#include "commands.hpp"
#include "harness/core/clauses.hpp"
#include "harness/core/errors.hpp"
#include "harness/core/suite.hpp"
#include "harness/core/vectors.hpp"
#include "vipcts_version.hpp"

namespace vipcts::cli {
namespace {

struct GenArgs {
  std::string suite, output, platform;
  uint64_t seed = 1, count = 100;
  unsigned ops = 16;
  bool no_boundary = false, no_random = false;
};

// Counts what the generator produced, for the closing line.
class CountingSink : public ScenarioSink {
 public:
  explicit CountingSink(ScenarioSink& inner) : inner_(inner) {}
  void begin(const ScenarioHeader& h) override {
    ++scenarios;
    inner_.begin(h);
  }
  void op(const Operation& o) override {
    ++ops;
    inner_.op(o);
  }
  void end() override { inner_.end(); }
  uint64_t scenarios = 0, ops = 0;

 private:
  ScenarioSink& inner_;
};

std::string known_suites() {
  std::string s;
  for (const Suite* x : all_suites()) s += (s.empty() ? "" : ", ") + std::string(x->name());
  return s;
}

int gen(const Globals& g, const GenArgs& a) {
  const Suite* suite = find_suite(a.suite);
  if (!suite) throw InputError("gen: unknown suite `" + a.suite + "` (known: " + known_suites() + ")");
  if (a.no_boundary && a.no_random)
    throw InputError("gen: --no-boundary and --no-random leave nothing to generate");
  vector_encoding(a.output);  // reject an unknown extension before any work
  const std::string dir = g.spec_dir();
  ClauseFile spec = load_clause_file(dir + "/" + std::string(suite->clause_file()));
  VectorHeader h;
  h.suite = std::string(suite->name());
  h.seed = a.seed;
  h.generator = std::string("vipcts ") + VIPCTS_VERSION;
  h.spec_sha256 = spec.sha256;
  GenerateOptions o;
  o.seed = a.seed;
  o.count = a.count;
  o.boundary = !a.no_boundary;
  o.random = !a.no_random;
  o.platform = a.platform;
  o.spec_dir = dir;
  o.ops_per_scenario = a.ops;
  VectorWriter writer(a.output, h);
  CountingSink sink(writer);
  suite->generate(o, sink);
  writer.finish();
  std::fprintf(stderr, "vipcts: wrote %llu scenarios, %llu operations to %s\n",
               static_cast<unsigned long long>(sink.scenarios), static_cast<unsigned long long>(sink.ops),
               a.output.c_str());
  return kExitOk;
}

int convert(const std::string& in, const std::string& out) {
  VectorReader r;
  r.open(in);
  VectorWriter w(out, r.header());
  VectorEvent ev;
  while (r.next(ev)) {
    if (ev.kind == VectorEventKind::ScenarioBegin)
      w.begin(ev.scenario);
    else if (ev.kind == VectorEventKind::Op)
      w.op(ev.op);
    else
      w.end();
  }
  w.finish();
  return kExitOk;
}

}  // namespace

std::vector<std::pair<CLI::App*, Action>> add_gen_commands(CLI::App& app, const Globals& g) {
  auto a = std::make_shared<GenArgs>();
  auto* gen_cmd = app.add_subcommand("gen", "generate vectors for a suite");
  gen_cmd->add_option("SUITE", a->suite, "suite name, e.g. smmu")->required();
  gen_cmd->add_option("--seed", a->seed, "random seed (recorded in the file)")->required();
  gen_cmd->add_option("--count", a->count, "random scenarios")->required();
  gen_cmd->add_option("-o,--output", a->output, "output file: .jsonl, .yaml or .yml")->required();
  gen_cmd->add_option("--ops-per-scenario", a->ops, "operations per random scenario")
      ->check(CLI::Range(1u, 1000000u));
  gen_cmd->add_flag("--no-boundary", a->no_boundary, "skip the Z3 boundary scenarios");
  gen_cmd->add_flag("--no-random", a->no_random, "skip the random scenarios");
  gen_cmd->add_option("--platform", a->platform,
                      "adapt scenarios to a real implementation (smmu: qemu-virt; vfio: linux-vm)");

  auto in = std::make_shared<std::string>(), out = std::make_shared<std::string>();
  auto* conv = app.add_subcommand("convert", "rewrite a vector file in another encoding (.jsonl <-> .yaml)");
  conv->add_option("INPUT", *in, "vector file to read")->required();
  conv->add_option("OUTPUT", *out, "vector file to write; encoding from the extension")->required();
  return {{gen_cmd, [&g, a] { return gen(g, *a); }}, {conv, [in, out] { return convert(*in, *out); }}};
}

}  // namespace vipcts::cli
