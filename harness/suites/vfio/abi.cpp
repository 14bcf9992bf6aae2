#include "abi.hpp"

#include <stdexcept>

namespace vipcts::vfio::abi {

void to_abi(const ScenarioState& s, StateBuffer& out) {
  out.backend = std::string(backend_name(s.profile.backend));
  out.kernel = std::string(kernel_name(s.profile.kernel));
  out.geometry = s.geometry.name;
  out.reserved.clear();
  for (const Range& r : s.geometry.reserved) out.reserved.push_back({r.first, r.last});
  vipcts_vfio_state& a = out.state;
  a = vipcts_vfio_state{};
  a.backend = out.backend.c_str();
  a.kernel = out.kernel.c_str();
  a.geometry = out.geometry.c_str();
  a.pgsizes = s.geometry.pgsizes;
  a.aperture = {s.geometry.aperture.first, s.geometry.aperture.last};
  a.reserved = out.reserved.data();
  a.reserved_count = out.reserved.size();
  a.dma_entry_limit = s.geometry.dma_entry_limit;
  a.groups = s.groups;
  a.pool_base = s.pool.base;
  a.pool_size = s.pool.size;
  a.write_implies_read = s.geometry.write_implies_read ? 1 : 0;
}

ScenarioState from_abi(const vipcts_vfio_state& a) {
  ScenarioState s;
  auto b = parse_backend(a.backend ? a.backend : "");
  auto k = parse_kernel(a.kernel ? a.kernel : "");
  if (!b || !k) throw std::runtime_error("vfio state: unknown backend or kernel");
  s.profile = {*b, *k};
  s.geometry.name = a.geometry ? a.geometry : "";
  s.geometry.pgsizes = a.pgsizes;
  s.geometry.aperture = {a.aperture.first, a.aperture.last};
  s.geometry.reserved.clear();
  for (size_t i = 0; i < a.reserved_count; ++i)
    s.geometry.reserved.push_back({a.reserved[i].first, a.reserved[i].last});
  s.geometry.dma_entry_limit = a.dma_entry_limit;
  s.groups = a.groups;
  s.pool = {a.pool_base, a.pool_size};
  s.geometry.write_implies_read = a.write_implies_read != 0;
  return s;
}

void to_abi(const Request& r, RequestBuffer& out) {
  out.ranges.clear();
  for (const Range& x : r.ranges) out.ranges.push_back({x.first, x.last});
  vipcts_vfio_request& a = out.request;
  a = vipcts_vfio_request{};
  a.method = static_cast<uint32_t>(r.method);
  a.container = r.container;
  a.group = r.group;
  a.flags = r.flags;
  a.has_argsz = r.argsz.has_value();
  a.argsz = r.argsz.value_or(0);
  a.has_bitmap_pgsize = r.bitmap_pgsize.has_value();
  a.bitmap_pgsize = r.bitmap_pgsize.value_or(0);
  a.last = r.last;
  a.iova = r.iova;
  a.size = r.size;
  a.vaddr = r.vaddr;
  a.ext = r.ext;
  a.type = r.type;
  a.ioas = r.ioas;
  a.dst_ioas = r.dst_ioas;
  a.src_ioas = r.src_ioas;
  a.object = r.object;
  a.id = r.id;
  a.dev = r.dev;
  a.pt = r.pt;
  a.fault = r.fault;
  a.length = r.length;
  a.dst_iova = r.dst_iova;
  a.src_iova = r.src_iova;
  a.val64 = r.val64;
  a.ranges = out.ranges.data();
  a.range_count = out.ranges.size();
  a.capacity = r.capacity;
  a.option = r.option;
  a.op = r.op;
  a.len = r.len;
  a.pasid = r.pasid;
  a.grpid = r.grpid;
  a.perm = r.perm;
  a.cookie = r.cookie;
  a.code = r.code;
  a.bytes = r.bytes;
  a.max = r.max;
  a.addr = r.addr;
}

Request from_abi(const vipcts_vfio_request& a) {
  if (a.method >= static_cast<uint32_t>(Method::kCount)) throw std::runtime_error("vfio request: bad method");
  Request r;
  r.method = static_cast<Method>(a.method);
  r.container = a.container;
  r.group = a.group;
  r.flags = a.flags;
  if (a.has_argsz) r.argsz = a.argsz;
  if (a.has_bitmap_pgsize) r.bitmap_pgsize = a.bitmap_pgsize;
  r.last = a.last != 0;
  r.iova = a.iova;
  r.size = a.size;
  r.vaddr = a.vaddr;
  r.ext = a.ext;
  r.type = a.type;
  r.ioas = a.ioas;
  r.dst_ioas = a.dst_ioas;
  r.src_ioas = a.src_ioas;
  r.object = a.object;
  r.id = a.id;
  r.dev = a.dev;
  r.pt = a.pt;
  r.fault = a.fault;
  r.length = a.length;
  r.dst_iova = a.dst_iova;
  r.src_iova = a.src_iova;
  r.val64 = a.val64;
  for (size_t i = 0; i < a.range_count; ++i) r.ranges.push_back({a.ranges[i].first, a.ranges[i].last});
  r.capacity = a.capacity;
  r.option = a.option;
  r.op = a.op;
  r.len = a.len;
  r.pasid = a.pasid;
  r.grpid = a.grpid;
  r.perm = a.perm;
  r.cookie = a.cookie;
  r.code = a.code;
  r.bytes = a.bytes;
  r.max = a.max;
  r.addr = a.addr;
  return r;
}

namespace {
template <typename T>
void put(uint32_t& present, uint32_t bit, T& field, const std::optional<T>& v) {
  if (v) {
    present |= bit;
    field = *v;
  }
}
template <typename T>
void get(uint32_t present, uint32_t bit, const T& field, std::optional<T>& v) {
  if (present & bit) v = field;
}
}  // namespace

void to_abi(const Outcome& o, vipcts_vfio_outcome& a) {
  a.ret = o.ret;
  a.err = static_cast<uint32_t>(o.err);
  uint32_t p = 0;
  put(p, VIPCTS_VFIO_HAS_CONTAINER, a.container, std::optional<int32_t>(o.container));
  put(p, VIPCTS_VFIO_HAS_IOAS, a.ioas, std::optional<int32_t>(o.ioas));
  put(p, VIPCTS_VFIO_HAS_HWPT, a.hwpt, std::optional<int32_t>(o.hwpt));
  put(p, VIPCTS_VFIO_HAS_DEV, a.dev, std::optional<int32_t>(o.dev));
  put(p, VIPCTS_VFIO_HAS_FAULT, a.fault, std::optional<int32_t>(o.fault));
  put(p, VIPCTS_VFIO_HAS_PT, a.pt, std::optional<int32_t>(o.pt));
  put(p, VIPCTS_VFIO_HAS_SIZE, a.size, o.size);
  put(p, VIPCTS_VFIO_HAS_IOVA, a.iova, o.iova);
  put(p, VIPCTS_VFIO_HAS_LENGTH, a.length, o.length);
  put(p, VIPCTS_VFIO_HAS_DST_IOVA, a.dst_iova, o.dst_iova);
  put(p, VIPCTS_VFIO_HAS_VAL64, a.val64, o.val64);
  put(p, VIPCTS_VFIO_HAS_IOVA_PGSIZES, a.iova_pgsizes, o.iova_pgsizes);
  put(p, VIPCTS_VFIO_HAS_OUT_IOVA_ALIGNMENT, a.out_iova_alignment, o.out_iova_alignment);
  put(p, VIPCTS_VFIO_HAS_POOL_OFFSET, a.pool_offset, o.pool_offset);
  put(p, VIPCTS_VFIO_HAS_FLAGS, a.flags, o.flags);
  put(p, VIPCTS_VFIO_HAS_NUM, a.num, o.num);
  put(p, VIPCTS_VFIO_HAS_DMA_AVAIL, a.dma_avail, o.dma_avail);
  put(p, VIPCTS_VFIO_HAS_QUEUED, a.queued, o.queued);
  auto ranges = [](const std::vector<Range>& in, vipcts_vfio_range* dst, uint32_t& count) {
    if (in.size() > VIPCTS_VFIO_MAX_RANGES)
      throw std::runtime_error("vfio outcome: too many ranges for the ABI");
    count = static_cast<uint32_t>(in.size());
    for (size_t i = 0; i < in.size(); ++i) dst[i] = {in[i].first, in[i].last};
  };
  if (o.iova_ranges) {
    p |= VIPCTS_VFIO_HAS_IOVA_RANGES;
    ranges(*o.iova_ranges, a.iova_ranges, a.iova_range_count);
  }
  if (o.ranges) {
    p |= VIPCTS_VFIO_HAS_RANGES;
    ranges(*o.ranges, a.ranges, a.range_count);
  }
  if (o.migration) {
    p |= VIPCTS_VFIO_HAS_MIGRATION;
    a.migration_pgsize_bitmap = o.migration->pgsize_bitmap;
    a.migration_max_dirty_bitmap_size = o.migration->max_dirty_bitmap_size;
  }
  if (o.dirty) {
    if (o.dirty->size() > VIPCTS_VFIO_MAX_DIRTY)
      throw std::runtime_error("vfio outcome: dirty list too long for the ABI");
    p |= VIPCTS_VFIO_HAS_DIRTY;
    a.dirty_count = static_cast<uint32_t>(o.dirty->size());
    for (size_t i = 0; i < o.dirty->size(); ++i) a.dirty[i] = (*o.dirty)[i];
  }
  if (o.dma) {
    p |= VIPCTS_VFIO_HAS_DMA;
    a.dma = *o.dma == DmaResult::Landed ? VIPCTS_VFIO_DMA_LANDED : VIPCTS_VFIO_DMA_BLOCKED;
  }
  if (o.responses) {
    if (o.responses->size() > VIPCTS_VFIO_MAX_RESPONSES)
      throw std::runtime_error("vfio outcome: too many responses");
    p |= VIPCTS_VFIO_HAS_RESPONSES;
    a.response_count = static_cast<uint32_t>(o.responses->size());
    for (size_t i = 0; i < o.responses->size(); ++i) {
      const PageResponse& r = (*o.responses)[i];
      a.responses[i] = {r.dev, r.pasid, r.grpid, r.code};
    }
  }
  if (o.faults) {
    if (o.faults->size() > VIPCTS_VFIO_MAX_FAULTS) throw std::runtime_error("vfio outcome: too many faults");
    p |= VIPCTS_VFIO_HAS_FAULTS;
    a.fault_count = static_cast<uint32_t>(o.faults->size());
    for (size_t i = 0; i < o.faults->size(); ++i) {
      const FaultRecord& f = (*o.faults)[i];
      a.faults[i] = {f.dev, f.pasid, f.grpid, f.perm, f.cookie, f.addr, static_cast<uint8_t>(f.last)};
    }
  }
  a.present = p;
}

Outcome from_abi(const vipcts_vfio_outcome& a) {
  Outcome o;
  o.ret = a.ret;
  if (a.err >= static_cast<uint32_t>(Errno::kCount))
    throw std::runtime_error("vfio outcome: unknown errno value " + std::to_string(a.err));
  o.err = static_cast<Errno>(a.err);
  const uint32_t p = a.present;
  std::optional<int32_t> tmp;
  auto handle = [&](uint32_t bit, int32_t v, std::optional<int>& dst) {
    if (p & bit) dst = v;
  };
  handle(VIPCTS_VFIO_HAS_CONTAINER, a.container, o.container);
  handle(VIPCTS_VFIO_HAS_IOAS, a.ioas, o.ioas);
  handle(VIPCTS_VFIO_HAS_HWPT, a.hwpt, o.hwpt);
  handle(VIPCTS_VFIO_HAS_DEV, a.dev, o.dev);
  handle(VIPCTS_VFIO_HAS_FAULT, a.fault, o.fault);
  handle(VIPCTS_VFIO_HAS_PT, a.pt, o.pt);
  get(p, VIPCTS_VFIO_HAS_SIZE, a.size, o.size);
  get(p, VIPCTS_VFIO_HAS_IOVA, a.iova, o.iova);
  get(p, VIPCTS_VFIO_HAS_LENGTH, a.length, o.length);
  get(p, VIPCTS_VFIO_HAS_DST_IOVA, a.dst_iova, o.dst_iova);
  get(p, VIPCTS_VFIO_HAS_VAL64, a.val64, o.val64);
  get(p, VIPCTS_VFIO_HAS_IOVA_PGSIZES, a.iova_pgsizes, o.iova_pgsizes);
  get(p, VIPCTS_VFIO_HAS_OUT_IOVA_ALIGNMENT, a.out_iova_alignment, o.out_iova_alignment);
  get(p, VIPCTS_VFIO_HAS_POOL_OFFSET, a.pool_offset, o.pool_offset);
  get(p, VIPCTS_VFIO_HAS_FLAGS, a.flags, o.flags);
  get(p, VIPCTS_VFIO_HAS_NUM, a.num, o.num);
  get(p, VIPCTS_VFIO_HAS_DMA_AVAIL, a.dma_avail, o.dma_avail);
  get(p, VIPCTS_VFIO_HAS_QUEUED, a.queued, o.queued);
  auto ranges = [](const vipcts_vfio_range* src, uint32_t count) {
    if (count > VIPCTS_VFIO_MAX_RANGES)
      throw std::runtime_error("vfio outcome: range count beyond the ABI maximum");
    std::vector<Range> v;
    for (uint32_t i = 0; i < count; ++i) v.push_back({src[i].first, src[i].last});
    return v;
  };
  if (p & VIPCTS_VFIO_HAS_IOVA_RANGES) o.iova_ranges = ranges(a.iova_ranges, a.iova_range_count);
  if (p & VIPCTS_VFIO_HAS_RANGES) o.ranges = ranges(a.ranges, a.range_count);
  if (p & VIPCTS_VFIO_HAS_MIGRATION)
    o.migration = Migration{a.migration_pgsize_bitmap, a.migration_max_dirty_bitmap_size};
  if (p & VIPCTS_VFIO_HAS_DIRTY) {
    if (a.dirty_count > VIPCTS_VFIO_MAX_DIRTY)
      throw std::runtime_error("vfio outcome: dirty count beyond the ABI maximum");
    o.dirty = std::vector<uint64_t>(a.dirty, a.dirty + a.dirty_count);
  }
  if (p & VIPCTS_VFIO_HAS_DMA) {
    if (a.dma > 1) throw std::runtime_error("vfio outcome: bad dma value");
    o.dma = a.dma == VIPCTS_VFIO_DMA_LANDED ? DmaResult::Landed : DmaResult::Blocked;
  }
  if (p & VIPCTS_VFIO_HAS_RESPONSES) {
    if (a.response_count > VIPCTS_VFIO_MAX_RESPONSES)
      throw std::runtime_error("vfio outcome: response count beyond the ABI maximum");
    o.responses.emplace();
    for (uint32_t i = 0; i < a.response_count; ++i)
      o.responses->push_back(
          {a.responses[i].dev, a.responses[i].pasid, a.responses[i].grpid, a.responses[i].code});
  }
  if (p & VIPCTS_VFIO_HAS_FAULTS) {
    if (a.fault_count > VIPCTS_VFIO_MAX_FAULTS)
      throw std::runtime_error("vfio outcome: fault count beyond the ABI maximum");
    o.faults.emplace();
    for (uint32_t i = 0; i < a.fault_count; ++i) {
      const vipcts_vfio_fault& f = a.faults[i];
      o.faults->push_back({f.dev, f.pasid, f.grpid, f.perm, f.cookie, f.addr, f.last != 0});
    }
  }
  return o;
}

}  // namespace vipcts::vfio::abi
