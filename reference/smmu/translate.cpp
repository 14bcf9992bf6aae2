// The top level: SMMUEN/GBPA, Stream table, STE, CD, stage-1 walk, leaf checks, event and termination
// (Arm IHI 0070 G.b §3.3, §3.12, §5.2, §5.4, §5.5, §7.3; Arm DDI 0487 M.a.a J1.1 AArch64.S1Translate).
#include "translate.hpp"

#include "cd_table.hpp"
#include "config_cache.hpp"
#include "context_descriptor.hpp"
#include "descriptor.hpp"
#include "pbha.hpp"
#include "permissions.hpp"
#include "stage2.hpp"
#include "ste.hpp"
#include "stream_table.hpp"
#include "walk.hpp"

namespace vipcts::smmu {

namespace {

constexpr bool beyond(uint64_t addr, unsigned size_bits) {
  return size_bits < 64 && (addr >> size_bits) != 0;
}

// Configuration-error records carry StreamID, SSV and SubstreamID only (§7.3.3, §7.3.5, §7.3.11);
// C_BAD_SUBSTREAMID has no SSV bit and always carries the SubstreamID (§7.3.9). The other members of the
// record are not fields of these types (event_fields) and keep their defaults: no value is claimed for them.
EventRecord config_event(const Transaction& txn, EventType type) {
  EventRecord e;
  e.type = type;
  e.stream_id = txn.stream_id;
  e.ssv = type == EventType::C_BAD_SUBSTREAMID ? false : txn.ssv;
  e.substream_id = (txn.ssv || type == EventType::C_BAD_SUBSTREAMID) ? txn.substream_id : 0;
  return e;
}

// Translation-related records (§7.3.13-16): the access attributes of the input transaction, stage 1: S2 = 0
// and CLASS = IN; InputAddr exactly as presented.
EventRecord translation_event(const Transaction& txn, EventType type) {
  EventRecord e;
  e.type = type;
  e.stream_id = txn.stream_id;
  e.ssv = txn.ssv;
  e.substream_id = txn.ssv ? txn.substream_id : 0;
  e.input_addr = txn.iova;
  e.rnw = txn.access != AccessKind::Write;
  e.ind = txn.access == AccessKind::Execute;
  e.pnu = txn.privileged;
  e.s2 = false;
  e.event_class = EventClass::IN;
  return e;
}

EventRecord fault_event(const Transaction& txn, EventType type, Outcome& out, Trace* trace) {
  const EventRecord e = translation_event(txn, type);
  if (Witness* w = decide(out, trace, Clause::EVENT_FIELDS)) {
    w->set("access", static_cast<uint64_t>(txn.access)).set("priv", txn.privileged).set("rnw", e.rnw);
    w->set("ind", e.ind).set("pnu", e.pnu).set("s2", e.s2).set("class", static_cast<uint64_t>(e.event_class));
  }
  return e;
}

Outcome& terminate(Outcome& out, Termination how, std::optional<EventRecord> event) {
  out.status = Status::Terminated;
  out.termination = how;
  out.event = event;
  return out;
}

Outcome& unmodelled(Outcome& out) {
  out.status = Status::Unmodelled;
  return out;
}

// For the helpers that return false when the transaction ends with the outcome just filled in.
constexpr bool ended(const Outcome&) {
  return false;
}

// A configuration error: always abort, always record (§5.5: A/R/S do not apply).
Outcome& config_error(Outcome& out, Trace* trace, const Transaction& txn, EventType type, bool r, bool a) {
  if (Witness* w = decide(out, trace, Clause::EVENT_RECORD_TERMINATE))
    w->set("xlat_fault", 0).set("r", r).set("a", a).set("record", 1).set("razwi", 0);
  return terminate(out, Termination::Abort, config_event(txn, type));
}

EventType event_type(S1Fault f) {
  switch (f) {
    case S1Fault::AddressSize:
      return EventType::F_ADDR_SIZE;
    case S1Fault::AccessFlag:
      return EventType::F_ACCESS;
    case S1Fault::Permission:
      return EventType::F_PERMISSION;
    default:
      return EventType::F_TRANSLATION;
  }
}

// A Translation-related fault under the Stall model (SMMU.EVENT.STALL, IHI 0070 G.b §3.12.2, §5.5 S): the
// transaction waits for CMD_RESUME/CMD_STALL_TERM, and the record is always written whatever R says (ARS =
// 0bxx1), with Stall = 1. Only the four Translation-related faults reach here; configuration errors and the
// stage-1-bypass Address Size fault always abort (§3.12).
Outcome& stall(Outcome& out, Trace* trace, EventRecord e, bool s, bool r) {
  e.stall = true;
  out.status = Status::Stalled;
  out.event = e;
  // The witness states what was decided (status and record), so the predicate checks the outcome itself.
  if (Witness* w = decide(out, trace, Clause::EVENT_STALL)) {
    w->set("s", s).set("r", r);
    w->set("stalled", out.status == Status::Stalled).set("record", out.event.has_value());
  }
  return out;
}

// A stage-1 Translation-related fault: CD.S = 1 stalls; else CD.R decides the record and CD.A abort versus
// RAZ/WI (§5.5). A legal CD.S = 1 also covers IDR0.STALL_MODEL = 0b10, where CD.S = 0 is ILLEGAL
// (SMMU.CD.STALL).
Outcome& s1_fault(Outcome& out, Trace* trace, const Transaction& txn, const ContextDescriptor& cd,
                  S1Fault f) {
  if (cd.s()) return stall(out, trace, fault_event(txn, event_type(f), out, trace), cd.s(), cd.r());
  const bool record = cd.r();
  if (Witness* w = decide(out, trace, Clause::EVENT_RECORD_TERMINATE))
    w->set("xlat_fault", 1).set("r", cd.r()).set("a", cd.a()).set("record", record).set("razwi", !cd.a());
  const EventRecord e = fault_event(txn, event_type(f), out, trace);
  return terminate(out, cd.a() ? Termination::Abort : Termination::RazWi,
                   record ? std::optional<EventRecord>(e) : std::nullopt);
}

EventType event_type(S2Fault f) {
  switch (f) {
    case S2Fault::AddressSize:
      return EventType::F_ADDR_SIZE;
    case S2Fault::AccessFlag:
      return EventType::F_ACCESS;
    case S2Fault::Permission:
      return EventType::F_PERMISSION;
    default:
      return EventType::F_TRANSLATION;
  }
}

// A stage-2 Translation-related fault (§5.5, §7.3.13-16): STE.S2S = 1 stalls (SMMU.EVENT.STALL); else
// STE.S2R decides the record, and the transaction always aborts (CD.A does not apply to stage 2). The record
// has S2 = 1, CLASS = what stage 2 was translating (CD fetch, stage-1 table walk, or the input's IPA) and the
// IPA of that address.
Outcome& s2_fault(Outcome& out, Trace* trace, const Transaction& txn, const S2Params& s2, S2Fault f,
                  EventClass cls, uint64_t ipa) {
  const bool record = s2.r;
  if (!s2.s) {
    if (Witness* w = decide(out, trace, Clause::EVENT_S2_RECORD))
      w->set("s2r", s2.r).set("record", record).set("razwi", 0);
  }
  EventRecord e = translation_event(txn, event_type(f));
  e.s2 = true;
  e.event_class = cls;
  e.ipa = event_ipa_bits(ipa);
  if (Witness* w = decide(out, trace, Clause::EVENT_S2_FIELDS)) {
    w->set("access", static_cast<uint64_t>(txn.access)).set("rnw", e.rnw).set("ind", e.ind).set("s2", e.s2);
    w->set("class", static_cast<uint64_t>(e.event_class)).set("purpose", static_cast<uint64_t>(cls));
    w->set("ipa", e.ipa).set("addr", ipa);
  }
  if (s2.s) return stall(out, trace, e, s2.s, s2.r);
  return terminate(out, Termination::Abort, record ? std::optional<EventRecord>(e) : std::nullopt);
}

// Adds a hardware descriptor update to the outcome; a later update of the same descriptor replaces the
// earlier one (both start from the same memory, the later one includes the earlier bits). False when the
// outcome cannot hold it.
bool add_update(Outcome& out, const DescriptorUpdate& u) {
  for (uint8_t i = 0; i < out.update_count; ++i) {
    if (out.updates[i].addr == u.addr) {
      out.updates[i] = u;
      return true;
    }
  }
  if (out.update_count >= out.updates.size()) return false;
  out.updates[out.update_count++] = u;
  return true;
}

// The stage-2 side effects of one stage-2 translation: its AF/dirty update, or UNKNOWN after a Permission
// fault. False when the updates overflow the outcome (Unmodelled).
bool record_s2_effects(Outcome& out, const S2Result& r) {
  if (r.update_unknown) out.updates_unknown = true;
  return !r.update || add_update(out, r.update_value);
}

// Nested: the stage-1 walk reads each descriptor through stage 2 (CLASS = TT on a fault).
class NestedTableWalk final : public TableAddressHook {
 public:
  NestedTableWalk(const SparseMemory& memory, const S2Params& s2, const Transaction& txn, Outcome& out,
                  Trace* trace)
      : memory_(memory), s2_(s2), txn_(txn), out_(out), trace_(trace) {}

