// Report writers: views of a results.jsonl file (docs/formats.md §4) as json, junit, ktap, md or html.
#pragma once

#include <cstddef>
#include <string>

namespace vipcts {

struct ReportOptions {
  std::string results_path;
  std::string format;       // one of report_formats()
  std::string output_path;  // "" = stdout; otherwise written atomically (PATH.tmp.<pid>, then rename)
  // How many failing operations, waived operations and failing scenarios are listed in detail; the rest are
  // counted. Results can hold millions of lines, so only these lists are kept in memory.
  size_t max_details = 1000;
};

// Reads the results, writes the report and returns the exit code of the results (docs/formats.md §6): 0 when
// every operation passed, was waived or not applicable and the run completed; 1 otherwise (an interrupted
// run is never reported as clean). Throws InputError ("FILE:LINE: field: ...") on bad input or an
// unsupported format.
int write_report(const ReportOptions& options);

// The accepted format names, comma-separated, for usage messages: "json, junit, ktap, md, html".
const char* report_formats();

}  // namespace vipcts
