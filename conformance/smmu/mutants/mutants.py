#!/usr/bin/env python3
"""Mutants of the SMMU reference model: each is one realistic bug, applied to a copy of reference/ in the build
tree (never to reference/ itself) and built as a plugin through the C ABI (plugin_shim.cpp).

This file holds the table; the command line (--names, --describe, --make NAME --src DIR --out DIR) and the
copy that applies one mutant are cmake/mutants_tool.py's."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "cmake"))
import mutants_tool  # noqa: E402

# name: (file under reference/, text, replacement, what the bug is)
MUTANTS = {
    "s1-start-level-ceil": (
        "smmu/granule.hpp", "((ia_bits - 1 - granule_bits(g)) / granule_stride(g))",
        "((ia_bits - granule_bits(g)) / granule_stride(g))",
        "stage-1 start level computed with N - g instead of N - 1 - g (wrong at 39-bit VA for 4 KB)"),
    "tg1-encoding-as-tg0": (
        "smmu/granule.hpp", "{Granule::Reserved, Granule::K16, Granule::K4, Granule::K64}",
        "{Granule::K4, Granule::K64, Granule::K16, Granule::Reserved}",
        "CD.TG1 decoded with the TG0 encoding"),
    "block-at-level0-4k": (
        "smmu/granule.hpp", "return level == 1 || level == 2 || (level == 0 && ds);",
        "return level <= 2;", "4 KB level-0 block accepted without DS"),
    "l3-type01-is-page": (
        "smmu/walk.cpp", "const bool reserved = type == 1;", "const bool reserved = false;",
        "level-3 descriptor type 0b01 treated as a page instead of reserved"),
    "table-addr-size-off-by-one": (
        "smmu/walk.cpp", "const bool too_big = (next >> params.eff_ips) != 0;",
        "const bool too_big = (next >> (params.eff_ips + 1)) != 0;",
        "next-level table address checked against eff_IPS + 1"),
    "had-ignored": (
        "smmu/walk.cpp", "if (s1 && !params.had) {", "if (s1) {",
        "APTable/XNTable/PXNTable applied even with CD.HADx = 1"),
    "aptable-ro-ignored-for-el1": (
        "smmu/permissions.cpp", "if (table.ap_table & 2) r.pw = r.uw = false;", "if (table.ap_table & 2) r.uw = false;",
        "APTable[1] (read-only) not applied to privileged writes"),
    "pan-inverted": (
        "smmu/permissions.cpp", "if (privileged && pan && (rights.ur || rights.uw))",
        "if (privileged && !pan && (rights.ur || rights.uw))", "PAN applied when CD.PAN = 0"),
    "wxn-ignored": (
        "smmu/permissions.cpp", "if (wxn && w) x = false;", "if (wxn && w && !privileged) x = false;",
        "WXN applied to unprivileged fetches only"),
    "sid-range-off-by-one": (
        "smmu/stream_table.cpp", "return n < 64 && (uint64_t{sid} >> n) != 0;", "return n < 64 && (uint64_t{sid} >> n) > 1;",
        "StreamID = 2^LOG2SIZE accepted"),
    "ips-not-capped-by-oas": (
        "smmu/granule.hpp", "const unsigned eff = field_bits < oas_bits ? field_bits : oas_bits;",
        "const unsigned eff = field_bits;",
        "eff_IPS not limited by IDR5.OAS"),
    "epd1-ignored": (
        "smmu/translate.cpp",
        "t.epd = which == 0 ? cd.epd0() : cd.epd1();", "t.epd = which == 0 ? cd.epd0() : false;",
        "EPD1 ignored at translation: TTB1 walked although disabled"),
    "rnw-inverted": (
        "smmu/translate.cpp", "e.rnw = txn.access != AccessKind::Write;", "e.rnw = txn.access == AccessKind::Write;",
        "event RnW = 1 for writes (the field means read)"),
    "dbm-write-keeps-ap2": (
        "smmu/translate.cpp", "if (dirty) written &= ~(uint64_t{1} << kDescAp2Bit);", "(void)dirty;",
        "a write to a writable-clean page proceeds but AP[2] is not cleared (the page never becomes dirty)"),
    "ds-sh-from-descriptor": (
        "smmu/translate.cpp", "out.attrs.sh = static_cast<uint8_t>(ds ? cd_sh : desc_sh(desc));",
        "out.attrs.sh = static_cast<uint8_t>(desc_sh(desc));",
        "with CD.DS the shareability still read from descriptor bits [9:8], which then hold OA[51:50]"),
    "ds-leaf-oa-48-bit": (
        "smmu/walk.cpp", "vmsa::leaf_base(result.desc, g, level, params.ds, lpa64)",
        "vmsa::leaf_base(result.desc, g, level, false, lpa64)",
        "with DS the leaf's OA[51:48] (descriptor bits [9:8] and [49:48]) dropped: output addresses cut to 48 bits"),
    "ds-ttb-limit-kept": (
        "smmu/translate.cpp", "(!g64 && !ds && beyond(ttb, 48))", "(!g64 && beyond(ttb, 48))",
        "a 4 KB / 16 KB TTB above 2^48 still ILLEGAL with CD.DS"),
    "s2ds-sl2-ignored": (
        "smmu/stage2.cpp", "const bool sl2 = ds && g == Granule::K4 && ste.s2sl0_2();", "const bool sl2 = false;",
        "STE.S2SL0_2 never considered: a 4 KB stage 2 with S2DS cannot start at level -1 (C_BAD_STE instead)"),
    "s2ds-ttb-limit-kept": (
        "smmu/stage2.cpp", "(!g64 && !ds && beyond(s2ttb, 48))", "(!g64 && beyond(s2ttb, 48))",
        "a 4 KB / 16 KB S2TTB above 2^48 still ILLEGAL with STE.S2DS"),
    "s1-start-level-not-below-0": (
        "smmu/granule.hpp", "return kFinalLevel - static_cast<int>((ia_bits - 1 - granule_bits(g)) / granule_stride(g));",
        "const unsigned n = (ia_bits - 1 - granule_bits(g)) / granule_stride(g);\n  return kFinalLevel - static_cast<int>(n > 3 ? 3 : n);",
        "stage-1 walks never start above level 0: a 4 KB walk of 49-52 VA bits (DS) starts at level 0"),
    "dbm-without-hd": (
        "smmu/translate.cpp", "const bool hd = ha && cd.hd();", "const bool hd = ha;",
        "DBM honoured with CD.HA = 1 but HD = 0: a read-only page becomes writable"),
    "priority-af-below-permission": (
        "smmu/translate.cpp", ": access     ? S1Fault::AccessFlag\n                        : permission ? S1Fault::Permission",
        ": permission ? S1Fault::Permission\n                        : access     ? S1Fault::AccessFlag",
        "Permission fault reported before Access flag fault"),
    "pbha-hadx-ignored": (
        "smmu/translate.cpp", "s1_pbha_enables(idr3_pbha, idr3_had, hadx, hwu)",
        "s1_pbha_enables(idr3_pbha, idr3_had, true, hwu)", "stage-1 PBHA enabled by HWUx alone, without CD.HADx"),
    "pbha-hwu0-index-shifted": (
        "smmu/context_descriptor.hpp", "bits(word[1], 127 - 64, 124 - 64)", "bits(word[1], 126 - 64, 123 - 64)",
        "CD.HWU0 read from bits [126:123] instead of [127:124]"),
    "pbha-field-shifted": (
        "smmu/pbha.hpp", "bits(leaf_desc, 62, kPbhaLsb)", "bits(leaf_desc, 63, kPbhaLsb + 1)",
        "PBHA taken from descriptor bits [63:60] instead of [62:59]"),
    "s2sl0-legality-off-by-one": (
        "smmu/granule.hpp", "return ia_bits < lo || ia_bits > hi;", "return ia_bits < lo || ia_bits >= hi;",
        "S2InconsistentSL off by one: the largest legal input size (16 concatenated start tables) rejected"),
    "s2-concatenation-count-halved": (
        "smmu/granule.hpp", "const unsigned msb = level == start_level ? ia_bits - 1 : lsb + granule_stride(g) - 1;",
        "const unsigned msb = level == start_level ? (ia_bits - 1 > lsb + granule_stride(g) - 1 ? ia_bits - 2 : ia_bits - 1) : lsb + granule_stride(g) - 1;",
        "concatenated stage-2 start tables: one index bit too few (half the tables)"),
    "pbha-stage2-wins-inverted": (
        "smmu/pbha.hpp", "return static_cast<uint8_t>(s2 | (s1 & ~s2_enables & 0xf));",
        "return static_cast<uint8_t>(s1 | (s2 & ~s1_enables & 0xf));",
        "nested PBHA: stage 1 wins where both stages enable a bit"),
    "nested-permission-s1-only": (
        "smmu/translate.cpp", "if (s2r->fault != S2Fault::None) return s2_fault(out, trace, txn, s2, s2r->fault, EventClass::IN, oa);",
        "if (s2r->fault != S2Fault::None && s2r->fault != S2Fault::Permission) return s2_fault(out, trace, txn, s2, s2r->fault, EventClass::IN, oa);",
        "nested: only stage-1 permissions applied to the output (stage-2 S2AP/XN ignored)"),
    "s2-fault-without-s2-bit": (
        "smmu/translate.cpp", "  e.s2 = true;\n  e.event_class = cls;", "  e.s2 = false;\n  e.event_class = cls;",
        "stage-2 fault records written with S2 = 0"),
    "s2-walk-fault-class-in": (
        "smmu/translate.cpp", "s2_fault(out, trace, txn, s2, nested->last().fault, EventClass::TT, walk.fault_ipa)",
        "s2_fault(out, trace, txn, s2, nested->last().fault, EventClass::IN, walk.fault_ipa)",
        "a stage-2 fault on a stage-1 descriptor read reported with CLASS = IN instead of TT"),
    "s2-cd-fetch-untranslated": (
        "smmu/translate.cpp", "    pa = r.pa;\n", "",
        "nested: the CD (or L1CD) read at its IPA, not at the PA stage 2 gives"),
    "s2-ptw-ignored": (
        "smmu/stage2.cpp", "perm = perm || (p.ptw && s2_desc_device(d));", "perm = perm || false;",
        "S2PTW: a Device-typed stage-2 mapping of a walk or CD fetch not a Permission fault"),
    "s2-xn-needs-read": (
        "smmu/stage2.cpp", "const bool read = purpose != S2Purpose::Input || access == AccessKind::Read;",
        "const bool read = purpose != S2Purpose::Input || access != AccessKind::Write;",
        "stage-2 instruction fetches also need S2AP read permission"),
    "tbi-ignored": (
        "smmu/translate.cpp", "mask(tbi ? 55 : 63, 64 - txsz)", "mask(63, 64 - txsz)",
        "TBIx ignored in the input range check"),
    "split-reserved-literal": (
        "smmu/stream_table.cpp", "return split == 6 || split == 8 || split == 10 ? split : 6;", "return split;",
        "a reserved STRTAB_BASE_CFG.SPLIT used as written instead of behaving as 6"),
    "split-off-by-one": (
        "smmu/stream_table.cpp", "uint64_t{sid >> split} * 8", "uint64_t{sid >> (split + 1)} * 8",
        "L1STD indexed with StreamID[LOG2SIZE-1:SPLIT+1]"),
    "span-full-power": (
        "smmu/stream_table.cpp", "return (l2_index >> (span - 1)) == 0;", "return (l2_index >> span) == 0;",
        "level-2 array taken as 2^Span STEs instead of 2^(Span-1) (StreamIDs beyond the Span accepted)"),
    "span-split-bound-ignored": (
        "smmu/stream_table.cpp", "if (span == 0 || span > kSpanMax || span > split + 1) return false;",
        "if (span == 0 || span > kSpanMax) return false;",
        "L1STD.Span beyond SPLIT + 1 accepted"),
    "l2ptr-not-aligned": (
        "smmu/stream_table.cpp", "align_down(l1.l2ptr(), 5 + l1.span())", "l1.l2ptr()",
        "L2Ptr bits below the level-2 array size not treated as 0"),
    "l1-base-not-aligned": (
        "smmu/stream_table.cpp", "return align_down(strtab_base_addr(regs), align) + uint64_t{sid >> split} * 8;",
        "return strtab_base_addr(regs) + uint64_t{sid >> split} * 8;",
        "2-level STRTAB_BASE.ADDR not aligned to the level-1 array size"),
    "ssid-range-off-by-one": (
        "smmu/cd_table.cpp", "return !stage1 || eff_s1cdmax == 0 || (uint64_t{ssid} >> eff_s1cdmax) != 0;",
        "return !stage1 || eff_s1cdmax == 0 || (uint64_t{ssid} >> eff_s1cdmax) > 1;",
        "SubstreamID = 2^S1CDMax accepted (one CD beyond the table)"),
    "s1cdmax-legal-off-by-one": (
        "smmu/cd_table.cpp", "return ssidsize != 0 && ste.s1cdmax() > ssidsize;",
        "return ssidsize != 0 && ste.s1cdmax() > ssidsize + 1;",
        "S1CDMax = IDR1.SSIDSIZE + 1 accepted instead of ILLEGAL"),
    "l1cd-index-split-4k": (
        "smmu/cd_table.cpp", "return ste.s1_context_ptr() + uint64_t{index >> split} * 8;",
        "return ste.s1_context_ptr() + uint64_t{index >> kSplit4K} * 8;",
        "L1CD indexed with SubstreamID[S1CDMax-1:6] even for 64 KB leaf tables (SPLIT 10)"),
    "s1dss-bypass-cd0-swapped": (
        "smmu/cd_table.cpp", "    case 1:\n      return DefaultSubstream::BypassStage1;\n    case 2:\n      return DefaultSubstream::UseCd;",
        "    case 2:\n      return DefaultSubstream::BypassStage1;\n    case 1:\n      return DefaultSubstream::UseCd;",
        "S1DSS 0b01 and 0b10 swapped: traffic without a SubstreamID uses CD 0 instead of bypassing stage 1"),
    "ssid0-not-reserved": (
        "smmu/cd_table.cpp", "return s1dss == 2 && ssid == 0 ? DefaultSubstream::StreamDisabled",
        "return false ? DefaultSubstream::StreamDisabled",
        "with S1DSS = 0b10 a transaction with SubstreamID 0 uses CD 0 instead of F_STREAM_DISABLED"),
    "l1cd-valid-ignored": (
        "smmu/cd_table.cpp", "return !l1.v();", "return false;",
        "L1CD.V ignored: an invalid L1CD's L2Ptr is followed"),
    "stream-disabled-as-bad-substreamid": (
        "smmu/translate.cpp", "EventType::F_STREAM_DISABLED, true, true", "EventType::C_BAD_SUBSTREAMID, true, true",
        "S1DSS termination recorded as C_BAD_SUBSTREAMID instead of F_STREAM_DISABLED"),
    "stall-honours-r": (
        "smmu/translate.cpp", "out.event = e;", "if (r) out.event = e;",
        "a stalled fault's record suppressed by CD.R/STE.S2R = 0 (the stall is always recorded, IHI 0070 \u00a75.5)"),
    "s2-stall-terminates": (
        "smmu/translate.cpp", "if (s2.s) return stall(out, trace, e, s2.s, s2.r);", "",
        "STE.S2S = 1 ignored: a stage-2 fault that should stall is aborted"),
    "stall-bit-clear": (
        "smmu/translate.cpp", "e.stall = true;", "e.stall = false;",
        "a stalled transaction's record written with Stall = 0"),
}


if __name__ == "__main__":
    mutants_tool.main(MUTANTS, ("smmu", "common"))
