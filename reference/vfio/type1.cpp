// The VFIO container/group lifecycle and the type1 IOMMU driver (backends type1v1, type1v2).
// Sources: drivers/vfio/container.c (check_extension, set_iommu), drivers/vfio/group.c (set/unset container,
// status, get_device_fd), drivers/vfio/vfio_iommu_type1.c (vfio_dma_do_map, vfio_dma_do_unmap,
// vfio_iommu_type1_get_info, vfio_iommu_type1_dirty_pages), include/uapi/linux/vfio.h.
#include <bit>
#include <stdexcept>
#include <string>

#include "model.hpp"

namespace vipcts::vfio {

namespace {

// A mapping whose last byte is 2^64-1: before 6.18 its exclusive end wraps to 0 (VFIO.TYPE1.END_OF_SPACE).
bool is_tail(const Mapping& m) {
  return m.iova + m.size == 0;
}

bool has_tail(const MappingSet& maps) {
  return !maps.empty() && is_tail(std::prev(maps.end())->second);
}

}  // namespace

Outcome Model::container_open() {
  containers_.emplace_back();
  Outcome o;
  o.container = static_cast<int>(containers_.size() - 1);
  o.clauses.add(Clause::CONTAINER_API_VERSION);
  return o;
}

Outcome Model::container_check_extension(const Request& r) {
  using namespace uapi;
  Container& c = containers_[static_cast<size_t>(r.container)];
  Outcome o;
  o.clauses.add(Clause::CONTAINER_CHECK_EXTENSION);
  const Kernel k = st_.profile.kernel;
  if (st_.profile.backend == Backend::IommufdCompat) {
    // iommufd_vfio_check_extension(): TYPE1, TYPE1v2 and UNMAP_ALL only; no UPDATE_VADDR, no nesting.
    o.clauses.add(Clause::IOMMUFD_COMPAT_INFO);
    if (r.ext == kExtDmaCc) {
      o.unmodelled = true;  // depends on the IOMMU's enforce_cache_coherency, not part of the geometry
      return o;
    }
    o.ret = (r.ext == kExtType1 || r.ext == kExtType1v2 || r.ext == kExtUnmapAll) ? 1 : 0;
    return o;
  }
  const bool with_iommu = c.driver != Driver::None;
  switch (r.ext) {
    case kExtType1:
    case kExtType1v2:
    case kExtUnmapAll:
      o.ret = 1;
      break;
    case 6:  // VFIO_TYPE1_NESTING_IOMMU: answered by type1 until its removal in 6.13
      o.ret = k == Kernel::Linux6_18 ? 0 : 1;
      break;
    case kExtUpdateVaddr:
      // Since "vfio/type1: disable VFIO_UPDATE_VADDR when mdevs are present" (6.3, also in Debian's 6.1.y as
      // the Linux VM shows) the answer needs an opened iommu: a container without SET_IOMMU answers 0.
      o.ret = with_iommu ? 1 : 0;
      break;
    case kExtDmaCc:
      if (with_iommu) o.unmodelled = true;  // cache-coherency enforcement of the real IOMMU
      o.ret = 0;
      break;
    default:
      o.ret = 0;  // NOIOMMU (not built in Debian), SPAPR, EEH, unknown
  }
  return o;
}

Outcome Model::container_set_iommu(const Request& r) {
  using namespace uapi;
  Container& c = containers_[static_cast<size_t>(r.container)];
  const int index = r.container;
  bool has_group = false;
  for (const Group& g : groups_) has_group |= g.container == index;
  Outcome o;
  o.clauses.add(Clause::CONTAINER_SET_IOMMU);
  if (st_.profile.backend == Backend::IommufdCompat) {
    // iommufd_vfio_set_iommu(): only TYPE1/TYPE1v2; needs the compat IOAS a group created; may repeat.
    o.clauses.add(Clause::IOMMUFD_COMPAT_INFO);
    if (r.type != kExtType1 && r.type != kExtType1v2) return Outcome::fail(Errno::INVAL);
    if (ioases_.count(-2 - index) == 0) return Outcome::fail(Errno::NODEV);
    if (r.type == kExtType1) {
      if (ioases_[-2 - index].large_pages && !ioases_[-2 - index].areas.empty()) {
        o.unmodelled = true;  // disabling large pages with live areas: not modelled
        return o;
      }
      c.compat_v1 = true;
      ioases_[-2 - index].large_pages = false;
    }
    c.compat_set = true;
    return o;
  }
  // vfio_ioctl_set_iommu(): only a container holding a group, and only once.
  if (!has_group || c.driver != Driver::None) {
    o = Outcome::fail(Errno::INVAL);
    o.clauses.add(Clause::CONTAINER_SET_IOMMU);
    return o;
  }
  // The type magic is first tested as an extension of each driver, then handed to its open().
  const bool supported = r.type == kExtType1 || r.type == kExtType1v2 || r.type == kExtUnmapAll ||
                         (r.type == 6 && st_.profile.kernel != Kernel::Linux6_18);
  if (!supported) {
    o = Outcome::fail(Errno::NODEV);
    o.clauses.add(Clause::CONTAINER_SET_IOMMU);
    return o;
  }
  if (r.type == 6) {
    o.unmodelled = true;  // nesting: depends on the IOMMU driver's enable_nesting
    return o;
  }
  if (r.type != kExtType1 && r.type != kExtType1v2) {
    // vfio_iommu_type1_open() rejects every other magic.
    o = Outcome::fail(Errno::INVAL);
    o.clauses.add(Clause::CONTAINER_SET_IOMMU);
    return o;
  }
  c.driver = r.type == kExtType1 ? Driver::Type1v1 : Driver::Type1v2;
  c.maps.clear();
  c.dma_avail = st_.geometry.dma_entry_limit;
  c.dirty_tracking = false;
  return o;
}

void Model::release_driver(Container& c) {
  // The last group leaving deprivileges the container: the driver is released with every mapping.
  c.driver = Driver::None;
  c.maps.clear();
  c.dirty_tracking = false;
}

uint64_t Model::type1_pgsize_bitmap() const {
  uint64_t b = st_.geometry.pgsizes;
  if (b & (kPageSize - 1)) b = (b & ~(kPageSize - 1)) | kPageSize;
  return b;
}

std::vector<Range> Model::type1_iova_list() const {
  return iova_list_;
}

const Mapping* Model::type1_find(const Container& c, uint64_t start, uint64_t size) const {
  if (post_6_18()) {
    // 6.18+: inclusive ends, no wrap. size 0 is a point query.
    const uint64_t last = size == 0 ? start : start + size - 1;
    for (const auto& [k, m] : c.maps)
      if (m.iova <= last && start <= m.iova + (m.size - 1)) return &m;
    return nullptr;
  }
  // Before 6.18 vfio_find_dma() compares exclusive ends in u64: a query whose end wraps to 0 goes "left" at
  // every node and finds nothing, and a mapping ending at 2^64-1 (end 0) is never found.
  for (const auto& [k, m] : c.maps) {
    if (is_tail(m)) continue;
    if (start + size <= m.iova) continue;
    if (start >= m.iova + m.size) continue;
    return &m;
  }
  return nullptr;
}

Outcome Model::type1_map(Container& c, const Request& r) {
  using namespace uapi;
  const uint32_t argsz = r.argsz.value_or(kMapArgsz);
  const uint64_t vaddr = st_.pool.base + r.vaddr;
  const uint64_t iova = r.iova, size = r.size;
  const uint64_t pgsize = lowest_pgsize(st_.geometry.pgsizes);
  const uint32_t prot = r.flags & (kMapRead | kMapWrite);
  const bool set_vaddr = (r.flags & kMapVaddr) != 0;
  Outcome o;
  auto fail = [&](Errno e, Clause cl) {
    Outcome f = Outcome::fail(e);
    f.clauses = o.clauses;
    f.clauses.add(cl);
    return f;
  };
  if (!post_6_18() && has_tail(c.maps) && c.maps.size() > 1) {
    o.unmodelled = true;  // lookups depend on the rb-tree shape around the wrapped mapping
    return o;
  }
  // The checks in kernel order, evaluated up front so that a request failing more than one is attributed to
  // VFIO.TYPE1.MAP.ERRNO_ORDER as well.
  const bool bad_flags = argsz < kMapArgsz || (r.flags & ~(kMapRead | kMapWrite | kMapVaddr)) != 0 ||
                         (prot != 0 && set_vaddr) || (prot == 0 && !set_vaddr);
  const bool bad_align = size == 0 || ((size | iova | vaddr) & (pgsize - 1)) != 0;
  const bool wraps = size != 0 && (iova + size - 1 < iova || vaddr + size - 1 < vaddr);
  const Mapping* hit = size == 0 ? nullptr : type1_find(c, iova, size);
  const bool exists = !set_vaddr && hit != nullptr;
  const bool full = c.dma_avail == 0;
  bool in_range = iova_list_.empty();
  for (const Range& rg : iova_list_) in_range |= iova >= rg.first && iova + (size - 1) <= rg.last;
  const int failing = bad_flags + bad_align + wraps + exists + full + (!set_vaddr && !in_range);
  if (failing > 1) o.clauses.add(Clause::TYPE1_MAP_ERRNO_ORDER);

  if (bad_flags) return fail(Errno::INVAL, Clause::TYPE1_MAP_FLAGS);
  if (bad_align) return fail(Errno::INVAL, Clause::TYPE1_MAP_ALIGN);
  if (wraps) return fail(wrap_errno(), Clause::TYPE1_MAP_WRAP);
  if (set_vaddr) {
    // VFIO_DMA_MAP_FLAG_VADDR: re-attach a vaddr to exactly one invalidated mapping.
    o.clauses.add(Clause::TYPE1_MAP_VADDR);
    if (hit == nullptr) return fail(Errno::NOENT, Clause::TYPE1_MAP_VADDR);
    if (!hit->vaddr_invalid || hit->iova != iova || hit->size != size)
      return fail(Errno::INVAL, Clause::TYPE1_MAP_VADDR);
    Mapping& m = c.maps.at(hit->iova);
    m.vaddr = vaddr;
    m.vaddr_invalid = false;
    return o;
  }
  if (exists) return fail(Errno::EXIST, Clause::TYPE1_MAP_OVERLAP);
  if (full) return fail(Errno::NOSPC, Clause::TYPE1_MAP_ENTRY_LIMIT);
  if (!in_range) return fail(Errno::INVAL, Clause::TYPE1_MAP_IOVA_RANGE);
  const bool ends_at_top = iova + size == 0;
  if (ends_at_top) o.clauses.add(Clause::TYPE1_END_OF_SPACE);
  if (!post_6_18() && !c.maps.empty() && (ends_at_top || has_tail(c.maps))) {
    // Before 6.18 the overlap check cannot see a wrapped mapping (or a wrapped request); whether the IOMMU
    // then refuses the double mapping is driver behaviour the model does not describe.
    bool overlaps = false;
    for (const auto& [k, m] : c.maps)
      overlaps |= m.iova <= iova + (size - 1) && iova <= m.iova + (m.size - 1);
    if (overlaps) {
      o.unmodelled = true;
      return o;
    }
  }
  // Pinning (vfio_pin_pages_remote): every page must be backed by the agent's pool; a failure unwinds.
  if (vaddr < st_.pool.base || vaddr - st_.pool.base > st_.pool.size ||
      size > st_.pool.size - (vaddr - st_.pool.base))
    return fail(Errno::FAULT, Clause::TYPE1_MAP_PIN_FAULT);
  c.dma_avail--;
  c.maps[iova] = Mapping{iova, size, vaddr, prot, false, vaddr};
  o.clauses.add(Clause::MAPPINGS_DISJOINT);
  return o;
}

Outcome Model::type1_unmap(Container& c, const Request& r) {
  using namespace uapi;
  const bool dirty = (r.flags & kUnmapDirty) != 0;
  const bool all = (r.flags & kUnmapAll) != 0;
  const bool inval = (r.flags & kUnmapVaddr) != 0;
  const uint32_t argsz = r.argsz.value_or(dirty ? kUnmapArgsz + kBitmapArgsz : kUnmapArgsz);
  const uint64_t pgsize = lowest_pgsize(st_.geometry.pgsizes);
  const bool v2 = c.driver == Driver::Type1v2;
  uint64_t iova = r.iova, size = r.size;
  Outcome o;
  auto fail = [&](Errno e, Clause cl) {
    Outcome f = Outcome::fail(e);
    f.clauses = o.clauses;
    f.clauses.add(cl);
    return f;
  };
  if (!post_6_18() && has_tail(c.maps) && c.maps.size() > 1) {
    o.unmodelled = true;
    return o;
  }
  // vfio_iommu_type1_unmap_dma(): argsz and flags first.
  if (argsz < kUnmapArgsz || (r.flags & ~(kUnmapDirty | kUnmapAll | kUnmapVaddr)) != 0)
    return fail(Errno::INVAL, Clause::TYPE1_UNMAP_FLAGS);
  if (dirty && (all || inval)) return fail(Errno::INVAL, Clause::TYPE1_UNMAP_FLAGS);
  const uint64_t bitmap_pgsize = r.bitmap_pgsize.value_or(pgsize);
  if (dirty) {
    o.clauses.add(Clause::TYPE1_DIRTY);
    if (argsz < kUnmapArgsz + kBitmapArgsz || bitmap_pgsize == 0)
      return fail(Errno::INVAL, Clause::TYPE1_DIRTY);
    const uint64_t npages = size >> std::countr_zero(bitmap_pgsize);
    // verify_bitmap_size(): the agent sizes the bitmap exactly, so only an empty or oversize one fails.
    if (npages == 0 || (npages + 63) / 64 * 8 > kDirtyBitmapSizeMax)
      return fail(Errno::INVAL, Clause::TYPE1_DIRTY);
  }
  // vfio_dma_do_unmap()
  if (iova & (pgsize - 1)) return fail(Errno::INVAL, Clause::TYPE1_UNMAP_ALIGN);
  if (all) {
    o.clauses.add(Clause::TYPE1_UNMAP_ALL);
    if (iova != 0 || size != 0) return fail(Errno::INVAL, Clause::TYPE1_UNMAP_ALL);
    size = kU64Max;
  } else {
    if (size == 0 || (size & (pgsize - 1)) != 0) return fail(Errno::INVAL, Clause::TYPE1_UNMAP_ALIGN);
    if (iova + size - 1 < iova) return fail(wrap_errno(), Clause::TYPE1_UNMAP_WRAP);
  }
  if (dirty && (!c.dirty_tracking || bitmap_pgsize != pgsize)) return fail(Errno::INVAL, Clause::TYPE1_DIRTY);
  const bool to_top = !all && iova + size == 0;
  if (to_top || has_tail(c.maps)) o.clauses.add(Clause::TYPE1_END_OF_SPACE);
  if (v2 && !all) {
    // v2: the range may not bisect a mapping at either end; nothing is removed if it does.
    const Mapping* lo = type1_find(c, iova, 1);
    if (lo != nullptr && lo->iova != iova) return fail(Errno::INVAL, Clause::TYPE1_UNMAP_V2_BISECT);
    const Mapping* hi = type1_find(c, iova + size - 1, post_6_18() ? 1 : 0);
    if (hi != nullptr && hi->iova + hi->size != iova + size)
      return fail(Errno::INVAL, Clause::TYPE1_UNMAP_V2_BISECT);
    o.clauses.add(Clause::TYPE1_UNMAP_V2_CONTAINED);
  }
  if (!v2 && !all) o.clauses.add(Clause::TYPE1_UNMAP_V1_PARTIAL);
  if (inval) o.clauses.add(Clause::TYPE1_UNMAP_VADDR);

  // vfio_find_dma_first_node(): the lowest mapping ending above iova (a wrapped mapping never qualifies
  // before 6.18), or none if it starts past the range.
  auto it = c.maps.begin();
  for (; it != c.maps.end(); ++it) {
    const Mapping& m = it->second;
    if (post_6_18() ? iova <= m.iova + (m.size - 1) : (!is_tail(m) && iova < m.iova + m.size)) break;
  }
  if (it != c.maps.end()) {
    const Mapping& m = it->second;
    if (post_6_18() ? m.iova > iova + (size - 1) : m.iova >= iova + size) it = c.maps.end();
  }
  uint64_t unmapped = 0;
  std::vector<uint64_t> dirty_pages;
  std::vector<uint64_t> invalidated;
  while (it != c.maps.end()) {
    Mapping& m = it->second;
    if (post_6_18() ? m.iova > iova + (size - 1) : m.iova >= iova + size) break;
    // v1: a scan that starts inside a mapping stops at once (success, size 0).
    if (!v2 && iova > m.iova) break;
    if (inval) {
      if (m.vaddr_invalid) {
        // Already invalid: undo this call's invalidations and fail.
        for (uint64_t k : invalidated) c.maps.at(k).vaddr_invalid = false;
        return fail(Errno::INVAL, Clause::TYPE1_UNMAP_VADDR);
      }
      m.vaddr_invalid = true;
      invalidated.push_back(m.iova);
      unmapped += m.size;
      ++it;
      continue;
    }
    if (dirty) {
      // Pinned, IOMMU-mapped pages are reported dirty in full (update_user_bitmap).
      const uint64_t first = (m.iova - iova) / bitmap_pgsize;
      for (uint64_t p = 0; p < m.size / bitmap_pgsize; ++p) dirty_pages.push_back(first + p);
    }
    unmapped += m.size;
    it = c.maps.erase(it);
    c.dma_avail++;
  }
  o.size = unmapped;
  if (dirty) o.dirty = std::move(dirty_pages);
  return o;
}

Outcome Model::type1_get_info(Container& c, const Request& r) {
  using namespace uapi;
  const uint32_t argsz = r.argsz.value_or(4096);
  Outcome o;
  o.clauses.add(Clause::TYPE1_INFO);
  if (argsz < kInfoMinArgsz) {
    o = Outcome::fail(Errno::INVAL);
    o.clauses.add(Clause::TYPE1_INFO);
    return o;
  }
  // The capability chain (IOVA ranges unless the list is empty, migration, DMA entries left) always exists,
  // so CAPS is always set; a short argsz only suppresses copying it (vfio_iommu_type1_get_info).
  o.flags = kInfoPgsizes | kInfoCaps;
  o.iova_pgsizes = type1_pgsize_bitmap();
  const uint64_t caps_size = (iova_list_.empty() ? 0 : 16 + 16 * iova_list_.size()) + 32 + 16;
  if (argsz >= 24 + caps_size) {
    if (!iova_list_.empty()) o.iova_ranges = iova_list_;
    // The migration capability reports only the smallest page size ("support minimum pgsize").
    o.migration = Migration{lowest_pgsize(st_.geometry.pgsizes), kDirtyBitmapSizeMax};
    o.dma_avail = c.dma_avail;
  }
  return o;
}

Outcome Model::type1_dirty_pages(Container& c, const Request& r) {
  using namespace uapi;
  Outcome o;
  o.clauses.add(Clause::TYPE1_DIRTY);
  auto fail = [](Errno e) { return Outcome::fail(e, Clause::TYPE1_DIRTY); };
  const bool get = (r.flags & kDirtyGet) != 0;
  const uint32_t argsz = r.argsz.value_or(get ? 48 : kDirtyArgsz);
  if (c.driver != Driver::Type1v2) return fail(Errno::ACCES);  // dirty tracking is v2-only
  if (argsz < kDirtyArgsz || (r.flags & ~(kDirtyStart | kDirtyStop | kDirtyGet)) != 0)
    return fail(Errno::INVAL);
  if (std::popcount(r.flags) != 1) return fail(Errno::INVAL);
  if (r.flags == kDirtyStart) {
    c.dirty_tracking = true;
    return o;
  }
  if (r.flags == kDirtyStop) {
    c.dirty_tracking = false;
    return o;
  }
  const uint64_t pgsize = lowest_pgsize(st_.geometry.pgsizes);
  const uint64_t bitmap_pgsize = r.bitmap_pgsize.value_or(pgsize);
  const uint64_t iova = r.iova, size = r.size;
  if (argsz < 48) return fail(Errno::INVAL);
  if (iova + size < iova) {
    if (post_6_18())
      o.unmodelled = true;  // the 6.18 overflow rework may answer EOVERFLOW here
    else
      return fail(Errno::INVAL);
    return o;
  }
  if (bitmap_pgsize == 0) return fail(Errno::INVAL);
  const uint64_t npages = size >> std::countr_zero(bitmap_pgsize);
  if (npages == 0 || (npages + 63) / 64 * 8 > kDirtyBitmapSizeMax) return fail(Errno::INVAL);
  if (bitmap_pgsize != pgsize) return fail(Errno::INVAL);
  if ((iova & (pgsize - 1)) != 0 || size == 0 || (size & (pgsize - 1)) != 0) return fail(Errno::INVAL);
  if (!c.dirty_tracking) return fail(Errno::INVAL);
  // The range must not bisect a mapping at either end (vfio_iova_dirty_bitmap).
  const Mapping* lo = type1_find(c, iova, 1);
  if (lo != nullptr && lo->iova != iova) return fail(Errno::INVAL);
  const Mapping* hi = type1_find(c, iova + size - 1, post_6_18() ? 1 : 0);
  if (hi != nullptr && hi->iova + hi->size != iova + size) return fail(Errno::INVAL);
  std::vector<uint64_t> pages;
  for (const auto& [k, m] : c.maps) {
    if (m.iova < iova || m.iova > iova + size - 1) continue;
    const uint64_t first = (m.iova - iova) / pgsize;
    for (uint64_t p = 0; p < m.size / pgsize; ++p) pages.push_back(first + p);
  }
  o.dirty = std::move(pages);
  return o;
}

Outcome Model::group_status(const Request& r) {
  check_group(r.group, "group");
  Outcome o;
  o.clauses.add(Clause::GROUP_STATUS);
  // With a container (or iommufd) set: CONTAINER_SET|VIABLE; otherwise VIABLE (no other DMA owner here).
  o.flags = groups_[static_cast<size_t>(r.group)].container >= 0
                ? uapi::kGroupContainerSet | uapi::kGroupViable
                : uapi::kGroupViable;
  return o;
}

Outcome Model::group_set_container(const Request& r) {
  check_group(r.group, "group");
  Group& g = groups_[static_cast<size_t>(r.group)];
  Outcome o;
  o.clauses.add(Clause::GROUP_SET_CONTAINER);
  auto fail = [](Errno e) { return Outcome::fail(e, Clause::GROUP_SET_CONTAINER); };
  if (r.container < 0 || static_cast<size_t>(r.container) >= containers_.size() ||
      !containers_[static_cast<size_t>(r.container)].open)
    return fail(Errno::BADF);
  if (g.container >= 0) return fail(Errno::INVAL);  // already has an iommu
  if (st_.profile.backend == Backend::IommufdCompat) {
    // group.c: an iommufd fd creates the compat IOAS (iommufd_vfio_compat_ioas_create) on first use.
    o.clauses.add(Clause::IOMMUFD_COMPAT_INFO);
    ioases_.try_emplace(-2 - r.container);
  }
  // type1 attach_group(): every group shares the geometry here, so attaching to a live container (same
  // domain ops) neither conflicts with the aperture nor with existing mappings.
  g.container = r.container;
  return o;
}

Outcome Model::group_unset_container(const Request& r) {
  check_group(r.group, "group");
  Group& g = groups_[static_cast<size_t>(r.group)];
  Outcome o;
  o.clauses.add(Clause::GROUP_UNSET_CONTAINER);
  auto fail = [](Errno e) { return Outcome::fail(e, Clause::GROUP_UNSET_CONTAINER); };
  if (g.container < 0) return fail(Errno::INVAL);
  if (st_.profile.backend == Backend::IommufdCompat) {
    if (g.device_open) o.unmodelled = true;  // the iommufd group path has no container_users check
    g.container = -1;
    return o;
  }
  if (g.device_open) return fail(Errno::BUSY);  // container_users != 1
  const int index = g.container;
  g.container = -1;
  bool others = false;
  for (const Group& x : groups_) others |= x.container == index;
  if (!others) release_driver(containers_[static_cast<size_t>(index)]);
  return o;
}

Outcome Model::group_get_device(const Request& r) {
  check_group(r.group, "group");
  Group& g = groups_[static_cast<size_t>(r.group)];
  Outcome o;
  o.clauses.add(Clause::GROUP_GET_DEVICE);
  auto fail = [](Errno e) { return Outcome::fail(e, Clause::GROUP_GET_DEVICE); };
  if (g.container < 0) return fail(Errno::INVAL);
  if (st_.profile.backend == Backend::IommufdCompat) {
    // First open binds the device to the context and attaches it to the compat IOAS (auto domain).
    if (!g.device_open) {
      const int ioas = -2 - g.container;
      const std::vector<Range> resv = ioas_reserved(ioas, ioas, r.group);
      for (const auto& [k, m] : ioases_[ioas].areas)
        for (const Range& rs : resv)
          if (intersects(rs, {m.iova, m.iova + m.size - 1})) return fail(Errno::ADDRINUSE);
      const int hw = -1000 - r.group;
      hwpts_[hw] = Hwpt{ioas, true, 1};
      devices_[-2000 - r.group] = Device{r.group, hw};
    }
    g.device_open = true;
    return o;
  }
  if (containers_[static_cast<size_t>(g.container)].driver == Driver::None) return fail(Errno::INVAL);
  g.device_open = true;  // a second open of the same device is another fd, also fine
  return o;
}

}  // namespace vipcts::vfio
