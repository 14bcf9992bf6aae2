// vipcts: the command-line entry point. Every input error ends with one line "vipcts: FILE:LINE: ..." on stderr
// and exit code 2 (docs/formats.md §6).
#include <cstdio>
#include <exception>

#include "commands.hpp"
#include "harness/core/errors.hpp"
#include "harness/core/clauses.hpp"

#ifndef VIPCTS_SPEC_DIR
#define VIPCTS_SPEC_DIR ""
#endif

namespace vipcts::cli {
std::string Globals::spec_dir() const { return find_spec_dir(spec_dir_option, compiled_spec_dir); }
}  // namespace vipcts::cli

int main(int argc, char** argv) {
  using namespace vipcts;
  cli::Globals g;
  g.compiled_spec_dir = VIPCTS_SPEC_DIR;
  g.argv.assign(argv, argv + argc);

  CLI::App app{"vipcts: conformance tests for the VFIO/IOMMU/PCI stack"};
  app.name("vipcts");
  app.require_subcommand(1);
  app.fallthrough();  // --spec-dir is accepted after the subcommand too
  app.add_option("--spec-dir", g.spec_dir_option,
                 "directory of the clause files (default: $VIPCTS_SPEC_DIR, else the build's spec/, else ./spec)");

  std::vector<std::pair<CLI::App*, cli::Action>> actions;
  for (auto&& add : {cli::add_spec_commands, cli::add_gen_commands, cli::add_run_command,
                     cli::add_report_commands}) {
    auto more = add(app, g);
    actions.insert(actions.end(), more.begin(), more.end());
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::fprintf(stderr, "vipcts: %s (see vipcts --help)\n", e.what());
    return kExitUsage;
  }
  try {
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
    std::fprintf(stderr, "vipcts: no command given (see vipcts --help)\n");
    return kExitUsage;
  } catch (const InputError& e) {
    std::fprintf(stderr, "vipcts: %s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vipcts: internal error: %s\n", e.what());
    return kExitUsage;
  }
}
