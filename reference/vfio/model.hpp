// The vfio reference model: one scenario's kernel state (docs/vfio-operations.md §2) and the explicit state
// machines that answer each request with an errno, out-fields and the resulting mapping set.
//
//  - type1 (type1.cpp): container {Open -> IommuSet} x group {Detached -> Attached -> DeviceOpen}, the
//    vfio_iommu_type1 mapping set, v1/v2 unmap, entry limit, dirty tracking, pre/post 6.18 address
//    arithmetic.
//  - iommufd (iommufd.cpp): IOAS / HWPT / device objects, io_pagetable areas, allowed and reserved sets, and
//  the
//    VFIO compatibility container (backend iommufd-compat).
//  - IOPF (iopf.cpp): page request groups, the iommufd fault queue and its responses.
// Each profile difference is decided in one place and cites its clause (spec/vfio.yaml) and upstream source.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "types.hpp"

namespace vipcts::vfio {

using MappingSet =
    std::map<uint64_t, Mapping>;  // keyed by first IOVA; pairwise disjoint (VFIO.MAPPINGS.DISJOINT)

class Model {
 public:
  explicit Model(ScenarioState state);
  // One operation. Never throws for well-formed requests naming existing handles; a handle that was never
  // created is the caller's error (std::invalid_argument).
  Outcome apply(const Request& r);
  const ScenarioState& state() const { return st_; }

 private:
  // ---- type1 (drivers/vfio/container.c, group.c, vfio_iommu_type1.c)
  enum class Driver : uint8_t { None, Type1v1, Type1v2 };
  struct Container {
    bool open = true;
    Driver driver = Driver::None;
    MappingSet maps;
    uint32_t dma_avail = 0;
    bool dirty_tracking = false;
    bool compat_v1 = false;  // iommufd-compat: SET_IOMMU(TYPE1) disabled large pages (vfio_compat.c)
    bool compat_set = false;
  };
  struct Group {
    int container = -1;
    bool device_open = false;
  };
  // ---- iommufd (drivers/iommu/iommufd/)
  enum class ObjKind : uint8_t { Ioas, Hwpt, Device, Fault };
  struct Object {
    ObjKind kind = ObjKind::Ioas;
    bool alive = true;
  };
  struct Ioas {
    MappingSet areas;
    std::vector<Range> allowed;  // empty = everything allowed
    bool large_pages = true;
  };
  struct Hwpt {
    int ioas = -1;
    bool automatic = false;
    int devices = 0;
  };
  struct Device {
    int group = 0;
    int hwpt = -1;  // handle of the attached HWPT
  };
  // ---- IOPF (drivers/iommu/io-pgfault.c, iommufd/fault.c)
  struct Fault {
    int dev = 0;
    int64_t pasid = -1;
    uint32_t grpid = 0, perm = 0;
    uint64_t addr = 0;
    bool last = false;
  };
  struct FaultGroup {
    std::vector<Fault> faults;
  };
  struct FaultQueue {
    std::vector<FaultGroup> deliver;          // not yet read
    std::map<uint32_t, FaultGroup> response;  // read, awaiting a response, by cookie
  };
  struct IopfDevice {
    int queue = -1;  // fault object handle, -1 = no handler
    std::vector<Fault> partial;
  };

  // type1
  Outcome container_open();
  Outcome container_check_extension(const Request& r);
  Outcome container_set_iommu(const Request& r);
  Outcome type1_map(Container& c, const Request& r);
  Outcome type1_unmap(Container& c, const Request& r);
  Outcome type1_get_info(Container& c, const Request& r);
  Outcome type1_dirty_pages(Container& c, const Request& r);
  Outcome group_status(const Request& r);
  Outcome group_set_container(const Request& r);
  Outcome group_unset_container(const Request& r);
  Outcome group_get_device(const Request& r);
  void release_driver(Container& c);
  uint64_t type1_pgsize_bitmap() const;
  std::vector<Range> type1_iova_list() const;
  bool post_6_18() const { return st_.profile.kernel == Kernel::Linux6_18; }
  Errno wrap_errno() const { return post_6_18() ? Errno::OVERFLOW : Errno::INVAL; }
  const Mapping* type1_find(const Container& c, uint64_t start, uint64_t size) const;
  // compat (iommufd-compat backend: the container handle names the iommufd context's compat IOAS)
  Outcome compat_dispatch(Container& c, const Request& r);
  Outcome compat_map(Container& c, const Request& r);
  Outcome compat_unmap(Container& c, const Request& r);
  Outcome compat_get_info(const Request& r);

