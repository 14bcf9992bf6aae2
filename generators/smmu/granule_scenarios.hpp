// Scenarios for every stage-1 granule (4/16/64 KB), every start level (TxSZ), every leaf level the granule
// allows and the block levels it forbids, TTB0 and TTB1 (TG1's own encoding), TBI top-byte variants, 52-bit
// output with 64 KB (LPA), output-address boundaries 2^eff - 1 / 2^eff, and every PBHA enable combination
// (IDR3.PBHA x CD.HADx x CD.HWUx, random leaf and table bits [62:59]). Tables come from VmsaTableBuilder.
#pragma once

#include <cstdint>
#include <functional>

#include "generate.hpp"

namespace vipcts::smmu::gen {

// Emits the scenarios in a fixed order; ids "smmu-g-<seed>-<n>". The caller runs finish_scenario().
void generate_granule_scenarios(uint64_t seed, const std::function<void(ScenarioSpec&)>& emit);

}  // namespace vipcts::smmu::gen
