// Worked examples per clause, including every profile difference (kernel line, v1/v2, iommufd, compat).
#include <gtest/gtest.h>

#include "support.hpp"

namespace vipcts::vfio {
namespace {

using test::map;
using test::unmap;
constexpr uint64_t D = 0x100000;
constexpr uint64_t kTop = 0xfffffffffffff000ull;

ScenarioState type1(Backend b = Backend::Type1v2, Kernel k = Kernel::Linux6_12,
                    const char* g = "intel-vtd-aw39", uint32_t limit = 65535) {
  return gen::make_state(b, k, g, limit);
}

TEST(VFIO_TYPE1_MAP_WRAP, ErrnoIsEinvalBefore618AndEoverflowFrom618) {
  for (Kernel k : {Kernel::Linux6_1, Kernel::Linux6_12, Kernel::Linux6_18}) {
    Model m = test::ready(type1(Backend::Type1v2, k, "full64"));
    const Outcome o = m.apply(map(kTop, 0x2000));
    EXPECT_EQ(o.err, k == Kernel::Linux6_18 ? Errno::OVERFLOW : Errno::INVAL) << kernel_name(k);
    EXPECT_TRUE(m.apply(map(kTop, 0x1000)).ok()) << "the last page is not a wrap";
  }
}

TEST(VFIO_TYPE1_UNMAP_WRAP, ErrnoFollowsTheKernelLine) {
  Model a = test::ready(type1(Backend::Type1v1, Kernel::Linux6_1, "full64"));
  EXPECT_EQ(a.apply(unmap(kTop, 0x2000)).err, Errno::INVAL);
  Model b = test::ready(type1(Backend::Type1v1, Kernel::Linux6_18, "full64"));
  EXPECT_EQ(b.apply(unmap(kTop, 0x2000)).err, Errno::OVERFLOW);
}

TEST(VFIO_TYPE1_END_OF_SPACE, Before618TheLastPageCannotBeUnmapped) {
  Model old = test::ready(type1(Backend::Type1v2, Kernel::Linux6_12, "full64"));
  ASSERT_TRUE(old.apply(map(kTop, 0x1000)).ok());
  Outcome u = old.apply(unmap(kTop, 0x1000));
  EXPECT_TRUE(u.ok());
  EXPECT_EQ(*u.size, 0u);
  EXPECT_EQ(*old.apply(unmap(0, 0, uapi::kUnmapAll)).size, 0u);
  EXPECT_TRUE(old.apply(map(kTop, 0x1000)).unmodelled);  // the overlap check cannot see it
  Model fixed = test::ready(type1(Backend::Type1v2, Kernel::Linux6_18, "full64"));
  ASSERT_TRUE(fixed.apply(map(kTop, 0x1000)).ok());
  EXPECT_EQ(fixed.apply(map(kTop, 0x1000)).err, Errno::EXIST);
  EXPECT_EQ(*fixed.apply(unmap(kTop, 0x1000)).size, 0x1000u);
}

TEST(VFIO_TYPE1_UNMAP_V2_BISECT, BisectingUnmapFailsAndRemovesNothing) {
  Model m = test::ready(type1());
  ASSERT_TRUE(m.apply(map(D, 0x3000)).ok());
  const Outcome o = m.apply(unmap(D + 0x1000, 0x1000));
  EXPECT_EQ(o.err, Errno::INVAL);
  EXPECT_EQ(o.mappings.size(), 1u);
  EXPECT_EQ(m.apply(unmap(D, 0x2000)).err, Errno::INVAL);  // the end bisects
}

TEST(VFIO_TYPE1_UNMAP_V1_PARTIAL, StartInsideRemovesNothingStartBeforeRemovesWhole) {
  Model m = test::ready(type1(Backend::Type1v1));
  ASSERT_TRUE(m.apply(map(D, 0x3000)).ok());
  ASSERT_TRUE(m.apply(map(D + 0x4000, 0x1000)).ok());
  Outcome o = m.apply(unmap(D + 0x1000, 0x8000));  // starts inside the first: nothing, not even the second
  EXPECT_TRUE(o.ok());
  EXPECT_EQ(*o.size, 0u);
  EXPECT_EQ(o.mappings.size(), 2u);
  o = m.apply(unmap(D, 0x1000));  // covers the first byte: the whole 0x3000 goes
  EXPECT_EQ(*o.size, 0x3000u);
}

TEST(VFIO_TYPE1_UNMAP_V2_CONTAINED, EmptyRangeSucceedsWithZero) {
  Model m = test::ready(type1());
  const Outcome o = m.apply(unmap(D, 0x1000));
  EXPECT_TRUE(o.ok());
  EXPECT_EQ(*o.size, 0u);
}

TEST(VFIO_TYPE1_MAP_ERRNO_ORDER, EntryLimitBeatsTheIovaRangeAndOverlapBeatsTheLimit) {
  Model m = test::ready(type1(Backend::Type1v2, Kernel::Linux6_12, "intel-vtd-aw39", 1));
  ASSERT_TRUE(m.apply(map(D, 0x1000)).ok());
  EXPECT_EQ(m.apply(map(0x8000000000ull, 0x1000)).err, Errno::NOSPC);
  EXPECT_EQ(m.apply(map(D, 0x1000)).err, Errno::EXIST);
}

TEST(VFIO_TYPE1_MAP_IOVA_RANGE, ApertureAndReservedEdgesAreInclusive) {
  Model m = test::ready(type1());
  EXPECT_TRUE(m.apply(map(0x7ffffff000ull, 0x1000)).ok());
  EXPECT_EQ(m.apply(map(0x7ffffff000ull + 0x1000, 0x1000)).err, Errno::INVAL);
  EXPECT_TRUE(m.apply(map(0xfedff000, 0x1000)).ok());
  EXPECT_EQ(m.apply(map(0xfee00000, 0x1000)).err, Errno::INVAL);
  EXPECT_TRUE(m.apply(map(0xfef00000, 0x1000)).ok());
}

TEST(VFIO_CONTAINER_CHECK_EXTENSION, UpdateVaddrNeedsAnIommuOnEveryKernelLine) {
  for (Kernel k : {Kernel::Linux6_1, Kernel::Linux6_12, Kernel::Linux6_18}) {
    const ScenarioState st = type1(Backend::Type1v2, k);
    Model m(st);
    Request ext;
    ext.method = Method::ContainerCheckExtension;
    ext.ext = uapi::kExtUpdateVaddr;
    for (const Request& r : gen::prefix(st)) {
      if (r.method == Method::ContainerSetIommu) {
        EXPECT_EQ(m.apply(ext).ret, 0) << kernel_name(k);
      }
      m.apply(r);
    }
    EXPECT_EQ(m.apply(ext).ret, 1) << kernel_name(k);
    ext.ext = 6;  // TYPE1_NESTING: gone after 6.12
    EXPECT_EQ(m.apply(ext).ret, k == Kernel::Linux6_18 ? 0 : 1);
  }
}

TEST(VFIO_CONTAINER_NO_IOMMU, MapBeforeSetIommuIsEinvalButCompatServesIt) {
  for (Backend b : {Backend::Type1v2, Backend::IommufdCompat}) {
    Model m(gen::make_state(b, Kernel::Linux6_18, "intel-vtd-aw39"));
    Request open;
    open.method = Method::ContainerOpen;
    m.apply(open);
    Request join;
    join.method = Method::GroupSetContainer;
    m.apply(join);
    EXPECT_EQ(m.apply(map(D, 0x1000)).err, b == Backend::Type1v2 ? Errno::INVAL : Errno::OK);
  }
}

TEST(VFIO_IOMMUFD_COMPAT_UNMAP, Type1ModeCutsExactlyV2ModeSaysEnoent) {
  for (uint32_t type : {uapi::kExtType1, uapi::kExtType1v2}) {
    ScenarioState st = gen::make_state(Backend::IommufdCompat, Kernel::Linux6_18, "intel-vtd-aw39");
    Model m(st);
    for (Request r : gen::prefix(st)) {
      if (r.method == Method::ContainerSetIommu) r.type = type;
      ASSERT_TRUE(m.apply(r).ok());
    }
    ASSERT_TRUE(m.apply(map(D, 0x3000)).ok());
    const Outcome o = m.apply(unmap(D + 0x1000, 0x1000));
    if (type == uapi::kExtType1) {
      EXPECT_TRUE(o.ok());
      EXPECT_EQ(*o.size, 0x1000u);
      EXPECT_EQ(o.mappings.size(), 2u);
    } else {
      EXPECT_EQ(o.err, Errno::NOENT);
    }
    EXPECT_EQ(m.apply(unmap(D + 0x10000, 0x1000)).err, Errno::NOENT);  // empty: ENOENT, unlike type1
  }
}

TEST(VFIO_IOMMUFD_IOAS_UNMAP, StickingOutIsEnoentAfterRemovingTheLowerAreas) {
  const ScenarioState st = gen::make_state(Backend::Iommufd, Kernel::Linux6_18, "full64");
  Model m = test::ready(st);
  Request mp;
  mp.method = Method::IoasMap;
  mp.flags = uapi::kIoasFixed | uapi::kIoasReadable | uapi::kIoasWriteable;
  mp.iova = D;
  mp.length = 0x1000;
  ASSERT_TRUE(m.apply(mp).ok());
  mp.iova = D + 0x1000;
  mp.length = 0x2000;
  ASSERT_TRUE(m.apply(mp).ok());
  Request um;
  um.method = Method::IoasUnmap;
  um.iova = D;
  um.length = 0x2000;
  const Outcome o = m.apply(um);
  EXPECT_EQ(o.err, Errno::NOENT);
  ASSERT_EQ(o.mappings.size(), 1u);
  EXPECT_EQ(o.mappings[0].iova, D + 0x1000);
  um.iova = 0;
  um.length = kU64Max;
  EXPECT_EQ(*m.apply(um).length, 0x2000u);
  EXPECT_EQ(*m.apply(um).length, 0u);  // unmap-all of nothing still succeeds
}

TEST(VFIO_IOMMUFD_IOAS_MAP_AUTO, ChoosesTheLowestAlignedHoleNeverZero) {
  const ScenarioState st = gen::make_state(Backend::Iommufd, Kernel::Linux6_18, "full64");
  Model m = test::ready(st);
  Request mp;
  mp.method = Method::IoasMap;
  mp.flags = uapi::kIoasReadable | uapi::kIoasWriteable;
  mp.length = 0x3000;
  mp.vaddr = 0x5000;  // uptr alignment 0x1000, length rounds to 0x4000: alignment 0x1000
  const Outcome o = m.apply(mp);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(*o.iova, 0x1000u);
  mp.vaddr = 0x10000;  // alignment min(0x4000, 0x10000) = 0x4000, after [0x1000, 0x3fff]
  EXPECT_EQ(*m.apply(mp).iova, 0x4000u);
}

TEST(VFIO_IOPF_REMOVE_DEVICE, PendingGroupsAreAnsweredInvalid) {
  const ScenarioState st = gen::make_state(Backend::Iommufd, Kernel::Linux6_18, "intel-vtd-aw39");
  Model m(st);
  for (const Request& r : gen::prefix(st, true, true)) ASSERT_TRUE(m.apply(r).ok());
  Request rq;
  rq.method = Method::IopfRequest;
  rq.dev = 0;
  rq.pasid = 1;
  rq.perm = uapi::kPermR;
  rq.last = true;
  for (uint32_t g : {1u, 2u}) {
    rq.grpid = g;
    EXPECT_EQ(*m.apply(rq).queued, 1u);
  }
  Request rm;
  rm.method = Method::IopfRemoveDevice;
  rm.dev = 0;
  const Outcome o = m.apply(rm);
  ASSERT_EQ(o.responses->size(), 2u);
  EXPECT_EQ((*o.responses)[0].grpid, 2u);  // head-first move: reverse arrival order
  EXPECT_EQ((*o.responses)[1].code, 1u);
}

TEST(VFIO_DMA_EFFECT, VaddrUpdateDoesNotMoveTheDma) {
  Model m = test::ready(type1());
  ASSERT_TRUE(m.apply(map(D, 0x1000, 0x2000)).ok());
  ASSERT_TRUE(m.apply(unmap(D, 0x1000, uapi::kUnmapVaddr)).ok());
  ASSERT_TRUE(m.apply(map(D, 0x1000, 0x9000, uapi::kMapVaddr)).ok());
  Request w;
  w.method = Method::DmaWrite;
  w.iova = D + 8;
  w.len = 8;
  EXPECT_EQ(*m.apply(w).pool_offset, 0x2008u);
}

}  // namespace
}  // namespace vipcts::vfio
