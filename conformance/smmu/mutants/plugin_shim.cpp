// A mutant of the SMMU reference model exposed as an implementation through the C ABI (vipcts_smmu.h). This
// file is compiled once per mutant against that mutant's copy of reference/ (see mutants.py), never against
// the shipped model; it only converts between the ABI structs and the model's types.
#include <vipcts/vipcts_smmu.h>

#include <cstring>
#include <new>

#include "reference/common/sparse_memory.hpp"
#include "reference/smmu/translate.hpp"

namespace {

using namespace vipcts;
using namespace vipcts::smmu;

struct Context {
  SparseMemory memory;
  SmmuRegisters regs;
};

void* mutant_open(const vipcts_smmu_state* s) {
  if (s == nullptr || (s->mem_count > 0 && s->mem == nullptr)) return nullptr;
  auto* c = new (std::nothrow) Context;
  if (c == nullptr) return nullptr;
  c->regs.idr0 = s->idr[0];
  c->regs.idr1 = s->idr[1];
  c->regs.idr3 = s->idr[3];
  c->regs.idr5 = s->idr[5];
  c->regs.cr0 = s->cr0;
  c->regs.cr2 = s->cr2;
  c->regs.gbpa = s->gbpa;
  c->regs.strtab_base = s->strtab_base;
  c->regs.strtab_base_cfg = s->strtab_base_cfg;
  for (size_t i = 0; i < s->mem_count; ++i) c->memory.write64(s->mem[i].addr & ~uint64_t{7}, s->mem[i].value);
  return c;
}

int mutant_translate(void* ctx, const vipcts_smmu_txn* t, vipcts_smmu_outcome* out) {
  auto* c = static_cast<Context*>(ctx);
  Transaction txn;
  txn.stream_id = t->sid;
  txn.ssv = t->ssv != 0;
  txn.substream_id = t->ssid;
  txn.iova = t->iova;
  txn.access = t->access == VIPCTS_SMMU_WRITE  ? AccessKind::Write
               : t->access == VIPCTS_SMMU_EXEC ? AccessKind::Execute
                                               : AccessKind::Read;
  txn.privileged = t->privileged != 0;
  const Outcome o = translate(c->memory, c->regs, txn);
  if (o.status == Status::Unmodelled) return 1;
  std::memset(out, 0, sizeof *out);
  out->status = o.status == Status::Translated ? VIPCTS_SMMU_TRANSLATED
                : o.status == Status::Stalled  ? VIPCTS_SMMU_STALLED
                                               : VIPCTS_SMMU_TERMINATED;
  out->termination = o.termination == Termination::Abort ? VIPCTS_SMMU_ABORT : VIPCTS_SMMU_RAZ_WI;
  out->oa = o.output_address;
  out->mair_attr = o.attrs.mair_attr;
  out->sh = o.attrs.sh;
  out->pbha = o.pbha;
  if (o.event) {
    const EventRecord& e = *o.event;
    out->has_event = 1;
    out->event.type = static_cast<uint8_t>(e.type);
    out->event.ssv = e.ssv;
    out->event.rnw = e.rnw;
    out->event.ind = e.ind;
    out->event.pnu = e.pnu;
    out->event.s2 = e.s2;
    out->event.event_class = static_cast<uint8_t>(e.event_class);
    out->event.stall = e.stall;
    out->event.sid = e.stream_id;
    out->event.ssid = e.substream_id;
    out->event.input_addr = e.input_addr;
    out->event_ipa = e.ipa;
  }
  if (!o.updates_unknown) {
    for (uint8_t i = 0; i < o.update_count && i < VIPCTS_SMMU_MAX_UPDATES; ++i) {
      out->updates[i].addr = o.updates[i].addr;
      out->updates[i].value = o.updates[i].value;
    }
    out->update_count = o.update_count;
  }
  apply_updates(c->memory, o);
  return 0;
}

void mutant_close(void* ctx) {
  delete static_cast<Context*>(ctx);
}

const vipcts_smmu_ops kOps = {mutant_open, mutant_translate, mutant_close};

const void* suite(const char* name, uint32_t version) {
  return name != nullptr && std::strcmp(name, "smmu") == 0 && version == VIPCTS_SMMU_ABI_VERSION ? &kOps
                                                                                                 : nullptr;
}

// The features the reference claims (harness/suites/smmu/suite.cpp): a mutant must be tested on everything.
const char* const kFeatures[] = {
    "smmu.s1",     "smmu.ste.bypass", "smmu.gbpa",      "smmu.httu.af",       "smmu.httu.dirty",
    "smmu.cd.tbi", "smmu.cd.ttb1",    "smmu.cd.raz_wi", "smmu.s1.gran16k",    "smmu.s1.gran64k",
    "smmu.pbha",   "smmu.s2",         "smmu.nested",    "smmu.strtab.2level", "smmu.s1.vax",
    "smmu.s1.ds",  "smmu.ssid",       "smmu.cd.2level", "smmu.s2.ds",         "smmu.stall",
    nullptr};

const vipcts_implementation kImpl = {
    VIPCTS_ABI_VERSION, "vipcts-smmu-mutant", VIPCTS_MUTANT_NAME, kFeatures, nullptr, suite};

}  // namespace

extern "C" __attribute__((visibility("default"))) const vipcts_implementation* vipcts_entry(uint32_t host) {
  return host == VIPCTS_ABI_VERSION ? &kImpl : nullptr;
}
