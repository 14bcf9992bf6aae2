// linux-vm: the vfio suite's requests (docs/vfio-operations.md §3, §5) turned into agent primitives and the
// kernel's answers turned into the suite's outcomes. Nothing here predicts an answer: ret, errno and the
// out-fields are what the guest kernel returned, and a DMA probe's verdict is where the edu device's bytes
// really went.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/adapters/linux_vm/linux_vm.hpp"
#include "harness/adapters/linux_vm/vm.hpp"
#include "harness/core/errors.hpp"

namespace vipcts {
namespace {

using linux_vm::Iommu;
using linux_vm::Reply;
using linux_vm::Vm;
using linux_vm::VmConfig;
using linux_vm::VmFailure;

// A kernel fd number the agent never has open: what handle -1 ("names no object") and closed handles become.
constexpr int kNoFd = 1000000;

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

std::string errno_name(int e) {
  const char* n = strerrorname_np(e);
  return n ? n : "E" + std::to_string(e);
}

// The IOMMU geometries of docs/vfio-operations.md §2.2 that a real emulated IOMMU can have: the VM claims
// `vfio.geometry.NAME` only when GET_INFO shows exactly this page-size bitmap and these usable ranges on a
// kernel of this line ("" = any line).
struct Geometry {
  const char* name;
  const char* line;
  uint64_t pgsizes;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;  // aperture minus reserved, inclusive
};

const std::vector<Geometry>& known_geometries() {
  // VT-d (QEMU aw-bits=39): 4K|2M|1G, the MSI window reserved. AMD-Vi: the v1 page table's bitmap
  // (drivers/iommu/amd/amd_iommu_types.h AMD_IOMMU_PGSIZES: `~0xFFF & ~(2 << 38)` on 6.1, `GENMASK_ULL(51,
  // 12) ^ SZ_512G` on 6.12), a 64-bit aperture, and the MSI window plus the HyperTransport hole
  // [0xfd00000000, 0xffffffffff] reserved (amd_iommu_get_resv_regions); all three read back from GET_INFO in
  // the VM (reports/linux-6.1/triage.md §4).
  static const std::vector<std::pair<uint64_t, uint64_t>> amd_ranges = {
      {0x0ull, 0xfedfffffull}, {0xfef00000ull, 0xfcffffffffull}, {0x10000000000ull, ~0ull}};
  static const std::vector<Geometry> g = {
      {"intel-vtd-aw39", "", 0x40201000ull, {{0x0ull, 0xfedfffffull}, {0xfef00000ull, 0x7fffffffffull}}},
      {"amd-vi", "linux-6.1", 0xffffff7ffffff000ull, amd_ranges},
      {"amd-vi", "linux-6.12", 0xfff7ffffff000ull, amd_ranges},
  };
  return g;
}

std::vector<std::pair<uint64_t, uint64_t>> parse_ranges(const std::string& text) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t dash = item.find('-');
    if (dash != std::string::npos)
      out.emplace_back(std::stoull(item.substr(0, dash), nullptr, 0),
                       std::stoull(item.substr(dash + 1), nullptr, 0));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

// Request parameters, with errors that name the field (a malformed vector is an input error, exit 2).
struct Params {
  const Json& p;
  const std::string& method;
  const Json& field(const char* key) const {
    if (!p.is_object() || !p.contains(key)) throw InputError(method + ": params." + key + ": missing");
    return p.at(key);
  }
  bool has(const char* key) const { return p.is_object() && p.contains(key); }
  uint64_t u64(const char* key) const {
    const Json& v = field(key);
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer()) return static_cast<uint64_t>(v.get<int64_t>());
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      char* end = nullptr;
      errno = 0;
      unsigned long long x = std::strtoull(s.c_str(), &end, 16);
      if (s.rfind("0x", 0) == 0 && !errno && end && *end == 0 && s.size() > 2) return x;
    }
    throw InputError(method + ": params." + key + ": expected a hex string or a number, found " + v.dump());
  }
  int64_t num(const char* key) const {
    const Json& v = field(key);
    if (!v.is_number_integer()) throw InputError(method + ": params." + key + ": expected an integer");
    return v.get<int64_t>();
  }
};

Json failure(const Reply& r) {
  return Json{{"ret", -1}, {"errno", errno_name(r.err)}};
}

