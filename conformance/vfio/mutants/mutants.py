#!/usr/bin/env python3
"""Mutants of the vfio reference model: each is one realistic bug, applied to a copy of reference/vfio in the build
tree (never to reference/ itself) and built as a plugin through the C ABI (plugin_shim.cpp, vipcts_vfio.h).

This file holds the table; the command line (--names, --describe, --make NAME --src DIR --out DIR) and the
copy that applies one mutant are cmake/mutants_tool.py's."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "cmake"))
import mutants_tool  # noqa: E402

# name: (file under reference/, text, replacement, what the bug is)
MUTANTS = {
    "v1-unmap-in-v2": (
        "vfio/type1.cpp", "const bool v2 = c.driver == Driver::Type1v2;", "const bool v2 = false;",
        "type1 v1 unmap semantics used for a TYPE1v2 container (bisects succeed with 0, whole mappings removed)"),
    "range-before-eexist": (
        "vfio/type1.cpp", "  if (exists) return fail(Errno::EXIST, Clause::TYPE1_MAP_OVERLAP);",
        "  if (!in_range) return fail(Errno::INVAL, Clause::TYPE1_MAP_IOVA_RANGE);\n"
        "  if (exists) return fail(Errno::EXIST, Clause::TYPE1_MAP_OVERLAP);",
        "MAP_DMA checks the IOVA list before overlap and entry limit (EINVAL where the kernel says EEXIST/ENOSPC)"),
    "aperture-end-exclusive": (
        "vfio/type1.cpp", "in_range |= iova >= rg.first && iova + (size - 1) <= rg.last;",
        "in_range |= iova >= rg.first && iova + size <= rg.last;",
        "off by one at the end of an IOVA range: a mapping ending at the aperture's last byte is refused"),
    "empty-unmap-enoent": (
        "vfio/type1.cpp", "  o.size = unmapped;\n  if (dirty)",
        "  if (unmapped == 0 && !all) return fail(Errno::NOENT, Clause::TYPE1_UNMAP_V2_CONTAINED);\n"
        "  o.size = unmapped;\n  if (dirty)",
        "type1 unmap of an empty range fails with ENOENT (iommufd's rule) instead of succeeding with 0"),
    "wrap-exclusive-end": (
        "vfio/type1.cpp", "const bool wraps = size != 0 && (iova + size - 1 < iova || vaddr + size - 1 < vaddr);",
        "const bool wraps = size != 0 && (iova + size <= iova || vaddr + size - 1 < vaddr);",
        "wrap check on the exclusive end: a mapping ending at 2^64-1 is refused as a wrap"),
    "wrap-errno-pre-618": (
        "vfio/model.hpp", "Errno wrap_errno() const { return post_6_18() ? Errno::OVERFLOW : Errno::INVAL; }",
        "Errno wrap_errno() const { return Errno::INVAL; }",
        "EINVAL for wrapping ranges on linux-6.18+ (the pre-fix errno)"),
    "entry-limit-off-by-one": (
        "vfio/type1.cpp", "const bool full = c.dma_avail == 0;", "const bool full = c.dma_avail <= 1;",
        "ENOSPC one mapping before dma_entry_limit"),
    "unmap-all-ignores-range": (
        "vfio/type1.cpp", "    if (iova != 0 || size != 0) return fail(Errno::INVAL, Clause::TYPE1_UNMAP_ALL);\n", "",
        "UNMAP_ALL accepted with a non-zero iova or size"),
    "v2-end-bisect-unchecked": (
        "vfio/type1.cpp", "    if (hi != nullptr && hi->iova + hi->size != iova + size)\n      return fail(Errno::INVAL, Clause::TYPE1_UNMAP_V2_BISECT);\n",
        "", "v2 unmap checks only the first byte for a bisected mapping, not the last"),
    "dma-ignores-direction": (
        "vfio/model.cpp", "const uint32_t need = write ? uapi::kMapWrite : uapi::kMapRead;",
        "const uint32_t need = uapi::kMapRead | uapi::kMapWrite;",
        "DMA permitted by any permission bit: a device write lands in a read-only mapping"),
    "iommufd-empty-unmap-ok": (
        "vfio/iommufd.cpp", "  Errno rc = Errno::NOENT;", "  Errno rc = Errno::OK;",
        "IOAS unmap of a range with no area succeeds with 0 (type1's rule) instead of ENOENT"),
    "allow-iovas-one-byte": (
        "vfio/iommufd.cpp", "if (rg.first >= rg.last) return", "if (rg.first > rg.last) return",
        "ALLOW_IOVAS accepts a 1-byte range"),
    "iopf-group-by-pasid": (
        "vfio/iopf.cpp", "(p.grpid == r.grpid ? g.faults : keep)", "(p.grpid == r.grpid && p.pasid == r.pasid ? g.faults : keep)",
        "page requests grouped by (PASID, group index) instead of group index only"),
    "unset-ignores-open-device": (
        "vfio/type1.cpp", "  if (g.device_open) return fail(Errno::BUSY);  // container_users != 1\n", "",
        "GROUP_UNSET_CONTAINER allowed while a device fd is open"),
    "update-vaddr-without-iommu": (
        "vfio/type1.cpp", "      o.ret = with_iommu ? 1 : 0;\n      break;", "      o.ret = 1;\n      break;",
        "CHECK_EXTENSION(UPDATE_VADDR) answers 1 before SET_IOMMU (the 5.12 behaviour)"),
}


if __name__ == "__main__":
    mutants_tool.main(MUTANTS, ("vfio",))
