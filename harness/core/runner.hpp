// `vipcts run`: streams a vector file through an implementation and writes results.jsonl (docs/formats.md §4).
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "implementation.hpp"
#include "suite.hpp"

namespace vipcts {

struct Shard {
  unsigned index = 0, count = 1;
};
// "I/N" with 0 <= I < N; throws InputError naming --shard.
Shard parse_shard(const std::string& text);

struct RunOptions {
  std::string vectors_path;
  std::string results_path = "results.jsonl";
  std::string expect_path;    // "" = no expectations file
  std::string clause_glob;    // "" = every clause; else keep scenarios where it matches the scenario's or an op's clause
  std::string scenario_glob;  // "" = every scenario
  Shard shard;                // keep scenarios whose ordinal in the file % count == index
  unsigned jobs = 1;          // implementations run in parallel; results stay in scenario order
  unsigned batch = 256;       // operations per Implementation::apply call
  bool resume = false;
  std::string spec_dir;
  std::string impl_spec;              // as given on the command line (provenance)
  std::vector<std::string> command;  // argv (provenance)
  // Makes the extra implementations for jobs > 1 (the first is the one passed to run()).
  std::function<std::unique_ptr<Implementation>()> make_implementation;
  FILE* summary_out = stdout;  // the human summary; nullptr = none
};

// Returns the exit code of docs/formats.md §6 (0 or 1); throws InputError for bad input (exit 2).
int run(const RunOptions& options, const Suite& suite, Implementation& implementation);

}  // namespace vipcts
