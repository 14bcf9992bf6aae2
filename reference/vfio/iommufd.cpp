// iommufd: IOAS / HWPT / device objects over io_pagetable, and the VFIO compatibility container.
// Sources: include/uapi/linux/iommufd.h; drivers/iommu/iommufd/ioas.c (iommufd_ioas_map/unmap/copy/
// allow_iovas/iova_ranges, iommufd_option), io_pagetable.c (iopt_alloc_iova, iopt_check_iova,
// iopt_unmap_iova_range, iopt_cut_iova, iopt_table_add_domain), device.c (attach/replace), main.c (destroy),
// vfio_compat.c (iommufd_vfio_*).
#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include "model.hpp"

namespace vipcts::vfio {

namespace {

constexpr uint32_t kMapStructSize = 40, kUnmapStructSize = 24;

std::vector<Range> normalise(std::vector<Range> v) {
  std::sort(v.begin(), v.end(), [](const Range& a, const Range& b) { return a.first < b.first; });
  std::vector<Range> out;
  for (const Range& r : v) {
    if (!out.empty() &&
        (r.first <= out.back().last || (out.back().last != kU64Max && r.first == out.back().last + 1))) {
      out.back().last = std::max(out.back().last, r.last);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

Range area_range(const Mapping& m) {
  return {m.iova, m.iova + (m.size - 1)};
}

uint64_t roundup_pow2(uint64_t x) {
  return x <= 1 ? 1 : uint64_t{1} << (64 - std::countl_zero(x - 1));
}

}  // namespace

// ---- objects
// -----------------------------------------------------------------------------------------------

int Model::new_handle(ObjKind kind) {
  objects_.push_back(Object{kind, true});
  return static_cast<int>(objects_.size() - 1);
}

bool Model::is(int handle, ObjKind kind) const {
  return handle >= 0 && static_cast<size_t>(handle) < objects_.size() &&
         objects_[static_cast<size_t>(handle)].alive && objects_[static_cast<size_t>(handle)].kind == kind;
}

std::vector<Range> Model::ioas_reserved(int ioas, int extra_hwpt_ioas, int extra_dev_group) const {
  // The reserved set: outside the aperture of every domain on the IOAS (iopt_table_add_domain) and the
  // reserved regions of every device attached to it (iopt_table_enforce_dev_resv_regions).
  const Range ap = st_.geometry.aperture;
  std::vector<Range> out;
  auto add_domain = [&]() {
    if (ap.first > 0) out.push_back({0, ap.first - 1});
    if (ap.last < kU64Max) out.push_back({ap.last + 1, kU64Max});
  };
  auto add_device = [&]() {
    out.insert(out.end(), st_.geometry.reserved.begin(), st_.geometry.reserved.end());
  };
  for (const auto& [h, hw] : hwpts_) {
    if (hw.ioas != ioas || (h >= 0 && !objects_[static_cast<size_t>(h)].alive)) continue;
    add_domain();
    for (const auto& [dh, d] : devices_)
      if (d.hwpt == h) add_device();
  }
  if (extra_hwpt_ioas == ioas) add_domain();
  if (extra_dev_group >= 0) add_device();
  return normalise(out);
}

bool Model::ioas_has_domain(int ioas) const {
  for (const auto& [h, hw] : hwpts_)
    if (hw.ioas == ioas && (h < 0 || objects_[static_cast<size_t>(h)].alive)) return true;
  return false;
}

uint64_t Model::ioas_alignment(int ioas) const {
  // iova_alignment: 1 without a domain, else the smallest IOMMU page of the domains.
  if (!ioas_has_domain(ioas)) return 1;
  return st_.geometry.pgsizes & (~st_.geometry.pgsizes + 1);
}

// ---- io_pagetable primitives
// -------------------------------------------------------------------------------

Errno Model::iopt_check_iova(int ioas, uint64_t iova, uint64_t length, ClauseSet& cl) const {
  cl.add(Clause::IOMMUFD_IOAS_MAP_FIXED);
  if (iova & (ioas_alignment(ioas) - 1)) return Errno::INVAL;
  if (iova + (length - 1) < iova) return Errno::OVERFLOW;
  const Range want{iova, iova + (length - 1)};
  for (const Range& r : ioas_reserved(ioas))
    if (intersects(r, want)) return Errno::INVAL;
  for (const auto& [k, m] : ioases_.at(ioas).areas)
    if (intersects(area_range(m), want)) return Errno::EXIST;
  // The allowed set is deliberately not consulted for a fixed IOVA (VFIO.IOMMUFD.IOAS.MAP.FIXED).
  return Errno::OK;
}

namespace {
// __alloc_iova_check_range(): align `start` up, OR in the page offset, and require room for `length`.
bool fit(uint64_t& start, uint64_t last, uint64_t length, uint64_t align, uint64_t page_offset) {
  uint64_t aligned = start + (align - 1);
  if (aligned < start) return false;
  aligned &= ~(align - 1);
  aligned |= page_offset;
  if (aligned >= last || last - aligned < length - 1) return false;
  start = aligned;
  return true;
}
}  // namespace

Errno Model::iopt_alloc_iova(int ioas, uint64_t uptr, uint64_t length, uint64_t& iova) const {
  const uint64_t page_offset = uptr % kPageSize;
  if (length == 0 || length >= kU64Max / 2) return Errno::OVERFLOW;
  uint64_t align = uptr == 0 ? roundup_pow2(length)
                             : std::min(roundup_pow2(length), uint64_t{1} << std::countr_zero(uptr));
  const uint64_t max_alignment = 0x200000;  // HPAGE_SIZE (Debian enables THP)
  if (align >= max_alignment) align = max_alignment;
  if (align < ioas_alignment(ioas)) return Errno::INVAL;
  const Ioas& io = ioases_.at(ioas);
  // Never IOVA 0 and never the last page: the search runs over [PAGE_SIZE, ULONG_MAX - PAGE_SIZE].
  std::vector<Range> allowed =
      io.allowed.empty() ? std::vector<Range>{{kPageSize, kU64Max - kPageSize}}
                         : subtract(io.allowed, {{0, kPageSize - 1}, {kU64Max - kPageSize + 1, kU64Max}});
  std::vector<Range> used = ioas_reserved(ioas);
  for (const auto& [k, m] : io.areas) used.push_back(area_range(m));
  used = normalise(used);
  for (Range a : allowed) {
    uint64_t s = a.first;
    if (!fit(s, a.last, length, align, page_offset)) continue;
    for (const Range& hole : subtract({{a.first, a.last}}, used)) {
      uint64_t start = hole.first;
      if (!fit(start, hole.last, length, align, page_offset)) continue;
      iova = start;
      return Errno::OK;
    }
  }
  return Errno::NOSPC;
}

Errno Model::iopt_map_user(int ioas, uint64_t uptr, uint64_t length, uint32_t prot, bool fixed,
                           uint64_t& iova, ClauseSet& cl) {
  cl.add(fixed ? Clause::IOMMUFD_IOAS_MAP_FIXED : Clause::IOMMUFD_IOAS_MAP_AUTO);
  // iopt_alloc_user_pages()
  if (length == 0) return Errno::INVAL;
  if (uptr + length < uptr) return Errno::OVERFLOW;  // check_add_overflow(uptr, length): 2^64 overflows
  const uint64_t align = ioas_alignment(ioas);
  if (length & (align - 1)) return Errno::INVAL;
  if (fixed) {
    const Errno e = iopt_check_iova(ioas, iova, length, cl);
    if (e != Errno::OK) return e;
  } else {
    const Errno e = iopt_alloc_iova(ioas, uptr, length, iova);
    if (e != Errno::OK) return e;
  }
  if ((uptr % kPageSize) & (align - 1)) return Errno::INVAL;  // iopt_insert_area(): page offset
  // Pages are pinned only when a domain needs them (iopt_fill_domains_pages); a bad uptr fails only then.
  if (ioas_has_domain(ioas) && (uptr < st_.pool.base || uptr - st_.pool.base > st_.pool.size ||
                                length > st_.pool.size - (uptr - st_.pool.base)))
    return Errno::FAULT;
  ioases_[ioas].areas[iova] = Mapping{iova, length, uptr, prot, false, uptr};
  cl.add(Clause::MAPPINGS_DISJOINT);
  return Errno::OK;
}

Errno Model::iopt_unmap_range(int ioas, uint64_t first, uint64_t last, uint64_t& unmapped) {
  // Areas go lowest first; one that sticks out of the range stops the walk with ENOENT, after the areas below
  // it are already gone (not atomic). Nothing intersecting is ENOENT too.
  MappingSet& areas = ioases_[ioas].areas;
  unmapped = 0;
  Errno rc = Errno::NOENT;
  for (;;) {
    auto it = std::find_if(areas.begin(), areas.end(), [&](const auto& kv) {
      return intersects(area_range(kv.second), {first, last});
    });
    if (it == areas.end()) break;
    const Range a = area_range(it->second);
    if (a.first < first || a.last > last) {
      rc = Errno::NOENT;
      break;
    }
    unmapped += it->second.size;
    areas.erase(it);
    rc = Errno::OK;
  }
  if (rc == Errno::NOENT && unmapped != 0) return Errno::NOENT;
  return rc;
}

void Model::iopt_cut(int ioas, uint64_t at) {
  MappingSet& areas = ioases_[ioas].areas;
  for (auto& [k, m] : areas) {
    const Range a = area_range(m);
    if (at < a.first || at > a.last || at == a.last) continue;
    Mapping hi = m;
    const uint64_t lo_size = at - a.first + 1;
    hi.iova = at + 1;
    hi.size = m.size - lo_size;
    hi.vaddr = m.vaddr + lo_size;
    hi.backing = m.backing + lo_size;
    m.size = lo_size;
    areas[hi.iova] = hi;
    return;
  }
}

// ---- IOAS ioctls
// -------------------------------------------------------------------------------------------

Outcome Model::ioas_alloc() {
  const int h = new_handle(ObjKind::Ioas);
  ioases_[h];
  Outcome o;
  o.ioas = h;
  o.clauses.add(Clause::IOMMUFD_OBJECT_ID);
  return o;
}

Outcome Model::ioas_map(const Request& r) {
  using namespace uapi;
  Outcome o;
  auto fail = [&](Errno e, Clause c) {
    Outcome f = Outcome::fail(e);
    f.clauses = o.clauses;
    f.clauses.add(c);
    return f;
  };
  o.clauses.add(Clause::IOMMUFD_IOAS_MAP_FLAGS);
  if (r.argsz.value_or(kMapStructSize) < kMapStructSize)
    return fail(Errno::INVAL, Clause::IOMMUFD_IOAS_MAP_FLAGS);
  if (r.flags & ~(kIoasFixed | kIoasWriteable | kIoasReadable))
    return fail(Errno::OPNOTSUPP, Clause::IOMMUFD_IOAS_MAP_FLAGS);
  if (r.iova >= kU64Max || r.length >= kU64Max) return fail(Errno::OVERFLOW, Clause::IOMMUFD_IOAS_MAP_FLAGS);
  if (!(r.flags & (kIoasWriteable | kIoasReadable)))
    return fail(Errno::INVAL, Clause::IOMMUFD_IOAS_MAP_FLAGS);
  if (!is(r.ioas, ObjKind::Ioas)) return fail(Errno::NOENT, Clause::IOMMUFD_OBJECT_ID);
  uint32_t prot = 0;
  if (r.flags & kIoasReadable) prot |= kMapRead;
  if (r.flags & kIoasWriteable) prot |= kMapWrite;
  uint64_t iova = r.iova;
  const Errno e = iopt_map_user(r.ioas, st_.pool.base + r.vaddr, r.length, prot, (r.flags & kIoasFixed) != 0,
                                iova, o.clauses);
  if (e != Errno::OK)
    return fail(e, (r.flags & kIoasFixed) ? Clause::IOMMUFD_IOAS_MAP_FIXED : Clause::IOMMUFD_IOAS_MAP_AUTO);
  o.iova = iova;
  return o;
}

Outcome Model::ioas_unmap(const Request& r) {
  Outcome o;
  auto fail = [](Errno e, Clause c) { return Outcome::fail(e, c); };
  if (r.argsz.value_or(kUnmapStructSize) < kUnmapStructSize)
    return fail(Errno::INVAL, Clause::IOMMUFD_IOAS_UNMAP);
  if (!is(r.ioas, ObjKind::Ioas)) return fail(Errno::NOENT, Clause::IOMMUFD_OBJECT_ID);
  uint64_t unmapped = 0;
  if (r.iova == 0 && r.length == kU64Max) {
    o.clauses.add(Clause::IOMMUFD_IOAS_UNMAP_ALL);
    const Errno e = iopt_unmap_range(r.ioas, 0, kU64Max, unmapped);
    if (e != Errno::OK && e != Errno::NOENT) return fail(e, Clause::IOMMUFD_IOAS_UNMAP_ALL);
    o.length = unmapped;  // empty IOAS: still success, length 0
    return o;
  }
  o.clauses.add(Clause::IOMMUFD_IOAS_UNMAP);
  if (r.iova >= kU64Max || r.length >= kU64Max) return fail(Errno::OVERFLOW, Clause::IOMMUFD_IOAS_UNMAP);
  if (r.length == 0) return fail(Errno::INVAL, Clause::IOMMUFD_IOAS_UNMAP);
  if (r.iova + (r.length - 1) < r.iova) return fail(Errno::OVERFLOW, Clause::IOMMUFD_IOAS_UNMAP);
  const Errno e = iopt_unmap_range(r.ioas, r.iova, r.iova + (r.length - 1), unmapped);
  if (e != Errno::OK) return fail(e, Clause::IOMMUFD_IOAS_UNMAP);
  o.length = unmapped;
  return o;
}

Outcome Model::ioas_copy(const Request& r) {
  using namespace uapi;
  Outcome o;
  o.clauses.add(Clause::IOMMUFD_IOAS_COPY);
  auto fail = [](Errno e) { return Outcome::fail(e, Clause::IOMMUFD_IOAS_COPY); };
  if (r.flags & ~(kIoasFixed | kIoasWriteable | kIoasReadable)) return fail(Errno::OPNOTSUPP);
  if (r.length >= kU64Max || r.src_iova >= kU64Max || r.dst_iova >= kU64Max) return fail(Errno::OVERFLOW);
  if (!is(r.src_ioas, ObjKind::Ioas)) return fail(Errno::NOENT);
  // iopt_get_pages(): the source range must be covered by contiguous areas; sub-ranges of areas are fine.
  if (r.length == 0) return fail(Errno::INVAL);
  if (r.src_iova + (r.length - 1) < r.src_iova) return fail(Errno::OVERFLOW);
  const uint64_t src_last = r.src_iova + (r.length - 1);
  std::vector<Mapping> pieces;
  uint64_t cur = r.src_iova;
  for (const auto& [k, m] : ioases_.at(r.src_ioas).areas) {
    const Range a = area_range(m);
    if (a.last < cur || a.first > src_last) continue;
    if (a.first > cur) break;
    const uint64_t end = std::min(a.last, src_last);
    pieces.push_back(
        Mapping{cur, end - cur + 1, m.vaddr + (cur - m.iova), m.prot, false, m.backing + (cur - m.iova)});
    if (end == src_last) {
      cur = src_last;
      break;
    }
    cur = end + 1;
  }
  if (pieces.empty() || pieces.back().iova + (pieces.back().size - 1) != src_last) return fail(Errno::NOENT);
  if (!is(r.dst_ioas, ObjKind::Ioas)) return fail(Errno::NOENT);
  // iopt_map_pages() on the destination, one area per source piece.
  const uint64_t align = ioas_alignment(r.dst_ioas);
  if (r.length & (align - 1)) return fail(Errno::INVAL);
  uint64_t iova = r.dst_iova;
  ClauseSet scratch;
  if (r.flags & kIoasFixed) {
    const Errno e = iopt_check_iova(r.dst_ioas, iova, r.length, scratch);
    if (e != Errno::OK) return fail(e);
  } else {
    const Errno e = iopt_alloc_iova(r.dst_ioas, pieces.front().vaddr, r.length, iova);
    if (e != Errno::OK) return fail(e);
  }
  for (const Mapping& p : pieces)
    if ((p.vaddr % kPageSize) & (align - 1)) return fail(Errno::INVAL);
  uint32_t prot = 0;
  if (r.flags & kIoasReadable) prot |= kMapRead;
  if (r.flags & kIoasWriteable) prot |= kMapWrite;
  uint64_t at = iova;
  for (Mapping p : pieces) {
    p.iova = at;
    p.prot = prot;
    at += p.size;
    ioases_[r.dst_ioas].areas[p.iova] = p;
  }
  o.dst_iova = iova;
  return o;
}

Outcome Model::ioas_allow_iovas(const Request& r) {
  Outcome o;
  o.clauses.add(Clause::IOMMUFD_IOAS_ALLOW_IOVAS);
  auto fail = [](Errno e, Clause c) { return Outcome::fail(e, c); };
  if (!is(r.ioas, ObjKind::Ioas)) return fail(Errno::NOENT, Clause::IOMMUFD_OBJECT_ID);
  std::vector<Range> seen;
  for (const Range& rg : r.ranges) {
    // Each range is [start, last] with start < last; ranges may not overlap each other.
    if (rg.first >= rg.last) return fail(Errno::INVAL, Clause::IOMMUFD_IOAS_ALLOW_IOVAS);
    for (const Range& s : seen)
      if (intersects(s, rg)) return fail(Errno::INVAL, Clause::IOMMUFD_IOAS_ALLOW_IOVAS);
    seen.push_back(rg);
  }
  const std::vector<Range> resv = ioas_reserved(r.ioas);
  for (const Range& rg : seen)
    for (const Range& rs : resv)
      if (intersects(rg, rs)) return fail(Errno::ADDRINUSE, Clause::IOMMUFD_IOAS_ALLOW_IOVAS);
  ioases_[r.ioas].allowed = normalise(seen);  // replaced as a whole
  return o;
}

Outcome Model::ioas_iova_ranges(const Request& r) {
  Outcome o;
  o.clauses.add(Clause::IOMMUFD_IOAS_IOVA_RANGES);
  if (!is(r.ioas, ObjKind::Ioas)) {
    Outcome f = Outcome::fail(Errno::NOENT);
    f.clauses.add(Clause::IOMMUFD_OBJECT_ID);
    return f;
  }
  // The holes of the reserved set over the whole 64-bit space, sorted and maximal.
  const std::vector<Range> holes = subtract({{0, kU64Max}}, ioas_reserved(r.ioas));
  if (r.capacity < holes.size()) {
    Outcome f = Outcome::fail(Errno::MSGSIZE);
    f.clauses.add(Clause::IOMMUFD_IOAS_IOVA_RANGES);
    f.num = static_cast<uint32_t>(holes.size());
    return f;
  }
  o.num = static_cast<uint32_t>(holes.size());
  o.ranges = holes;
  o.out_iova_alignment = ioas_alignment(r.ioas);
  return o;
}

Outcome Model::iommufd_option(const Request& r) {
  Outcome o;
  o.clauses.add(Clause::IOMMUFD_OPTION);
  auto fail = [](Errno e) { return Outcome::fail(e, Clause::IOMMUFD_OPTION); };
  constexpr int kNoObject = -2;
  if (r.option == 0) {  // IOMMU_OPTION_RLIMIT_MODE: context-wide
    if (r.object != kNoObject) return fail(Errno::OPNOTSUPP);
    if (r.op == 1) {
      o.val64 = rlimit_mm_ ? 1 : 0;
      return o;
    }
    if (r.op != 0) return fail(Errno::OPNOTSUPP);
    // The agent runs as root (CAP_SYS_RESOURCE); the mode changes only while no object exists.
    if (std::any_of(objects_.begin(), objects_.end(), [](const Object& x) { return x.alive; }))
      return fail(Errno::BUSY);
    if (r.val64 > 1) return fail(Errno::INVAL);
    rlimit_mm_ = r.val64 == 1;
    return o;
  }
  if (r.option == 1) {  // IOMMU_OPTION_HUGE_PAGES: per IOAS
    if (!is(r.object, ObjKind::Ioas)) return fail(Errno::NOENT);
    Ioas& io = ioases_[r.object];
    if (r.op == 1) {
      o.val64 = io.large_pages ? 1 : 0;
      return o;
    }
    if (r.op != 0) return fail(Errno::OPNOTSUPP);
    if (r.val64 > 1) return fail(Errno::INVAL);
    if (r.val64 == 0 && io.large_pages && ioas_has_domain(r.object) && !io.areas.empty())
      return fail(Errno::INVAL);  // iopt_disable_large_pages(): domains already hold pages
    io.large_pages = r.val64 == 1;
    return o;
  }
  return fail(Errno::OPNOTSUPP);
}

Outcome Model::iommufd_destroy(const Request& r) {
  Outcome o;
  o.clauses.add(Clause::IOMMUFD_OBJECT_ID);
  auto fail = [](Errno e) { return Outcome::fail(e, Clause::IOMMUFD_OBJECT_ID); };
  const int h = r.id;
  if (h < 0 || static_cast<size_t>(h) >= objects_.size() || !objects_[static_cast<size_t>(h)].alive)
    return fail(Errno::NOENT);
  switch (objects_[static_cast<size_t>(h)].kind) {
    case ObjKind::Ioas:
      if (ioas_has_domain(h)) return fail(Errno::BUSY);
      ioases_.erase(h);
      break;
    case ObjKind::Hwpt:
      if (hwpts_.at(h).devices > 0) return fail(Errno::BUSY);
      hwpts_.erase(h);
      break;
    case ObjKind::Device:
      return fail(Errno::BUSY);  // owned by the vfio cdev until it is closed
    case ObjKind::Fault:
      for (const auto& [g, d] : iopf_devices_)
        if (d.queue == h) return fail(Errno::BUSY);
      queues_.erase(h);
      break;
  }
  objects_[static_cast<size_t>(h)].alive = false;
  return o;
}

// ---- devices and HWPTs
// -------------------------------------------------------------------------------------

Outcome Model::device_bind(const Request& r) {
  check_group(r.group, "device.bind: group");
  Outcome o;
  o.clauses.add(Clause::IOMMUFD_DEVICE_ATTACH);
  for (const auto& [h, d] : devices_)
    if (h >= 0 && d.group == r.group) {
      o.unmodelled = true;  // a second bind of the same device: not modelled
      return o;
    }
  const int h = new_handle(ObjKind::Device);
  devices_[h] = Device{r.group, -1};
  o.dev = h;
  return o;
}

Outcome Model::device_attach(const Request& r) {
  Outcome o;
  o.clauses.add(Clause::IOMMUFD_DEVICE_ATTACH);
  auto fail = [](Errno e) { return Outcome::fail(e, Clause::IOMMUFD_DEVICE_ATTACH); };
  if (!is(r.dev, ObjKind::Device)) return fail(Errno::NOENT);
  Device& d = devices_.at(r.dev);
  int ioas = -1, target = -1;
  if (is(r.pt, ObjKind::Ioas)) {
    ioas = r.pt;
    // iommufd_device_auto_get_domain(): reuse an automatic HWPT of this IOAS before making one.
    for (const auto& [h, hw] : hwpts_)
      if (h >= 0 && hw.automatic && hw.ioas == ioas && objects_[static_cast<size_t>(h)].alive) {
        target = h;
        break;
      }
  } else if (is(r.pt, ObjKind::Hwpt)) {
    target = r.pt;
    ioas = hwpts_.at(target).ioas;
  } else if (r.pt >= 0 && static_cast<size_t>(r.pt) < objects_.size() &&
             objects_[static_cast<size_t>(r.pt)].alive) {
    return fail(Errno::INVAL);  // neither an IOAS nor a HWPT
  } else {
    return fail(Errno::NOENT);
  }
  if (d.hwpt == target && target >= 0) {
    o.pt = target;
    return o;
  }
  // The device's reserved regions (and a new domain's aperture) may not hit areas or the allowed set.
  const bool new_domain = target < 0;
  if (new_domain) {
    const uint64_t align = st_.geometry.pgsizes & (~st_.geometry.pgsizes + 1);
    for (const auto& [k, m] : ioases_.at(ioas).areas)
      if ((m.iova & (align - 1)) || (m.size & (align - 1))) return fail(Errno::ADDRINUSE);
  }
  std::vector<Range> resv = ioas_reserved(ioas, new_domain ? ioas : -1, d.group);
  for (const auto& [k, m] : ioases_.at(ioas).areas)
    for (const Range& rs : resv)
      if (intersects(rs, area_range(m))) return fail(Errno::ADDRINUSE);
  for (const Range& a : ioases_.at(ioas).allowed)
    for (const Range& rs : resv)
      if (intersects(rs, a)) return fail(Errno::ADDRINUSE);
  // Replace: leave the old HWPT first (an automatic one dies with its last device).
  if (d.hwpt >= 0) {
    Hwpt& old = hwpts_.at(d.hwpt);
    if (--old.devices == 0 && old.automatic) {
      objects_[static_cast<size_t>(d.hwpt)].alive = false;
      hwpts_.erase(d.hwpt);
    }
  }
  if (new_domain) {
    target = new_handle(ObjKind::Hwpt);
    hwpts_[target] = Hwpt{ioas, true, 0};
  }
  hwpts_.at(target).devices++;
  d.hwpt = target;
  o.pt = target;
  return o;
}

Outcome Model::device_detach(const Request& r) {
  Outcome o;
  o.clauses.add(Clause::IOMMUFD_DEVICE_ATTACH);
  if (!is(r.dev, ObjKind::Device)) {
    Outcome f = Outcome::fail(Errno::NOENT);
    f.clauses.add(Clause::IOMMUFD_DEVICE_ATTACH);
    return f;
  }
  Device& d = devices_.at(r.dev);
  if (d.hwpt >= 0) {
    Hwpt& old = hwpts_.at(d.hwpt);
    if (--old.devices == 0 && old.automatic) {
      objects_[static_cast<size_t>(d.hwpt)].alive = false;
      hwpts_.erase(d.hwpt);
    }
    d.hwpt = -1;
  }
  return o;
}

Outcome Model::hwpt_alloc(const Request& r) {
  using namespace uapi;
  Outcome o;
  o.clauses.add(Clause::IOMMUFD_HWPT_ALLOC);
  auto fail = [](Errno e) { return Outcome::fail(e, Clause::IOMMUFD_HWPT_ALLOC); };
  if (r.flags & ~(kHwptNestParent | kHwptDirty)) return fail(Errno::OPNOTSUPP);
  if (!is(r.dev, ObjKind::Device)) return fail(Errno::NOENT);
  if (is(r.pt, ObjKind::Hwpt)) return fail(Errno::INVAL);  // nested allocation needs driver data
  if (!is(r.pt, ObjKind::Ioas)) return fail(Errno::NOENT);
  // None of the modelled IOMMUs offers nesting parents or dirty tracking to iommufd.
  if (r.flags != 0) return fail(Errno::OPNOTSUPP);
  const uint64_t align = st_.geometry.pgsizes & (~st_.geometry.pgsizes + 1);
  for (const auto& [k, m] : ioases_.at(r.pt).areas)
    if ((m.iova & (align - 1)) || (m.size & (align - 1))) return fail(Errno::ADDRINUSE);
  const std::vector<Range> resv = ioas_reserved(r.pt, r.pt, -1);
  for (const auto& [k, m] : ioases_.at(r.pt).areas)
    for (const Range& rs : resv)
      if (intersects(rs, area_range(m))) return fail(Errno::ADDRINUSE);
  for (const Range& a : ioases_.at(r.pt).allowed)
    for (const Range& rs : resv)
      if (intersects(rs, a)) return fail(Errno::ADDRINUSE);
  const int h = new_handle(ObjKind::Hwpt);
  hwpts_[h] = Hwpt{r.pt, false, 0};
  o.hwpt = h;
  return o;
}

// ---- VFIO compatibility container (backend iommufd-compat)
// ---------------------------------------------------

Outcome Model::compat_dispatch(Container& c, const Request& r) {
  switch (r.method) {
    case Method::ContainerMapDma:
      return compat_map(c, r);
    case Method::ContainerUnmapDma:
      return compat_unmap(c, r);
    case Method::ContainerGetInfo:
      return compat_get_info(r);
    default: {
      // VFIO_IOMMU_DIRTY_PAGES is not implemented by the compat layer.
      Outcome f = Outcome::fail(Errno::NOTTY);
      f.clauses.add(Clause::IOMMUFD_COMPAT_INFO);
      return f;
    }
  }
}

Outcome Model::compat_map(Container&, const Request& r) {
  using namespace uapi;
  Outcome o;
  o.clauses.add(Clause::IOMMUFD_COMPAT_MAP);
  auto fail = [&](Errno e) {
    Outcome f = Outcome::fail(e);
    f.clauses = o.clauses;
    return f;
  };
  // Only READ|WRITE are accepted (no VADDR), and R = W = 0 is not rejected.
  if (r.argsz.value_or(kMapArgsz) < kMapArgsz || (r.flags & ~(kMapRead | kMapWrite)))
    return fail(Errno::INVAL);
  const int ioas = -2 - r.container;
  if (ioases_.count(ioas) == 0) return fail(Errno::NODEV);
  uint64_t iova = r.iova;
  const Errno e = iopt_map_user(ioas, st_.pool.base + r.vaddr, r.size, r.flags & (kMapRead | kMapWrite), true,
                                iova, o.clauses);
  if (e != Errno::OK) return fail(e);
  return o;
}

Outcome Model::compat_unmap(Container& c, const Request& r) {
  using namespace uapi;
  Outcome o;
  o.clauses.add(Clause::IOMMUFD_COMPAT_UNMAP);
  auto fail = [](Errno e) { return Outcome::fail(e, Clause::IOMMUFD_COMPAT_UNMAP); };
  if (r.argsz.value_or(kUnmapArgsz) < kUnmapArgsz || (r.flags & ~kUnmapAll)) return fail(Errno::INVAL);
  const int ioas = -2 - r.container;
  if (ioases_.count(ioas) == 0) return fail(Errno::NODEV);
  uint64_t unmapped = 0;
  if (r.flags & kUnmapAll) {
    if (r.iova != 0 || r.size != 0) return fail(Errno::INVAL);
    iopt_unmap_range(ioas, 0, kU64Max, unmapped);
    o.size = unmapped;
    return o;
  }
  if (c.compat_v1) {
    // TYPE1 emulation: cut areas at iova+size-1 and iova-1 so that a bisecting unmap is exact (which real
    // type1 v1 never does). A cut needs the new start aligned.
    const uint64_t align = ioas_alignment(ioas);
    for (uint64_t at : {r.iova + r.size - 1, r.iova - 1}) {
      if (at == r.iova - 1 && r.iova == 0) continue;
      const MappingSet& areas = ioases_[ioas].areas;
      const bool inside = std::any_of(areas.begin(), areas.end(), [&](const auto& kv) {
        const Range a = area_range(kv.second);
        return at >= a.first && at < a.last;
      });
      if (!inside) continue;
      if ((at + 1) & (align - 1)) return fail(Errno::INVAL);
      iopt_cut(ioas, at);
    }
  }
  if (r.size == 0) return fail(Errno::INVAL);
  if (r.iova + (r.size - 1) < r.iova) return fail(Errno::OVERFLOW);
  const Errno e = iopt_unmap_range(ioas, r.iova, r.iova + (r.size - 1), unmapped);
  if (e != Errno::OK) return fail(e);
  o.size = unmapped;
  return o;
}

Outcome Model::compat_get_info(const Request& r) {
  using namespace uapi;
  Outcome o;
  o.clauses.add(Clause::IOMMUFD_COMPAT_INFO);
  const uint32_t argsz = r.argsz.value_or(4096);
  if (argsz < kInfoMinArgsz) {
    Outcome f = Outcome::fail(Errno::INVAL);
    f.clauses = o.clauses;
    return f;
  }
  const int ioas = -2 - r.container;
  if (ioases_.count(ioas) == 0) {
    Outcome f = Outcome::fail(Errno::NODEV);
    f.clauses = o.clauses;
    return f;
  }
  uint64_t pg = ioas_has_domain(ioas) ? st_.geometry.pgsizes : kU64Max;
  if (pg & (kPageSize - 1)) pg = (pg & ~(kPageSize - 1)) | kPageSize;
  o.flags = kInfoPgsizes;
  o.iova_pgsizes = pg;
  if (argsz > kInfoArgszNoCaps) {
    o.flags = kInfoPgsizes | kInfoCaps;
    o.iova_ranges = subtract({{0, kU64Max}}, ioas_reserved(ioas));
    o.dma_avail = 0xffffffffu;  // no entry limit: DMA_AVAIL reports U32_MAX
  }
  return o;
}

}  // namespace vipcts::vfio
