// RapidCheck stateful properties: the model against an independent, deliberately naive oracle of the mapping
// set, plus invariants (disjointness, restore after map+unmap, v2 never splits, entry accounting). Sequences
// shrink to a minimal failing one. Test suites are named after the clauses they check.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <optional>

#include "generators/vfio/rc_generators.hpp"
#include "support.hpp"

namespace vipcts::vfio {
namespace {

constexpr uint64_t D = 0x100000;
constexpr uint64_t P = 0x1000;

// ---- the oracle: one flat list, rules transcribed from the clause texts
// ------------------------------------

struct OMap {
  uint64_t first, last, backing;
  uint32_t prot;
};

struct OResult {
  Errno err = Errno::OK;
  uint64_t size = 0;
};

class Oracle {
 public:
  Oracle(const ScenarioState& st, bool v2) : st_(st), v2_(v2) {
    list_ = subtract({st.geometry.aperture}, st.geometry.reserved);
  }

  OResult map(const Request& r) {
    const uint64_t vaddr = st_.pool.base + r.vaddr;
    if ((r.flags & ~3u) != 0 || (r.flags & 3u) == 0) return {Errno::INVAL};
    if (r.size == 0 || (r.iova % P) || (r.size % P) || (vaddr % P)) return {Errno::INVAL};
    const unsigned __int128 end = static_cast<unsigned __int128>(r.iova) + r.size;
    const unsigned __int128 vend = static_cast<unsigned __int128>(vaddr) + r.size;
    const unsigned __int128 top = static_cast<unsigned __int128>(1) << 64;
    if (end > top || vend > top) return {Errno::OVERFLOW};  // 6.18+ profile
    const uint64_t last = r.iova + (r.size - 1);
    for (const OMap& m : maps_)
      if (m.first <= last && r.iova <= m.last) return {Errno::EXIST};
    if (maps_.size() >= st_.geometry.dma_entry_limit) return {Errno::NOSPC};
    bool inside = false;
    for (const Range& g : list_) inside |= r.iova >= g.first && last <= g.last;
    if (!inside) return {Errno::INVAL};
    if (vaddr < st_.pool.base || vend > static_cast<unsigned __int128>(st_.pool.base) + st_.pool.size)
      return {Errno::FAULT};
    maps_.push_back({r.iova, last, vaddr, r.flags & 3u});
    return {};
  }

  OResult unmap(const Request& r) {
    if (r.flags == uapi::kUnmapAll) {
      if (r.iova != 0 || r.size != 0) return {Errno::INVAL};
      OResult res;
      for (const OMap& m : maps_) res.size += m.last - m.first + 1;
      maps_.clear();
      return res;
    }
    if ((r.iova % P) || r.size == 0 || (r.size % P)) return {Errno::INVAL};
    if (static_cast<unsigned __int128>(r.iova) + r.size > (static_cast<unsigned __int128>(1) << 64))
      return {Errno::OVERFLOW};
    const uint64_t last = r.iova + (r.size - 1);
    std::sort(maps_.begin(), maps_.end(), [](const OMap& a, const OMap& b) { return a.first < b.first; });
    OResult res;
    if (v2_) {
      for (const OMap& m : maps_)
        if (m.first <= last && r.iova <= m.last && (m.first < r.iova || m.last > last)) return {Errno::INVAL};
    } else {
      for (const OMap& m : maps_) {
        if (m.first <= last && r.iova <= m.last) {
          if (m.first < r.iova) return res;  // v1: the scan starts inside a mapping: nothing
          break;
        }
      }
    }
    std::vector<OMap> keep;
    for (const OMap& m : maps_) {
      const bool gone = v2_ ? (m.first >= r.iova && m.last <= last) : (m.first >= r.iova && m.first <= last);
      if (gone)
        res.size += m.last - m.first + 1;
      else
        keep.push_back(m);
    }
    maps_ = keep;
    return res;
  }

  std::optional<uint64_t> dma(bool write, uint64_t iova) const {
    for (const OMap& m : maps_)
      if (iova >= m.first && iova <= m.last && (m.prot & (write ? 2u : 1u)))
        return m.backing + (iova - m.first) - st_.pool.base;
    return std::nullopt;
  }

  std::vector<std::pair<uint64_t, uint64_t>> set() const {
    std::vector<std::pair<uint64_t, uint64_t>> s;
    for (const OMap& m : maps_) s.emplace_back(m.first, m.last - m.first + 1);
    std::sort(s.begin(), s.end());
    return s;
  }

