// Dispatch, names, range helpers and the DMA-effect probes (VFIO.DMA.EFFECT).
#include "model.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace vipcts::vfio {

namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Errno::kCount)> kErrnoNames = {
    "OK",    "EPERM",    "ENOENT",     "EBADF",      "ENOMEM",   "EACCES", "EFAULT",
    "EBUSY", "EEXIST",   "ENODEV",     "EINVAL",     "ENOSPC",   "ESPIPE", "ENOTTY",
    "E2BIG", "EMSGSIZE", "EOPNOTSUPP", "EADDRINUSE", "EOVERFLOW"};

constexpr std::array<std::string_view, static_cast<size_t>(Method::kCount)> kMethodNames = {
    "container.open",
    "container.close",
    "container.api_version",
    "container.check_extension",
    "container.set_iommu",
    "container.map_dma",
    "container.unmap_dma",
    "container.get_info",
    "container.dirty_pages",
    "group.status",
    "group.set_container",
    "group.unset_container",
    "group.get_device",
    "ioas.alloc",
    "ioas.map",
    "ioas.unmap",
    "ioas.copy",
    "ioas.allow_iovas",
    "ioas.iova_ranges",
    "iommufd.option",
    "iommufd.destroy",
    "device.bind",
    "device.attach",
    "device.detach",
    "hwpt.alloc",
    "dma.write",
    "dma.read",
    "iopf.alloc_queue",
    "iopf.attach",
    "iopf.request",
    "iopf.stop_marker",
    "iopf.read",
    "iopf.respond",
    "iopf.remove_device"};

constexpr std::array<std::string_view, 4> kBackendNames = {"type1v1", "type1v2", "iommufd", "iommufd-compat"};
constexpr std::array<std::string_view, 3> kKernelNames = {"linux-6.1", "linux-6.12", "linux-6.18+"};

template <typename E, size_t N>
std::optional<E> parse_name(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

}  // namespace

std::string_view errno_name(Errno e) {
  return kErrnoNames[static_cast<size_t>(e)];
}
std::optional<Errno> parse_errno(std::string_view s) {
  return parse_name<Errno>(kErrnoNames, s);
}
std::string_view method_name(Method m) {
  return kMethodNames[static_cast<size_t>(m)];
}
std::optional<Method> parse_method(std::string_view s) {
  return parse_name<Method>(kMethodNames, s);
}
std::string_view backend_name(Backend b) {
  return kBackendNames[static_cast<size_t>(b)];
}
std::string_view kernel_name(Kernel k) {
  return kKernelNames[static_cast<size_t>(k)];
}
std::optional<Backend> parse_backend(std::string_view s) {
  return parse_name<Backend>(kBackendNames, s);
}
std::optional<Kernel> parse_kernel(std::string_view s) {
  return parse_name<Kernel>(kKernelNames, s);
}

bool intersects(const Range& a, const Range& b) {
  return a.first <= b.last && b.first <= a.last;
}

std::vector<Range> subtract(const std::vector<Range>& from, const std::vector<Range>& holes) {
  std::vector<Range> out;
  for (Range r : from) {
    bool gone = false;
    for (const Range& h : holes) {
      if (!intersects(r, h)) continue;
      if (h.first > r.first) out.push_back({r.first, h.first - 1});
      if (h.last >= r.last) {
        gone = true;
        break;
      }
      r.first = h.last + 1;
    }
    if (!gone) out.push_back(r);
  }
  return out;
}

uint64_t lowest_pgsize(uint64_t bitmap) {
  // vfio_update_pgsize_bitmap(): sizes below PAGE_SIZE are hidden and PAGE_SIZE is claimed instead.
  if (bitmap & (kPageSize - 1)) bitmap = (bitmap & ~(kPageSize - 1)) | kPageSize;
  return bitmap & (~bitmap + 1);
}

Model::Model(ScenarioState state) : st_(std::move(state)) {
  groups_.resize(st_.groups);
  // vfio_iommu_iova_get_list + resv exclusion: the aperture minus the non-relaxable reserved regions.
  iova_list_ = subtract({st_.geometry.aperture}, st_.geometry.reserved);
}

