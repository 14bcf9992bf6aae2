// Scenarios and operations as the harness sees them: suite-neutral JSON payloads. Only a Suite interprets
// state, request and outcome.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "json.hpp"

namespace vipcts {

struct ScenarioHeader {
  std::string id;                     // stable: "<suite>-<seed>-<index>" or "<suite>-boundary-<clause>-<n>"
  std::vector<std::string> clauses;   // what the scenario was built to exercise
  std::vector<std::string> features;  // features an implementation must claim for it to apply
  Json state;                         // sent to the implementation once per scenario
};

struct Operation {
  uint64_t index = 0;                 // position within the scenario, from 0
  Json request;                       // {"method": "...", "params": {...}}
  Json expect;                        // the reference model's outcome
  std::vector<std::string> clauses;   // clauses the reference exercised for this operation
  std::vector<std::string> features;  // extra features this operation needs
};

}  // namespace vipcts