 private:
  ScenarioState st_;
  bool v2_;
  std::vector<Range> list_;
  std::vector<OMap> maps_;
};

std::vector<std::pair<uint64_t, uint64_t>> model_set(const Outcome& o) {
  std::vector<std::pair<uint64_t, uint64_t>> s;
  for (const Mapping& m : o.mappings) s.emplace_back(m.iova, m.size);
  return s;
}

// Map/unmap/DMA requests around a dense window, the IOVA-list edges and the top of the address space.
rc::Gen<Request> mapping_request(const ScenarioState& st) {
  std::vector<uint64_t> edges = {0xfedff000,
                                 0xfee00000,
                                 0xfef00000,
                                 st.geometry.aperture.last - 0xfff,
                                 st.geometry.aperture.last + 1,
                                 0xffffffffffffe000ull};
  const rc::Gen<uint64_t> iova = rc::gen::weightedOneOf<uint64_t>(
      {{8, rc::gen::map(rc::gen::inRange<uint64_t>(0, 12), [](uint64_t k) { return D + k * P; })},
       {1, rc::gen::elementOf(edges)},
       {1, rc::gen::just(uint64_t{D + 0x800})}});
  const rc::Gen<uint64_t> size = rc::gen::weightedOneOf<uint64_t>(
      {{8, rc::gen::map(rc::gen::inRange<uint64_t>(1, 5), [](uint64_t k) { return k * P; })},
       {1, rc::gen::elementOf(std::vector<uint64_t>{0, 0x800, 0x3000})}});
  return rc::gen::weightedOneOf<Request>(
      {{5, rc::gen::apply(
               [](uint64_t i, uint64_t s, uint64_t v, uint32_t f) { return test::map(i, s, v * P, f); }, iova,
               size, rc::gen::inRange<uint64_t>(0, 16),
               rc::gen::elementOf(std::vector<uint32_t>{3, 3, 3, 1, 2, 0, 8}))},
       {4, rc::gen::apply([](uint64_t i, uint64_t s) { return test::unmap(i, s); }, iova, size)},
       {1, rc::gen::just(test::unmap(0, 0, uapi::kUnmapAll))},
       {2, rc::gen::apply(
               [](bool w, uint64_t k) {
                 Request r;
                 r.method = w ? Method::DmaWrite : Method::DmaRead;
                 r.iova = D + k * P + 0x18;
                 r.len = 8;
                 return r;
               },
               rc::gen::arbitrary<bool>(), rc::gen::inRange<uint64_t>(0, 14))}});
}

void check_against_oracle(Backend b, uint32_t limit) {
  const ScenarioState st = gen::make_state(b, Kernel::Linux6_18, "intel-vtd-aw39", limit);
  const auto reqs = *rc::gen::container<std::vector<Request>>(mapping_request(st));
  Model m = test::ready(st);
  Oracle o(st, b == Backend::Type1v2);
  for (const Request& r : reqs) {
    const Outcome got = m.apply(r);
    RC_ASSERT(!got.unmodelled);
    if (r.method == Method::DmaRead || r.method == Method::DmaWrite) {
      const auto want = o.dma(r.method == Method::DmaWrite, r.iova);
      RC_ASSERT((got.dma == DmaResult::Landed) == want.has_value());
      if (want) RC_ASSERT(*got.pool_offset == *want);
      continue;
    }
    const OResult want = r.method == Method::ContainerMapDma ? o.map(r) : o.unmap(r);
    RC_ASSERT(errno_name(got.err) == errno_name(want.err));
    if (got.ok() && r.method == Method::ContainerUnmapDma) RC_ASSERT(*got.size == want.size);
    RC_ASSERT(model_set(got) == o.set());
  }
}

RC_GTEST_PROP(VFIO_TYPE1_UNMAP_V2_CONTAINED, ModelMatchesTheOracle, ()) {
  check_against_oracle(Backend::Type1v2, 65535);
}
RC_GTEST_PROP(VFIO_TYPE1_UNMAP_V1_PARTIAL, ModelMatchesTheOracle, ()) {
  check_against_oracle(Backend::Type1v1, 65535);
}
RC_GTEST_PROP(VFIO_TYPE1_MAP_ENTRY_LIMIT, ModelMatchesTheOracleAtASmallLimit, ()) {
  check_against_oracle(Backend::Type1v2, 3);
}

// ---- invariants over the generators' own random sequences (every backend and profile)
// -----------------------

ScenarioState any_state() {
  const auto b =
      *rc::gen::element(Backend::Type1v1, Backend::Type1v2, Backend::Iommufd, Backend::IommufdCompat);
  const auto k = *rc::gen::element(Kernel::Linux6_1, Kernel::Linux6_12, Kernel::Linux6_18);
  const auto g = *rc::gen::element<std::string>("intel-vtd-aw39", "amd-vi", "full64", "small");
  return gen::make_state(b, b == Backend::Iommufd || b == Backend::IommufdCompat ? Kernel::Linux6_18 : k, g,
                         *rc::gen::element<uint32_t>(2, 4, 65535));
}

RC_GTEST_PROP(VFIO_MAPPINGS_DISJOINT, NoOperationLeavesOverlappingMappings, ()) {
  const ScenarioState st = any_state();
  std::vector<Request> reqs = gen::prefix(st);
  const auto more = *gen::sequence_gen(st, 40);
  reqs.insert(reqs.end(), more.begin(), more.end());
  const gen::Scenario s = gen::run("p", st, reqs, true);
  for (const gen::Op& op : s.ops) {
    const auto& ms = op.outcome.mappings;
    for (size_t i = 1; i < ms.size(); ++i) RC_ASSERT(ms[i - 1].iova + (ms[i - 1].size - 1) < ms[i].iova);
    if (st.profile.backend == Backend::Type1v1 || st.profile.backend == Backend::Type1v2)
      RC_ASSERT(ms.size() <= st.geometry.dma_entry_limit);
  }
}

// D2: map(A) then unmap(A) returns |A| and restores the mapping set, in every backend where A is a fresh map.
RC_GTEST_PROP(VFIO_TYPE1_UNMAP_V2_CONTAINED, UnmapAfterMapRestoresTheState, ()) {
  const ScenarioState st = any_state();
  std::vector<Request> reqs = gen::prefix(st);
  const auto more = *gen::sequence_gen(st, 30);
  reqs.insert(reqs.end(), more.begin(), more.end());
  gen::Scenario s = gen::run("p", st, reqs, true);
  Model m(st);
  for (const gen::Op& op : s.ops) m.apply(op.request);
  const auto before = m.apply([] {
    Request r;
    r.method = Method::DmaRead;  // a probe that changes nothing, to read the mapping set
    r.iova = D;
    r.len = 8;
    return r;
  }());
  const uint64_t iova =
      *rc::gen::map(rc::gen::inRange<uint64_t>(0, 64), [](uint64_t k) { return D + k * P; });
  const uint64_t size = *rc::gen::map(rc::gen::inRange<uint64_t>(1, 4), [](uint64_t k) { return k * P; });
  Request mp, um;
  if (st.profile.backend == Backend::Iommufd) {
    mp.method = Method::IoasMap;
    mp.flags = uapi::kIoasFixed | uapi::kIoasReadable | uapi::kIoasWriteable;
    mp.iova = iova;
    mp.length = size;
    um.method = Method::IoasUnmap;
    um.iova = iova;
    um.length = size;
  } else {
    mp = test::map(iova, size);
    um = test::unmap(iova, size);
  }
  const Outcome mo = m.apply(mp);
  RC_PRE(mo.ok() && !mo.unmodelled);
  const Outcome uo = m.apply(um);
  RC_PRE(!uo.unmodelled);  // e.g. next to a wrapped mapping before 6.18 (VFIO.TYPE1.END_OF_SPACE)
  RC_ASSERT(uo.ok());
  RC_ASSERT((uo.size ? *uo.size : *uo.length) == size);
  if (st.profile.backend != Backend::Iommufd) RC_ASSERT(uo.mappings == before.mappings);
}

// v2 (and iommufd) never split or grow a mapping: every mapping present was created whole by a map.
RC_GTEST_PROP(VFIO_TYPE1_UNMAP_V2_BISECT, V2NeverSplitsAMapping, ()) {
  const ScenarioState st = gen::make_state(
      Backend::Type1v2, *rc::gen::element(Kernel::Linux6_1, Kernel::Linux6_18), "intel-vtd-aw39");
  std::vector<Request> reqs = gen::prefix(st);
  const auto more = *gen::sequence_gen(st, 40);
  reqs.insert(reqs.end(), more.begin(), more.end());
  const gen::Scenario s = gen::run("p", st, reqs, true);
  std::vector<std::pair<uint64_t, uint64_t>> created;
  for (const gen::Op& op : s.ops) {
    if (op.request.method == Method::ContainerMapDma && op.outcome.ok() &&
        !(op.request.flags & uapi::kMapVaddr))
      created.emplace_back(op.request.iova, op.request.size);
    for (const Mapping& mp : op.outcome.mappings)
      RC_ASSERT(std::find(created.begin(), created.end(), std::make_pair(mp.iova, mp.size)) != created.end());
    if (op.request.method == Method::ContainerUnmapDma && !op.outcome.ok())
      RC_ASSERT(op.outcome.err == Errno::INVAL || op.outcome.err == Errno::OVERFLOW);
  }
}

// DMA_AVAIL in GET_INFO is the limit minus the live mappings.
RC_GTEST_PROP(VFIO_TYPE1_INFO, DmaAvailCountsLiveMappings, ()) {
  const ScenarioState st = gen::make_state(Backend::Type1v2, Kernel::Linux6_12, "intel-vtd-aw39", 6);
  Model m = test::ready(st);
  const auto reqs = *rc::gen::container<std::vector<Request>>(mapping_request(st));
  for (const Request& r : reqs) m.apply(r);
  Request info;
  info.method = Method::ContainerGetInfo;
  const Outcome o = m.apply(info);
  RC_ASSERT(*o.dma_avail == 6 - o.mappings.size());
}

}  // namespace
}  // namespace vipcts::vfio
