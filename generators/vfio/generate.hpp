// Scenario generation for the vfio suite: profiles and IOMMU geometries, random operation sequences
// (RapidCheck generators, deterministic per seed), directed scenarios per clause and Z3 boundary scenarios
// over the clause predicates. Expected outcomes always come from the reference model.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "reference/vfio/model.hpp"

namespace vipcts::vfio::gen {

struct Options {
  uint64_t seed = 1;
  uint64_t count = 100;
  unsigned ops_per_scenario = 16;
  bool random = true;
  bool boundary = true;
  std::string spec_file;  // spec/vfio.yaml, for the predicates
  // "" = random sequences over every profile; "linux-vm" = only the profiles a Debian kernel in the Linux VM
  // can check (type1 v1/v2 x linux-6.1/6.12 x intel-vtd-aw39/amd-vi), ids `vfio-vm-SEED-N`.
  std::string platform;
};

struct Op {
  Request request;
  Outcome outcome;
};

struct Scenario {
  std::string id;
  std::vector<std::string> clauses;   // sorted union of the operations' clauses
  std::vector<std::string> features;  // sorted
  ScenarioState state;
  std::vector<Op> ops;
};

// Geometry presets (docs/vfio-operations.md §2.2) and a state for a profile.
Geometry geometry_preset(const std::string& name);
ScenarioState make_state(Backend b, Kernel k, const std::string& geometry, uint32_t dma_entry_limit = 65535);

// Runs the model over `requests` in order. Requests the model reports as unmodelled are dropped (the state is
// restored) when `drop_unmodelled`, otherwise they throw std::logic_error. Fills clauses and features.
Scenario run(std::string id, const ScenarioState& state, const std::vector<Request>& requests,
             bool drop_unmodelled = false);

// Standard prefixes: a container with group 0 attached, the IOMMU set and device 0 open (type1, compat); an
// IOAS (handle 0) with device 0 bound (1) and attached (HWPT 2) (iommufd).
std::vector<Request> prefix(const ScenarioState& state, bool attach_device = true, bool sva = false);

// Random scenario `index` of stream `seed` (profile chosen by index, operations by derived seeds); `vm_only`:
// the profiles of Options::platform "linux-vm".
Scenario random_scenario(uint64_t seed, uint64_t index, unsigned ops, bool vm_only = false);

// Hand-written scenarios, each aimed at clauses a random sequence reaches rarely.
std::vector<Scenario> directed_scenarios();

// Z3 boundary scenarios of every predicate clause (see boundary.hpp).
std::vector<Scenario> boundary_scenarios(const std::string& spec_file);

void generate(const Options& options, const std::function<void(const Scenario&)>& sink);

}  // namespace vipcts::vfio::gen
