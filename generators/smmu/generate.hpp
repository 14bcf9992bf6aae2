// The SMMU scenario generator the suite glue calls: random scenarios from RapidCheck generators (well-formed and
// deliberately malformed configurations) and boundary scenarios aimed by Z3 at the edges of each clause
// predicate of spec/smmu.yaml. Scenarios carry inputs only; the expected outcomes come from the reference model,
// which the suite glue runs on each transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "reference/common/sparse_memory.hpp"
#include "reference/smmu/registers.hpp"
#include "reference/smmu/transaction.hpp"

namespace vipcts::smmu::gen {

struct ScenarioSpec {
  std::string id;                     // "smmu-<seed>-<index>" or "smmu-b-<CLAUSE.ID>-<true|false>-<n>"
  std::vector<std::string> clauses;   // sorted: the clauses the reference exercises on it (plus the boundary target)
  std::vector<std::string> features;  // sorted: what an implementation must claim (see scenario_features())
  SmmuRegisters regs;
  SparseMemory memory;
  std::vector<Transaction> transactions;
};

struct Options {
  uint64_t seed = 1;
  uint64_t count = 100;  // random scenarios
  unsigned ops_per_scenario = 16;
  bool random = true;
  bool boundary = true;
  std::string spec_file;  // path of spec/smmu.yaml; needed when boundary = true
  std::string platform;   // "" or a platform of platform.hpp: scenarios adapted to it (some left out)
};

// Emits the random scenarios (indices 0..count-1), then the boundary scenarios, in a fixed order. Same options ->
// the same scenarios, byte for byte. Throws InputError if the spec file is unusable.
void generate(const Options& options, const std::function<void(const ScenarioSpec&)>& emit);

// Features a scenario needs, from what its transactions reach (sorted, unique):
//   smmu.gbpa (SMMUEN=0), smmu.ste.bypass (Config=100), smmu.s1 (a CD-based translation), smmu.httu.af
//   (CD.HA=1 with IDR0.HTTU != 0), smmu.httu.dirty (CD.HD=1 and HA=1 with IDR0.HTTU=0b10), smmu.cd.tbi
//   (TBIx=1), smmu.cd.ttb1 (VA[55]=1 through TTB1 with EPD1=0), smmu.cd.raz_wi (CD.A=0), smmu.s1.vax
//   (IDR5.VAX != 0: 52-bit VAs), smmu.s1.ds (IDR5.DS: 52-bit descriptors for 4 KB and 16 KB), smmu.s2.ds
//   (IDR5.DS and a stage-2 STE with S2DS or S2SL0_2 set). finish_scenario() adds smmu.stall when a
//   transaction stalls (CD.S or STE.S2S, SMMU.EVENT.STALL).
std::vector<std::string> scenario_features(const ScenarioSpec& s);

// Runs the reference model over the scenario's transactions (applying AF updates in between) and fills
// `clauses` with the union of the clause ids exercised, plus `extra` (sorted, unique). Also sets `features`.
void finish_scenario(ScenarioSpec& s, const std::vector<std::string>& extra = {});

}  // namespace vipcts::smmu::gen