Outcome Model::apply(const Request& r) {
  const Backend b = st_.profile.backend;
  const bool type1_api = b != Backend::Iommufd;
  auto container = [&]() -> Container& {
    if (r.container < 0 || static_cast<size_t>(r.container) >= containers_.size() ||
        !containers_[static_cast<size_t>(r.container)].open)
      throw std::invalid_argument("container " + std::to_string(r.container) + " was never opened");
    return containers_[static_cast<size_t>(r.container)];
  };
  auto needs = [&](bool ok) {
    if (!ok)
      throw std::invalid_argument(std::string(method_name(r.method)) + " is not part of backend " +
                                  std::string(backend_name(b)));
  };
  Outcome o;
  switch (r.method) {
    case Method::ContainerOpen:
      needs(type1_api);
      o = container_open();
      break;
    case Method::ContainerClose: {
      needs(type1_api);
      // Groups keep their reference to the container (container.c): only the user's fd goes away.
      container().open = false;
      o.clauses.add(Clause::CONTAINER_API_VERSION);
      break;
    }
    case Method::ContainerApiVersion:
      needs(type1_api);
      container();
      o.ret = 0;  // VFIO_API_VERSION
      o.clauses.add(Clause::CONTAINER_API_VERSION);
      break;
    case Method::ContainerCheckExtension:
      needs(type1_api);
      container();
      o = container_check_extension(r);
      break;
    case Method::ContainerSetIommu:
      needs(type1_api);
      container();
      o = container_set_iommu(r);
      break;
    case Method::ContainerMapDma:
    case Method::ContainerUnmapDma:
    case Method::ContainerGetInfo:
    case Method::ContainerDirtyPages: {
      needs(type1_api);
      Container& c = container();
      if (b == Backend::IommufdCompat) {
        o = compat_dispatch(c, r);
        break;
      }
      if (c.driver == Driver::None) {
        // container.c: every driver ioctl before VFIO_SET_IOMMU fails with EINVAL.
        o = Outcome::fail(Errno::INVAL);
        o.clauses.add(Clause::CONTAINER_NO_IOMMU);
        break;
      }
      if (r.method == Method::ContainerMapDma) o = type1_map(c, r);
      if (r.method == Method::ContainerUnmapDma) o = type1_unmap(c, r);
      if (r.method == Method::ContainerGetInfo) o = type1_get_info(c, r);
      if (r.method == Method::ContainerDirtyPages) o = type1_dirty_pages(c, r);
      break;
    }
    case Method::GroupStatus:
      needs(type1_api);
      o = group_status(r);
      break;
    case Method::GroupSetContainer:
      needs(type1_api);
      o = group_set_container(r);
      break;
    case Method::GroupUnsetContainer:
      needs(type1_api);
      o = group_unset_container(r);
      break;
    case Method::GroupGetDevice:
      needs(type1_api);
      o = group_get_device(r);
      break;
    case Method::IoasAlloc:
      needs(!type1_api);
      o = ioas_alloc();
      break;
    case Method::IoasMap:
      needs(!type1_api);
      o = ioas_map(r);
      break;
    case Method::IoasUnmap:
      needs(!type1_api);
      o = ioas_unmap(r);
      break;
    case Method::IoasCopy:
      needs(!type1_api);
      o = ioas_copy(r);
      break;
    case Method::IoasAllowIovas:
      needs(!type1_api);
      o = ioas_allow_iovas(r);
      break;
    case Method::IoasIovaRanges:
      needs(!type1_api);
      o = ioas_iova_ranges(r);
      break;
    case Method::IommufdOption:
      needs(!type1_api);
      o = iommufd_option(r);
      break;
    case Method::IommufdDestroy:
      needs(!type1_api);
      o = iommufd_destroy(r);
      break;
    case Method::DeviceBind:
      needs(!type1_api);
      o = device_bind(r);
      break;
    case Method::DeviceAttach:
      needs(!type1_api);
      o = device_attach(r);
      break;
    case Method::DeviceDetach:
      needs(!type1_api);
      o = device_detach(r);
      break;
    case Method::HwptAlloc:
      needs(!type1_api);
      o = hwpt_alloc(r);
      break;
    case Method::DmaWrite:
      o = dma_probe(r, true);
      break;
    case Method::DmaRead:
      o = dma_probe(r, false);
      break;
    case Method::IopfAllocQueue:
      needs(!type1_api);
      o = iopf_alloc_queue();
      break;
    case Method::IopfAttach:
      needs(!type1_api);
      o = iopf_attach(r);
      break;
    case Method::IopfRequest:
    case Method::IopfStopMarker:
      needs(!type1_api);
      o = iopf_request(r);
      break;
    case Method::IopfRead:
      needs(!type1_api);
      o = iopf_read(r);
      break;
    case Method::IopfRespond:
      needs(!type1_api);
      o = iopf_respond(r);
      break;
    case Method::IopfRemoveDevice:
      needs(!type1_api);
      o = iopf_remove_device(r);
      break;
    case Method::kCount:
      throw std::invalid_argument("bad method");
  }
  // Diagnostic mapping set of the object the request addressed.
  if (type1_api && r.container >= 0 && static_cast<size_t>(r.container) < containers_.size()) {
    const Container& c = containers_[static_cast<size_t>(r.container)];
    const MappingSet* m = &c.maps;
    if (b == Backend::IommufdCompat) {
      auto it = ioases_.find(-2 - r.container);
      m = it == ioases_.end() ? nullptr : &it->second.areas;
    }
    if (m != nullptr)
      for (const auto& [k, v] : *m) o.mappings.push_back(v);
  } else if (!type1_api) {
    auto it = ioases_.find(r.method == Method::IoasCopy ? r.dst_ioas : r.ioas);
    if (it != ioases_.end())
      for (const auto& [k, v] : it->second.areas) o.mappings.push_back(v);
  }
  return o;
}

