#include "rc_generators.hpp"

#include <algorithm>

#include "reference/vfio/model.hpp"

namespace vipcts::vfio::gen {

namespace {

using rc::Gen;
namespace g = rc::gen;

template <typename T>
Gen<T> pick(std::vector<T> values) {
  return g::elementOf(std::move(values));
}

Gen<uint64_t> size_gen() {
  return g::weightedOneOf<uint64_t>({{6, pick<uint64_t>({0x1000, 0x2000, 0x3000, 0x4000})},
                                     {2, pick<uint64_t>({0x8000, 0x10000, 0x200000})},
                                     {1, pick<uint64_t>({0, 0x800, 0x1800, ~uint64_t{0} - 0xfff})}});
}

Gen<uint64_t> vaddr_gen(const ScenarioState& st) {
  return g::weightedOneOf<uint64_t>(
      {{8, g::map(g::inRange<uint64_t>(0, 64), [](uint64_t k) { return k * 0x1000; })},
       {1,
        pick<uint64_t>({st.pool.size - 0x1000, st.pool.size, 0x800, ~uint64_t{0} - st.pool.base - 0xfff})}});
}

Gen<uint64_t> iova_gen(const ScenarioState& st) {
  const std::vector<uint64_t> palette = iova_palette(st);
  return g::weightedOneOf<uint64_t>(
      {{6, g::map(g::inRange<uint64_t>(0, 16), [](uint64_t k) { return kDenseBase + k * 0x1000; })},
       {2, pick(palette)},
       {1, pick<uint64_t>({kDenseBase + 0x800, 0})}});
}

Gen<Request> type1_gen(const ScenarioState& st) {
  using namespace uapi;
  const Gen<uint64_t> iova = iova_gen(st), size = size_gen(), vaddr = vaddr_gen(st);
  const Gen<int> container = g::weightedOneOf<int>({{9, g::just(0)}, {1, g::just(1)}});
  auto map = g::apply(
      [](int c, uint64_t i, uint64_t s, uint64_t v, uint32_t f, bool short_argsz) {
        Request r;
        r.method = Method::ContainerMapDma;
        r.container = c;
        r.iova = i;
        r.size = s;
        r.vaddr = v;
        r.flags = f;
        if (short_argsz) r.argsz = 24;
        return r;
      },
      container, iova, size, vaddr,
      g::weightedOneOf<uint32_t>({{10, g::just(uint32_t{kMapRead | kMapWrite})},
                                  {2, pick<uint32_t>({kMapRead, kMapWrite})},
                                  {1, pick<uint32_t>({0, kMapVaddr, 7, 8, 0x13})}}),
      g::weightedOneOf<bool>({{30, g::just(false)}, {1, g::just(true)}}));
  auto vaddr_update = g::apply(
      [](uint64_t i, uint64_t s, uint64_t v) {
        Request r;
        r.method = Method::ContainerMapDma;
        r.iova = i;
        r.size = s;
        r.vaddr = v;
        r.flags = kMapVaddr;
        return r;
      },
      iova, size, vaddr);
  auto unmap = g::apply(
      [](int c, uint64_t i, uint64_t s, uint32_t f) {
        Request r;
        r.method = Method::ContainerUnmapDma;
        r.container = c;
        r.flags = f;
        if (f == kUnmapAll) return r;  // iova = size = 0 (mostly valid UNMAP_ALL)
        r.iova = i;
        r.size = s;
        return r;
      },
      container, iova, size,
      g::weightedOneOf<uint32_t>({{12, g::just(uint32_t{0})},
                                  {2, g::just(uint32_t{kUnmapAll})},
                                  {1, pick<uint32_t>({kUnmapVaddr, kUnmapDirty, 3, 8, 6})}}));
  auto unmap_all_bad = g::apply(
      [](uint64_t i, uint64_t s) {
        Request r;
        r.method = Method::ContainerUnmapDma;
        r.flags = kUnmapAll;
        r.iova = i;
        r.size = s;
        return r;
      },
      pick<uint64_t>({0, kDenseBase}), pick<uint64_t>({0, 0x1000}));
  auto dma = g::apply(
      [](bool write, uint64_t k, uint64_t w) {
        Request r;
        r.method = write ? Method::DmaWrite : Method::DmaRead;
        r.group = 0;
        r.iova = kDenseBase + k * 0x1000 + w * 8;
        r.len = 8;
        return r;
      },
      g::arbitrary<bool>(), g::inRange<uint64_t>(0, 17), pick<uint64_t>({0, 1, 511}));
  auto info = g::apply(
      [](int c, int kind) {
        Request r;
        r.method = Method::ContainerGetInfo;
        r.container = c;
        if (kind == 1) r.argsz = 8;
        if (kind == 2) r.argsz = 16;
        return r;
      },
      container, g::weightedOneOf<int>({{6, g::just(0)}, {1, g::just(1)}, {1, g::just(2)}}));
  auto ext = g::apply(
      [](int c, uint32_t e) {
        Request r;
        r.method = Method::ContainerCheckExtension;
        r.container = c;
        r.ext = e;
        return r;
      },
      container,
      pick<uint32_t>({kExtType1, kExtType1v2, kExtUnmapAll, kExtUpdateVaddr, kExtNoIommu, 2, 5, 7, 11}));
  auto dirty = g::apply(
      [](uint32_t f, uint64_t i, uint64_t s) {
        Request r;
        r.method = Method::ContainerDirtyPages;
        r.flags = f;
        if (f == kDirtyGet) {
          r.iova = i;
          r.size = s;
        }
        return r;
      },
      pick<uint32_t>({kDirtyStart, kDirtyStop, kDirtyGet, kDirtyGet, 3}), iova, size);
  auto group_op = g::apply(
      [](int kind, int c) {
        Request r;
        r.group = 1;
        r.container = c;
        r.method = kind == 0   ? Method::GroupSetContainer
                   : kind == 1 ? Method::GroupUnsetContainer
                               : Method::GroupStatus;
        return r;
      },
      g::inRange(0, 3), g::weightedOneOf<int>({{6, g::just(0)}, {1, g::just(1)}, {1, g::just(-1)}}));
  auto lifecycle = g::apply(
      [](int kind, uint32_t type) {
        Request r;
        switch (kind) {
          case 0:
            r.method = Method::ContainerOpen;
            break;
          case 1:
            r.method = Method::ContainerSetIommu;
            r.container = 1;
            r.type = type;
            break;
          case 2:
            r.method = Method::ContainerApiVersion;
            break;
          case 3:
            r.method = Method::GroupGetDevice;
            r.group = 1;
            break;
          default:
            r.method = Method::GroupUnsetContainer;
            r.group = 0;
            break;
        }
        return r;
      },
      g::inRange(0, 5), pick<uint32_t>({kExtType1, kExtType1v2, kExtUnmapAll, 7}));
  return g::weightedOneOf<Request>({{12, map},
                                    {1, vaddr_update},
                                    {8, unmap},
                                    {1, unmap_all_bad},
                                    {4, dma},
                                    {1, info},
                                    {1, ext},
                                    {1, dirty},
                                    {1, group_op},
                                    {1, lifecycle}});
}

Gen<Request> iommufd_gen(const ScenarioState& st) {
  using namespace uapi;
  const Gen<uint64_t> iova = iova_gen(st), size = size_gen(), vaddr = vaddr_gen(st);
  const Gen<int> ioas = g::weightedOneOf<int>({{10, g::just(0)}, {2, g::inRange(3, 6)}, {1, g::just(-1)}});
  auto map = g::apply(
      [](int io, uint32_t f, uint64_t i, uint64_t l, uint64_t v) {
        Request r;
        r.method = Method::IoasMap;
        r.ioas = io;
        r.flags = f;
        r.iova = i;
        r.length = l;
        r.vaddr = v;
        return r;
      },
      ioas,
      g::weightedOneOf<uint32_t>(
          {{8, g::just(uint32_t{kIoasFixed | kIoasReadable | kIoasWriteable})},
           {4, g::just(uint32_t{kIoasReadable | kIoasWriteable})},
           {2, pick<uint32_t>({kIoasFixed | kIoasReadable, kIoasFixed | kIoasWriteable})},
           {1, pick<uint32_t>({kIoasFixed, 0, 8, 0x17})}}),
      iova, size, vaddr);
  auto unmap = g::apply(
      [](int io, uint64_t i, uint64_t l, bool all) {
        Request r;
        r.method = Method::IoasUnmap;
        r.ioas = io;
        r.iova = all ? 0 : i;
        r.length = all ? kU64Max : l;
        return r;
      },
      ioas, iova, size, g::weightedOneOf<bool>({{8, g::just(false)}, {1, g::just(true)}}));
  auto copy = g::apply(
      [](int dst, uint32_t f, uint64_t l, uint64_t di, uint64_t si) {
        Request r;
        r.method = Method::IoasCopy;
        r.dst_ioas = dst;
        r.src_ioas = 0;
        r.flags = f;
        r.length = l;
        r.dst_iova = di;
        r.src_iova = si;
        return r;
      },
      ioas, pick<uint32_t>({7, 6, 7, 8}), size, iova, iova);
  auto allow = g::apply(
      [](uint64_t a, uint64_t b, bool two) {
        Request r;
        r.method = Method::IoasAllowIovas;
        r.ioas = 0;
        if (a != b) r.ranges.push_back({std::min(a, b), std::max(a, b) - 1});
        if (two) r.ranges.push_back({std::max(a, b), std::max(a, b) + 0xfff});
        return r;
      },
      iova, iova, g::arbitrary<bool>());
  auto ranges = g::apply(
      [](int io, uint32_t cap) {
        Request r;
        r.method = Method::IoasIovaRanges;
        r.ioas = io;
        r.capacity = cap;
        return r;
      },
      ioas, pick<uint32_t>({0, 1, 2, 4, 8}));
  auto option = g::apply(
      [](uint32_t opt, uint32_t op, uint64_t v, bool obj) {
        Request r;
        r.method = Method::IommufdOption;
        r.option = opt;
        r.op = op;
        r.val64 = v;
        r.object = opt == 1 || obj ? 0 : -2;
        return r;
      },
      pick<uint32_t>({0, 1, 2}), pick<uint32_t>({0, 1, 1, 2}), pick<uint64_t>({0, 1, 2}),
      g::weightedOneOf<bool>({{5, g::just(false)}, {1, g::just(true)}}));
  auto objects = g::apply(
      [](int kind, int a, int b, uint32_t f) {
        Request r;
        switch (kind) {
          case 0:
            r.method = Method::IoasAlloc;
            break;
          case 1:
            r.method = Method::IommufdDestroy;
            r.id = a;
            break;
          case 2:
            r.method = Method::DeviceAttach;
            r.dev = 1;
            r.pt = b;
            break;
          case 3:
            r.method = Method::DeviceDetach;
            r.dev = 1;
            break;
          default:
            r.method = Method::HwptAlloc;
            r.dev = 1;
            r.pt = b;
            r.flags = f;
            break;
        }
        return r;
      },
      g::inRange(0, 5), g::inRange(-1, 6), g::inRange(0, 6), pick<uint32_t>({0, 0, 0, 1, 2, 4}));
  auto dma = g::apply(
      [](bool write, uint64_t k) {
        Request r;
        r.method = write ? Method::DmaWrite : Method::DmaRead;
        r.group = 0;
        r.iova = kDenseBase + k * 0x1000;
        r.len = 8;
        return r;
      },
      g::arbitrary<bool>(), g::inRange<uint64_t>(0, 17));
  return g::weightedOneOf<Request>(
      {{10, map}, {6, unmap}, {2, copy}, {1, allow}, {1, ranges}, {1, option}, {2, objects}, {3, dma}});
}

Gen<Request> iopf_gen() {
  auto request = g::apply(
      [](int dev, int64_t pasid, uint32_t grp, uint64_t addr, uint32_t perm, bool last) {
        Request r;
        r.method = Method::IopfRequest;
        r.dev = dev;
        r.pasid = pasid;
        r.grpid = grp;
        r.addr = addr;
        r.perm = perm;
        r.last = last;
        return r;
      },
      g::weightedOneOf<int>({{5, g::just(0)}, {1, g::just(1)}}), pick<int64_t>({-1, 1, 2}),
      g::inRange<uint32_t>(0, 3),
      g::map(g::inRange<uint64_t>(0, 8), [](uint64_t k) { return 0x7f0000000000ull + k * 0x1000; }),
      pick<uint32_t>({1, 2, 3, 1 | 8}), g::arbitrary<bool>());
  auto other = g::apply(
      [](int kind, int dev, uint32_t a, uint32_t b, uint32_t bytes) {
        Request r;
        r.dev = dev;
        switch (kind) {
          case 0:
            r.method = Method::IopfStopMarker;
            r.pasid = 1;
            r.grpid = a % 3;
            break;
          case 1:
          case 2:
            r.method = Method::IopfRead;
            r.fault = 3;
            r.max = a * 4;
            break;
          case 3:
          case 4:
          case 5:
            r.method = Method::IopfRespond;
            r.fault = 3;
            r.cookie = a;
            r.code = b;
            r.bytes = bytes;
            break;
          case 6:
            r.method = Method::IopfRemoveDevice;
            break;
          default:
            r.method = Method::IopfAttach;
            r.fault = 3;
            break;
        }
        return r;
      },
      g::inRange(0, 8), g::weightedOneOf<int>({{4, g::just(0)}, {1, g::just(1)}}), g::inRange<uint32_t>(0, 4),
      g::weightedOneOf<uint32_t>(
          {{6, g::just(uint32_t{0})}, {3, g::just(uint32_t{1})}, {1, g::just(uint32_t{2})}}),
      g::weightedOneOf<uint32_t>({{10, g::just(uint32_t{8})}, {1, pick<uint32_t>({0, 4, 12})}}));
  return g::weightedOneOf<Request>({{3, request}, {3, other}});
}

}  // namespace

std::vector<uint64_t> iova_palette(const ScenarioState& st) {
  std::vector<uint64_t> p = {0, kDenseBase, kDenseBase + 0x10000};
  const std::vector<Range> list = subtract({st.geometry.aperture}, st.geometry.reserved);
  for (const Range& r : list) {
    p.push_back(r.first);
    if (r.first >= 0x1000) p.push_back(r.first - 0x1000);
    p.push_back((r.last & ~uint64_t{0xfff}));
    if (r.last >= 0x1000) p.push_back((r.last & ~uint64_t{0xfff}) - 0x1000);
    if (r.last != kU64Max) p.push_back(r.last + 1);
  }
  p.push_back(kU64Max - 0xfff);
  p.push_back(kU64Max - 0x1fff);
  std::sort(p.begin(), p.end());
  p.erase(std::unique(p.begin(), p.end()), p.end());
  return p;
}

rc::Gen<Request> request_gen(const ScenarioState& st, bool sva) {
  if (st.profile.backend == Backend::Iommufd) {
    if (sva) return g::weightedOneOf<Request>({{1, iommufd_gen(st)}, {3, iopf_gen()}});
    return iommufd_gen(st);
  }
  return type1_gen(st);
}

rc::Gen<std::vector<Request>> sequence_gen(const ScenarioState& st, unsigned max_ops, bool sva) {
  return g::withSize([st, max_ops, sva](int size) {
    const unsigned n = std::max(1u, std::min(max_ops, static_cast<unsigned>(size / 4 + 1)));
    return g::container<std::vector<Request>>(n, request_gen(st, sva));
  });
}

}  // namespace vipcts::vfio::gen
