#include "stage2.hpp"

#include "context_descriptor.hpp"
#include "pbha.hpp"

namespace vipcts::smmu {

namespace {
constexpr bool beyond(uint64_t addr, unsigned size_bits) {
  return size_bits < 64 && (addr >> size_bits) != 0;
}

S2Params unusable(S2Config c) {
  S2Params p;
  p.config = c;
  return p;
}

uint64_t fault_code(S2Fault f) {
  return static_cast<uint64_t>(f);  // 0 none, 1 Translation, 2 Address size, 3 Access flag, 4 Permission
}

void priority_witness(Outcome& out, Trace* trace, S2Fault chosen) {
  if (Witness* w = decide(out, trace, Clause::S2_FAULT_PRIORITY)) {
    w->set("translation", chosen == S2Fault::Translation).set("addr_size", chosen == S2Fault::AddressSize);
    w->set("access", chosen == S2Fault::AccessFlag).set("permission", chosen == S2Fault::Permission);
    w->set("fault", fault_code(chosen));
  }
}
}  // namespace

bool s2ds_effective(const SmmuRegisters& regs, const Ste& ste, Granule g) {
  return idr5_ds(regs) && ste.s2ds() && (g == Granule::K4 || g == Granule::K16);
}

unsigned stage2_ias_bits(const SmmuRegisters& regs) {
  const unsigned oas = address_size_bits(idr5_oas(regs));
  const bool aarch32 = bit(idr0_ttf(regs), 0);
  return aarch32 && oas < 40 ? 40 : oas;
}

S2Params s2_params(const SmmuRegisters& regs, const Ste& ste, Outcome& out, Trace* trace) {
  const unsigned ttf = idr0_ttf(regs);
  const unsigned ttendian = static_cast<unsigned>(bits(regs.idr0, 22, 21));
  const unsigned oas = address_size_bits(idr5_oas(regs));
  const unsigned httu = idr0_httu(regs);
  const unsigned stall_model = idr0_stall_model(regs);
  const bool stt = bit(regs.idr3, 9);

  // Features outside the model, which change what the other fields mean: VMSAv8-32 LPAE stage 2 (S2AA64 = 0
  // where TTF allows it), big-endian or mixed-endian tables, VMSAv9-128 (IDR5.D128 [8]), stage-2 permission
  // indirection (IDR3.S2PI [19] with S2PIE), the reserved STALL_MODEL.
  if ((!ste.s2aa64() && bit(ttf, 0)) || ste.s2endi() || (ttendian != 0 && ttendian != 2) ||
      bit(regs.idr5, 8) || (bit(regs.idr3, 19) && ste.s2pie()) || stall_model == 3)
    return unusable(S2Config::Unmodelled);

  // S2AA64 against IDR0.TTF, S2HA/S2HD against IDR0.HTTU, S2S against IDR0.STALL_MODEL (§5.2 S2AA64, S2HA,
  // S2HD, S2S).
  const bool aa64_bad = ste.s2aa64() ? !bit(ttf, 1) : !bit(ttf, 0);
  const bool httu_bad = (ste.s2ha() && httu == 0) || (ste.s2hd() && httu < 2);
  const bool stall_bad = (stall_model == 1 && ste.s2s()) || (stall_model == 2 && !ste.s2s());
  const bool misc_bad = aa64_bad || httu_bad || stall_bad;
  if (Witness* w = decide(out, trace, Clause::STE_S2_MISC)) {
    w->set("s2aa64", ste.s2aa64()).set("ttf", ttf).set("s2ha", ste.s2ha()).set("s2hd", ste.s2hd());
    w->set("httu", httu).set("stall_model", stall_model).set("s2s", ste.s2s()).set("bad_ste", misc_bad);
  }

  // S2TG reserved or not advertised (IDR5.GRAN*): ILLEGAL (§5.2 S2TG). Without a granule nothing else has a
  // geometry, so the remaining checks stop here.
  const Granule g = s2tg_granule(ste.s2tg());
  const bool tg_bad = !granule_supported(regs, g);
  if (Witness* w = decide(out, trace, Clause::STE_S2_TG)) {
    w->set("s2tg", ste.s2tg()).set("gran4k", idr5_gran4k(regs)).set("gran16k", idr5_gran16k(regs));
    w->set("gran64k", idr5_gran64k(regs)).set("bad_ste", tg_bad);
  }
  if (tg_bad) return unusable(S2Config::Illegal);

  S2Params p;
  p.xnx = bit(regs.idr3, 4);
  p.ias = stage2_ias_bits(regs);
  bool illegal = misc_bad;
  const bool ds = s2ds_effective(regs, ste, g);

  // S2T0SZ outside [MAX(16 or 12, 64 - IAS), 39 or 48/47 with STT]: ILLEGAL in SMMUv3.1+ (§5.2 S2T0SZ,
  // STES2T0SZInvalid: 12 with 64 KB or S2DS).
  const unsigned t0sz = ste.s2t0sz();
  const bool t0sz_bad = t0sz < vmsa::txsz_min(g, ds, p.ias) || t0sz > vmsa::txsz_max(g, stt);
  if (Witness* w = decide(out, trace, Clause::STE_S2_T0SZ)) {
    w->set("s2t0sz", t0sz).set("granule", granule_code(g)).set("stt", stt).set("ias", p.ias).set("ds", ds);
    w->set("bad_ste", t0sz_bad);
  }
  illegal |= t0sz_bad;

  // S2SL0 inconsistent with S2T0SZ and S2TG: DDI 0487 J1.1 AArch64.S2InvalidSL (PAMax = IDR5.OAS, FEAT_TTST =
  // IDR3.STT) or AArch64.S2InconsistentSL (which admits up to 16 concatenated start tables); §5.2 S2SL0.
  // S2SL0_2 is considered only with S2DS and a 4 KB granule (§5.2 S2SL0; VTCR_EL2.SL2 AND DS): {1,00} is
  // level -1.
  const bool sl2 = ds && g == Granule::K4 && ste.s2sl0_2();
  const int start = vmsa::s2_start_level(g, ste.s2sl0(), sl2);
  const unsigned ia_bits = 64 - t0sz;
  const bool sl_bad =
      vmsa::s2_invalid_sl(g, ste.s2sl0(), sl2, ds, oas, stt) || vmsa::s2_inconsistent_sl(g, start, ia_bits);
  if (Witness* w = decide(out, trace, Clause::STE_S2_SL0)) {
    w->set("granule", granule_code(g)).set("sl0", ste.s2sl0()).set("sl2", sl2).set("ds", ds);
    w->set("pamax", oas).set("stt", stt).set("s2t0sz", t0sz).set("bad_ste", sl_bad);
  }
  illegal |= sl_bad;
  if (!sl_bad) {
    const unsigned tables = vmsa::s2_concatenated_tables(g, start, ia_bits);
    if (Witness* w = decide(out, trace, Clause::STE_S2_CONCAT)) {
      w->set("granule", granule_code(g)).set("level", level_field(start)).set("s2t0sz", t0sz);
      w->set("tables", tables);
    }
  }

  // eff_S2PS = MIN(S2PS, OAS), capped at 48 bits unless 64 KB or S2DS (§5.2 S2PS; §3.4). S2TTB beyond it, or
  // beyond 48 bits for 4K/16K without S2DS, is ILLEGAL (§5.2 S2TTB): never an Address Size fault.
  const bool g64 = g == Granule::K64;
  const unsigned eff_s2ps = vmsa::effective_output_bits(address_size_bits(ste.s2ps()), oas, g, ds);
  if (Witness* w = decide(out, trace, Clause::STE_S2_PS_EFFECTIVE)) {
    w->set("s2ps", ste.s2ps()).set("oas", idr5_oas(regs)).set("g64", g64).set("ds", ds);
    w->set("eff_s2ps", eff_s2ps);
  }
  const uint64_t s2ttb = ste.s2ttb();
  const bool ttb_bad = beyond(s2ttb, eff_s2ps) || (!g64 && !ds && beyond(s2ttb, 48));
  if (Witness* w = decide(out, trace, Clause::STE_S2_TTB_RANGE)) {
    w->set("s2ttb", s2ttb).set("eff_s2ps", eff_s2ps).set("g64", g64).set("ds", ds);
    w->set("bad_ste", ttb_bad);
  }
  illegal |= ttb_bad;

  // Any S2HWU bit with S2POE = 1 is ILLEGAL (SMMU.PBHA.S2POE); S2POE is RES0 without IDR3.S2PO [20].
  const bool s2po = bit(regs.idr3, 20);
  const bool poe_bad = s2hwu_with_s2poe_illegal(s2po, ste.s2poe(), ste.s2hwu());
  if (Witness* w = decide(out, trace, Clause::PBHA_S2POE)) {
    w->set("s2po", s2po).set("s2poe", ste.s2poe()).set("s2hwu", ste.s2hwu()).set("bad_ste", poe_bad);
  }
  illegal |= poe_bad;
  if (illegal) return unusable(S2Config::Illegal);
  // A legal S2POE = 1 turns stage-2 permission overlays on: not modelled.
  if (s2po && ste.s2poe()) return unusable(S2Config::Unmodelled);

  p.walk.ttb = s2ttb;
  p.walk.txsz = t0sz;
  p.walk.eff_ips = eff_s2ps;
  p.walk.granule = g;
  p.walk.ds = ds;
  p.walk.pamax = oas;
  p.sh0 = ste.s2sh0();
  p.walk.stage2 = true;
  p.walk.start_level = start;
  p.affd = ste.s2affd();
  p.ptw = ste.s2ptw();
  p.ha = ste.s2ha();
  p.hd = ste.s2ha() && ste.s2hd();  // {S2HD,S2HA} = 10 behaves as 00 for dirty state, like the CD
  p.s = ste.s2s();
  p.r = ste.s2r();
  p.idr3_pbha = bit(regs.idr3, 3);
  p.s2hwu = ste.s2hwu();
  p.pbha_enables = s2_pbha_enables(p.idr3_pbha, p.s2hwu);
  return p;
}

S2Result s2_translate(const SparseMemory& memory, const S2Params& p, uint64_t ipa, S2Purpose purpose,
                      AccessKind access, bool privileged, Outcome& out, Trace* trace) {
  S2Result r;
  // An IPA at or above 2^(64 - S2T0SZ) is a stage-2 Translation fault (§3.4; J1.1 AArch64.IPAIsOutOfRange).
  const bool range_fault = beyond(ipa, 64 - p.walk.txsz);
  if (Witness* w = decide(out, trace, Clause::S2_INPUT_RANGE))
    w->set("ipa", ipa).set("s2t0sz", p.walk.txsz).set("fault", range_fault);
  if (range_fault) {
    priority_witness(out, trace, S2Fault::Translation);
    r.fault = S2Fault::Translation;
    return r;
  }
  const WalkResult w = s1_walk(memory, p.walk, ipa, out, trace);
  r.level = w.level;
  if (w.fault == S1Fault::Translation || w.fault == S1Fault::AddressSize) {
    r.fault = w.fault == S1Fault::Translation ? S2Fault::Translation : S2Fault::AddressSize;
    priority_witness(out, trace, r.fault);
    return r;
  }
  const uint64_t d = w.desc;
  r.desc = d;
  const Granule g = p.walk.granule;
  if (Witness* x = decide(out, trace, Clause::S2_OUTPUT_ADDRESS)) {
    x->set("granule", granule_code(g)).set("lpa", g == Granule::K64 && p.walk.eff_ips >= 52).set("desc", d);
    x->set("ds", p.walk.ds).set("level", w.level).set("ipa", ipa).set("pa", w.oa);
  }
  // Shareability of what the tables map: descriptor bits [9:8], or STE.S2SH0 with S2DS, whose descriptors
  // hold OA[51:50] there (§5.2 S2DS).
  r.sh = static_cast<uint8_t>(p.walk.ds ? p.sh0 : bits(d, 9, 8));
  if (Witness* x = decide(out, trace, Clause::S2_DS_SHAREABILITY))
    x->set("desc", d).set("ds", p.walk.ds).set("s2sh0", p.sh0).set("sh", r.sh);
  // Leaf OA beyond eff_S2PS: stage-2 Address Size fault.
  const bool addr_size = beyond(w.oa, p.walk.eff_ips);
  if (Witness* x = decide(out, trace, Clause::S2_ADDR_SIZE))
    x->set("addr", w.oa).set("eff_s2ps", p.walk.eff_ips).set("fault", addr_size);

  // Permissions (DDI 0487 J1.1 AArch64.S2CheckPermissions; IHI 0070 §5.2 S2PTW). S2AP[0] (bit 6) grants read,
  // S2AP[1] (bit 7) write; an instruction fetch needs only execute (XN); walks and CD fetches are reads, and
  // with S2PTW = 1 a Device-typed mapping of them is a Permission fault.
  const bool read = purpose != S2Purpose::Input || access == AccessKind::Read;
  const bool write = purpose == S2Purpose::Input && access == AccessKind::Write;
  const bool exec = purpose == S2Purpose::Input && access == AccessKind::Execute;
  // Dirty state (§3.13.3): with S2HD and DBM = 1 hardware sets S2AP[1] instead of faulting the write.
  const bool dbm_hd = p.hd && s2_desc_dbm(d);
  const bool dirty = write && !s2_desc_write(d) && dbm_hd;
  bool perm = (read && !s2_desc_read(d)) || (write && !s2_desc_write(d) && !dbm_hd) ||
              (exec && !s2_executable(s2_desc_xn(d), p.xnx, privileged));
  if (purpose == S2Purpose::Input) {
    if (Witness* x = decide(out, trace, Clause::S2_PERM)) {
      x->set("s2ap", bits(d, 7, 6)).set("xn", s2_desc_xn(d)).set("xnx", p.xnx);
      x->set("access", static_cast<uint64_t>(access)).set("priv", privileged).set("dbm_hd", dbm_hd);
      x->set("fault", perm);
    }
  } else {
    perm = perm || (p.ptw && s2_desc_device(d));
    if (Witness* x = decide(out, trace, Clause::S2_PTW)) {
      x->set("s2ap", bits(d, 7, 6)).set("ptw", p.ptw).set("device", s2_desc_device(d)).set("fault", perm);
    }
  }
  r.perm = perm;

  // Access flag: with S2HA hardware sets it; else S2AFFD = 1 treats it as 1; else F_ACCESS (§5.2 S2AFFD,
  // S2HA; §3.13). After a Permission fault it is UNKNOWN whether AF was set (§3.13.1).
  const bool af = bit(d, 10);
  const bool access_fault = !af && !p.ha && !p.affd;
  const bool set_af = !af && p.ha;
  if (!addr_size) {
    if (Witness* x = decide(out, trace, Clause::S2_AF)) {
      x->set("af", af).set("ha", p.ha).set("affd", p.affd).set("perm_fault", perm);
      x->set("fault", access_fault).set("update", set_af && !perm);
    }
  }
  r.fault = addr_size      ? S2Fault::AddressSize
            : access_fault ? S2Fault::AccessFlag
            : perm         ? S2Fault::Permission
                           : S2Fault::None;
  priority_witness(out, trace, r.fault);
  if (r.fault == S2Fault::Permission) r.update_unknown = set_af;
  if (r.fault != S2Fault::None) return r;

  uint64_t nd = d;
  if (set_af) nd |= uint64_t{1} << 10;
  // The SMMU never dirties the stage-2 mapping used for a CD fetch or a walk (§3.13.3): only the input's
  // writes.
  if (dirty) nd |= uint64_t{1} << 7;
  if (nd != d) {
    r.update = true;
    r.update_value = DescriptorUpdate{w.desc_addr, nd};
  }
  r.pa = w.oa;
  r.pbha = stage_pbha(d, p.pbha_enables);
  return r;
}

}  // namespace vipcts::smmu
