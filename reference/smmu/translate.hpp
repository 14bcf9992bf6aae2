// The SMMU's answer to one transaction: a pure function of (memory, registers, transaction).
// Hardware updates (AF) are returned in the Outcome, not applied; apply_updates() does that between
// transactions.
#pragma once

#include "../common/sparse_memory.hpp"
#include "config_cache.hpp"
#include "outcome.hpp"
#include "pbha.hpp"
#include "registers.hpp"
#include "transaction.hpp"
#include "witness.hpp"

namespace vipcts::smmu {

// pbha_combine: how the implementation combines stage-1 and stage-2 PBHA of a nested translation (a profile
// parameter, SMMU.PBHA.COMBINE; the harness takes it from the profile a vectors file is generated for).
Outcome translate(const SparseMemory& memory, const SmmuRegisters& regs, const Transaction& txn,
                  Trace* trace = nullptr, PbhaCombine pbha_combine = PbhaCombine::Stage2Wins);

// The same answer, with the stream's configuration taken from (and kept in) `cache` when it is still exact:
// for callers that send many transactions through one memory (a scenario, a benchmark).
Outcome translate(const SparseMemory& memory, const SmmuRegisters& regs, const Transaction& txn,
                  ConfigCache& cache, PbhaCombine pbha_combine = PbhaCombine::Stage2Wins);

void apply_updates(SparseMemory& memory, const Outcome& outcome);

}  // namespace vipcts::smmu
