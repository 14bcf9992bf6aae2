// The subcommands of the vipcts executable, one file each; main.cpp wires them into CLI11.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace vipcts::cli {

struct Globals {
  std::string spec_dir_option;    // --spec-dir
  std::string compiled_spec_dir;  // the build's VIPCTS_SPEC_DIR
  std::vector<std::string> argv;
  std::string spec_dir() const;   // resolved (clauses.hpp find_spec_dir)
};

// Each add_* registers its subcommand and returns the action to run when it was selected. Actions return the
// exit code and throw InputError for bad input.
using Action = std::function<int()>;
std::vector<std::pair<CLI::App*, Action>> add_spec_commands(CLI::App& app, const Globals& g);
std::vector<std::pair<CLI::App*, Action>> add_gen_commands(CLI::App& app, const Globals& g);
std::vector<std::pair<CLI::App*, Action>> add_run_command(CLI::App& app, const Globals& g);
std::vector<std::pair<CLI::App*, Action>> add_report_commands(CLI::App& app, const Globals& g);

}  // namespace vipcts::cli