// ---- DMA probes (VFIO.DMA.EFFECT) -------------------------------------------------------------------------

const MappingSet* Model::device_translation(int group) const {
  if (st_.profile.backend == Backend::Iommufd) {
    for (const auto& [h, d] : devices_) {
      if (d.group != group || d.hwpt < 0) continue;
      auto hw = hwpts_.find(d.hwpt);
      if (hw == hwpts_.end()) return nullptr;
      auto io = ioases_.find(hw->second.ioas);
      return io == ioases_.end() ? nullptr : &io->second.areas;
    }
    return nullptr;
  }
  const Group& g = groups_[static_cast<size_t>(group)];
  if (g.container < 0) return nullptr;
  if (st_.profile.backend == Backend::IommufdCompat) {
    auto io = ioases_.find(-2 - g.container);
    return io == ioases_.end() ? nullptr : &io->second.areas;
  }
  const Container& c = containers_[static_cast<size_t>(g.container)];
  return c.driver == Driver::None ? nullptr : &c.maps;
}

void Model::check_group(int index, std::string_view what) const {
  if (index < 0 || static_cast<unsigned>(index) >= st_.groups)
    throw std::invalid_argument(std::string(what) + " " + std::to_string(index) + " does not exist");
}

Outcome Model::dma_probe(const Request& r, bool write) {
  Outcome o;
  o.clauses.add(Clause::DMA_EFFECT);
  check_group(r.group, "dma probe: group");
  // Probes stay inside one page below the edu DMA mask (docs/vfio-operations.md §5); outside that the real
  // device does something else (address clamping), which the model does not describe.
  const bool device_open = st_.profile.backend == Backend::Iommufd
                               ? std::any_of(devices_.begin(), devices_.end(),
                                             [&](const auto& d) { return d.second.group == r.group; })
                               : groups_[static_cast<size_t>(r.group)].device_open;
  if (r.len == 0 || r.len > kPageSize || r.len % 8 != 0 || (r.iova % kPageSize) + r.len > kPageSize ||
      r.iova + r.len > (uint64_t{1} << 28) || !device_open) {
    o.unmodelled = true;
    return o;
  }
  o.dma = DmaResult::Blocked;
  const MappingSet* maps = device_translation(r.group);
  if (maps == nullptr) return o;
  for (const auto& [first, m] : *maps) {
    if (r.iova < m.iova || r.iova - m.iova >= m.size) continue;
    const uint32_t need = write ? uapi::kMapWrite : uapi::kMapRead;
    const bool readable_anyway = !write && st_.geometry.write_implies_read && (m.prot & uapi::kMapWrite) != 0;
    if ((m.prot & need) == 0 && !readable_anyway) return o;
    // The IOMMU maps the pages pinned at MAP time; a later VADDR update does not remap them.
    const uint64_t abs = m.backing + (r.iova - m.iova);
    if (abs < st_.pool.base || abs - st_.pool.base >= st_.pool.size) {
      o.unmodelled = true;  // lands outside the pool: not observable by the agent
      return o;
    }
    o.dma = DmaResult::Landed;
    o.pool_offset = abs - st_.pool.base;
    return o;
  }
  return o;
}

}  // namespace vipcts::vfio
