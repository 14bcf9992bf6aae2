// What a transaction comes to: translated (output address and attributes), terminated with or without an
// event record, or stalled with its (always written) record; and the descriptor writes hardware updates made
// (HTTU).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "clause.hpp"
#include "event_record.hpp"

namespace vipcts::smmu {

enum class Status : uint8_t {
  Translated,  // the access proceeds to output_address
  Terminated,  // the access is aborted (or RAZ/WI), see termination
  Unmodelled,  // the configuration is outside what this model covers yet; never produced by our generators
  // A Translation-related fault under the Stall model (CD.S = 1 or STE.S2S = 1, SMMU.EVENT.STALL): no
  // response until software sends CMD_RESUME or CMD_STALL_TERM (IHI 0070 G.b §3.12.2), so as a single
  // transaction's outcome it stays stalled. The event (Stall = 1) is always recorded; `termination` is
  // unused.
  Stalled,
};

enum class Termination : uint8_t { Abort, RazWi };

struct MemoryAttributes {
  uint8_t mair_attr = 0;  // the MAIR byte selected by AttrIndx
  uint8_t sh = 0;         // shareability, descriptor bits [9:8]
  bool operator==(const MemoryAttributes&) const = default;
};

struct DescriptorUpdate {
  uint64_t addr = 0;
  uint64_t value = 0;  // the whole descriptor after the update
  bool operator==(const DescriptorUpdate&) const = default;
};

struct Outcome {
  Status status = Status::Terminated;
  Termination termination = Termination::Abort;
  uint64_t output_address = 0;
  MemoryAttributes attrs;
  // Page-Based Hardware Attributes output with the access (translated only), SMMU.PBHA.S1_OUTPUT: bit n is
  // descriptor bit 59+n where enabled, else 0.
  uint8_t pbha = 0;
  // Nested with both stages' PBHA enabled under the IMPLEMENTATION DEFINED combine rule (PbhaCombine::ImpDef,
  // SMMU.PBHA.COMBINE): the output PBHA is not predicted (pbha is 0) and not compared.
  bool pbha_unknown = false;
  std::optional<EventRecord> event;  // the record written to the event queue, if any (always when Stalled)
  // Hardware descriptor updates (AF set, stage-2 dirty state by HTTU): the stage-1 leaf, and with stage 2 the
  // stage-2 descriptors used for the CD fetch, the stage-1 table reads and the output (deduplicated).
  static constexpr size_t kMaxUpdates = 4;  // = VIPCTS_SMMU_MAX_UPDATES; more is reported Unmodelled
  uint8_t update_count = 0;
  std::array<DescriptorUpdate, kMaxUpdates> updates{};
  // After a Permission fault it is UNKNOWN whether AF was set (IHI 0070 §3.13.1): don't compare updates then.
  bool updates_unknown = false;
  // Diagnostic, not an architected event field: the walk level that decided the outcome (-1 when no walk, and
  // also for a 4 KB DS walk that stopped at its level -1 table).
  int8_t level = -1;
  ClauseSet clauses;  // the clauses this transaction exercised
};

}  // namespace vipcts::smmu