class LinuxVmImplementation final : public Implementation {
 public:
  LinuxVmImplementation(const std::string& spec, const ImplementationOptions& options) {
    info_.id = "linux-vm:" + spec;
    info_.name = "linux-vm";
    parse_spec(spec, options);
    std::string why;
    if (config_.release.empty()) {
      unavailable_ = why_kernel_;
    } else if (std::string missing = linux_vm::missing_prerequisites(config_.release); !missing.empty()) {
      unavailable_ = "missing " + missing;
    }
    if (!unavailable_.empty()) {
      info_.version = "unavailable: " + unavailable_;
      std::fprintf(
          stderr,
          "vipcts: %s: unavailable (%s): every vector is reported not applicable (no feature claimed)\n",
          info_.id.c_str(), unavailable_.c_str());
      return;
    }
    vm_ = std::make_unique<Vm>(config_);
    try {
      start_vm();
      discover();
      // A post-boot snapshot turns a crash recovery into a restore (~0.2 s) instead of a boot.
      if (!vm_->take_snapshot())
        std::fprintf(stderr, "vipcts: %s: no snapshot (QEMU refused); recoveries will reboot\n",
                     info_.id.c_str());
    } catch (const std::exception& e) {
      vm_->kill();
      throw InputError(info_.id + ": " + e.what());
    }
    info_.version = vm_->kernel() + " iommu=" + linux_vm::iommu_name(config_.iommu) + " qemu-tcg";
    std::fprintf(stderr, "vipcts: %s: kernel %s booted in %.1f s; geometry %s; features:", info_.id.c_str(),
                 vm_->kernel().c_str(), vm_->boot_seconds(), geometry_.c_str());
    for (const auto& f : info_.features) std::fprintf(stderr, " %s", f.c_str());
    std::fprintf(stderr, "\n");
  }

  ~LinuxVmImplementation() override {
    if (vm_) vm_->kill();
  }

  const ImplementationInfo& info() const override { return info_; }

  Observation open(const Suite& suite, const ScenarioHeader& header) override {
    scenario_.reset();
    log_.clear();
    if (!unavailable_.empty()) return {ObservationKind::Error, {}, "linux-vm unavailable: " + unavailable_};
    if (suite.name() != "vfio")
      return {
          ObservationKind::Error, {}, "linux-vm runs the vfio suite only, not " + std::string(suite.name())};
    Scenario s = parse_state(header);
    if (!s.unsupported.empty()) return {ObservationKind::Error, {}, s.unsupported};
    scenario_ = std::move(s);
    for (int attempt = 0;; ++attempt) {
      try {
        if (!vm_->running()) recover();
        begin_scenario();
        return {ObservationKind::Outcome, Json::object(), {}};
      } catch (const VmFailure& f) {
        if (attempt == 1) {
          scenario_.reset();
          return {f.timeout ? ObservationKind::Timeout : ObservationKind::Crash, {}, f.what()};
        }
      } catch (const std::exception& e) {
        scenario_.reset();
        return {ObservationKind::Error, {}, e.what()};
      }
    }
  }

  std::vector<Observation> apply(std::span<const Json> requests) override {
    std::vector<Observation> out(requests.size());
    for (size_t k = 0; k < requests.size(); ++k) {
      if (!scenario_) {
        out[k] = {ObservationKind::Error, {}, dead_.empty() ? "apply() without an open scenario" : dead_};
        continue;
      }
      try {
        out[k].outcome = execute(requests[k]);
        log_.push_back(requests[k]);
      } catch (const InputError&) {
        throw;
      } catch (const VmFailure& f) {
        out[k] = {f.timeout ? ObservationKind::Timeout : ObservationKind::Crash, {}, f.what()};
        restore();
      } catch (const std::exception& e) {
        out[k] = {ObservationKind::Error, {}, e.what()};
      }
    }
    return out;
  }

  void close() override {
    scenario_.reset();
    log_.clear();
    dead_.clear();
  }

 private:
  struct Scenario {
    uint64_t pool_base = 0, pool_size = 0, granule = 4096;
    unsigned dma_entry_limit = 65535;
    unsigned groups = 0;
    std::vector<int> containers;          // handle -> agent fd (kNoFd once closed)
    std::vector<int> group_fd;            // group -> agent fd
    std::vector<int> device_fd;           // group -> agent fd of its device, -1 = not opened
    std::vector<int> group_container;     // group -> container handle it was set to, -1 = none
    std::vector<int> probe_container_fd;  // group -> the adapter's own fd of that container, -1 = none
    std::string unsupported;              // set: the scenario cannot run here, and why
  };

