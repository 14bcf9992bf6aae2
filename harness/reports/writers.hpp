// One renderer per report format. Each returns the whole report; the same model gives the same bytes (no
// clock, no unordered iteration), so reports can be diffed and committed.
#pragma once

#include <string>

#include "results_model.hpp"

namespace vipcts::reports {

std::string render_json(const ResultsModel& m);
std::string render_junit(const ResultsModel& m);
std::string render_ktap(const ResultsModel& m);
std::string render_md(const ResultsModel& m);
std::string render_html(const ResultsModel& m);

// Shared wording, so every format says the same thing.
std::string incomplete_notice(const ResultsModel& m);    // "" for a complete run
std::string partial_line_notice(const ResultsModel& m);  // "" unless a partial last line was dropped
// "3 fail, 1 crash" for the non-zero failing counts of c.
std::string failing_breakdown(const Counts& c);

}  // namespace vipcts::reports
