// Scenarios and operations as the harness sees them: suite-neutral JSON payloads. Only a Suite interprets
// state, request and outcome.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "json.hpp"
#include "json_text.hpp"

namespace vipcts {

// An immutable list of clause ids, shared. A vectors file names the same few lists over and over (89 distinct
// ones in 100 k generated operations), so the reader keeps one copy of each, with its JSON text, and
// operations point to it: no per-id work when reading, checking or writing results.
class ClauseList {
 public:
  ClauseList() = default;
  ClauseList(std::vector<std::string> ids);  // NOLINT: a list of ids is a clause list
  const std::vector<std::string>& ids() const { return data_ ? data_->ids : empty_ids(); }
  operator const std::vector<std::string>&() const { return ids(); }  // NOLINT
  bool empty() const { return ids().empty(); }
  size_t size() const { return ids().size(); }
  auto begin() const { return ids().begin(); }
  auto end() const { return ids().end(); }
  // ["A","B"], as nlohmann's dump() writes the list.
  std::string_view json() const { return data_ ? std::string_view(data_->json) : std::string_view("[]"); }
  // Equal for copies of the same list (the reader's interned lists): a cache key.
  const void* identity() const { return data_.get(); }

 private:
  struct Data {
    std::vector<std::string> ids;
    std::string json;
  };
  static const std::vector<std::string>& empty_ids();
  std::shared_ptr<const Data> data_;
};

struct ScenarioHeader {
  std::string id;                     // stable: "<suite>-<seed>-<index>" or "<suite>-boundary-<clause>-<n>"
  std::vector<std::string> clauses;   // what the scenario was built to exercise
  std::vector<std::string> features;  // features an implementation must claim for it to apply
  JsonValue state;                    // sent to the implementation once per scenario
};

struct Operation {
  uint64_t index = 0;                 // position within the scenario, from 0
  JsonValue request;                  // {"method": "...", "params": {...}}
  JsonValue expect;                   // the reference model's outcome
  ClauseList clauses;                 // clauses the reference exercised for this operation
  std::vector<std::string> features;  // extra features this operation needs
};

}  // namespace vipcts
