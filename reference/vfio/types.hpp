// Vocabulary of the vfio reference model (docs/vfio-operations.md): profiles, IOMMU geometry, requests and
// outcomes as plain C++ values. No JSON, no I/O: the harness suite translates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clause.hpp"

namespace vipcts::vfio {

constexpr uint64_t kPageSize = 0x1000;  // host PAGE_SIZE in every profile (x86-64)
constexpr uint64_t kU64Max = ~uint64_t{0};

enum class Backend : uint8_t { Type1v1, Type1v2, Iommufd, IommufdCompat };
// Kernel lines whose observable behaviour we model. 6.18 is "after the end-of-address-space fix".
enum class Kernel : uint8_t { Linux6_1, Linux6_12, Linux6_18 };

std::string_view backend_name(Backend b);
std::string_view kernel_name(Kernel k);
std::optional<Backend> parse_backend(std::string_view s);
std::optional<Kernel> parse_kernel(std::string_view s);

struct Profile {
  Backend backend = Backend::Type1v2;
  Kernel kernel = Kernel::Linux6_12;
  bool operator==(const Profile&) const = default;
};

// Inclusive [first, last], the way both uapis spell IOVA ranges.
struct Range {
  uint64_t first = 0;
  uint64_t last = 0;
  bool operator==(const Range&) const = default;
};

struct Geometry {
  std::string name = "intel-vtd-aw39";
  uint64_t pgsizes = 0x40201000;       // IOMMU domain page-size bitmap
  Range aperture{0, 0x7fffffffffull};  // domain aperture
  std::vector<Range> reserved;         // non-relaxable reserved regions, sorted, disjoint
  uint32_t dma_entry_limit = 65535;    // vfio_iommu_type1.dma_entry_limit at container open
  // The IOMMU driver makes every mapping device-readable (VT-d on 6.1/6.12: DMA_FL_PTE_PRESENT ==
  // DMA_PTE_READ is set on second-level PTEs too), so a device read of a WRITE-only mapping lands
  // (VFIO.DMA.EFFECT).
  bool write_implies_read = false;
};

struct Pool {
  uint64_t base = 0x100000000000ull;
  uint64_t size = 0x4000000;
};

struct ScenarioState {
  Profile profile;
  Geometry geometry;
  unsigned groups = 2;  // group g holds device g
  Pool pool;
};

// Linux errno values, spelled without the E (the <cerrno> macros own those names); errno_name() gives
// "EINVAL".
enum class Errno : uint8_t {
  OK,
  PERM,
  NOENT,
  BADF,
  NOMEM,
  ACCES,
  FAULT,
  BUSY,
  EXIST,
  NODEV,
  INVAL,
  NOSPC,
  SPIPE,
  NOTTY,
  TOOBIG,
  MSGSIZE,
  OPNOTSUPP,
  ADDRINUSE,
  OVERFLOW,
  kCount
};
std::string_view errno_name(Errno e);
std::optional<Errno> parse_errno(std::string_view s);

enum class Method : uint8_t {
  ContainerOpen,
  ContainerClose,
  ContainerApiVersion,
  ContainerCheckExtension,
  ContainerSetIommu,
  ContainerMapDma,
  ContainerUnmapDma,
  ContainerGetInfo,
  ContainerDirtyPages,
  GroupStatus,
  GroupSetContainer,
  GroupUnsetContainer,
  GroupGetDevice,
  IoasAlloc,
  IoasMap,
  IoasUnmap,
  IoasCopy,
  IoasAllowIovas,
  IoasIovaRanges,
  IommufdOption,
  IommufdDestroy,
  DeviceBind,
  DeviceAttach,
  DeviceDetach,
  HwptAlloc,
  DmaWrite,
  DmaRead,
  IopfAllocQueue,
  IopfAttach,
  IopfRequest,
  IopfStopMarker,
  IopfRead,
  IopfRespond,
  IopfRemoveDevice,
  kCount
};
std::string_view method_name(Method m);
std::optional<Method> parse_method(std::string_view s);

// uapi constants (include/uapi/linux/vfio.h, iommufd.h) the model and the generators share.
namespace uapi {
constexpr uint32_t kExtType1 = 1, kExtType1v2 = 3, kExtDmaCc = 4, kExtNoIommu = 8, kExtUnmapAll = 9,
                   kExtUpdateVaddr = 10;
constexpr uint32_t kMapRead = 1, kMapWrite = 2, kMapVaddr = 4;
constexpr uint32_t kUnmapDirty = 1, kUnmapAll = 2, kUnmapVaddr = 4;
constexpr uint32_t kDirtyStart = 1, kDirtyStop = 2, kDirtyGet = 4;
constexpr uint32_t kMapArgsz = 32, kUnmapArgsz = 24, kInfoMinArgsz = 16, kInfoArgszNoCaps = 16,
                   kBitmapArgsz = 24, kDirtyArgsz = 8;
constexpr uint32_t kIoasFixed = 1, kIoasWriteable = 2, kIoasReadable = 4;
constexpr uint32_t kHwptNestParent = 1, kHwptDirty = 2;
constexpr uint32_t kGroupViable = 1, kGroupContainerSet = 2;
constexpr uint32_t kInfoPgsizes = 1, kInfoCaps = 2;
constexpr uint64_t kDirtyBitmapSizeMax = 0x10000000;  // DIRTY_BITMAP_BYTES(INT_MAX pages)
constexpr uint32_t kPermR = 1, kPermW = 2, kPermX = 4, kPermPriv = 8;
}  // namespace uapi

// One request. Fields a method does not use stay at their defaults; the codec fills the ones it uses.
struct Request {
  Method method = Method::ContainerOpen;
  int container = 0, group = 0;
  uint32_t flags = 0;
  std::optional<uint32_t> argsz;
  uint64_t iova = 0, size = 0, vaddr = 0;
  uint32_t ext = 0, type = 0;
  std::optional<uint64_t> bitmap_pgsize;
  // iommufd
  int ioas = 0, dst_ioas = 0, src_ioas = 0, id = 0, dev = 0, pt = 0;
  int object = -2;  // iommufd.option: -2 = no object (object_id 0)
  uint64_t length = 0, dst_iova = 0, src_iova = 0, val64 = 0;
  std::vector<Range> ranges;
  uint32_t capacity = 0, option = 0, op = 0;
  // DMA probes
  uint64_t len = 0;
  // IOPF
  int fault = 0;
  int64_t pasid = -1;
  uint32_t grpid = 0, perm = 0, cookie = 0, code = 0, bytes = 8, max = 0;
  uint64_t addr = 0;
  bool last = false;
};

struct Mapping {
  uint64_t iova = 0, size = 0, vaddr = 0;  // vaddr is absolute (pool base + offset)
  uint32_t prot = 0;                       // uapi::kMapRead | kMapWrite
  bool vaddr_invalid = false;
  uint64_t backing = 0;  // absolute address of the memory pinned for `iova` at MAP time (DMA lands there)
  bool operator==(const Mapping&) const = default;
};

struct Migration {
  uint64_t pgsize_bitmap = 0, max_dirty_bitmap_size = 0;
  bool operator==(const Migration&) const = default;
};

enum class DmaResult : uint8_t { Landed, Blocked };

struct PageResponse {
  int dev = 0;
  int64_t pasid = -1;
  uint32_t grpid = 0, code = 0;
  bool operator==(const PageResponse&) const = default;
};

struct FaultRecord {
  int dev = 0;
  int64_t pasid = -1;
  uint32_t grpid = 0, perm = 0, cookie = 0;
  uint64_t addr = 0;
  bool last = false;
  bool operator==(const FaultRecord&) const = default;
};

struct Outcome {
  int64_t ret = 0;
  Errno err = Errno::OK;
  // The model cannot predict this case (e.g. upstream behaviour depends on rb-tree shape): never compared as
  // a pass; generators must not emit it.
  bool unmodelled = false;
  std::optional<int> container, ioas, hwpt, dev, fault, pt;
  std::optional<uint64_t> size, iova, length, dst_iova, val64, iova_pgsizes, out_iova_alignment, pool_offset;
  std::optional<uint32_t> flags, num, dma_avail, queued;
  std::optional<std::vector<Range>> iova_ranges, ranges;
  std::optional<Migration> migration;
  std::optional<std::vector<uint64_t>> dirty;
  std::optional<DmaResult> dma;
  std::optional<std::vector<PageResponse>> responses;
  std::optional<std::vector<FaultRecord>> faults;
  std::vector<Mapping> mappings;  // diagnostic: the mapping set (container/IOAS) after the operation
  ClauseSet clauses;              // what the model decided on

  static Outcome fail(Errno e) {
    Outcome o;
    o.ret = -1;
    o.err = e;
    return o;
  }
  // A failure decided by clause `c`.
  static Outcome fail(Errno e, Clause c) {
    Outcome o = fail(e);
    o.clauses.add(c);
    return o;
  }
  bool ok() const { return err == Errno::OK; }
};

}  // namespace vipcts::vfio
