// The clauses of spec/vfio.yaml that the model decides on. Every operation reports the set it exercised, so
// coverage is measured from what the model actually did. conformance/vfio checks this list against the YAML
// (same ids, same order).
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vipcts::vfio {

// X-macro: enumerator, id. One list, so the enum and the id table cannot drift apart.
#define VIPCTS_VFIO_CLAUSES(X)                                   \
  X(CONTAINER_API_VERSION, "VFIO.CONTAINER.API_VERSION")         \
  X(CONTAINER_CHECK_EXTENSION, "VFIO.CONTAINER.CHECK_EXTENSION") \
  X(CONTAINER_SET_IOMMU, "VFIO.CONTAINER.SET_IOMMU")             \
  X(CONTAINER_NO_IOMMU, "VFIO.CONTAINER.NO_IOMMU")               \
  X(GROUP_SET_CONTAINER, "VFIO.GROUP.SET_CONTAINER")             \
  X(GROUP_UNSET_CONTAINER, "VFIO.GROUP.UNSET_CONTAINER")         \
  X(GROUP_STATUS, "VFIO.GROUP.STATUS")                           \
  X(GROUP_GET_DEVICE, "VFIO.GROUP.GET_DEVICE")                   \
  X(TYPE1_MAP_FLAGS, "VFIO.TYPE1.MAP.FLAGS")                     \
  X(TYPE1_MAP_ALIGN, "VFIO.TYPE1.MAP.ALIGN")                     \
  X(TYPE1_MAP_WRAP, "VFIO.TYPE1.MAP.WRAP")                       \
  X(TYPE1_MAP_OVERLAP, "VFIO.TYPE1.MAP.OVERLAP")                 \
  X(TYPE1_MAP_ENTRY_LIMIT, "VFIO.TYPE1.MAP.ENTRY_LIMIT")         \
  X(TYPE1_MAP_IOVA_RANGE, "VFIO.TYPE1.MAP.IOVA_RANGE")           \
  X(TYPE1_MAP_ERRNO_ORDER, "VFIO.TYPE1.MAP.ERRNO_ORDER")         \
  X(TYPE1_MAP_PIN_FAULT, "VFIO.TYPE1.MAP.PIN_FAULT")             \
  X(TYPE1_MAP_VADDR, "VFIO.TYPE1.MAP.VADDR")                     \
  X(TYPE1_END_OF_SPACE, "VFIO.TYPE1.END_OF_SPACE")               \
  X(TYPE1_UNMAP_FLAGS, "VFIO.TYPE1.UNMAP.FLAGS")                 \
  X(TYPE1_UNMAP_ALIGN, "VFIO.TYPE1.UNMAP.ALIGN")                 \
  X(TYPE1_UNMAP_WRAP, "VFIO.TYPE1.UNMAP.WRAP")                   \
  X(TYPE1_UNMAP_ALL, "VFIO.TYPE1.UNMAP.ALL")                     \
  X(TYPE1_UNMAP_V2_BISECT, "VFIO.TYPE1.UNMAP.V2_BISECT")         \
  X(TYPE1_UNMAP_V2_CONTAINED, "VFIO.TYPE1.UNMAP.V2_CONTAINED")   \
  X(TYPE1_UNMAP_V1_PARTIAL, "VFIO.TYPE1.UNMAP.V1_PARTIAL")       \
  X(TYPE1_UNMAP_VADDR, "VFIO.TYPE1.UNMAP.VADDR")                 \
  X(TYPE1_INFO, "VFIO.TYPE1.INFO")                               \
  X(TYPE1_DIRTY, "VFIO.TYPE1.DIRTY")                             \
  X(DMA_EFFECT, "VFIO.DMA.EFFECT")                               \
  X(MAPPINGS_DISJOINT, "VFIO.MAPPINGS.DISJOINT")                 \
  X(IOMMUFD_IOAS_MAP_FLAGS, "VFIO.IOMMUFD.IOAS.MAP.FLAGS")       \
  X(IOMMUFD_IOAS_MAP_FIXED, "VFIO.IOMMUFD.IOAS.MAP.FIXED")       \
  X(IOMMUFD_IOAS_MAP_AUTO, "VFIO.IOMMUFD.IOAS.MAP.AUTO")         \
  X(IOMMUFD_IOAS_UNMAP, "VFIO.IOMMUFD.IOAS.UNMAP")               \
  X(IOMMUFD_IOAS_UNMAP_ALL, "VFIO.IOMMUFD.IOAS.UNMAP_ALL")       \
  X(IOMMUFD_IOAS_COPY, "VFIO.IOMMUFD.IOAS.COPY")                 \
  X(IOMMUFD_IOAS_ALLOW_IOVAS, "VFIO.IOMMUFD.IOAS.ALLOW_IOVAS")   \
  X(IOMMUFD_IOAS_IOVA_RANGES, "VFIO.IOMMUFD.IOAS.IOVA_RANGES")   \
  X(IOMMUFD_OPTION, "VFIO.IOMMUFD.OPTION")                       \
  X(IOMMUFD_OBJECT_ID, "VFIO.IOMMUFD.OBJECT.ID")                 \
  X(IOMMUFD_DEVICE_ATTACH, "VFIO.IOMMUFD.DEVICE.ATTACH")         \
  X(IOMMUFD_HWPT_ALLOC, "VFIO.IOMMUFD.HWPT.ALLOC")               \
  X(IOMMUFD_COMPAT_MAP, "VFIO.IOMMUFD.COMPAT.MAP")               \
  X(IOMMUFD_COMPAT_UNMAP, "VFIO.IOMMUFD.COMPAT.UNMAP")           \
  X(IOMMUFD_COMPAT_INFO, "VFIO.IOMMUFD.COMPAT.INFO")             \
  X(IOPF_GROUP, "VFIO.IOPF.GROUP")                               \
  X(IOPF_RESPONSE, "VFIO.IOPF.RESPONSE")                         \
  X(IOPF_STOP_MARKER, "VFIO.IOPF.STOP_MARKER")                   \
  X(IOPF_REMOVE_DEVICE, "VFIO.IOPF.REMOVE_DEVICE")               \
  X(IOPF_WRITE_SIZE, "VFIO.IOPF.WRITE_SIZE")

enum class Clause : uint8_t {
#define VIPCTS_VFIO_ENUM(name, id) name,
  VIPCTS_VFIO_CLAUSES(VIPCTS_VFIO_ENUM)
#undef VIPCTS_VFIO_ENUM
      kCount
};

constexpr size_t kClauseCount = static_cast<size_t>(Clause::kCount);

// The stable id of a clause as spelled in spec/vfio.yaml.
std::string_view clause_id(Clause c);

class ClauseSet {
 public:
  void add(Clause c) { bits_.set(static_cast<size_t>(c)); }
  bool contains(Clause c) const { return bits_.test(static_cast<size_t>(c)); }
  bool empty() const { return bits_.none(); }
  void clear() { bits_.reset(); }
  ClauseSet& operator|=(const ClauseSet& o) {
    bits_ |= o.bits_;
    return *this;
  }
  template <typename F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < kClauseCount; ++i)
      if (bits_.test(i)) f(static_cast<Clause>(i));
  }
  bool operator==(const ClauseSet&) const = default;

 private:
  std::bitset<kClauseCount> bits_;
};

}  // namespace vipcts::vfio
