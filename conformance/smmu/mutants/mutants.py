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
        "const bool epd = which == 0 ? cd.epd0() : cd.epd1();\n  if (Witness* w = decide(out, trace, Clause::S1_EPD))",
        "const bool epd = which == 0 ? cd.epd0() : false;\n  if (Witness* w = decide(out, trace, Clause::S1_EPD))",
        "EPD1 ignored at translation: TTB1 walked although disabled"),
    "rnw-inverted": (
        "smmu/translate.cpp", "e.rnw = txn.access != AccessKind::Write;", "e.rnw = txn.access == AccessKind::Write;",
        "event RnW = 1 for writes (the field means read)"),
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
    "tbi-ignored": (
        "smmu/translate.cpp", "mask(tbi ? 55 : 63, 64 - txsz)", "mask(63, 64 - txsz)",
        "TBIx ignored in the input range check"),
}


if __name__ == "__main__":
    mutants_tool.main(MUTANTS, ("smmu", "common"))