  bool descriptor_address(uint64_t ipa, uint64_t& pa) const override {
    touch(out_, Clause::NESTED_TABLE_WALK);
    // The descriptors of one walk often lie in one stage-2 block or page. A read that falls in the block of
    // the previous successful, update-free stage-2 lookup would find the same stage-2 descriptor with the
    // same purpose, so the same result: it is reused, as a walk cache would (no effect on the outcome).
    if (ipa - cached_ipa_ < cached_size_) {
      pa = cached_pa_ + (ipa - cached_ipa_);
      return true;
    }
    fault_ =
        s2_translate(memory_, s2_, ipa, S2Purpose::TableWalk, txn_.access, txn_.privileged, out_, trace_);
    overflow_ = overflow_ || !record_s2_effects(out_, fault_);
    if (fault_.fault != S2Fault::None) return false;
    pa = fault_.pa;
    if (!fault_.update && !fault_.update_unknown) {
      cached_size_ = uint64_t{1} << vmsa::level_shift(s2_.walk.granule, static_cast<int>(fault_.level));
      cached_ipa_ = ipa & ~(cached_size_ - 1);
      cached_pa_ = fault_.pa & ~(cached_size_ - 1);
    }
    return true;
  }
  const S2Result& last() const { return fault_; }
  bool overflow() const { return overflow_; }

