// Throughput through the VM (issue 4, "Benchmarks"): boot time, then scenarios of type1 requests and DMA
// probes sent through the linux-vm Implementation exactly as `vipcts run` sends them. Usage: linux_vm_bench
// [KERNEL] [SCENARIOS]. Prints one line per measurement; exit 77 when the VM prerequisites are missing.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "harness/adapters/linux_vm/vm.hpp"
#include "harness/core/implementation.hpp"

using namespace vipcts;
using Clock = std::chrono::steady_clock;

namespace {

class VfioName final : public Suite {
 public:
  std::string_view name() const override { return "vfio"; }
  std::string_view clause_file() const override { return "vfio.yaml"; }
  std::vector<std::string> features() const override { return {}; }
  std::vector<std::string> methods() const override { return {}; }
  std::unique_ptr<SuiteSession> open_reference(const Json&) const override { return nullptr; }
  uint32_t abi_version() const override { return 0; }
  std::unique_ptr<SuiteSession> open_plugin(const void*, const Json&) const override { return nullptr; }
  Comparison compare(const Json&, const Json&) const override { return {}; }
  void generate(const GenerateOptions&, ScenarioSink&) const override {}
};

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "\"0x%llx\"", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string kernel = argc > 1 ? argv[1] : "6.1";
  const int scenarios = argc > 2 ? std::atoi(argv[2]) : 50;
  std::string why, release = linux_vm::resolve_kernel(kernel, why);
  std::string missing = release.empty() ? why : linux_vm::missing_prerequisites(release);
  if (!missing.empty()) {
    std::printf("skipped: %s\n", missing.c_str());
    return 77;
  }
  VfioName vfio;
  ImplementationOptions options;
  auto t0 = Clock::now();
  auto impl = make_implementation("linux-vm:" + kernel, options);
  std::printf("%s: boot + device discovery %.2f s\n", impl->info().version.c_str(), since(t0));
  const Json state = Json::parse(R"({"profile":{"backend":"type1v2","kernel":"linux-6.1"},
    "geometry":{"name":"intel-vtd-aw39","pgsizes":"0x40201000","aperture":["0x0","0x7fffffffff"],
                "reserved":[["0xfee00000","0xfeefffff"]],"dma_entry_limit":65535},
    "groups":2,"pool":{"base":"0x100000000000","size":"0x4000000"}})");

  // Scenarios of 24 type1 requests: open, attach, set_iommu, 10 maps, get_info, 10 unmaps.
  size_t ops = 0;
  t0 = Clock::now();
  for (int s = 0; s < scenarios; ++s) {
    std::vector<Json> reqs = {
        Json::parse(R"({"method":"container.open","params":{}})"),
        Json::parse(R"({"method":"group.set_container","params":{"group":0,"container":0}})"),
        Json::parse(R"({"method":"container.set_iommu","params":{"container":0,"type":3}})")};
    for (uint64_t i = 0; i < 10; ++i)
      reqs.push_back(Json::parse(R"({"method":"container.map_dma","params":{"container":0,"iova":)" +
                                 hex(0x100000 + i * 0x2000) + R"(,"size":"0x1000","vaddr":)" +
                                 hex(i * 0x1000) + R"(,"flags":3}})"));
    reqs.push_back(Json::parse(R"({"method":"container.get_info","params":{"container":0}})"));
    for (uint64_t i = 0; i < 10; ++i)
      reqs.push_back(Json::parse(R"({"method":"container.unmap_dma","params":{"container":0,"iova":)" +
                                 hex(0x100000 + i * 0x2000) + R"(,"size":"0x1000","flags":0}})"));
    if (impl->open(vfio, {"bench-" + std::to_string(s), {}, {}, state}).kind != ObservationKind::Outcome)
      return 1;
    for (const auto& o : impl->apply(reqs))
      if (o.kind != ObservationKind::Outcome || o.outcome.value("ret", -1) < 0) {
        std::printf("unexpected: %s %s\n", o.outcome.dump().c_str(), o.message.c_str());
        return 1;
      }
    impl->close();
    ops += reqs.size();
  }
  double t = since(t0);
  std::printf("type1 requests: %zu in %d scenarios, %.2f s: %.0f ops/s, %.1f scenarios/s\n", ops, scenarios,
              t, ops / t, scenarios / t);

  // DMA probes: each is 2-4 edu DMAs of 100 ms virtual time plus a pool scan.
  if (impl->open(vfio, {"bench-dma", {}, {}, state}).kind != ObservationKind::Outcome) return 1;
  std::vector<Json> setup = {
      Json::parse(R"({"method":"container.open","params":{}})"),
      Json::parse(R"({"method":"group.set_container","params":{"group":0,"container":0}})"),
      Json::parse(R"({"method":"container.set_iommu","params":{"container":0,"type":3}})"),
      Json::parse(
          R"({"method":"container.map_dma","params":{"container":0,"iova":"0x100000","size":"0x1000","vaddr":"0x0","flags":3}})"),
      Json::parse(R"({"method":"group.get_device","params":{"group":0}})")};
  impl->apply(setup);
  for (const char* m : {"dma.write", "dma.read"})
    for (const char* iova : {"0x100000", "0x200000"}) {
      std::vector<Json> probes(
          5, Json::parse(std::string(R"({"method":")") + m + R"(","params":{"group":0,"iova":")" + iova +
                         R"(","len":64}})"));
      t0 = Clock::now();
      auto got = impl->apply(probes);
      std::printf("%s %s (%s): %.3f s per probe\n", m, iova, got[0].outcome.value("dma", "?").c_str(),
                  since(t0) / probes.size());
    }
  impl->close();
  return 0;
}