  void parse_spec(const std::string& spec, const ImplementationOptions& options) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (true) {
      size_t comma = spec.find(',', pos);
      parts.push_back(spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    const std::string usage =
        "expected linux-vm:KERNEL[,iommu=intel|amd|virtio][,boot-timeout=SECONDS][,op-timeout=SECONDS]";
    if (parts[0].empty()) throw InputError("--impl linux-vm: needs a kernel (6.1, 6.12, ...); " + usage);
    for (size_t i = 1; i < parts.size(); ++i) {
      size_t eq = parts[i].find('=');
      std::string key = parts[i].substr(0, eq), val = eq == std::string::npos ? "" : parts[i].substr(eq + 1);
      if (key == "iommu" && (val == "intel" || val == "amd" || val == "virtio")) {
        config_.iommu = val == "intel" ? Iommu::Intel : val == "amd" ? Iommu::Amd : Iommu::Virtio;
      } else if ((key == "boot-timeout" || key == "op-timeout") && !val.empty() && val.size() < 6 &&
                 val.find_first_not_of("0123456789") == std::string::npos) {
        (key == "boot-timeout" ? config_.boot_timeout_ms : op_timeout_ms_) =
            static_cast<unsigned>(std::stoul(val) * 1000);
      } else {
        throw InputError("--impl linux-vm:" + spec + ": bad option `" + parts[i] + "`; " + usage);
      }
    }
    // A DMA probe takes up to about a second of a loaded host: --timeout-ms below 20 s only via op-timeout.
    config_.op_timeout_ms = op_timeout_ms_ ? op_timeout_ms_ : std::max(options.timeout_ms, 20000u);
    config_.release = linux_vm::resolve_kernel(parts[0], why_kernel_);
  }

  void start_vm() {
    vm_->boot();
    Reply r = vm_->call("find vendor=0x1234 device=0x11e8");
    Reply n = vm_->call("find vendor=0x8086 device=0x10d3");
    devices_.clear();
    // Group g of the state is device g: edu first (it does DMA), then e1000e (docs/vfio-operations.md §1).
    for (const Reply* d : {&r, &n})
      if (d->ok && d->ret == 0 && d->at("driver") == "vfio-pci" && d->at("group") != "-1")
        devices_.push_back({d->at("bdf"), d->at("group"), d == &r ? "edu" : "e1000e"});
  }

  // A fresh VM after a failure: the post-boot snapshot if there is one (same kernel, same devices), else a
  // new boot.
  void recover() {
    try {
      if (vm_->restore_snapshot()) return;
    } catch (const VmFailure&) {
    }
    start_vm();
  }

  // Which geometry and kernel line this VM really has, from a throwaway container.
  void discover() {
    if (devices_.empty()) throw std::runtime_error("no device bound to vfio-pci in the guest");
    const std::string kernel = vm_->kernel();
    const size_t dot = kernel.find('.'), end = kernel.find_first_not_of("0123456789", dot + 1);
    const std::string line = "linux-" + kernel.substr(0, end);
    must(vm_->call("reset"));
    const std::string c = std::to_string(must(vm_->call("open path=/dev/vfio/vfio")).ret);
    const bool v1 = vm_->call("ioctl fd=" + c + " cmd=CHECK_EXTENSION arg=1").ret == 1;
    const bool v2 = vm_->call("ioctl fd=" + c + " cmd=CHECK_EXTENSION arg=3").ret == 1;
    const std::string g = std::to_string(must(vm_->call("open path=/dev/vfio/" + devices_[0].group)).ret);
    must(vm_->call("set_container fd=" + g + " container=" + c));
    must(vm_->call("ioctl fd=" + c + " cmd=SET_IOMMU arg=3"));
    Reply info = must(vm_->call("iommu_info fd=" + c + " argsz=4096"));
    // The device can DMA only if edu is bound and its device fd opens.
    const bool dma = devices_[0].vendor_device == "edu" &&
                     vm_->call("get_device fd=" + g + " name=" + devices_[0].bdf).ret >= 0;
    // No Debian kernel has CONFIG_IOMMUFD; if a kernel did, /dev/iommu would exist (this adapter still does
    // not drive it, so it is reported, not claimed).
    const bool iommufd = vm_->call("open path=/dev/iommu").ret >= 0;
    must(vm_->call("reset"));
    if (iommufd)
      std::fprintf(stderr, "vipcts: %s: /dev/iommu exists, but linux-vm drives type1 only\n",
                   info_.id.c_str());
    const uint64_t pgsizes = info.u64("pgsizes");
    const auto ranges = info.kv.count("ranges") ? parse_ranges(info.at("ranges"))
                                                : std::vector<std::pair<uint64_t, uint64_t>>{};
    geometry_ = "unknown(pgsizes=" + hex(pgsizes) +
                " ranges=" + (info.kv.count("ranges") ? info.at("ranges") : "-") + ")";
    std::optional<std::string> name;
    for (const Geometry& k : known_geometries())
      if ((!*k.line || line == k.line) && k.pgsizes == pgsizes && k.ranges == ranges) name = k.name;
    // Claimed from what this kernel answered, not assumed: type1 (v1 and v2 both, vectors pick the type),
    // DMA probes (edu usable), dirty tracking (GET_INFO's migration capability).
    info_.features.clear();
    if (v1 && v2) info_.features.push_back("vfio.type1");
    if (dma) info_.features.push_back("vfio.dma");
    if (info.kv.count("mig_pgsizes")) info_.features.push_back("vfio.dirty");
    info_.features.push_back("vfio.kernel." + line);
    if (name) {
      geometry_ = *name;
      info_.features.push_back("vfio.geometry." + *name);
    } else {
      std::fprintf(stderr, "vipcts: %s: GET_INFO shows a geometry no vector set names: %s\n",
                   info_.id.c_str(), geometry_.c_str());
    }
    info_.profile = line;
  }

  static const Reply& must(const Reply& r) {
    if (!r.ok || r.ret < 0)
      throw std::runtime_error("agent: `" + r.line + "`" + (r.ok ? " (" + errno_name(r.err) + ")" : ""));
    return r;
  }

  Scenario parse_state(const ScenarioHeader& h) const {
    Scenario s;
    const Json& st = h.state;
    auto bad = [&](const std::string& field, const std::string& what) {
      return InputError("scenario " + h.id + ": state." + field + ": " + what);
    };
    auto hexfield = [&](const Json& obj, const char* key, const std::string& path) -> uint64_t {
      if (!obj.is_object() || !obj.contains(key) || !obj.at(key).is_string())
        throw bad(path, "expected a hex string");
      return std::stoull(obj.at(key).get<std::string>(), nullptr, 16);
    };
    if (!st.is_object() || !st.contains("profile") || !st.at("profile").is_object())
      throw bad("profile", "missing");
    const std::string backend = st.at("profile").value("backend", "");
    if (backend != "type1v1" && backend != "type1v2") {
      s.unsupported =
          "backend `" + backend + "` needs iommufd, which no Debian kernel enables (CONFIG_IOMMUFD)";
      return s;
    }
    if (!st.contains("pool")) throw bad("pool", "missing");
    s.pool_base = hexfield(st.at("pool"), "base", "pool.base");
    s.pool_size = hexfield(st.at("pool"), "size", "pool.size");
    if (!st.contains("geometry") || !st.at("geometry").is_object()) throw bad("geometry", "missing");
    const Json& geo = st.at("geometry");
    const uint64_t pgsizes = hexfield(geo, "pgsizes", "geometry.pgsizes");
    s.granule = std::max<uint64_t>(4096, pgsizes & (~pgsizes + 1));
    if (geo.contains("dma_entry_limit")) {
      if (!geo.at("dma_entry_limit").is_number_unsigned())
        throw bad("geometry.dma_entry_limit", "expected a number");
      s.dma_entry_limit = geo.at("dma_entry_limit").get<unsigned>();
    }
    s.groups = st.value("groups", 1u);
    if (s.groups > devices_.size()) {
      s.unsupported = "the scenario needs " + std::to_string(s.groups) + " groups, the VM has " +
                      std::to_string(devices_.size());
    }
    return s;
  }

  // Clean slate (every fd of the previous scenario closed, pool pattern refilled), then the state.
  void begin_scenario() {
    Scenario& s = *scenario_;
    s.containers.clear();
    s.group_fd.assign(s.groups, -1);
    s.device_fd.assign(s.groups, -1);
    s.group_container.assign(s.groups, -1);
    s.probe_container_fd.assign(s.groups, -1);
    must(vm_->call("reset"));
    must(vm_->call("sysfs_write path=/sys/module/vfio_iommu_type1/parameters/dma_entry_limit val=" +
                   std::to_string(s.dma_entry_limit)));
    must(vm_->call("pool base=" + hex(s.pool_base) + " size=" + hex(s.pool_size)));
    for (unsigned g = 0; g < s.groups; ++g)
      s.group_fd[g] = static_cast<int>(must(vm_->call("open path=/dev/vfio/" + devices_[g].group)).ret);
  }

  // After a crash or hang: a fresh VM, the scenario re-opened and its answered requests replayed.
  void restore() {
    std::vector<Json> replay = std::move(log_);
    log_.clear();
    try {
      recover();
      begin_scenario();
      for (const Json& r : replay) {
        execute(r);
        log_.push_back(r);
      }
    } catch (const std::exception& e) {
      scenario_.reset();
      dead_ = std::string("the VM could not be restored after a failure: ") + e.what();
      if (vm_) vm_->kill();
    }
  }

  int container_fd(const Params& p, const char* key = "container") const {
    int64_t h = p.num(key);
    const auto& c = scenario_->containers;
    if (h == -1) return kNoFd;
    if (h < 0 || static_cast<size_t>(h) >= c.size())
      throw InputError(p.method + ": params." + key + ": container handle " + std::to_string(h) +
                       " was never created");
    return c[static_cast<size_t>(h)];
  }

  unsigned group(const Params& p) const {
    int64_t g = p.num("group");
    if (g < 0 || static_cast<uint64_t>(g) >= scenario_->groups)
      throw InputError(p.method + ": params.group: " + std::to_string(g) + " is not a group of the state");
    return static_cast<unsigned>(g);
  }

  // ret/errno only, for the calls whose success has no out-fields.
  static Json plain(const Reply& r) { return r.ret < 0 ? failure(r) : Json{{"ret", r.ret}}; }

  Reply call(const std::string& line) {
    Reply r = vm_->call(line);
    if (!r.ok) throw std::runtime_error("the agent refused `" + line + "`: " + r.line);
    return r;
  }

  static std::string opt(const Params& p, const char* key) {
    return p.has(key) ? std::string(" ") + key + "=" + std::to_string(p.u64(key)) : "";
  }

  // Set bits of the agent's bitmap (hex bytes, little-endian words) as page indexes.
  static Json dirty_pages(const std::string& bytes) {
    Json out = Json::array();
    for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
      unsigned v = static_cast<unsigned>(std::stoul(bytes.substr(i, 2), nullptr, 16));
      for (unsigned b = 0; b < 8; ++b)
        if (v & (1u << b)) out.push_back((i / 2) * 8 + b);
    }
    return out;
  }

