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

// The profiles the Linux VM checks: type1 on the two Debian kernel lines with the two emulated IOMMUs the VM
// has a geometry for (harness/adapters/linux_vm). Both type1 versions, so v1 semantics are checked too.
std::vector<Combo> vm_combos() {
  std::vector<Combo> c;
  for (Kernel k : {Kernel::Linux6_1, Kernel::Linux6_12})
    for (const char* g : {"intel-vtd-aw39", "amd-vi"})
      for (Backend b : {Backend::Type1v2, Backend::Type1v1}) c.push_back({b, k, g, false});
  return c;
}

std::vector<Request> requests_of(const std::vector<Op>& ops) {
  std::vector<Request> out;
  for (const Op& op : ops) out.push_back(op.request);
  return out;
}

// The Linux VM's DMA probe maps a scratch page of its own into the device's container for the probe's
// duration (harness/adapters/linux_vm/README.md), which takes one entry under dma_entry_limit. So with
// `--platform linux-vm` a probe made while some container has no entry left (GET_INFO's dma_avail is 0) is
// left out of the scenario: the VM could not run it, and leaving it out changes no state (probes change
// nothing).
std::vector<Request> probes_the_vm_can_run(const ScenarioState& st, const std::vector<Op>& ops) {
  std::vector<Request> out;
  Model model(st);
  int containers = 0;
  for (const Op& op : ops) {
    const Request& r = op.request;
    bool full = false;
    if (r.method == Method::DmaRead || r.method == Method::DmaWrite) {
      for (int c = 0; c < containers && !full; ++c) {
        Model copy = model;  // GET_INFO changes nothing; the copy keeps that obvious
        Request info;
        info.method = Method::ContainerGetInfo;
        info.container = c;
        info.argsz = 4096;
        try {
          const Outcome o = copy.apply(info);
          full = o.ok() && o.dma_avail && *o.dma_avail == 0;
        } catch (const std::invalid_argument&) {
          // a container the scenario closed: it has no entries to run out of
        }
      }
    }
    if (full) continue;
    const Outcome o = model.apply(r);
    if (o.container) containers = std::max(containers, *o.container + 1);
    out.push_back(r);
  }
  return out;
}

}  // namespace

Scenario random_scenario(uint64_t seed, uint64_t index, unsigned ops, bool vm_only) {
  static const std::vector<Combo> kCombos = combos(), kVmCombos = vm_combos();
  const std::vector<Combo>& all = vm_only ? kVmCombos : kCombos;
  const Combo& c = all[index % all.size()];
  const uint64_t s = derive_seed(seed, index);
  // A small entry limit in a third of the scenarios so ENOSPC is reached.
  const uint32_t limit = (s % 3 == 0) ? 4 : 65535;
  const ScenarioState st = make_state(c.backend, c.kernel, c.geometry, limit);
  std::vector<Request> reqs = prefix(st, true, c.sva);
  const rc::Gen<Request> gen = request_gen(st, c.sva);
  for (unsigned i = 0; i < ops; ++i) reqs.push_back(generate_seeded(gen, derive_seed(s, i), 50));
  const std::string id =
      std::string(vm_only ? "vfio-vm-" : "vfio-") + std::to_string(seed) + "-" + std::to_string(index);
  Scenario scenario = run(id, st, reqs, true);
  return vm_only ? run(id, st, probes_the_vm_can_run(st, scenario.ops), true) : scenario;
}

namespace {

bool is_preset(const Geometry& g) {
  const Geometry p = geometry_preset(g.name);
  return g.pgsizes == p.pgsizes && g.aperture == p.aperture && g.reserved == p.reserved;
}

// `--platform linux-vm`: every type1 directed and boundary scenario again on each VM configuration it does
// not already target (linux-6.1 and linux-6.12; an intel-vtd-aw39 scenario on intel-vtd-aw39, a full64 one on
// amd-vi, whose aperture is also the whole 64-bit space), with the same requests and the model's prediction
// for that profile. Id: the original's + "@KERNEL-GEOMETRY". Scenarios with a hand-made geometry stay
// reference-only.
std::vector<Scenario> vm_twins(const Scenario& s) {
  std::vector<Scenario> out;
  const Backend b = s.state.profile.backend;
  if ((b != Backend::Type1v1 && b != Backend::Type1v2) || !is_preset(s.state.geometry)) return out;
  const std::string& from = s.state.geometry.name;
  const std::string to = from == "full64" ? "amd-vi" : from == "intel-vtd-aw39" ? from : "";
  if (to.empty()) return out;
  for (Kernel k : {Kernel::Linux6_1, Kernel::Linux6_12}) {
    if (k == s.state.profile.kernel && to == from) continue;  // the original already runs on the VM
    ScenarioState st = make_state(b, k, to, s.state.geometry.dma_entry_limit);
    st.groups = s.state.groups;
    st.pool = s.state.pool;
    const std::string id = s.id + "@" + std::string(kernel_name(k)) + "-" + to;
    const Scenario twin = run(id, st, requests_of(s.ops), true);
    out.push_back(run(id, st, probes_the_vm_can_run(st, twin.ops), true));
  }
  return out;
}

}  // namespace

void generate(const Options& options, const std::function<void(const Scenario&)>& sink) {
  if (!options.platform.empty() && options.platform != "linux-vm")
    throw std::invalid_argument("vfio: unknown --platform `" + options.platform + "` (known: linux-vm)");
  const bool vm = options.platform == "linux-vm";
  if (options.boundary) {
    std::vector<Scenario> fixed = directed_scenarios();
    for (Scenario& s : boundary_scenarios(options.spec_file)) fixed.push_back(std::move(s));
    for (const Scenario& s : fixed) sink(s);
    if (vm)
      for (const Scenario& s : fixed)
        for (const Scenario& t : vm_twins(s)) sink(t);
  }
  if (options.random)
    for (uint64_t i = 0; i < options.count; ++i)
      sink(random_scenario(options.seed, i, options.ops_per_scenario, vm));
}

}  // namespace vipcts::vfio::gen