 private:
  const SparseMemory& memory_;
  const S2Params& s2_;
  const Transaction& txn_;
  Outcome& out_;
  Trace* trace_;
  mutable S2Result fault_;
  mutable bool overflow_ = false;
  mutable uint64_t cached_ipa_ = 0, cached_size_ = 0, cached_pa_ = 0;  // cached_size_ = 0: empty
};

void priority_witness(Outcome& out, Trace* trace, bool translation, bool addr_size, bool access,
                      bool permission, S1Fault chosen) {
  if (Witness* w = decide(out, trace, Clause::S1_FAULT_PRIORITY)) {
    w->set("translation", translation).set("addr_size", addr_size).set("access", access);
    w->set("permission", permission).set("fault", static_cast<uint64_t>(chosen));
  }
}

// Effective stage-1 output size through TTBx: eff_IPS = MIN(CD.IPS, IDR5.OAS), at most 48 unless the granule
// is 64 KB (FEAT_LPA; DS is not modelled) (§5.4 IPS; DDI 0487 AArch64.PhysicalAddressSize).
// CD.DS in effect for a table of granule g (SMMU.CD.TXSZ_RANGE, SMMU.CD.TTB_RANGE, SMMU.S1.DESC.TABLE, ...):
// RES0 without IDR5.DS, and only the 4 KB and 16 KB granules have a DS form (§5.4 DS; DDI 0487 FEAT_LPA2).
bool ds_effective(const SmmuRegisters& regs, const ContextDescriptor& cd, Granule g) {
  return idr5_ds(regs) && cd.ds() && (g == Granule::K4 || g == Granule::K16);
}

unsigned ttb_eff_ips(const SmmuRegisters& regs, const ContextDescriptor& cd, Granule g) {
  return vmsa::effective_output_bits(address_size_bits(cd.ips()), address_size_bits(idr5_oas(regs)), g,
                                     ds_effective(regs, cd, g));
}

// CD checks of one translation table base (TTB0: which = 0, TTB1: which = 1), §5.4 TxSZ, TGx, TTBx, for every
// granule. Returns false when the TTB uses a configuration the model does not cover.
bool check_ttb(const SmmuRegisters& regs, const ContextDescriptor& cd, unsigned which, Outcome& out,
               Trace* trace, bool& bad) {
  const bool epd = which == 0 ? cd.epd0() : cd.epd1();
  const unsigned tg = which == 0 ? cd.tg0() : cd.tg1();
  const unsigned txsz = which == 0 ? cd.t0sz() : cd.t1sz();
  const uint64_t ttb = which == 0 ? cd.ttb0() : cd.ttb1();
  const Granule g = which == 0 ? tg0_granule(tg) : tg1_granule(tg);

  // TGx: Reserved or not advertised in IDR5 is ILLEGAL unless EPDx = 1 (then TGx is IGNORED).
  const bool tg_bad = !epd && !granule_supported(regs, g);
  if (Witness* w = decide(out, trace, Clause::CD_TG)) {
    w->set("tg", tg).set("which", which).set("epd", epd).set("gran4k", idr5_gran4k(regs));
    w->set("gran16k", idr5_gran16k(regs)).set("gran64k", idr5_gran64k(regs)).set("bad_cd", tg_bad);
  }
  bad |= tg_bad;
  if (epd || tg_bad) return true;
  // IDR5.VAX = 0b10 (56-bit VAs) needs VMSAv9-128 descriptors, 0b11 is reserved: neither is modelled.
  const unsigned vax = idr5_vax(regs);
  if (vax > 1) return false;

  // TxSZ in [16, 39], from 12 with VAX and a 64 KB granule or DS, up to 48 (4K/16K) / 47 (64K) with
  // IDR3.STT (§5.4 T0SZ, CDTxSZInvalid).
  const bool stt = bit(regs.idr3, 9);
  const bool g64 = g == Granule::K64;
  const bool ds = ds_effective(regs, cd, g);
  const bool txsz_bad = txsz < txsz_min(vax != 0, g64, ds) || txsz > vmsa::txsz_max(g, stt);
  if (Witness* w = decide(out, trace, Clause::CD_TXSZ_RANGE)) {
    w->set("txsz", txsz).set("epd", epd).set("stt", stt).set("g64", g64).set("vax", vax != 0).set("ds", ds);
    w->set("bad_cd", txsz_bad);
  }
  bad |= txsz_bad;

  // TTBx beyond eff_IPS, or beyond 48 bits with a 4 KB or 16 KB granule and DS = 0, is ILLEGAL (§5.4 TTB0):
  // never an Address Size fault (§3.4.3).
  const unsigned eff_ips = ttb_eff_ips(regs, cd, g);
  const bool ttb_bad = beyond(ttb, eff_ips) || (!g64 && !ds && beyond(ttb, 48));
  if (Witness* w = decide(out, trace, Clause::CD_TTB_RANGE)) {
    w->set("ttb", ttb).set("eff_ips", eff_ips).set("epd", epd).set("g64", g64).set("ds", ds);
    w->set("bad_cd", ttb_bad);
  }
  bad |= ttb_bad;
  return true;
}

// What TTBx (which = 0 or 1) of a legal CD fixes for every walk through it (§5.4; SMMU.S1.EPD,
// SMMU.S1.INPUT_RANGE, SMMU.CD.IPS_EFFECTIVE, SMMU.S1.WALK_START_LEVEL, SMMU.PBHA.S1_ENABLE).
TtbRegime ttb_regime(const SmmuRegisters& regs, const ContextDescriptor& cd, unsigned which) {
  TtbRegime t;
  t.epd = which == 0 ? cd.epd0() : cd.epd1();
  if (t.epd) return t;
  // VA[AddrTop : N] must be all 0 (TTB0) or all 1 (TTB1); AddrTop = 55 with TBIx, else 63.
  const unsigned txsz = which == 0 ? cd.t0sz() : cd.t1sz();
  const bool tbi = which == 0 ? cd.tbi0() : cd.tbi1();
  t.tbi = tbi;
  t.txsz = txsz;
  t.range_mask = mask(tbi ? 55 : 63, 64 - txsz);
  t.granule = which == 0 ? tg0_granule(cd.tg0()) : tg1_granule(cd.tg1());
  t.ds = ds_effective(regs, cd, t.granule);
  t.eff_ips = ttb_eff_ips(regs, cd, t.granule);
  t.start_level = vmsa::s1_start_level(t.granule, 64 - txsz);
  // HADx is RES0 unless IDR3.HAD [2]; PBHA needs IDR3.PBHA [3] (and HADx, HWUxnn).
  const bool idr3_pbha = bit(regs.idr3, 3), idr3_had = bit(regs.idr3, 2);
  const bool hadx = which == 0 ? cd.had0() : cd.had1();
  const unsigned hwu = which == 0 ? cd.hwu0() : cd.hwu1();
  t.had = idr3_had && hadx;
  t.pbha_enables = s1_pbha_enables(idr3_pbha, idr3_had, hadx, hwu);
  t.cd_sh = which == 0 ? cd.sh0() : cd.sh1();
  return t;
}

// The PA of a structure the SMMU reads for stage 1 (a CD or an L1CD, `bytes` long, never crossing a stage-2
// page). With stage 2 the address is an IPA translated first: a fault there is a stage-2 record with CLASS =
// CD and IPA = the structure's address (SMMU.NESTED.CD_FETCH; §5.2 S1ContextPtr, §3.4.3, §7.3.13). A PA
// beyond the OAS is CONSTRAINED (truncated, F_CD_FETCH, or a configuration error, §3.4.3): not modelled.
// False when the transaction ends here (`out` says how).
bool structure_pa(Outcome& out, Trace* trace, const SparseMemory& memory, const Transaction& txn,
                  const S2Params* s2, unsigned oas, uint64_t addr, unsigned bytes, uint64_t& pa) {
  pa = addr;
  if (s2 != nullptr) {
    touch(out, Clause::NESTED_CD_FETCH);
    const S2Result r =
        s2_translate(memory, *s2, addr, S2Purpose::CdFetch, txn.access, txn.privileged, out, trace);
    if (!record_s2_effects(out, r)) return ended(unmodelled(out));
    if (r.fault != S2Fault::None) return ended(s2_fault(out, trace, txn, *s2, r.fault, EventClass::CD, addr));
    pa = r.pa;
  }
  if (beyond(pa + bytes - 1, oas)) return ended(unmodelled(out));
  return true;
}

// The CD of the transaction in the STE's CD table (cdmax = effective S1CDMax != 0): SubstreamID, or 0 for
// traffic without one (S1DSS = 0b10), indexes a linear table or, through an L1CD, a level-2 table (§5.2
// S1Fmt, §5.3). In a nested configuration the table and L1CD addresses are IPAs; an address beyond the IAS
// is C_BAD_STE/C_BAD_SUBSTREAMID in SMMUv3.1 and CONSTRAINED in v3.0 (§3.4.3): not modelled, nor are RES0
// pointer bits set (CONSTRAINED, §5.2 S1Fmt). False when the transaction ends here.
bool cd_table_lookup(Outcome& out, Trace* trace, const SparseMemory& memory, const Transaction& txn,
                     const Ste& ste, unsigned cdmax, const S2Params* s2, unsigned oas, uint64_t& cd_addr) {
  const uint32_t index = txn.ssv ? txn.substream_id : 0;
  const unsigned split = cd_table_split(ste.s1fmt());
  const unsigned ias = s2 != nullptr ? s2->ias : 64;
  if (cd_table_ptr_misaligned(ste, cdmax, split)) return ended(unmodelled(out));
  if (split == 0) {
    const uint64_t addr = linear_cd_address(ste, index);
    if (Witness* w = decide(out, trace, Clause::CD_TABLE_LINEAR))
      w->set("ste_word0", ste.word0).set("ssv", txn.ssv).set("ssid", txn.substream_id).set("cd_addr", addr);
    if (beyond(addr + 63, ias)) return ended(unmodelled(out));
    return structure_pa(out, trace, memory, txn, s2, oas, addr, 64, cd_addr);
  }
  const uint64_t l1_addr = l1cd_address(ste, split, index);
  if (Witness* w = decide(out, trace, Clause::CD_TABLE_L1CD_ADDRESS))
    w->set("ste_word0", ste.word0).set("ssv", txn.ssv).set("ssid", txn.substream_id).set("l1_addr", l1_addr);
  if (beyond(l1_addr + 7, ias)) return ended(unmodelled(out));
  uint64_t l1_pa = 0;
  if (!structure_pa(out, trace, memory, txn, s2, oas, l1_addr, 8, l1_pa)) return false;
  const L1Cd l1{memory.read64(l1_pa)};
  const bool bad = l1cd_invalid(l1);
  const uint64_t addr = bad ? 0 : l2_cd_address(l1, split, index);
  if (Witness* w = decide(out, trace, Clause::CD_TABLE_L2_CD)) {
    w->set("l1cd", l1.raw).set("s1fmt", ste.s1fmt()).set("ssv", txn.ssv).set("ssid", txn.substream_id);
    w->set("bad_substream", bad).set("cd_addr", addr);
  }
  // C_BAD_SUBSTREAMID always carries a SubstreamID: the index of the CD being fetched, 0 for traffic without
  // one (§7.3.9 says so for an out-of-range L2Ptr; V = 0 is taken alike).
  if (bad) {
    Transaction recorded = txn;
    recorded.substream_id = index;
    return ended(config_error(out, trace, recorded, EventType::C_BAD_SUBSTREAMID, true, true));
  }
  if (l1cd_l2ptr_misaligned(l1, split) || beyond(addr + 63, ias)) return ended(unmodelled(out));
  return structure_pa(out, trace, memory, txn, s2, oas, addr, 64, cd_addr);
}

Outcome& translate_stage1(Outcome& out, const SparseMemory& memory, const SmmuRegisters& regs,
                          const Transaction& txn, Trace* trace, PbhaCombine pbha_combine,
                          const StageOneConfig& config, WalkCache* walks);

// The body of translate(), filling `out` in place: every early return hands back the caller's object, so the
// fast path never copies an Outcome.
Outcome& evaluate(Outcome& out, const SparseMemory& memory, const SmmuRegisters& regs, const Transaction& txn,
                  Trace* trace, PbhaCombine pbha_combine, ConfigCache* cache) {
  if (cache != nullptr && trace == nullptr) {
    if (const ConfigCache::Entry* e = cache->find(memory, regs, txn)) {
      out.clauses = e->clauses;
      return translate_stage1(out, memory, regs, txn, nullptr, pbha_combine, e->config, &cache->walks);
    }
  }
  const unsigned oas = address_size_bits(idr5_oas(regs));

  // SMMUEN = 0: GBPA decides. ABORT terminates; otherwise bypass, and an input beyond the OAS is aborted;
  // neither records an event (§6.3.14 GBPA, §3.4 address sizes).
  if (!cr0_smmuen(regs)) {
    const bool terminated = gbpa_abort(regs) || beyond(txn.iova, oas);
    if (Witness* w = decide(out, trace, Clause::GBPA_SMMU_DISABLED)) {
      w->set("abort", gbpa_abort(regs)).set("iova", txn.iova).set("oas", oas).set("terminated", terminated);
      w->set("event", 0).set("oa", terminated ? 0 : txn.iova);
    }
    if (terminated) return terminate(out, Termination::Abort, std::nullopt);
    out.status = Status::Translated;
    out.output_address = txn.iova;
    return out;
  }

  // Stream table, linear or 2-level (§3.3.1): an invalid StreamID aborts, C_BAD_STREAMID recorded only when
  // CR2.RECINVSID = 1 (§7.3.3).
  const SteLocation ste_at = locate_ste(memory, regs, txn.stream_id, out, trace);
  if (ste_at.result == SteLookup::Unmodelled) return unmodelled(out);
  if (ste_at.result == SteLookup::BadStreamId) {
    return terminate(out, Termination::Abort,
                     cr2_recinvsid(regs)
                         ? std::optional<EventRecord>(config_event(txn, EventType::C_BAD_STREAMID))
                         : std::nullopt);
  }
  const Ste ste = Ste::read(memory, ste_at.addr);

  if (Witness* w = decide(out, trace, Clause::STE_VALID)) w->set("v", ste.v()).set("bad_ste", !ste.v());
  if (!ste.v()) return config_error(out, trace, txn, EventType::C_BAD_STE, true, true);

  const unsigned config = ste.config();
  const bool hyp = bit(regs.idr0, 9);
  const bool abort_silent = !bit(config, 2);
  const bool ste_illegal = ste_config_illegal(regs, ste);
  if (Witness* w = decide(out, trace, Clause::STE_CONFIG)) {
    w->set("config", config).set("s1p", idr0_s1p(regs)).set("s2p", idr0_s2p(regs)).set("hyp", hyp);
    w->set("strw", ste.strw()).set("abort_silent", abort_silent).set("bad_ste", ste_illegal);
  }
  if (abort_silent) return terminate(out, Termination::Abort, std::nullopt);
  if (ste_illegal) return config_error(out, trace, txn, EventType::C_BAD_STE, true, true);

  // Stage 2 (Config 0b11x, reachable only with IDR0.S2P = 1): the STE's S2* fields must be legal (§5.2).
  const bool stage2 = bit(config, 1);
  S2Params s2;
  if (stage2) {
    // STRW is RES0 without IDR0.Hyp; other StreamWorlds with stage 2 are outside the model.
    if (hyp && ste.strw() != 0) return unmodelled(out);
    s2 = s2_params(regs, ste, out, trace);
    if (s2.config == S2Config::Unmodelled) return unmodelled(out);
    if (s2.config == S2Config::Illegal)
      return config_error(out, trace, txn, EventType::C_BAD_STE, true, true);
  }

  // Stage 1 (Config 0b1x1): the STE fields that make it ILLEGAL come before any SubstreamID check, as
  // C_BAD_STE precedes C_BAD_SUBSTREAMID and F_STREAM_DISABLED (§7.3.22).
  const bool stage1 = bit(config, 0);
  const unsigned ssidsize = idr1_ssidsize(regs);
  const unsigned stall_model = idr0_stall_model(regs);
  const bool term_model = bit(regs.idr0, 26);
  unsigned cdmax = 0;  // effective S1CDMax: 0 = one CD, no substreams
  if (stage1) {
    if (stall_model == 3) return unmodelled(out);  // Reserved encoding
    // STE.S1STALLD with a STALL_MODEL other than 0b00 is ILLEGAL (§5.5).
    if (stall_model != 0 && ste.s1stalld()) {
      if (Witness* w = decide(out, trace, Clause::CD_STALL)) {
        w->set("stall_model", stall_model).set("s1stalld", 1).set("s", 0).set("term_model", term_model);
        w->set("a", 0).set("bad_ste", 1).set("bad_cd", 0);
      }
      return config_error(out, trace, txn, EventType::C_BAD_STE, true, true);
    }
    const bool cdmax_bad = s1cdmax_illegal(regs, ste);
    if (Witness* w = decide(out, trace, Clause::STE_S1CDMAX))
      w->set("s1cdmax", ste.s1cdmax()).set("ssidsize", ssidsize).set("bad_ste", cdmax_bad);
    if (cdmax_bad) return config_error(out, trace, txn, EventType::C_BAD_STE, true, true);
    cdmax = effective_s1cdmax(regs, ste);
    if (cdmax != 0) {
      const bool fmt_bad = s1fmt_illegal(regs, ste);
      if (Witness* w = decide(out, trace, Clause::STE_S1FMT)) {
        w->set("s1fmt", ste.s1fmt()).set("cd2l", idr0_cd2l(regs)).set("split", cd_table_split(ste.s1fmt()));
        w->set("bad_ste", fmt_bad);
      }
      if (fmt_bad) return config_error(out, trace, txn, EventType::C_BAD_STE, true, true);
    }
  }

  // A SubstreamID with stage 1 disabled, with substreams off (S1CDMax = 0 or IDR1.SSIDSIZE = 0), or at or
  // above 2^S1CDMax is C_BAD_SUBSTREAMID (§5.2 S1CDMax, §7.3.9).
  const bool ssid_bad = substream_bad(stage1, cdmax, txn.ssv, txn.substream_id);
  if (Witness* w = decide(out, trace, Clause::STE_SUBSTREAM)) {
    w->set("ssv", txn.ssv).set("stage1", stage1).set("s1cdmax", ste.s1cdmax()).set("ssidsize", ssidsize);
    w->set("ssid", txn.substream_id).set("bad_substream", ssid_bad);
  }
  if (ssid_bad) return config_error(out, trace, txn, EventType::C_BAD_SUBSTREAMID, true, true);

  // With substreams, S1DSS decides about traffic without a SubstreamID, and about SubstreamID 0 (§5.2 S1DSS).
  // Bypassing stage 1 behaves exactly as Config 0b1x0 would (no CD is fetched).
  bool s1_translates = stage1;
  if (cdmax != 0) {
    const DefaultSubstream d = default_substream(ste.s1dss(), txn.ssv, txn.substream_id);
    const bool disabled = d == DefaultSubstream::StreamDisabled;
    const bool bypass = d == DefaultSubstream::BypassStage1;
    if (Witness* w = decide(out, trace, Clause::STE_S1DSS)) {
      w->set("ssv", txn.ssv).set("ssid", txn.substream_id).set("s1dss", ste.s1dss());
      w->set("disabled", disabled).set("bypass", bypass);
    }
    if (disabled) return config_error(out, trace, txn, EventType::F_STREAM_DISABLED, true, true);
    s1_translates = !bypass;
  }

  if (!s1_translates && stage2) {
    // Config 0b110: stage 1 bypassed, the input address is the IPA. An input beyond IAS is a stage-1 Address
    // Size fault, S2 = 0, CLASS = IN, recorded and aborted like bypass (§3.4.1, §7.3.14); then stage 2.
    const bool ias_fault = beyond(txn.iova, s2.ias);
    if (Witness* w = decide(out, trace, Clause::S2_S1_BYPASS_INPUT))
      w->set("iova", txn.iova).set("ias", s2.ias).set("fault", ias_fault);
    if (ias_fault)
      return terminate(out, Termination::Abort, fault_event(txn, EventType::F_ADDR_SIZE, out, trace));
    const S2Result r =
        s2_translate(memory, s2, txn.iova, S2Purpose::Input, txn.access, txn.privileged, out, trace);
    out.level = static_cast<int8_t>(r.level);
    if (!record_s2_effects(out, r)) return unmodelled(out);
    if (r.fault != S2Fault::None) return s2_fault(out, trace, txn, s2, r.fault, EventClass::IN, txn.iova);
    // Memory attributes of stage-2-only traffic (incoming attributes combined with S2 MemAttr) are not
    // modelled: reported as 0, like bypass.
    out.pbha = r.pbha;
    if (Witness* w = decide(out, trace, Clause::PBHA_S2_OUTPUT))
      w->set("idr3_pbha", s2.idr3_pbha)
          .set("s2hwu", s2.s2hwu)
          .set("leaf", leaf_pbha_bits(r.desc))
          .set("pbha", r.pbha);
    out.status = Status::Translated;
    out.output_address = r.pa;
    return out;
  }

  if (!s1_translates) {
    // Config 0b100: both stages bypassed; an input beyond the OAS is a stage-1 Address Size fault, CLASS = IN
    // (§3.4.1, §7.3.14). Bypass attributes (STE/GBPA overrides) are not modelled and reported as 0.
    const bool fault = beyond(txn.iova, oas);
    if (Witness* w = decide(out, trace, Clause::STE_BYPASS))
      w->set("iova", txn.iova).set("oas", oas).set("fault", fault).set("oa", fault ? 0 : txn.iova);
    if (fault) {
      return terminate(out, Termination::Abort, fault_event(txn, EventType::F_ADDR_SIZE, out, trace));
    }
    out.status = Status::Translated;
    out.output_address = txn.iova;
    return out;
  }

  // Stage 1 only, NS-EL1 StreamWorld. STRW = 0b10 (EL2 / EL2-E2H) and PRIVCFG/INSTCFG overrides
  // (IDR1.ATTR_PERMS_OVR [26]) are outside the slice.
  if (hyp && ste.strw() == 2) return unmodelled(out);
  if (bit(regs.idr1, 26) && (ste.privcfg() != 0 || ste.instcfg() != 0)) return unmodelled(out);

  // The CD: the only one, at S1ContextPtr, or the one of the SubstreamID (CD 0 without one) in a linear or
  // 2-level table (§3.3.2).
  uint64_t cd_addr = 0;
  if (cdmax == 0) {
    if (Witness* w = decide(out, trace, Clause::STE_CD_ADDRESS))
      w->set("ste_word0", ste.word0).set("cd_addr", ste.s1_context_ptr());
    // The CD is 64-byte aligned, so it lies in one stage-2 page. A CD pointer beyond the OAS: truncated,
    // F_CD_FETCH or C_BAD_STE (§3.4.3): CONSTRAINED, not modelled.
    if (!structure_pa(out, trace, memory, txn, stage2 ? &s2 : nullptr, oas, ste.s1_context_ptr(), 64,
                      cd_addr))
      return out;
  } else if (!cd_table_lookup(out, trace, memory, txn, ste, cdmax, stage2 ? &s2 : nullptr, oas, cd_addr)) {
    return out;
  }
  const ContextDescriptor cd = ContextDescriptor::read(memory, cd_addr);

  // ---- CD validity (§5.4). Any definite ILLEGAL gives C_BAD_CD; unmodelled features give Unmodelled.
  const bool asid16 = bit(regs.idr0, 12);
  const unsigned asid_hi = cd.asid() >> 8;
  const bool v_bad = !cd.v() || (!asid16 && asid_hi != 0);
  if (Witness* w = decide(out, trace, Clause::CD_VALID))
    w->set("v", cd.v()).set("asid16", asid16).set("asid_hi", asid_hi).set("bad_cd", v_bad);
  if (v_bad) return config_error(out, trace, txn, EventType::C_BAD_CD, cd.r(), cd.a());

  // Features that change what the other fields mean: VMSAv9-128 (IDR5.D128 [8]), big-endian or mismatched
  // table endianness (IDR0.TTENDIAN [22:21]: 0b00 mixed, 0b10 little only).
  const unsigned ttendian = static_cast<unsigned>(bits(regs.idr0, 22, 21));
  if (bit(regs.idr5, 8)) return unmodelled(out);
  if (cd.endi() || (ttendian != 0 && ttendian != 2)) return unmodelled(out);

  const unsigned ttf = idr0_ttf(regs);
  if (!cd.aa64() && bit(ttf, 0)) return unmodelled(out);  // VMSAv8-32 LPAE is not modelled
  const bool aa64_bad = cd.aa64() ? !bit(ttf, 1) : !bit(ttf, 0);
  if (Witness* w = decide(out, trace, Clause::CD_AA64))
    w->set("aa64", cd.aa64()).set("ttf", ttf).set("bad_cd", aa64_bad);
  if (aa64_bad) return config_error(out, trace, txn, EventType::C_BAD_CD, cd.r(), cd.a());

  bool bad = false;
  const bool ttb0_modelled = check_ttb(regs, cd, 0, out, trace, bad);
  const bool ttb1_modelled = check_ttb(regs, cd, 1, out, trace, bad);

  // HA needs IDR0.HTTU != 0, HD needs HTTU = 0b10 (§5.4 HA); {HD,HA} = 10 otherwise behaves as 00.
  const unsigned httu = idr0_httu(regs);
  const bool httu_bad = (cd.ha() && httu == 0) || (cd.hd() && httu < 2);
  if (Witness* w = decide(out, trace, Clause::CD_HTTU))
    w->set("ha", cd.ha()).set("hd", cd.hd()).set("httu", httu).set("bad_cd", httu_bad);
  bad |= httu_bad;

  // Stall and termination models (§5.5): S = 1 with no stall support, S = 0 with forced stall, S = 1 when the
  // STE disabled stage-1 stalls, and A = 0 with IDR0.TERM_MODEL = 1 (abort-only) are ILLEGAL.
  const bool stall_bad = (stall_model == 0 && ste.s1stalld() && cd.s()) || (stall_model == 1 && cd.s()) ||
                         (stall_model == 2 && !cd.s()) || (term_model && !cd.a());
  if (Witness* w = decide(out, trace, Clause::CD_STALL)) {
    w->set("stall_model", stall_model).set("s1stalld", ste.s1stalld()).set("s", cd.s());
    w->set("term_model", term_model).set("a", cd.a()).set("bad_ste", 0).set("bad_cd", stall_bad);
  }
  bad |= stall_bad;
  if (bad) return config_error(out, trace, txn, EventType::C_BAD_CD, cd.r(), cd.a());
  if (!ttb0_modelled || !ttb1_modelled) return unmodelled(out);
  // Stage-1 features that IDR3 may advertise and the CD may turn on; none is modelled: AIE [23] (CD.AIE),
  // S1PI [18] (CD.PIE), EPAN [17] (CD.EPAN), E0PD [13] (CD.E0PDx).
  if ((bit(regs.idr3, 23) && cd.aie()) || (bit(regs.idr3, 18) && cd.pie()) ||
      (bit(regs.idr3, 17) && cd.epan()) || (bit(regs.idr3, 13) && (cd.e0pd0() || cd.e0pd1())))
    return unmodelled(out);

  // The stage-1 configuration is complete: the CD is legal and fully modelled. Without stage 2 it depends
  // on nothing but memory, registers and the stream, so it may be cached (§16.2).
  const StageOneConfig s1_config{cd, {ttb_regime(regs, cd, 0), ttb_regime(regs, cd, 1)}, stage2, s2};
  if (cache != nullptr && trace == nullptr && !stage2)
    cache->store(memory, regs, txn, s1_config, out.clauses);
  return translate_stage1(out, memory, regs, txn, trace, pbha_combine, s1_config,
                          cache != nullptr ? &cache->walks : nullptr);
}

// Stage-1 translation of one transaction with a legal CD, and when nested its stage 2.
Outcome& translate_stage1(Outcome& out, const SparseMemory& memory, const SmmuRegisters& regs,
                          const Transaction& txn, Trace* trace, PbhaCombine pbha_combine,
                          const StageOneConfig& config, WalkCache* walks) {
  const ContextDescriptor& cd = config.cd;
  const bool stage2 = config.stage2;
  const S2Params& s2 = config.s2;

  // ---- Stage-1 translation. VA[55] selects TTB0/TTB1 (DDI 0487 AArch64.GetVARange; IHI 0070 §5.4.1).
  const unsigned which = bit(txn.iova, 55) ? 1 : 0;
  if (Witness* w = decide(out, trace, Clause::S1_TTB_SELECT)) w->set("iova", txn.iova).set("ttb", which);
  const TtbRegime& t = config.ttb[which];

  if (Witness* w = decide(out, trace, Clause::S1_EPD)) w->set("epd", t.epd).set("fault", t.epd);
  if (t.epd) {
    priority_witness(out, trace, true, false, false, false, S1Fault::Translation);
    return s1_fault(out, trace, txn, cd, S1Fault::Translation);
  }

  const uint64_t range_mask = t.range_mask;
  const bool range_fault = (txn.iova & range_mask) != (which == 1 ? range_mask : 0);
  if (Witness* w = decide(out, trace, Clause::S1_INPUT_RANGE))
    w->set("iova", txn.iova)
        .set("txsz", t.txsz)
        .set("tbi", t.tbi)
        .set("ttb", which)
        .set("fault", range_fault);
  if (range_fault) {
    priority_witness(out, trace, true, false, false, false, S1Fault::Translation);
    return s1_fault(out, trace, txn, cd, S1Fault::Translation);
  }

  const Granule g = t.granule;
  const unsigned eff_ips = t.eff_ips;
  const bool g64 = g == Granule::K64;
  const bool ds = t.ds;
  if (Witness* w = decide(out, trace, Clause::CD_IPS_EFFECTIVE))
    w->set("ips", cd.ips()).set("oas", idr5_oas(regs)).set("g64", g64).set("ds", ds).set("eff_ips", eff_ips);
  if (Witness* w = decide(out, trace, Clause::S1_WALK_START_LEVEL))
    w->set("granule", granule_code(g)).set("txsz", t.txsz).set("level", level_field(t.start_level));

  WalkParams params;
  params.ttb = which == 0 ? cd.ttb0() : cd.ttb1();
  params.txsz = t.txsz;
  params.eff_ips = eff_ips;
  params.granule = g;
  params.ds = ds;
  params.pamax = address_size_bits(idr5_oas(regs));
  params.had = t.had;
  params.cache = walks;
  std::optional<NestedTableWalk> nested;
  if (stage2) params.s2 = &nested.emplace(memory, s2, txn, out, trace);
  const WalkResult walk = s1_walk(memory, params, txn.iova, out, trace);
  out.level = static_cast<int8_t>(walk.level);
  if (stage2 && nested->overflow()) return unmodelled(out);
  if (walk.fault == S1Fault::Stage2)
    return s2_fault(out, trace, txn, s2, nested->last().fault, EventClass::TT, walk.fault_ipa);
  if (walk.fault != S1Fault::None) {
    priority_witness(out, trace, walk.fault == S1Fault::Translation, walk.fault == S1Fault::AddressSize,
                     false, false, walk.fault);
    return s1_fault(out, trace, txn, cd, walk.fault);
  }

  // ---- Leaf checks, each computed on its own; the reported fault follows Translation > Address size >
  // Access flag > Permission (DDI 0487 J1.1 AArch64.S1Walk then S1Translate; IHI 0070 §3.13.1).
  const uint64_t desc = walk.desc;
  const uint64_t oa = walk.oa;
  if (Witness* w = decide(out, trace, Clause::S1_OUTPUT_ADDRESS)) {
    w->set("granule", granule_code(g))
        .set("lpa", g64 && eff_ips >= 52)
        .set("ds", ds)
        .set("desc", desc)
        .set("level", walk.level);
    w->set("iova", txn.iova).set("oa", oa);
  }

  const bool addr_size = beyond(oa, eff_ips);
  if (Witness* w = decide(out, trace, Clause::S1_ADDR_SIZE_LEAF))
    w->set("oa", oa).set("eff_ips", eff_ips).set("fault", addr_size);

  const bool af = desc_af(desc);
  const bool ha = cd.ha();  // {HD,HA} = 10 has HA = 0 anyway
  const bool access = !af && !ha && !cd.affd();
  if (!addr_size) {
    if (Witness* w = decide(out, trace, Clause::S1_AF_FAULT))
      w->set("af", af).set("ha", ha).set("affd", cd.affd()).set("fault", access);
  }

  // Dirty state (SMMU.S1.DIRTY, §3.13.3): with HD (and HA) a write to a leaf with DBM = 1 is checked as if
  // AP[2] were 0 (APTable still applies: it is merged after), and clears AP[2] when it proceeds.
  const bool hd = ha && cd.hd();
  const bool write_clean = hd && desc_dbm(desc) && bit(desc, kDescAp2Bit);
  const bool dbm_write = write_clean && txn.access == AccessKind::Write;
  const unsigned ap = dbm_write ? (desc_ap(desc) & 1u) : desc_ap(desc);
  // Whether WXN counts a writable-clean location as writable for an instruction fetch is not settled here.
  if (write_clean && txn.access == AccessKind::Execute && cd.wxn()) return unmodelled(out);
  const S1AccessRights rights = s1_access_rights(ap, walk.table, desc_pxn(desc), desc_uxn(desc));
  bool permission;
  if (txn.access == AccessKind::Execute) {
    permission = s1_execute_permission_fault(rights, txn.privileged, cd.wxn());
    if (!addr_size && !access) {
      if (Witness* w = decide(out, trace, Clause::S1_PERM_EXECUTE)) {
        w->set("ap", desc_ap(desc)).set("ap_table", walk.table.ap_table).set("priv", txn.privileged);
        w->set("pxn", desc_pxn(desc) || walk.table.pxn_table)
            .set("uxn", desc_uxn(desc) || walk.table.uxn_table);
        w->set("wxn", cd.wxn()).set("fault", permission);
      }
    }
  } else {
    const bool write = txn.access == AccessKind::Write;
    permission = s1_data_permission_fault(rights, write, txn.privileged, cd.pan());
    if (!addr_size && !access) {
      if (Witness* w = decide(out, trace, Clause::S1_PERM_AP)) {
        w->set("ap", ap).set("ap_table", walk.table.ap_table).set("priv", txn.privileged);
        w->set("write", write).set("pan", cd.pan()).set("fault", permission);
      }
    }
  }

  const S1Fault fault = addr_size    ? S1Fault::AddressSize
                        : access     ? S1Fault::AccessFlag
                        : permission ? S1Fault::Permission
                                     : S1Fault::None;
  priority_witness(out, trace, false, addr_size, access, permission, fault);

  // HTTU (§3.13): with HA = 1 an AF = 0 descriptor gets AF = 1 and no Access flag fault; after a Permission
  // fault it is UNKNOWN whether the update happened.
  if (!addr_size) {
    const bool update = !af && ha && !permission;
    const bool unknown = !af && ha && permission;
    if (Witness* w = decide(out, trace, Clause::S1_AF_UPDATE))
      w->set("af", af)
          .set("ha", ha)
          .set("perm_fault", permission)
          .set("update", update)
          .set("unknown", unknown);
    const bool dirty = dbm_write && !permission;
    if (Witness* w = decide(out, trace, Clause::S1_DIRTY)) {
      w->set("hd", hd)
          .set("dbm", desc_dbm(desc))
          .set("ap2", bit(desc, kDescAp2Bit))
          .set("write", txn.access == AccessKind::Write);
      w->set("perm_fault", permission).set("dirty", dirty);
    }
    // Nested: the AF or dirty write of a stage-1 descriptor is itself translated by stage 2 (and may fault,
    // CLASS = TT, §3.13.1): not modelled.
    if ((update || unknown || dirty) && stage2) return unmodelled(out);
    uint64_t written = desc;
    if (update) written |= uint64_t{1} << kDescAfBit;
    if (dirty) written &= ~(uint64_t{1} << kDescAp2Bit);
    if (written != desc) {
      out.updates[0] = DescriptorUpdate{walk.desc_addr, written};
      out.update_count = 1;
    }
    out.updates_unknown = unknown;
  }
  // Nested: the IPA goes through stage 2 (CLASS = IN on a fault). The access is allowed only if both stages
  // allow it (SMMU.NESTED.PERMISSION); stage 1 is decided first, so its faults are the ones reported.
  std::optional<S2Result> s2r;  // engaged whenever stage 1 did not fault
  if (stage2 && !addr_size && !access) {
    Outcome scratch;  // when stage 1 faulted, stage 2 is evaluated only to state the clause
    s2r = s2_translate(memory, s2, oa, S2Purpose::Input, txn.access, txn.privileged,
                       fault == S1Fault::None ? out : scratch, fault == S1Fault::None ? trace : nullptr);
    if (s2r->desc != 0) {  // stage 2 reached a leaf: its permission is defined
      if (Witness* w = decide(out, trace, Clause::NESTED_PERMISSION))
        w->set("s1_fault", permission).set("s2_fault", s2r->perm).set("fault", permission || s2r->perm);
    }
  }
  if (fault != S1Fault::None) return s1_fault(out, trace, txn, cd, fault);
  if (stage2) {
    if (!record_s2_effects(out, *s2r)) return unmodelled(out);
    if (s2r->fault != S2Fault::None) return s2_fault(out, trace, txn, s2, s2r->fault, EventClass::IN, oa);
  }

  // Attributes (SMMU.S1.ATTRIBUTES): MAIR byte AttrIndx of {MAIR1, MAIR0}; the shareability field from the
  // descriptor, or from CD.SHx when DS is in effect, whose descriptors hold OA[51:50] in bits [9:8] (§5.4
  // DS).
  const unsigned attr_indx = desc_attr_indx(desc);
  const unsigned cd_sh = t.cd_sh;
  out.attrs.mair_attr = static_cast<uint8_t>(bits(cd.mair(), attr_indx * 8 + 7, attr_indx * 8));
  out.attrs.sh = static_cast<uint8_t>(ds ? cd_sh : desc_sh(desc));
  if (Witness* w = decide(out, trace, Clause::S1_ATTRIBUTES)) {
    w->set("desc", desc).set("mair", cd.mair()).set("mair_attr", out.attrs.mair_attr);
    w->set("ds", ds).set("cd_sh", cd_sh).set("sh", out.attrs.sh);
  }
  // PBHA (SMMU.PBHA.S1_OUTPUT): leaf bits [62:59] where IDR3.PBHA, CD.HADx and CD.HWUx enable them.
  const uint8_t s1_enables = t.pbha_enables;
  out.pbha = stage_pbha(desc, s1_enables);
  if (Witness* w = decide(out, trace, Clause::PBHA_S1_OUTPUT)) {
    w->set("idr3_pbha", bit(regs.idr3, 3)).set("idr3_had", bit(regs.idr3, 2));
    w->set("hadx", which == 0 ? cd.had0() : cd.had1()).set("hwu", which == 0 ? cd.hwu0() : cd.hwu1());
    w->set("leaf", leaf_pbha_bits(desc)).set("pbha", out.pbha);
  }
  out.status = Status::Translated;
  out.output_address = oa;
  if (!stage2) return out;

  // Nested output: the PA of stage 2; PBHA of both stages combined by the implementation's rule (a profile
  // parameter: the architecture leaves it IMPLEMENTATION DEFINED; IMPDEF reports 0 and pbha_unknown).
  out.output_address = s2r->pa;
  if (Witness* w = decide(out, trace, Clause::PBHA_S2_OUTPUT))
    w->set("idr3_pbha", s2.idr3_pbha)
        .set("s2hwu", s2.s2hwu)
        .set("leaf", leaf_pbha_bits(s2r->desc))
        .set("pbha", s2r->pbha);
  const uint8_t s1_value = out.pbha;
  const std::optional<uint8_t> combined =
      combine_pbha(pbha_combine, s1_value, s1_enables, s2r->pbha, s2.pbha_enables);
  out.pbha = combined.value_or(0);
  out.pbha_unknown = !combined;
  if (Witness* w = decide(out, trace, Clause::PBHA_COMBINE)) {
    w->set("rule", static_cast<uint64_t>(pbha_combine)).set("s1", s1_value).set("s1en", s1_enables);
    w->set("s2", s2r->pbha).set("s2en", s2.pbha_enables).set("pbha", out.pbha);
  }
  return out;
}

}  // namespace

Outcome translate(const SparseMemory& memory, const SmmuRegisters& regs, const Transaction& txn, Trace* trace,
                  PbhaCombine pbha_combine) {
  Outcome out;
  evaluate(out, memory, regs, txn, trace, pbha_combine, nullptr);
  return out;
}

Outcome translate(const SparseMemory& memory, const SmmuRegisters& regs, const Transaction& txn,
                  ConfigCache& cache, PbhaCombine pbha_combine) {
  Outcome out;
  evaluate(out, memory, regs, txn, nullptr, pbha_combine, &cache);
  return out;
}

void apply_updates(SparseMemory& memory, const Outcome& outcome) {
  if (outcome.updates_unknown) return;
  for (uint8_t i = 0; i < outcome.update_count && i < outcome.updates.size(); ++i)
    memory.write64(outcome.updates[i].addr, outcome.updates[i].value);
}

}  // namespace vipcts::smmu
