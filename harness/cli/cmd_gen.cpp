// vipcts gen: a suite's scenarios, with the reference's expected outcomes, as a vector file (JSONL or YAML by
// extension). Same options -> byte-identical file. vipcts convert: the same vectors in the other encoding.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "commands.hpp"
#include "harness/core/clauses.hpp"
#include "harness/core/errors.hpp"
#include "harness/core/suite.hpp"
#include "harness/core/vectors.hpp"
#include "vipcts_version.hpp"

namespace vipcts::cli {
namespace {

struct GenArgs {
  std::string suite, output, platform, features, profile;
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

// Keeps only the scenarios an implementation claiming `allowed` can run in full: a scenario is dropped whole
// when it, or any of its operations, needs another feature. Dropping single operations would break the
// scenario: later expected outcomes can depend on what earlier operations changed (Access flag updates).
class FeatureFilterSink : public ScenarioSink {
 public:
  FeatureFilterSink(ScenarioSink& inner, std::vector<std::string> allowed)
      : inner_(inner), allowed_(std::move(allowed)) {}
  void begin(const ScenarioHeader& h) override {
    header_ = h;
    ops_.clear();
    keep_ = claimed(h.features);
  }
  void op(const Operation& o) override {
    if (!keep_) return;
    keep_ = claimed(o.features);
    if (keep_) ops_.push_back(o);
  }
  void end() override {
    if (keep_) {
      inner_.begin(header_);
      for (const Operation& o : ops_) inner_.op(o);
      inner_.end();
    } else {
      ++dropped;
    }
    ops_.clear();
  }
  uint64_t dropped = 0;

 private:
  bool claimed(const std::vector<std::string>& needed) const {
    return std::all_of(needed.begin(), needed.end(), [&](const std::string& f) {
      return std::find(allowed_.begin(), allowed_.end(), f) != allowed_.end();
    });
  }
  ScenarioSink& inner_;
  std::vector<std::string> allowed_;
  ScenarioHeader header_;
  std::vector<Operation> ops_;
  bool keep_ = false;
};

// --features a,b,c: every name must be one of the suite's features, so a typo cannot silently empty the file.
std::vector<std::string> parse_features(const Suite& suite, const std::string& list) {
  const std::vector<std::string> known = suite.features();
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string f; std::getline(in, f, ',');) {
    if (std::find(known.begin(), known.end(), f) == known.end()) {
      std::string names;
      for (const std::string& k : known) names += (names.empty() ? "" : ", ") + k;
      throw InputError("gen: --features: unknown feature `" + f + "` of suite " + std::string(suite.name()) +
                       " (known: " + names + ")");
    }
    out.push_back(f);
  }
  return out;
}

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
  const bool filtered = !a.features.empty();
  const std::vector<std::string> allowed =
      filtered ? parse_features(*suite, a.features) : std::vector<std::string>{};
  const std::string dir = g.spec_dir();
  // The default profile is written as "" (no header key): the same file as without --profile.
  std::string profile;
  try {
    profile = canonical_profile(*suite, a.profile);
  } catch (const InputError& e) {
    throw InputError(std::string("gen: --profile: ") + e.what());
  }
  ClauseFile spec = load_clause_file(dir + "/" + std::string(suite->clause_file()));
  VectorHeader h;
  h.suite = std::string(suite->name());
  h.seed = a.seed;
  h.profile = profile;
  h.generator = std::string("vipcts ") + VIPCTS_VERSION;
  h.spec_sha256 = spec.sha256;
  GenerateOptions o;
  o.seed = a.seed;
  o.count = a.count;
  o.boundary = !a.no_boundary;
  o.random = !a.no_random;
  o.platform = a.platform;
  o.profile = profile;
  o.spec_dir = dir;
  o.ops_per_scenario = a.ops;
  VectorWriter writer(a.output, h);
  CountingSink sink(writer);
  FeatureFilterSink filter(sink, allowed);
  suite->generate(o, filtered ? static_cast<ScenarioSink&>(filter) : sink);
  writer.finish();
  std::fprintf(stderr, "vipcts: wrote %llu scenarios, %llu operations to %s",
               static_cast<unsigned long long>(sink.scenarios), static_cast<unsigned long long>(sink.ops),
               a.output.c_str());
  if (filtered)
    std::fprintf(stderr, " (%llu scenarios left out by --features)",
                 static_cast<unsigned long long>(filter.dropped));
  std::fputc('\n', stderr);
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
  gen_cmd->add_option(
      "--features", a->features,
      "comma-separated features: only scenarios needing no other feature (what an implementation "
      "claims)");
  gen_cmd->add_option("--platform", a->platform,
                      "adapt scenarios to a real implementation (smmu: qemu-virt; vfio: linux-vm)");
  gen_cmd->add_option(
      "--profile", a->profile,
      "expected outcomes for this profile of the implementation (smmu: pbha-combine=stage2-wins "
      "(default), pbha-combine=or, pbha-combine=impdef)");

  auto in = std::make_shared<std::string>(), out = std::make_shared<std::string>();
  auto* conv = app.add_subcommand("convert", "rewrite a vector file in another encoding (.jsonl <-> .yaml)");
  conv->add_option("INPUT", *in, "vector file to read")->required();
  conv->add_option("OUTPUT", *out, "vector file to write; encoding from the extension")->required();
  return {{gen_cmd, [&g, a] { return gen(g, *a); }}, {conv, [in, out] { return convert(*in, *out); }}};
}

}  // namespace vipcts::cli
