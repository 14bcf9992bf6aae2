// vipcts report, version and the hidden plugin-host (the process that contains a C-ABI plugin).
#include <cstdio>

#include "commands.hpp"
#include "harness/adapters/plugin_host.hpp"
#include "harness/core/suite.hpp"
#include "harness/reports/report.hpp"
#include "vipcts_version.hpp"

namespace vipcts::cli {

std::vector<std::pair<CLI::App*, Action>> add_report_commands(CLI::App& app, const Globals&) {
  auto ro = std::make_shared<ReportOptions>();
  auto* rep = app.add_subcommand("report", "write a report from a results file");
  rep->add_option("RESULTS", ro->results_path, "results.jsonl")->required();
  rep->add_option("--format", ro->format, std::string("one of ") + report_formats())->required();
  rep->add_option("-o,--output", ro->output_path, "output file (default: stdout)");

  auto so = std::make_shared<std::string>();
  auto* host = app.add_subcommand("plugin-host", "");
  host->group("");  // internal: started by the plugin: adapter
  host->add_option("SO", *so, "shared object")->required();

  auto* ver = app.add_subcommand("version", "print the vipcts version and git hash");
  return {{rep, [ro] { return write_report(*ro); }},
          {host, [so] { return plugin_host_main(*so, [](std::string_view n) { return find_suite(n); }); }},
          {ver, [] {
             std::printf("vipcts %s (git %s)\n", VIPCTS_VERSION, VIPCTS_GIT_HASH);
             return 0;
           }}};
}

}  // namespace vipcts::cli
