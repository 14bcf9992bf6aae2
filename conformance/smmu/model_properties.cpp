// RapidCheck properties of the SMMUv3 stage-1 reference model, on scenarios built with
// generators/smmu/page_table.hpp.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "model_support.hpp"
#include "reference/common/bits.hpp"

namespace vipcts::smmu::test {
namespace {

bool same_outcome(const Outcome& a, const Outcome& b) {
  return a.status == b.status && a.termination == b.termination && a.output_address == b.output_address &&
         a.attrs == b.attrs && a.event == b.event && a.update_count == b.update_count &&
         a.updates == b.updates && a.updates_unknown == b.updates_unknown && a.level == b.level &&
         a.clauses == b.clauses;
}

struct Mapping {
  unsigned t0sz;
  uint64_t size;
  uint64_t va;
  uint64_t oa;
  uint64_t offset;
  gen::LeafAttrs attrs;
};

// A TxSZ with room for the mapping's level (a 1 GB block needs the walk to start at level 1 or above), an
// aligned va below 2^N, an aligned oa below 2^40, an offset inside the mapping.
rc::Gen<Mapping> gen_mapping() {
  return rc::gen::exec([] {
    Mapping m;
    const unsigned kind = *rc::gen::inRange(0u, 3u);
    m.size = kind == 0 ? gen::kPage : kind == 1 ? gen::kBlock2M : gen::kBlock1G;
    const unsigned max_t0sz = kind == 0 ? 39 : kind == 1 ? 39 : 33;
    m.t0sz = *rc::gen::inRange(16u, max_t0sz + 1);
    const unsigned n = 64 - m.t0sz;
    m.va = *rc::gen::arbitrary<uint64_t>() & mask(n - 1, 0) & ~(m.size - 1);
    m.oa = *rc::gen::arbitrary<uint64_t>() & mask(39, 0) & ~(m.size - 1);
    m.offset = *rc::gen::arbitrary<uint64_t>() & (m.size - 1);
    m.attrs.attr_indx = *rc::gen::inRange(0u, 8u);
    m.attrs.ap = *rc::gen::inRange(0u, 4u);
    m.attrs.sh = *rc::gen::inRange(0u, 4u);
    m.attrs.af = *rc::gen::arbitrary<bool>();
    m.attrs.pxn = *rc::gen::arbitrary<bool>();
    m.attrs.uxn = *rc::gen::arbitrary<bool>();
    return m;
  });
}

Transaction txn_at(uint64_t iova) {
  Transaction t;
  t.stream_id = kSid;
  t.iova = iova;
  t.access = static_cast<AccessKind>(*rc::gen::inRange(0, 3));
  t.privileged = *rc::gen::arbitrary<bool>();
  return t;
}

// SMMU.S1.OUTPUT_ADDRESS / SMMU.S1.WALK.*: any address inside a mapped page or block translates to its base
// plus the offset (permissions and AF made permissive).
RC_GTEST_PROP(SMMU_S1_OUTPUT_ADDRESS, MappedAddressGivesBasePlusOffset, ()) {
  Mapping m = *gen_mapping();
  m.attrs.af = true;
  m.attrs.ap = 0b01;
  Scenario s(m.t0sz);
  s.tt0->map(m.va, m.size, m.oa, m.attrs);
  Transaction t = txn_at(m.va + m.offset);
  t.access = *rc::gen::element(AccessKind::Read, AccessKind::Write);
  const Outcome o = s.run(t);
  RC_ASSERT(o.status == Status::Translated);
  RC_ASSERT(o.output_address == m.oa + m.offset);
  RC_ASSERT(o.attrs.sh == m.attrs.sh);
}

// Ignored bits never change the outcome: leaf [58:55] (software), [63] and [62:59] (PBHA, while
// IDR3.PBHA/HADx do not enable it), and table-descriptor bits [58:52]. Only the written-back descriptor value
// carries them.
RC_GTEST_PROP(SMMU_S1_DESC_TABLE, IgnoredDescriptorBitsNeverChangeTheOutcome, ()) {
  const Mapping m = *gen_mapping();
  Scenario s(m.t0sz);
  s.cd.ha = *rc::gen::arbitrary<bool>();
  s.cd.affd = *rc::gen::arbitrary<bool>();
  s.cd.wxn = *rc::gen::arbitrary<bool>();
  s.tt0->map(m.va, m.size, m.oa, m.attrs);
  const Transaction t = txn_at(m.va + m.offset);
  const Outcome before = s.run(t);

  const uint64_t leaf_bits = *rc::gen::arbitrary<uint64_t>() & mask(63, 55);
  const uint64_t leaf = s.tt0->leaf_address(m.va);
  RC_ASSERT(leaf != 0);
  s.mem.write64(leaf, s.mem.read64(leaf) ^ leaf_bits);
  const unsigned start = s.tt0->start_level();
  const unsigned leaf_level = m.size == gen::kPage ? 3 : m.size == gen::kBlock2M ? 2 : 1;
  for (unsigned l = start; l < leaf_level; ++l) {
    const uint64_t addr = s.tt0->descriptor_address(m.va, l);
    s.mem.write64(addr, s.mem.read64(addr) ^ (*rc::gen::arbitrary<uint64_t>() & mask(58, 52)));
  }
  const Outcome after = s.run(t);

  RC_ASSERT(after.status == before.status);
  RC_ASSERT(after.output_address == before.output_address);
  RC_ASSERT(after.attrs == before.attrs);
  RC_ASSERT(after.termination == before.termination);
  RC_ASSERT(after.event == before.event);
  RC_ASSERT(after.updates_unknown == before.updates_unknown);
  RC_ASSERT(after.update_count == before.update_count);
  for (uint8_t i = 0; i < after.update_count; ++i) {
    RC_ASSERT(after.updates[i].addr == before.updates[i].addr);
    RC_ASSERT((after.updates[i].value ^ before.updates[i].value) == leaf_bits);
  }
  RC_ASSERT(after.clauses == before.clauses);
}

// The model is a pure function: the same inputs give the same outcome, and the trace does not change it.
RC_GTEST_PROP(SMMU_S1_FAULT_PRIORITY, ModelIsDeterministic, ()) {
  const Mapping m = *gen_mapping();
  Scenario s(m.t0sz);
  s.cd.ha = *rc::gen::arbitrary<bool>();
  s.cd.pan = *rc::gen::arbitrary<bool>();
  s.cd.r = *rc::gen::arbitrary<bool>();
  s.cd.a = *rc::gen::arbitrary<bool>();
  s.tt0->map(m.va, m.size, m.oa, m.attrs);
  const uint64_t iova = *rc::gen::arbitrary<bool>() ? m.va + m.offset : *rc::gen::arbitrary<uint64_t>();
  const Transaction t = txn_at(iova);
  const Outcome a = s.run(t);
  Trace trace;
  const Outcome b = s.run(t, &trace);
  const Outcome c = s.run(t);
  RC_ASSERT(same_outcome(a, b));
  RC_ASSERT(same_outcome(a, c));
  // Every witnessed clause is listed in the outcome.
  for (const Witness& w : trace.witnesses) RC_ASSERT(b.clauses.contains(w.clause));
}

// SMMU.S1.DESC.INVALID: an address in the TTB0 range that no mapping covers takes F_TRANSLATION, recorded
// with the address as presented.
RC_GTEST_PROP(SMMU_S1_DESC_INVALID, UnmappedAddressFaults, ()) {
  const Mapping m = *gen_mapping();
  Scenario s(m.t0sz);
  s.tt0->map(m.va, m.size, m.oa, m.attrs);
  const unsigned n = 64 - m.t0sz;
  const uint64_t iova = *rc::gen::suchThat(rc::gen::arbitrary<uint64_t>(), [&](uint64_t v) {
    v &= mask(n - 1, 0);
    return v < m.va || v >= m.va + m.size;
  }) & mask(n - 1, 0);
  const Outcome o = s.run(txn_at(iova));
  RC_ASSERT(has_event(o, EventType::F_TRANSLATION));
  RC_ASSERT(o.event->input_addr == iova);
  RC_ASSERT(o.termination == Termination::Abort);
}

// SMMU.S1.INPUT_RANGE with TBI: changing VA[63:56] never changes the translation when TBI0 = 1 (VA[55] = 0).
RC_GTEST_PROP(SMMU_S1_INPUT_RANGE, TbiTopByteNeverChangesTheTranslation, ()) {
  Mapping m = *gen_mapping();
  Scenario s(m.t0sz);
  s.cd.tbi0 = true;
  s.tt0->map(m.va, m.size, m.oa, m.attrs);
  const uint64_t base =
      *rc::gen::arbitrary<bool>() ? m.va + m.offset : *rc::gen::arbitrary<uint64_t>() & mask(54, 0);
  const uint64_t tag = *rc::gen::arbitrary<uint64_t>() & mask(63, 56);
  const Transaction t0 = txn_at(base);
  Transaction t1 = t0;
  t1.iova = base | tag;
  const Outcome a = s.run(t0);
  const Outcome b = s.run(t1);
  RC_ASSERT(a.status == b.status);
  RC_ASSERT(a.output_address == b.output_address);
  RC_ASSERT(a.event.has_value() == b.event.has_value());
  if (b.event) RC_ASSERT(b.event->input_addr == (base | tag));
}

}  // namespace
}  // namespace vipcts::smmu::test