  // iommufd
  Outcome ioas_alloc();
  Outcome ioas_map(const Request& r);
  Outcome ioas_unmap(const Request& r);
  Outcome ioas_copy(const Request& r);
  Outcome ioas_allow_iovas(const Request& r);
  Outcome ioas_iova_ranges(const Request& r);
  Outcome iommufd_option(const Request& r);
  Outcome iommufd_destroy(const Request& r);
  Outcome device_bind(const Request& r);
  Outcome device_attach(const Request& r);
  Outcome device_detach(const Request& r);
  Outcome hwpt_alloc(const Request& r);
  int new_handle(ObjKind kind);
  bool is(int handle, ObjKind kind) const;
  std::vector<Range> ioas_reserved(int ioas, int extra_hwpt_ioas = -1, int extra_dev_group = -1) const;
  uint64_t ioas_alignment(int ioas) const;
  bool ioas_has_domain(int ioas) const;
  // io_pagetable primitives shared by IOAS ioctls and the compat container
  Errno iopt_check_iova(int ioas, uint64_t iova, uint64_t length, ClauseSet& cl) const;
  Errno iopt_alloc_iova(int ioas, uint64_t uptr, uint64_t length, uint64_t& iova) const;
  Errno iopt_unmap_range(int ioas, uint64_t first, uint64_t last, uint64_t& unmapped);
  Errno iopt_map_user(int ioas, uint64_t uptr, uint64_t length, uint32_t prot, bool fixed, uint64_t& iova,
                      ClauseSet& cl);
  void iopt_cut(int ioas, uint64_t at);

  // IOPF
  Outcome iopf_alloc_queue();
  Outcome iopf_attach(const Request& r);
  Outcome iopf_request(const Request& r);
  Outcome iopf_read(const Request& r);
  Outcome iopf_respond(const Request& r);
  Outcome iopf_remove_device(const Request& r);

  // A group (or the device it holds) the state does not have is the caller's error: std::invalid_argument
  // "WHAT INDEX does not exist".
  void check_group(int index, std::string_view what) const;

  // DMA probes (every backend)
  Outcome dma_probe(const Request& r, bool write);
  const MappingSet* device_translation(int group) const;

  ScenarioState st_;
  std::vector<Range> iova_list_;  // type1: aperture minus reserved, computed once
  std::vector<Container> containers_;
  std::vector<Group> groups_;
  std::vector<Object> objects_;  // iommufd handles
  std::map<int, Ioas> ioases_;
  std::map<int, Hwpt> hwpts_;
  std::map<int, Device> devices_;
  std::map<int, FaultQueue> queues_;
  std::map<int, IopfDevice> iopf_devices_;  // by group index
  int compat_ioas_ = -1;                    // iommufd-compat: the IOAS behind /dev/vfio/vfio
  bool rlimit_mm_ = false;                  // IOMMU_OPTION_RLIMIT_MODE
};

// Helpers shared with the generators and the conformance oracle.
// Subtract `holes` from `from` (both sorted, inclusive ranges).
std::vector<Range> subtract(const std::vector<Range>& from, const std::vector<Range>& holes);
bool intersects(const Range& a, const Range& b);
uint64_t lowest_pgsize(uint64_t bitmap);  // lowest set bit, never below kPageSize

}  // namespace vipcts::vfio
