// The SMMU's answer to one transaction: a pure function of (memory, registers, transaction).
// Hardware updates (AF) are returned in the Outcome, not applied; apply_updates() does that between
// transactions.
#pragma once

#include "../common/sparse_memory.hpp"
#include "outcome.hpp"
#include "registers.hpp"
#include "transaction.hpp"
#include "witness.hpp"

namespace vipcts::smmu {

Outcome translate(const SparseMemory& memory, const SmmuRegisters& regs, const Transaction& txn,
                  Trace* trace = nullptr);

void apply_updates(SparseMemory& memory, const Outcome& outcome);

}  // namespace vipcts::smmu
