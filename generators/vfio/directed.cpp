// Hand-written scenarios: each walks one area of the spec on the profiles where it matters, so every clause
// is exercised even by a small vector set (conformance/vfio checks that).
#include <string>

#include "generate.hpp"

namespace vipcts::vfio::gen {

namespace {

using namespace uapi;

// A tiny request builder so the scenarios read like the operation lists in docs/vfio-operations.md.
struct Seq {
  std::vector<Request> r;
  Request& add(Method m) {
    r.emplace_back();
    r.back().method = m;
    return r.back();
  }
  void open() { add(Method::ContainerOpen); }
  void attach(int group, int container = 0) {
    Request& q = add(Method::GroupSetContainer);
    q.group = group;
    q.container = container;
  }
  void set_iommu(uint32_t type, int container = 0) {
    Request& q = add(Method::ContainerSetIommu);
    q.type = type;
    q.container = container;
  }
  void device(int group) { add(Method::GroupGetDevice).group = group; }
  void map(uint64_t iova, uint64_t size, uint64_t vaddr = 0, uint32_t flags = kMapRead | kMapWrite) {
    Request& q = add(Method::ContainerMapDma);
    q.iova = iova;
    q.size = size;
    q.vaddr = vaddr;
    q.flags = flags;
  }
  void unmap(uint64_t iova, uint64_t size, uint32_t flags = 0) {
    Request& q = add(Method::ContainerUnmapDma);
    q.iova = iova;
    q.size = size;
    q.flags = flags;
  }
  void dma(bool write, uint64_t iova, int group = 0) {
    Request& q = add(write ? Method::DmaWrite : Method::DmaRead);
    q.group = group;
    q.iova = iova;
    q.len = 8;
  }
  void ext(uint32_t e) { add(Method::ContainerCheckExtension).ext = e; }
  void info() { add(Method::ContainerGetInfo); }
  void ioas_map(int ioas, uint32_t flags, uint64_t iova, uint64_t length, uint64_t vaddr = 0) {
    Request& q = add(Method::IoasMap);
    q.ioas = ioas;
    q.flags = flags;
    q.iova = iova;
    q.length = length;
    q.vaddr = vaddr;
  }
  void ioas_unmap(int ioas, uint64_t iova, uint64_t length) {
    Request& q = add(Method::IoasUnmap);
    q.ioas = ioas;
    q.iova = iova;
    q.length = length;
  }
};

constexpr uint64_t D = 0x100000;  // the dense window (below the edu DMA mask)
constexpr uint32_t RW = kMapRead | kMapWrite;
constexpr uint32_t FRW = kIoasFixed | kIoasReadable | kIoasWriteable;

void lifecycle(std::vector<Scenario>& out, Kernel k) {
  const ScenarioState st = make_state(Backend::Type1v2, k, "intel-vtd-aw39");
  Seq s;
  s.open();
  s.add(Method::ContainerApiVersion);
  s.ext(kExtUpdateVaddr);  // before SET_IOMMU: 0 (needs an opened iommu since 6.3, also in Debian 6.1.y)
  s.ext(kExtType1v2);
  s.ext(kExtUnmapAll);
  s.ext(kExtNoIommu);
  s.set_iommu(kExtType1v2);  // no group yet: EINVAL
  s.map(D, 0x1000);          // no IOMMU yet: EINVAL
  s.info();
  s.add(Method::GroupStatus).group = 0;
  s.device(0);  // no container: EINVAL
  s.attach(0);
  s.attach(0);      // already set: EINVAL
  s.attach(1, -1);  // not a container fd: EBADF
  s.add(Method::GroupStatus).group = 0;
  s.device(0);                // container without IOMMU: EINVAL
  s.set_iommu(7);             // no driver claims it: ENODEV
  s.set_iommu(kExtUnmapAll);  // claimed as an extension, refused by open: EINVAL
  s.set_iommu(kExtType1v2);
  s.set_iommu(kExtType1v2);  // only once: EINVAL
  s.ext(kExtUpdateVaddr);
  s.ext(99);
  s.info();
  s.device(0);
  s.device(0);  // a second fd for the same device
  s.map(D, 0x2000);
  s.attach(1);                                   // joins the live container
  s.add(Method::GroupUnsetContainer).group = 0;  // device open: EBUSY
  s.add(Method::GroupUnsetContainer).group = 1;
  s.add(Method::GroupUnsetContainer).group = 1;  // no container: EINVAL
  s.add(Method::ContainerClose);
  s.dma(true, D + 8);  // the group keeps the container alive: still lands
  out.push_back(run("vfio-directed-lifecycle-" + std::string(kernel_name(k)), st, s.r));
  // The last group leaving releases the IOMMU and every mapping.
  Seq t;
  t.open();
  t.attach(1);
  t.set_iommu(kExtType1);
  t.map(D, 0x1000);
  t.add(Method::GroupUnsetContainer).group = 1;
  t.map(D, 0x1000);  // no IOMMU any more: EINVAL
  t.attach(1);
  t.set_iommu(kExtType1v2);
  t.unmap(0, 0, kUnmapAll);  // nothing left: 0
  out.push_back(run("vfio-directed-release-" + std::string(kernel_name(k)), st, t.r));
}

void unmap_semantics(std::vector<Scenario>& out, Backend b, Kernel k, const char* geometry) {
  const ScenarioState st = make_state(b, k, geometry);
  Seq s;
  s.r = prefix(st);
  s.map(D, 0x2000, 0);
  s.map(D + 0x2000, 0x1000, 0x4000, kMapRead);
  s.map(D + 0x4000, 0x4000, 0x8000);
  s.map(D + 0x1000, 0x1000);    // overlap: EEXIST
  s.dma(true, D + 0x1010);      // lands at pool 0x1010
  s.dma(true, D + 0x2000);      // read-only mapping: blocked
  s.dma(false, D + 0x2000);     // lands
  s.unmap(D + 0x1000, 0x1000);  // bisect: v2 EINVAL; v1 size 0
  s.dma(true, D + 0x1000);
  s.unmap(D + 0x10000, 0x1000);  // empty: success 0 (type1)
  s.unmap(D, 0x3000);            // exactly two mappings
  s.unmap(D + 0x3000, 0x2000);   // v1: starts before D+0x4000? no: removes the whole 0x4000 mapping
  s.dma(true, D + 0x4000);
  s.map(D, 0x8000, 0x10000);
  s.unmap(D + 0x7000, 0x2000);    // end bisect in v2; v1 starts inside: 0
  s.unmap(D, 0x1000, kUnmapAll);  // ALL with size: EINVAL
  s.unmap(0, 0, kUnmapAll);
  s.unmap(0, 0, kUnmapAll);    // empty: 0
  s.unmap(D + 0x800, 0x1000);  // unaligned
  s.unmap(D, 0);               // size 0
  s.unmap(D, 0x1000, 8);       // unknown flag
  s.unmap(D, 0x1000, kUnmapDirty | kUnmapAll);
  out.push_back(run("vfio-directed-unmap-" + std::string(backend_name(b)) + "-" +
                        std::string(kernel_name(k)) + "-" + geometry,
                    st, s.r));
}

void map_checks(std::vector<Scenario>& out, Kernel k) {
  ScenarioState st = make_state(Backend::Type1v2, k, "intel-vtd-aw39", 3);
  Seq s;
  s.r = prefix(st);
  s.map(D, 0x1000, 0, 0);       // no permission
  s.map(D, 0x1000, 0, 8 | RW);  // unknown flag
  s.map(D, 0x1000, 0, kMapVaddr | RW);
  s.map(D, 0x800);                       // unaligned size
  s.map(D + 0x800, 0x1000);              // unaligned iova
  s.map(D, 0x1000, 0x800);               // unaligned vaddr
  s.map(0xfffffffffffff000ull, 0x2000);  // wraps: EINVAL / EOVERFLOW from 6.18
  s.map(0xfedff000, 0x1000);             // last page below the MSI window: ok
  s.map(0xfedff000 + 0x1000, 0x1000);    // inside the MSI window: EINVAL
  s.map(0xfeeff000, 0x2000);             // straddles the window end
  s.map(0x7ffffff000ull, 0x1000);        // last aperture page: ok
  s.map(0x8000000000ull, 0x1000);        // just past the aperture
  s.map(D, 0x1000, 0x4000000);           // past the pool: EFAULT
  s.map(D, 0x2000, 0x3fff000);           // straddles the pool end: EFAULT
  s.map(D, 0x1000);                      // third entry (limit 3)
  s.info();                              // dma_avail 0
  s.map(D + 0x1000, 0x1000);             // ENOSPC
  s.map(D, 0x1000);                      // EEXIST wins over ENOSPC
  s.map(0x8000000000ull, 0x1000);        // ENOSPC wins over the IOVA range
  s.unmap(0xfedff000, 0x1000);
  s.map(0x8000000000ull, 0x1000);  // now the range decides
  s.dma(true, D + 0x10);
  out.push_back(run("vfio-directed-map-" + std::string(kernel_name(k)), st, s.r));
}

void vaddr_and_dirty(std::vector<Scenario>& out, Kernel k) {
  const ScenarioState st = make_state(Backend::Type1v2, k, "intel-vtd-aw39");
  Seq s;
  s.r = prefix(st);
  s.map(D, 0x2000, 0x1000);
  s.map(D + 0x2000, 0x1000, 0x8000);
  s.unmap(D, 0x3000, kUnmapVaddr);                 // invalidates both
  s.unmap(D, 0x3000, kUnmapVaddr);                 // already invalid: EINVAL, rolled back
  s.map(D, 0x1000, 0x20000, kMapVaddr);            // not the exact size: EINVAL
  s.map(D + 0x10000, 0x1000, 0x20000, kMapVaddr);  // nothing there: ENOENT
  s.map(D, 0x2000, 0x20000, kMapVaddr);
  s.dma(true, D + 0x8);                      // still the pages pinned first: pool 0x1008
  s.unmap(D + 0x2000, 0x1000, kUnmapVaddr);  // the second is still invalid: EINVAL
  s.map(D + 0x2000, 0x1000, 0x30000, kMapVaddr);
  s.unmap(D, 0x3000);
  Request& d = s.add(Method::ContainerDirtyPages);
  d.flags = kDirtyGet;  // tracking off
  d.iova = D;
  d.size = 0x4000;
  s.add(Method::ContainerDirtyPages).flags = kDirtyStart;
  s.add(Method::ContainerDirtyPages).flags = kDirtyStart;
  s.map(D, 0x2000);
  s.map(D + 0x3000, 0x1000, 0x3000);
  Request& g = s.add(Method::ContainerDirtyPages);
  g.flags = kDirtyGet;
  g.iova = D;
  g.size = 0x4000;
  Request& g2 = s.add(Method::ContainerDirtyPages);
  g2.flags = kDirtyGet;  // bisects the first mapping
  g2.iova = D + 0x1000;
  g2.size = 0x3000;
  s.add(Method::ContainerDirtyPages).flags = kDirtyStart | kDirtyStop;
  s.unmap(D, 0x2000, kUnmapDirty);
  Request& u = s.add(Method::ContainerUnmapDma);
  u.iova = D + 0x3000;
  u.size = 0x1000;
  u.flags = kUnmapDirty;
  u.bitmap_pgsize = 0x2000;  // not the granule: EINVAL
  s.add(Method::ContainerDirtyPages).flags = kDirtyStop;
  s.unmap(D + 0x3000, 0x1000, kUnmapDirty);  // tracking off: EINVAL
  out.push_back(run("vfio-directed-vaddr-dirty-" + std::string(kernel_name(k)), st, s.r));
  // Dirty tracking is v2-only.
  const ScenarioState v1 = make_state(Backend::Type1v1, k, "intel-vtd-aw39");
  Seq t;
  t.r = prefix(v1);
  t.add(Method::ContainerDirtyPages).flags = kDirtyStart;
  out.push_back(run("vfio-directed-dirty-v1-" + std::string(kernel_name(k)), v1, t.r));
}

void end_of_space(std::vector<Scenario>& out, Kernel k, Backend b) {
  const ScenarioState st = make_state(b, k, "full64");
  Seq s;
  s.r = prefix(st);
  const uint64_t top = 0xfffffffffffff000ull;
  s.map(top - 0x1000, 0x2000 + 0x1000);  // wraps
  s.map(top, 0x1000);                    // the last page: ok everywhere
  s.map(top, 0x1000);                    // again: EEXIST only from 6.18 (before: unmodelled, dropped)
  s.unmap(top, 0x1000);                  // before 6.18: size 0, the mapping stays
  s.unmap(0, 0, kUnmapAll);              // before 6.18: 0, still there
  s.unmap(top - 0x1000, 0x3000);         // wraps
  out.push_back(
      run("vfio-directed-end-of-space-" + std::string(backend_name(b)) + "-" + std::string(kernel_name(k)),
          st, s.r, true));
}

void iommufd(std::vector<Scenario>& out, const char* geometry) {
  const ScenarioState st = make_state(Backend::Iommufd, Kernel::Linux6_18, geometry);
  Seq s;
  s.add(Method::IoasAlloc);                                          // 0
  s.ioas_map(0, FRW, 0x1001, 0x1000);                                // no domain: alignment 1, ok
  s.ioas_map(0, kIoasReadable | kIoasWriteable, 0, 0x3000, 0x5000);  // automatic
  s.add(Method::IoasIovaRanges).capacity = 4;
  s.add(Method::DeviceBind).group = 0;       // 1
  Request& a = s.add(Method::DeviceAttach);  // unaligned area: EADDRINUSE
  a.dev = 1;
  a.pt = 0;
  s.ioas_unmap(0, 0, kU64Max);
  Request& a2 = s.add(Method::DeviceAttach);  // HWPT 2
  a2.dev = 1;
  a2.pt = 0;
  s.add(Method::IoasIovaRanges).capacity = 0;  // EMSGSIZE, num written
  s.add(Method::IoasIovaRanges).capacity = 8;
  s.ioas_map(0, FRW, D, 0x4000);
  s.ioas_map(0, FRW, D + 0x800, 0x1000);           // unaligned with a domain
  s.ioas_map(0, FRW, D + 0x1000, 0x1000);          // EEXIST
  s.ioas_map(0, FRW, 0xfee00000, 0x1000);          // reserved: EINVAL
  s.ioas_map(0, 8 | FRW, D, 0x1000);               // EOPNOTSUPP
  s.ioas_map(0, kIoasFixed, D + 0x10000, 0x1000);  // no permission
  s.ioas_map(0, FRW, kU64Max, 0x1000);             // EOVERFLOW
  s.ioas_map(0, FRW, 0xfffffffffffff000ull, 0x2000);
  s.ioas_map(0, kIoasReadable | kIoasWriteable, 0, 0x2000, 0x3000);  // automatic, offset keeps alignment
  s.ioas_map(-1, FRW, D, 0x1000);                                    // ENOENT
  s.dma(true, D + 0x10);
  s.ioas_map(0, FRW, D + 0x4000, 0x1000, 0x9000);
  s.ioas_unmap(0, D + 0x10000, 0x1000);  // nothing: ENOENT
  s.ioas_unmap(0, D, 0x4800);            // the second area sticks out: ENOENT, first gone
  s.dma(true, D + 0x10);                 // blocked now
  s.ioas_unmap(0, D + 0x4000, 0x1000);
  s.ioas_map(0, FRW, D, 0x4000);
  s.add(Method::IoasAlloc);  // 3
  Request& c = s.add(Method::IoasCopy);
  c.dst_ioas = 3;
  c.src_ioas = 0;
  c.flags = FRW;
  c.length = 0x2000;
  c.src_iova = D + 0x1000;
  c.dst_iova = D;
  Request& c2 = s.add(Method::IoasCopy);  // hole in the source: ENOENT
  c2.dst_ioas = 3;
  c2.src_ioas = 0;
  c2.flags = kIoasReadable | kIoasWriteable;
  c2.length = 0x5000;
  c2.src_iova = D;
  Request& al = s.add(Method::IoasAllowIovas);  // 1-byte range: EINVAL
  al.ioas = 0;
  al.ranges = {{D, D}};
  Request& al2 = s.add(Method::IoasAllowIovas);  // hits the MSI window: EADDRINUSE
  al2.ioas = 0;
  al2.ranges = {{0xfe000000, 0xfeffffff}};
  Request& al3 = s.add(Method::IoasAllowIovas);
  al3.ioas = 0;
  al3.ranges = {{0x200000, 0x3fffff}, {0x300000, 0x500000}};  // overlapping: EINVAL
  Request& al4 = s.add(Method::IoasAllowIovas);
  al4.ioas = 0;
  al4.ranges = {{0x200000, 0x3fffff}};
  s.ioas_map(0, kIoasReadable | kIoasWriteable, 0, 0x1000);  // automatic inside the allowed set
  s.ioas_map(0, FRW, 0x800000, 0x1000);                      // fixed outside the allowed set: ok
  Request& o1 = s.add(Method::IommufdOption);                // RLIMIT get
  o1.option = 0;
  o1.op = 1;
  Request& o2 = s.add(Method::IommufdOption);  // set with objects: EBUSY
  o2.option = 0;
  o2.op = 0;
  o2.val64 = 1;
  Request& o3 = s.add(Method::IommufdOption);  // HUGE_PAGES get on IOAS 0
  o3.option = 1;
  o3.op = 1;
  o3.object = 0;
  Request& o4 = s.add(Method::IommufdOption);  // disable with a domain holding pages: EINVAL
  o4.option = 1;
  o4.op = 0;
  o4.object = 0;
  Request& o5 = s.add(Method::IommufdOption);
  o5.option = 0;
  o5.op = 0;
  o5.object = 0;                         // RLIMIT with an object: EOPNOTSUPP
  s.add(Method::IommufdDestroy).id = 0;  // IOAS with a domain: EBUSY
  s.add(Method::IommufdDestroy).id = 2;  // HWPT with a device: EBUSY
  s.add(Method::IommufdDestroy).id = 1;  // device: EBUSY
  s.add(Method::IommufdDestroy).id = -1;
  Request& h = s.add(Method::HwptAlloc);
  h.dev = 1;
  h.pt = 3;  // HWPT 4 on IOAS 3
  Request& h2 = s.add(Method::HwptAlloc);
  h2.dev = 1;
  h2.pt = 3;
  h2.flags = kHwptDirty;                     // EOPNOTSUPP
  Request& r = s.add(Method::DeviceAttach);  // replace: onto HWPT 4
  r.dev = 1;
  r.pt = 4;
  s.dma(true, D + 0x10);                 // IOAS 3 has the copy at D: lands
  s.add(Method::IommufdDestroy).id = 2;  // the automatic HWPT died with its device: ENOENT
  s.add(Method::DeviceDetach).dev = 1;
  s.dma(true, D + 0x10);  // detached: blocked
  s.add(Method::IommufdDestroy).id = 4;
  s.add(Method::IommufdDestroy).id = 3;
  out.push_back(run(std::string("vfio-directed-iommufd-") + geometry, st, s.r));
}

void compat(std::vector<Scenario>& out, uint32_t type) {
  const ScenarioState st = make_state(Backend::IommufdCompat, Kernel::Linux6_18, "intel-vtd-aw39");
  Seq s;
  s.open();
  s.attach(0);
  // Before SET_IOMMU the compat IOAS already serves maps (type1 would say EINVAL). Switching to TYPE1 with
  // live areas is not modelled, so the v1 variant maps afterwards.
  if (type == kExtType1v2) s.map(D, 0x4000);
  s.set_iommu(7);  // EINVAL
  s.set_iommu(type);
  if (type == kExtType1) s.map(D, 0x4000);
  s.set_iommu(type);  // may repeat
  s.ext(kExtUpdateVaddr);
  s.ext(kExtUnmapAll);
  s.device(0);
  s.info();
  s.map(D + 0x8000, 0x1000, 0, 0);                         // R = W = 0 accepted
  s.map(D + 0x9000, 0x1000, 0, kMapVaddr);                 // VADDR refused
  s.map(D, 0x1000);                                        // EEXIST
  s.map(0xfee00000, 0x1000);                               // reserved
  s.unmap(D + 0x1000, 0x1000);                             // v1: exact cut; v2: ENOENT
  s.unmap(D + 0x20000, 0x1000);                            // empty: ENOENT
  s.unmap(D, 0x1000, kUnmapVaddr);                         // only ALL is accepted
  s.dma(true, D + 0x8010);                                 // no permission: blocked
  s.add(Method::ContainerDirtyPages).flags = kDirtyStart;  // ENOTTY
  s.unmap(0, 0, kUnmapAll);
  out.push_back(run("vfio-directed-compat-type" + std::to_string(type), st, s.r));
}

void iopf(std::vector<Scenario>& out) {
  const ScenarioState st = make_state(Backend::Iommufd, Kernel::Linux6_18, "intel-vtd-aw39");
  Seq s;
  s.r = prefix(st, true, true);  // fault queue 3 on device 0
  auto req = [&](int dev, int64_t pasid, uint32_t grp, uint64_t addr, bool last) {
    Request& q = s.add(Method::IopfRequest);
    q.dev = dev;
    q.pasid = pasid;
    q.grpid = grp;
    q.addr = addr;
    q.perm = kPermR | kPermW;
    q.last = last;
  };
  auto read = [&](uint32_t max) {
    Request& q = s.add(Method::IopfRead);
    q.fault = 3;
    q.max = max;
  };
  auto respond = [&](uint32_t cookie, uint32_t code, uint32_t bytes = 8) {
    Request& q = s.add(Method::IopfRespond);
    q.fault = 3;
    q.cookie = cookie;
    q.code = code;
    q.bytes = bytes;
  };
  req(0, 1, 0, 0x1000, false);
  req(0, 2, 0, 0x2000, false);  // other PASID, same group index: grouped anyway
  req(0, 1, 1, 0x3000, true);   // group 1 alone
  req(0, 1, 0, 0x4000, true);   // group 0: three requests
  read(2);                      // only group 1 fits
  read(16);
  respond(1, 2);     // bad code: EINVAL
  respond(1, 0, 4);  // ESPIPE
  respond(1, 0, 0);  // nothing written
  respond(1, 0);
  respond(1, 0);                // already answered: EINVAL
  req(1, -1, 5, 0x5000, true);  // device 1 has no handler: INVALID at once
  Request& sm = s.add(Method::IopfStopMarker);
  sm.dev = 0;
  sm.pasid = 1;
  sm.grpid = 2;
  req(0, 1, 2, 0x6000, true);
  req(0, 1, 3, 0x7000, true);
  req(0, 1, 4, 0x8000, false);
  read(1);                                  // group 2 read, group 3 stays unread
  s.add(Method::IopfRemoveDevice).dev = 0;  // answers group 3, then cookie of group 2; drops the partial
  respond(0, 1);                            // cookie 0 was answered by the removal: EINVAL
  s.add(Method::IommufdDestroy).id = 3;
  out.push_back(run("vfio-directed-iopf", st, s.r));
}

}  // namespace

std::vector<Scenario> directed_scenarios() {
  std::vector<Scenario> out;
  for (Kernel k : {Kernel::Linux6_1, Kernel::Linux6_12, Kernel::Linux6_18}) {
    lifecycle(out, k);
    map_checks(out, k);
    vaddr_and_dirty(out, k);
    for (Backend b : {Backend::Type1v1, Backend::Type1v2}) {
      unmap_semantics(out, b, k, "intel-vtd-aw39");
      end_of_space(out, k, b);
    }
  }
  unmap_semantics(out, Backend::Type1v2, Kernel::Linux6_12, "amd-vi");
  iommufd(out, "intel-vtd-aw39");
  compat(out, kExtType1);
  compat(out, kExtType1v2);
  iopf(out);
  return out;
}

}  // namespace vipcts::vfio::gen
