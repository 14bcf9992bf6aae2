// Boundary scenarios from Z3: for every clause of spec/smmu.yaml with an `smt` predicate, Z3 picks field values
// that make the predicate true (and, for clauses over inputs only, false) with extra constraints aimed at the
// edges the clause is about (TxSZ 15/16/39/40, OA at 2^eff - 1 and 2^eff, SID at 2^LOG2SIZE - 1 and 2^LOG2SIZE,
// every AP x privilege x access, each start level ...). A per-clause builder turns the field values into
// registers + memory + transactions. Z3 never decides the expected outcome: the reference model does.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "encode.hpp"
#include "generate.hpp"
#include "harness/core/clauses.hpp"

namespace vipcts::smmu::gen {

// The knobs a boundary scenario is built from: one well-formed stage-1 configuration with one mapping and one
// transaction, which the per-clause builders bend towards the clause's edge.
struct Knobs {
  // Registers
  unsigned oas = 5;        // IDR5.OAS encoding
  unsigned httu = 1;       // IDR0.HTTU
  unsigned stall_model = 1;  // IDR0.STALL_MODEL: 0b01 no stall; 0b00 and 0b10 (forced) for SMMU.EVENT.STALL
  unsigned sidsize = 16;   // IDR1.SIDSIZE
  unsigned log2size = 6;   // STRTAB_BASE_CFG.LOG2SIZE
  bool smmuen = true;
  bool gbpa_abort = false;
  bool recinvsid = true;
  // Stream table: FMT = 0b01 with st_level = 1 is 2-level (SPLIT split_field), else linear. The STE is written
  // through an L1STD of Span SPLIT + 1; `span` >= 0 then replaces the Span of the transaction's L1STD, and
  // l2ptr_low / base_low set address bits the SMMU must treat as 0 (L2Ptr, STRTAB_BASE.ADDR alignment).
  unsigned st_level = 0;
  unsigned fmt = 0;
  unsigned split_field = 6;
  int span = -1;
  uint64_t l2ptr_low = 0;
  uint64_t base_low = 0;
  // STE
  bool ste_v = true;
  unsigned config = 0b101;
  unsigned s1cdmax = 0;
  // Substreams: IDR1.SSIDSIZE, IDR0.CD2L, STE.S1Fmt and S1DSS. With SSIDSIZE and S1CDMax != 0 the CD goes
  // into a CD table at kCdTableBase (linear, or 2-level by S1Fmt) at the transaction's index (its
  // SubstreamID, 0 without one, or 0 when the SubstreamID is beyond the table); l1cd_v = false clears V of
  // that CD's L1CD.
  unsigned ssidsize = 0;
  bool cd2l = false;
  unsigned s1fmt = 0;
  unsigned s1dss = 0;
  bool l1cd_v = true;
  // CD
  Cd cd;                  // ttb0/ttb1 are allocated unless ttb*_override is set
  bool ttb0_override = false;
  bool ttb1_override = false;
  // Mapping of txn.iova (or of `map_va` if set): leaf level and leaf descriptor bits other than the OA/type.
  bool map = true;
  bool map_ttb1 = false;             // map through TTB1 (VA[55] = 1)
  unsigned leaf_level = 3;
  uint64_t leaf_bits = desc::kAf | desc::ap(0b01) | desc::sh(3);
  uint64_t table_bits = 0;           // ORed into every table descriptor of the path (APTable [62:61], ...)
  uint64_t oa = 0x8000'0000;         // the leaf's output address (aligned to the leaf size by the builder)
  // A defect on the walk path: descriptor at `bad_level` replaced by `bad_desc` (bad_level < 0: none).
  int bad_level = -1;
  uint64_t bad_desc = 0;
  // Next-level table address of the table descriptor at `table_oa_level` set to this (when table_oa_level >= 0).
  int table_oa_level = -1;
  uint64_t table_oa = 0;
  // Transaction
  Transaction txn{0, false, 0, 0x4000'1234, AccessKind::Read, false};
  uint32_t ste_sid = 0;              // the SID whose STE is written (usually txn.stream_id)
  unsigned extra_ops = 0;            // repeat the transaction (e.g. to see an AF update take effect)
};

ScenarioSpec build_from_knobs(const Knobs& k);

// Whether a clause predicate can be both true and false (a predicate that cannot is a spec inconsistency).
struct PredicateStatus {
  std::string id;
  bool satisfiable = false;   // some field values make it true
  bool falsifiable = false;   // some field values make it false
};
std::vector<PredicateStatus> check_predicates(const ClauseFile& file);

// Clauses of stage 2, nesting and the PBHA combination: their edges come from stage2_scenarios.hpp, not from
// the stage-1 knobs here.
bool is_stage2_clause(const std::string& id);

// Every boundary scenario of the clause file, in file order; ids "smmu-b-<CLAUSE.ID>-<true|false>-<n>".
void generate_boundary(const ClauseFile& file, uint64_t seed, const std::function<void(const ScenarioSpec&)>& emit);

}  // namespace vipcts::smmu::gen
