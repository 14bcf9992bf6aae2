#include "generate.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "generators/common/seeded.hpp"
#include "rc_generators.hpp"

namespace vipcts::vfio::gen {

// ---- states
// ------------------------------------------------------------------------------------------------

Geometry geometry_preset(const std::string& name) {
  Geometry g;
  g.name = name;
  if (name == "intel-vtd-aw39") {
    // QEMU 7.2 intel-iommu default aw-bits=39; the MSI window is a non-relaxable reserved region.
    g.pgsizes = 0x40201000;
    g.aperture = {0, 0x7fffffffffull};
    g.reserved = {{0xfee00000, 0xfeefffff}};
  } else if (name == "amd-vi") {
    g.pgsizes = 0xffffff7ffffff000ull;  // linux-6.1; make_state() sets the 6.12+ value
    g.aperture = {0, kU64Max};
    g.reserved = {{0xfee00000, 0xfeefffff}, {0xfd00000000ull, 0xffffffffffull}};
  } else if (name == "full64") {
    g.pgsizes = 0x40201000;
    g.aperture = {0, kU64Max};
    g.reserved = {};
  } else if (name == "small") {
    g.pgsizes = 0x3000;
    g.aperture = {0x10000, 0xffffffff};
    g.reserved = {{0x80000000, 0x800fffff}};
  } else {
    throw std::invalid_argument("unknown vfio geometry " + name);
  }
  return g;
}

ScenarioState make_state(Backend b, Kernel k, const std::string& geometry, uint32_t dma_entry_limit) {
  ScenarioState s;
  s.profile = {b, k};
  s.geometry = geometry_preset(geometry);
  s.geometry.dma_entry_limit = dma_entry_limit;
  // Kernel-dependent facts of the real IOMMUs, observed on the Linux VM (reports/linux-6.1/triage.md):
  // VT-d second-level PTEs are always readable on 6.1 and 6.12; AMD-Vi's page-size bitmap changed in 6.12.
  if (geometry == "intel-vtd-aw39") s.geometry.write_implies_read = k != Kernel::Linux6_18;
  if (geometry == "amd-vi" && k != Kernel::Linux6_1) s.geometry.pgsizes = 0xfff7ffffff000ull;
  return s;
}

// ---- running the model
// -------------------------------------------------------------------------------------

namespace {

bool uses_handles(Method m) {
  switch (m) {
    case Method::IoasMap:
    case Method::IoasUnmap:
    case Method::IoasCopy:
    case Method::IoasAllowIovas:
    case Method::IoasIovaRanges:
    case Method::IommufdOption:
    case Method::IommufdDestroy:
    case Method::DeviceAttach:
    case Method::DeviceDetach:
    case Method::HwptAlloc:
    case Method::IopfAttach:
    case Method::IopfRead:
    case Method::IopfRespond:
      return true;
    default:
      return false;
  }
}

// Handles that do not exist yet become -1 (an id the kernel cannot know); containers fall back to 0.
void fit_handles(Request& r, int containers, int objects) {
  auto fit = [&](int& h) {
    if (h >= objects) h = -1;
  };
  if (uses_handles(r.method)) {
    fit(r.ioas);
    fit(r.dst_ioas);
    fit(r.src_ioas);
    fit(r.id);
    fit(r.pt);
    fit(r.fault);
    if (r.object >= objects) r.object = -1;
    if (r.method == Method::DeviceAttach || r.method == Method::DeviceDetach || r.method == Method::HwptAlloc)
      fit(r.dev);
  }
  if (r.method == Method::GroupSetContainer) {
    if (r.container >= containers) r.container = -1;
  } else if (r.container >= containers || r.container < 0) {
    r.container = 0;
  }
}

void count_created(const Outcome& o, int& containers, int& objects) {
  if (o.container) containers = std::max(containers, *o.container + 1);
  for (const auto& h : {o.ioas, o.hwpt, o.dev, o.fault, o.pt})
    if (h) objects = std::max(objects, *h + 1);
}

}  // namespace

Scenario run(std::string id, const ScenarioState& state, const std::vector<Request>& requests,
             bool drop_unmodelled) {
  Scenario s;
  s.id = std::move(id);
  s.state = state;
  Model model(state);
  int containers = 0, objects = 0;
  std::set<std::string> clauses, features;
  for (const std::string& f :
       {std::string(state.profile.backend == Backend::Iommufd         ? "vfio.iommufd"
                    : state.profile.backend == Backend::IommufdCompat ? "vfio.iommufd.compat"
                                                                      : "vfio.type1"),
        "vfio.kernel." + std::string(kernel_name(state.profile.kernel)),
        "vfio.geometry." + state.geometry.name})
    features.insert(f);
  for (Request r : requests) {
    fit_handles(r, containers, objects);
    const Model before = model;
    Outcome o = model.apply(r);
    if (o.unmodelled) {
      if (!drop_unmodelled)
        throw std::logic_error("scenario " + s.id + ": op " + std::to_string(s.ops.size()) + " (" +
                               std::string(method_name(r.method)) + ") is not modelled");
      model = before;
      continue;
    }
    count_created(o, containers, objects);
    o.clauses.for_each([&](Clause c) { clauses.insert(std::string(clause_id(c))); });
    if (r.method == Method::DmaRead || r.method == Method::DmaWrite) features.insert("vfio.dma");
    if (r.method == Method::ContainerDirtyPages ||
        (r.method == Method::ContainerUnmapDma && (r.flags & uapi::kUnmapDirty)))
      features.insert("vfio.dirty");
    if (method_name(r.method).substr(0, 5) == "iopf.") features.insert("vfio.sva");
    s.ops.push_back(Op{std::move(r), std::move(o)});
  }
  s.clauses.assign(clauses.begin(), clauses.end());
  s.features.assign(features.begin(), features.end());
  return s;
}

std::vector<Request> prefix(const ScenarioState& st, bool attach_device, bool sva) {
  std::vector<Request> p;
  auto add = [&](Method m, auto&& fill) {
    Request r;
    r.method = m;
    fill(r);
    p.push_back(r);
  };
  auto none = [](Request&) {};
  if (st.profile.backend == Backend::Iommufd) {
    add(Method::IoasAlloc, none);                              // handle 0
    add(Method::DeviceBind, [](Request& r) { r.group = 0; });  // handle 1
    if (attach_device)
      add(Method::DeviceAttach, [](Request& r) {  // HWPT handle 2
        r.dev = 1;
        r.pt = 0;
      });
    if (sva) {
      add(Method::IopfAllocQueue, none);  // handle 3 (after the HWPT)
      add(Method::IopfAttach, [](Request& r) {
        r.dev = 0;
        r.fault = 3;
      });
    }
    return p;
  }
  add(Method::ContainerOpen, none);
  add(Method::GroupSetContainer, [](Request& r) {
    r.group = 0;
    r.container = 0;
  });
  add(Method::ContainerSetIommu, [&](Request& r) {
    r.type = st.profile.backend == Backend::Type1v1 ? uapi::kExtType1 : uapi::kExtType1v2;
  });
  if (attach_device) add(Method::GroupGetDevice, [](Request& r) { r.group = 0; });
  return p;
}

// ---- random scenarios
// --------------------------------------------------------------------------------------

namespace {

struct Combo {
  Backend backend;
  Kernel kernel;
  const char* geometry;
  bool sva;
};

// The profiles random scenarios rotate through. The real-kernel profiles (type1 on the VM's intel geometry)
// come twice so they get the largest share.
std::vector<Combo> combos() {
  std::vector<Combo> c;
  for (Kernel k : {Kernel::Linux6_1, Kernel::Linux6_12, Kernel::Linux6_18})
    for (Backend b : {Backend::Type1v1, Backend::Type1v2})
      for (const char* g : {"intel-vtd-aw39", "intel-vtd-aw39", "amd-vi", "full64", "small"})
        c.push_back({b, k, g, false});
  for (const char* g : {"intel-vtd-aw39", "full64", "small"})
    c.push_back({Backend::Iommufd, Kernel::Linux6_18, g, false});
  c.push_back({Backend::Iommufd, Kernel::Linux6_18, "intel-vtd-aw39", true});
  c.push_back({Backend::Iommufd, Kernel::Linux6_18, "full64", true});
  for (const char* g : {"intel-vtd-aw39", "full64"})
    c.push_back({Backend::IommufdCompat, Kernel::Linux6_18, g, false});
  return c;
}

}  // namespace

Scenario random_scenario(uint64_t seed, uint64_t index, unsigned ops) {
  static const std::vector<Combo> kCombos = combos();
  const Combo& c = kCombos[index % kCombos.size()];
  const uint64_t s = derive_seed(seed, index);
  // A small entry limit in a third of the scenarios so ENOSPC is reached.
  const uint32_t limit = (s % 3 == 0) ? 4 : 65535;
  const ScenarioState st = make_state(c.backend, c.kernel, c.geometry, limit);
  std::vector<Request> reqs = prefix(st, true, c.sva);
  const rc::Gen<Request> gen = request_gen(st, c.sva);
  for (unsigned i = 0; i < ops; ++i) reqs.push_back(generate_seeded(gen, derive_seed(s, i), 50));
  return run("vfio-" + std::to_string(seed) + "-" + std::to_string(index), st, reqs, true);
}

void generate(const Options& options, const std::function<void(const Scenario&)>& sink) {
  if (options.boundary) {
    for (const Scenario& s : directed_scenarios()) sink(s);
    for (const Scenario& s : boundary_scenarios(options.spec_file)) sink(s);
  }
  if (options.random)
    for (uint64_t i = 0; i < options.count; ++i)
      sink(random_scenario(options.seed, i, options.ops_per_scenario));
}

}  // namespace vipcts::vfio::gen