  uint64_t bitmap_bytes(uint64_t size, uint64_t pgsize, const std::string& method) const {
    if (pgsize == 0) return 8;
    uint64_t pages = size / pgsize + (size % pgsize ? 1 : 0);
    (void)method;
    uint64_t bytes = (pages + 63) / 64 * 8;
    return bytes == 0 ? 8 : bytes;
  }

  Json execute(const Json& request) {
    if (!request.is_object() || !request.contains("method") || !request.at("method").is_string())
      throw InputError("request: method: missing");
    const std::string method = request.at("method").get<std::string>();
    static const Json empty = Json::object();
    const Json& pj = request.contains("params") ? request.at("params") : empty;
    Params p{pj, method};
    Scenario& s = *scenario_;

    if (method == "container.open") {
      Reply r = call("open path=/dev/vfio/vfio");
      if (r.ret < 0) return failure(r);
      s.containers.push_back(static_cast<int>(r.ret));
      return Json{{"ret", 0}, {"container", s.containers.size() - 1}};
    }
    if (method == "container.close") {
      int fd = container_fd(p);
      Reply r = call("close fd=" + std::to_string(fd));
      if (r.ret == 0) s.containers[static_cast<size_t>(p.num("container"))] = kNoFd;
      return plain(r);
    }
    if (method == "container.api_version")
      return plain(call("ioctl fd=" + std::to_string(container_fd(p)) + " cmd=GET_API_VERSION"));
    if (method == "container.check_extension")
      return plain(call("ioctl fd=" + std::to_string(container_fd(p)) +
                        " cmd=CHECK_EXTENSION arg=" + std::to_string(p.u64("ext"))));
    if (method == "container.set_iommu")
      return plain(call("ioctl fd=" + std::to_string(container_fd(p)) +
                        " cmd=SET_IOMMU arg=" + std::to_string(p.u64("type"))));
    if (method == "container.map_dma") {
      const uint64_t vaddr = s.pool_base + p.u64("vaddr");  // modulo 2^64 (§1)
      return plain(call("map fd=" + std::to_string(container_fd(p)) + " vaddr=" + hex(vaddr) +
                        " iova=" + hex(p.u64("iova")) + " size=" + hex(p.u64("size")) +
                        " flags=" + std::to_string(p.u64("flags")) + opt(p, "argsz")));
    }
    if (method == "container.unmap_dma") {
      const uint64_t flags = p.u64("flags"), size = p.u64("size");
      std::string line = "unmap fd=" + std::to_string(container_fd(p)) + " iova=" + hex(p.u64("iova")) +
                         " size=" + hex(size) + " flags=" + std::to_string(flags) + opt(p, "argsz");
      const bool dirty = flags & 1;  // VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP
      if (dirty) {
        const uint64_t pg = p.has("bitmap_pgsize") ? p.u64("bitmap_pgsize") : s.granule;
        line +=
            " bitmap_pgsize=" + hex(pg) + " bitmap_size=" + std::to_string(bitmap_bytes(size, pg, method));
      }
      Reply r = call(line);
      if (r.ret < 0) return failure(r);
      Json out{{"ret", r.ret}, {"size", hex(r.u64("size"))}};
      if (r.kv.count("bitmap_truncated"))
        throw std::runtime_error(
            method + ": the kernel filled a dirty bitmap larger than the 4096 bytes the agent returns");
      if (dirty) out["dirty"] = dirty_pages(r.kv.count("bitmap") ? r.at("bitmap") : "");
      return out;
    }
    if (method == "container.get_info") {
      Reply r = call("iommu_info fd=" + std::to_string(container_fd(p)) +
                     " argsz=" + std::to_string(p.has("argsz") ? p.u64("argsz") : 4096));
      if (r.ret < 0) return failure(r);
      Json out{{"ret", r.ret}, {"flags", std::stoul(r.at("flags"))}, {"iova_pgsizes", hex(r.u64("pgsizes"))}};
      if (r.kv.count("ranges")) {
        Json ranges = Json::array();
        for (auto [a, b] : parse_ranges(r.at("ranges"))) ranges.push_back(Json::array({hex(a), hex(b)}));
        out["iova_ranges"] = ranges;
      }
      if (r.kv.count("dma_avail")) out["dma_avail"] = std::stoul(r.at("dma_avail"));
      if (r.kv.count("mig_pgsizes"))
        out["migration"] = Json{{"pgsize_bitmap", hex(r.u64("mig_pgsizes"))},
                                {"max_dirty_bitmap_size", hex(r.u64("mig_max_bitmap"))}};
      return out;
    }
    if (method == "container.dirty_pages") {
      const uint64_t flags = p.u64("flags");
      std::string line = "dirty fd=" + std::to_string(container_fd(p)) + " flags=" + std::to_string(flags);
      const bool get = flags & 4;  // VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP
      if (get) {
        const uint64_t pg = p.has("pgsize") ? p.u64("pgsize") : s.granule, size = p.u64("size");
        line += " iova=" + hex(p.u64("iova")) + " size=" + hex(size) + " bitmap_pgsize=" + hex(pg) +
                " bitmap_size=" + std::to_string(bitmap_bytes(size, pg, method));
      }
      Reply r = call(line);
      if (r.ret < 0) return failure(r);
      Json out{{"ret", r.ret}};
      if (r.kv.count("bitmap_truncated"))
        throw std::runtime_error(
            method + ": the kernel filled a dirty bitmap larger than the 4096 bytes the agent returns");
      if (get) out["dirty"] = dirty_pages(r.kv.count("bitmap") ? r.at("bitmap") : "");
      return out;
    }
    if (method == "group.status") {
      Reply r = call("group_status fd=" + std::to_string(s.group_fd[group(p)]));
      if (r.ret < 0) return failure(r);
      return Json{{"ret", r.ret}, {"flags", std::stoul(r.at("flags"))}};
    }
    if (method == "group.set_container") {
      const unsigned g = group(p);
      Reply r = call("set_container fd=" + std::to_string(s.group_fd[g]) +
                     " container=" + std::to_string(container_fd(p)));
      if (r.ret == 0) {
        s.group_container[g] = static_cast<int>(p.num("container"));
        // Our own reference to the container, for DMA probes after the vector closed its fd (the group keeps
        // the container alive in the kernel too, so this changes nothing the vector can observe).
        s.probe_container_fd[g] =
            static_cast<int>(must(call("dup fd=" + std::to_string(container_fd(p)))).ret);
      }
      return plain(r);
    }
    if (method == "group.unset_container") {
      const unsigned g = group(p);
      Reply r = call("ioctl fd=" + std::to_string(s.group_fd[g]) + " cmd=GROUP_UNSET_CONTAINER");
      if (r.ret == 0) {
        s.group_container[g] = -1;
        must(call("close fd=" + std::to_string(s.probe_container_fd[g])));
        s.probe_container_fd[g] = -1;
      }
      return plain(r);
    }
    if (method == "group.get_device") {
      const unsigned g = group(p);
      Reply r = call("get_device fd=" + std::to_string(s.group_fd[g]) + " name=" + devices_[g].bdf);
      if (r.ret < 0) return failure(r);
      s.device_fd[g] = static_cast<int>(r.ret);
      return Json{{"ret", 0}};
    }
    if (method == "dma.write" || method == "dma.read") {
      const unsigned g = group(p);
      if (g != 0) throw std::runtime_error(method + ": only group 0 (edu) can perform DMA in the VM");
      if (s.device_fd[g] < 0) throw std::runtime_error(method + ": the device of group 0 was never opened");
      if (s.group_container[g] < 0)
        throw std::runtime_error(method + ": group 0 is in no container, so no scratch page can be mapped");
      const uint64_t iova = p.u64("iova"), len = p.u64("len");
      Reply r = call(std::string("probe dir=") + (method == "dma.write" ? "w" : "r") +
                     " dev=" + std::to_string(s.device_fd[g]) +
                     " container=" + std::to_string(s.probe_container_fd[g]) + " iova=" + hex(iova) +
                     " len=" + std::to_string(len));
      if (r.ret < 0)
        throw std::runtime_error(method + ": the probe itself failed at " +
                                 (r.kv.count("why") ? r.at("why") : "?") + " (" + errno_name(r.err) + ")");
      const bool landed = r.at("dma") == "landed";
      const unsigned faults = static_cast<unsigned>(std::stoul(r.at("faults")));
      Json out{{"ret", 0}, {"dma", landed ? "landed" : "blocked"}};
      if (landed) out["pool_offset"] = hex(r.u64("pool_off"));
      // Second oracle, diagnostic only: the kernel's IOMMU fault log should agree with the data.
      out["_iommu_faults"] = faults;
      if (landed == (faults > 0)) out["_oracle_disagreement"] = true;
      return out;
    }
    // Test hooks (never in generated vectors) for the crash and hang paths: the agent dies (init then powers
    // the VM off) or never answers; apply() gives the crash/timeout verdict, restarts the VM and replays.
    if (method == "linux-vm.die" || method == "linux-vm.hang")
      return plain(call(method == "linux-vm.die" ? "die" : "hang"));
    throw std::runtime_error("linux-vm does not implement `" + method +
                             "` (Debian kernels have no iommufd; SVA/IOPF is reference-only)");
  }

  struct Device {
    std::string bdf, group, vendor_device;
  };

  ImplementationInfo info_;
  VmConfig config_;
  unsigned op_timeout_ms_ = 0;  // op-timeout=, 0 = from --timeout-ms
  std::string why_kernel_;
  std::string unavailable_;  // non-empty: no VM, nothing claimed, and why
  std::unique_ptr<Vm> vm_;
  std::vector<Device> devices_;
  std::string geometry_;
  std::optional<Scenario> scenario_;
  std::vector<Json> log_;  // the scenario's answered requests, replayed after a restart
  std::string dead_;
};

}  // namespace

std::unique_ptr<Implementation> make_linux_vm_implementation(const std::string& spec,
                                                             const ImplementationOptions& options) {
  return std::make_unique<LinuxVmImplementation>(spec, options);
}

}  // namespace vipcts
