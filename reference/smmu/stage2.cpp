#include "stage2.hpp"

#include "pbha.hpp"

namespace vipcts::smmu {

namespace {
constexpr bool beyond(uint64_t addr, unsigned size_bits) {
  return size_bits < 64 && (addr >> size_bits) != 0;
}
}  // namespace

unsigned stage2_ias_bits(const SmmuRegisters& regs) {
  const unsigned oas = address_size_bits(idr5_oas(regs));
  const bool aarch32 = bit(idr0_ttf(regs), 0);
  return aarch32 && oas < 40 ? 40 : oas;
}

S2Params s2_params(const SmmuRegisters& regs, const Ste& ste) {
  S2Params p;
  const unsigned ttf = idr0_ttf(regs);
  const unsigned ttendian = static_cast<unsigned>(bits(regs.idr0, 22, 21));
  const unsigned oas = address_size_bits(idr5_oas(regs));
  const unsigned httu = idr0_httu(regs);
  const unsigned stall_model = idr0_stall_model(regs);
  const bool idr5_ds = bit(regs.idr5, 7);
  const bool stt = bit(regs.idr3, 9);
  p.xnx = bit(regs.idr3, 4);
  p.ias = stage2_ias_bits(regs);

  // Features outside the model: VMSAv8-32 LPAE stage 2, big-endian tables, 52-bit 4K/16K (S2DS), stage-2
  // permission indirection/overlays (S2PIE with IDR3.S2PI [19]), VMSAv9-128 (IDR5.D128 [8]).
  const bool illegal_format = ste.s2aa64() ? !bit(ttf, 1) : !bit(ttf, 0);
  if (illegal_format) {
    p.config = S2Config::Illegal;
    return p;
  }
  if (!ste.s2aa64() || ste.s2endi() || (ttendian != 0 && ttendian != 2) || (idr5_ds && ste.s2ds()) ||
      (bit(regs.idr3, 19) && ste.s2pie()) || bit(regs.idr5, 8)) {
    p.config = S2Config::Unmodelled;
    return p;
  }

  bool illegal = false;
  // S2TG reserved or not advertised (IDR5.GRAN*): ILLEGAL (§5.2 S2TG).
  const Granule g = s2tg_granule(ste.s2tg());
  bool granule_ok = false;
  switch (g) {
    case Granule::K4:
      granule_ok = idr5_gran4k(regs);
      break;
    case Granule::K16:
      granule_ok = idr5_gran16k(regs);
      break;
    case Granule::K64:
      granule_ok = idr5_gran64k(regs);
      break;
    case Granule::Reserved:
      break;
  }
  if (!granule_ok) {
    p.config = S2Config::Illegal;
    return p;
  }
  // S2T0SZ outside [MAX(16 or 12, 64 - IAS), 39 or 48/47 with STT] (SMMUv3.1+: ILLEGAL).
  const unsigned t0sz = ste.s2t0sz();
  illegal |= t0sz < vmsa::txsz_min(g, false, p.ias) || t0sz > vmsa::txsz_max(g, stt);
  // {S2SL0_2, S2SL0} inconsistent with S2T0SZ and S2TG (J1.1 S2InvalidSL / S2InconsistentSL, PAMax = OAS,
  // FEAT_TTST = IDR3.STT). S2SL0_2 is RES0 without IDR5.DS.
  const bool sl2 = idr5_ds && ste.s2sl0_2();
  const bool sl_bad = vmsa::s2_invalid_sl(g, ste.s2sl0(), sl2, false, oas, stt) ||
                      vmsa::s2_inconsistent_sl(g, vmsa::s2_start_level(g, ste.s2sl0(), sl2), 64 - t0sz);
  illegal |= sl_bad;
  // eff_S2PS = MIN(S2PS, OAS), capped at 48 unless 64 KB (or DS) (§5.2 S2PS).
  const unsigned eff_s2ps = vmsa::effective_output_bits(address_size_bits(ste.s2ps()), oas, g, false);
  // S2TTB beyond eff_S2PS, or beyond 48 bits for 4K/16K without DS: ILLEGAL (§5.2 S2TTB).
  const uint64_t s2ttb = ste.s2ttb();
  illegal |= beyond(s2ttb, eff_s2ps) || (g != Granule::K64 && beyond(s2ttb, 48));
  // S2HA needs IDR0.HTTU != 0, S2HD needs HTTU = 0b10 (§5.2 S2HA, S2HD).
  illegal |= (ste.s2ha() && httu == 0) || (ste.s2hd() && httu < 2);
  // S2S against the stall model (§5.2 S2S): 0b01 (no stall) with S2S = 1, 0b10 (stall forced) with S2S = 0.
  illegal |= (stall_model == 1 && ste.s2s()) || (stall_model == 2 && !ste.s2s());
  // Any S2HWU bit with S2POE (SMMU.PBHA.S2POE).
  illegal |= s2hwu_with_s2poe_illegal(bit(regs.idr3, 20), ste.s2poe(), ste.s2hwu());
  if (illegal) {
    p.config = S2Config::Illegal;
    return p;
  }

  p.walk.ttb = s2ttb;
  p.walk.txsz = t0sz;
  p.walk.eff_ips = eff_s2ps;
  p.walk.granule = g;
  p.walk.pamax = oas;
  p.walk.stage2 = true;
  p.walk.start_level = vmsa::s2_start_level(g, ste.s2sl0(), sl2);
  p.affd = ste.s2affd();
  p.ptw = ste.s2ptw();
  p.ha = ste.s2ha();
  p.hd = ste.s2ha() && ste.s2hd();  // {S2HD,S2HA} = 10 behaves as 00 for dirty state, like the CD
  p.s = ste.s2s();
  p.r = ste.s2r();
  p.pbha_enables = s2_pbha_enables(bit(regs.idr3, 3), ste.s2hwu());
  return p;
}

S2Result s2_translate(const SparseMemory& memory, const S2Params& p, uint64_t ipa, S2Purpose purpose,
                      AccessKind access, bool privileged) {
  S2Result r;
  // An IPA at or above 2^(64 - S2T0SZ) is a stage-2 Translation fault (§3.4; J1.1 IPAIsOutOfRange).
  if (beyond(ipa, 64 - p.walk.txsz)) {
    r.fault = S2Fault::Translation;
    return r;
  }
  Outcome scratch;  // stage-2 walks decide no stage-1 clauses
  const WalkResult w = s1_walk(memory, p.walk, ipa, scratch, nullptr);
  r.level = w.level;
  if (w.fault == S1Fault::Translation) {
    r.fault = S2Fault::Translation;
    return r;
  }
  if (w.fault == S1Fault::AddressSize) {
    r.fault = S2Fault::AddressSize;
    return r;
  }
  const uint64_t d = w.desc;
  // Leaf OA beyond eff_S2PS: Address Size fault.
  if (beyond(w.oa, p.walk.eff_ips)) {
    r.fault = S2Fault::AddressSize;
    return r;
  }
  // Access flag: with S2HA hardware sets it; else S2AFFD = 1 treats it as 1; else F_ACCESS.
  const bool af = bit(d, 10);
  const bool access_fault = !af && !p.ha && !p.affd;
  // Permissions. Walks and CD fetches are reads; S2PTW makes a Device-typed mapping of them a Permission
  // fault.
  const bool read = purpose != S2Purpose::Input || access == AccessKind::Read;
  const bool write = purpose == S2Purpose::Input && access == AccessKind::Write;
  const bool exec = purpose == S2Purpose::Input && access == AccessKind::Execute;
  bool perm = false;
  bool dirty = false;
  if (read && !s2_desc_read(d)) perm = true;
  if (write && !s2_desc_write(d)) {
    // Dirty state (§3.13.3): with S2HD and DBM = 1 hardware sets S2AP[1] and the write proceeds.
    if (p.hd && s2_desc_dbm(d))
      dirty = true;
    else
      perm = true;
  }
  if (exec && !s2_executable(s2_desc_xn(d), p.xnx, privileged)) perm = true;
  if (purpose != S2Purpose::Input && p.ptw && s2_desc_device(d)) perm = true;

  if (access_fault) {
    r.fault = S2Fault::AccessFlag;
    return r;
  }
  const bool set_af = !af && p.ha;
  if (perm) {
    r.fault = S2Fault::Permission;
    r.update_unknown = set_af;  // §3.13.1: UNKNOWN whether AF was set
    return r;
  }
  uint64_t nd = d;
  if (set_af) nd |= uint64_t{1} << 10;
  // The SMMU never dirties the stage-2 mapping used for a CD fetch (§3.13.3); only the transaction's writes.
  if (dirty && purpose == S2Purpose::Input) nd |= uint64_t{1} << 7;
  if (nd != d) {
    r.update = true;
    r.update_value = DescriptorUpdate{w.desc_addr, nd};
  }
  r.pa = w.oa;
  r.pbha = stage_pbha(d, p.pbha_enables);
  return r;
}

}  // namespace vipcts::smmu
