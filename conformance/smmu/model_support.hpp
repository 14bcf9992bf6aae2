// A small scenario fixture for the model's unit and property tests (conformance/smmu/model_*.cpp): a linear
// Stream table, one STE per StreamID, one CD, and a stage-1 table built with generators/smmu/page_table.hpp.
#pragma once

#include <optional>

#include "generators/smmu/page_table.hpp"
#include "reference/smmu/translate.hpp"

namespace vipcts::smmu::test {

constexpr uint64_t kStrtab = 0x100000;
constexpr uint64_t kCd = 0x200000;
constexpr uint64_t kTables = 0x400000;
constexpr uint32_t kSid = 1;

struct Scenario {
  SparseMemory mem;
  SmmuRegisters regs = gen::default_registers(kStrtab, 8);
  gen::BumpAllocator alloc{kTables};
  gen::CdFields cd;
  gen::SteFields ste;
  std::optional<gen::PageTableBuilder> tt0, tt1;

  explicit Scenario(unsigned t0sz = 25, unsigned t1sz = 25) {
    cd.t0sz = t0sz;
    cd.t1sz = t1sz;
    cd.mair = 0x0011223344ff0400;  // distinct bytes per AttrIndx
    tt0.emplace(mem, alloc, t0sz);
    tt1.emplace(mem, alloc, t1sz);
    cd.ttb0 = tt0->root();
    cd.ttb1 = tt1->root();
    ste.s1_context_ptr = kCd;
  }

  // Writes the STE of sid and the CD (call after changing ste/cd fields).
  void commit(uint32_t sid = kSid) {
    gen::write_words(mem, gen::ste_address(regs, sid), gen::encode_ste(ste));
    gen::write_words(mem, kCd, gen::encode_cd(cd));
  }

  Outcome run(uint64_t iova, AccessKind access = AccessKind::Read, bool priv = false, Trace* trace = nullptr,
              uint32_t sid = kSid) {
    commit(sid);
    Transaction t;
    t.stream_id = sid;
    t.iova = iova;
    t.access = access;
    t.privileged = priv;
    return translate(mem, regs, t, trace);
  }
  Outcome run(const Transaction& t, Trace* trace = nullptr) {
    commit(t.stream_id);
    return translate(mem, regs, t, trace);
  }
};

inline bool has_event(const Outcome& o, EventType t) {
  return o.event.has_value() && o.event->type == t;
}

inline const Witness* find_witness(const Trace& trace, Clause c) {
  for (const Witness& w : trace.witnesses)
    if (w.clause == c) return &w;
  return nullptr;
}

inline uint64_t field_of(const Witness& w, std::string_view name) {
  for (uint8_t i = 0; i < w.count; ++i)
    if (w.names[i] == name) return w.values[i];
  return ~uint64_t{0};
}

}  // namespace vipcts::smmu::test
