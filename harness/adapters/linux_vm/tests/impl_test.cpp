// The linux-vm Implementation end to end, without the vfio suite: routed through make_implementation, fed the
// example of docs/vfio-operations.md §8 and a few more requests, checked against what that page and the
// type1 uapi say. Exit 77 (ctest SKIP) only when QEMU or the 6.1 kernel are not installed.
#include <cstdio>
#include <string>
#include <vector>

#include "harness/adapters/linux_vm/vm.hpp"
#include "harness/core/implementation.hpp"

using namespace vipcts;

namespace {

int failures = 0;

// Only the name matters: the adapter runs the "vfio" suite and compares nothing itself.
class NamedSuite final : public Suite {
 public:
  explicit NamedSuite(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  std::string_view clause_file() const override { return "vfio.yaml"; }
  std::vector<std::string> features() const override { return {}; }
  std::vector<std::string> methods() const override { return {}; }
  std::unique_ptr<SuiteSession> open_reference(const Json&) const override { return nullptr; }
  uint32_t abi_version() const override { return 0; }
  std::unique_ptr<SuiteSession> open_plugin(const void*, const Json&) const override { return nullptr; }
  Comparison compare(const Json&, const Json&) const override { return {}; }
  void generate(const GenerateOptions&, ScenarioSink&) const override {}

 private:
  std::string name_;
};

void expect(bool ok, const std::string& what, const std::string& detail = "") {
  std::printf("  %-60s %s%s\n", what.c_str(), ok ? "ok" : "FAIL ", ok ? "" : detail.c_str());
  if (!ok) ++failures;
}

// Every non-`_` field of `want` equals the observed one (docs/vfio-operations.md §1.1).
bool matches(const Json& want, const Observation& got) {
  if (got.kind != ObservationKind::Outcome) return false;
  for (auto it = want.begin(); it != want.end(); ++it)
    if (!got.outcome.contains(it.key()) || got.outcome.at(it.key()) != it.value()) return false;
  return true;
}

Json state(unsigned entry_limit) {
  return Json::parse(R"({"profile":{"backend":"type1v2","kernel":"linux-6.1"},
    "geometry":{"name":"intel-vtd-aw39","pgsizes":"0x40201000","aperture":["0x0","0x7fffffffff"],
                "reserved":[["0xfee00000","0xfeefffff"]],"dma_entry_limit":)" +
                     std::to_string(entry_limit) + R"(},
    "groups":2,"pool":{"base":"0x100000000000","size":"0x4000000"}})");
}

struct Step {
  const char* what;
  const char* request;
  const char* expect;
};

void run_steps(Implementation& impl, const std::vector<Step>& steps) {
  std::vector<Json> reqs;
  for (const Step& s : steps) reqs.push_back(Json::parse(s.request));
  std::vector<Observation> got = impl.apply(reqs);
  for (size_t i = 0; i < steps.size(); ++i) {
    Json want = Json::parse(steps[i].expect);
    expect(matches(want, got[i]), steps[i].what,
           "expected " + want.dump() + ", observed " +
               (got[i].kind == ObservationKind::Outcome ? got[i].outcome.dump() : got[i].message));
  }
}

}  // namespace

int main() {
  ImplementationOptions options;
  NamedSuite vfio("vfio"), other("smmu");

  // A kernel that is not installed: the run goes on, nothing is claimed, and the reason is visible.
  auto none = make_implementation("linux-vm:5.99", options);
  expect(none->info().features.empty() && none->info().version.rfind("unavailable: ", 0) == 0,
         "linux-vm:5.99 claims nothing and says why", none->info().version);
  expect(none->open(vfio, {"s", {}, {}, state(65535)}).kind == ObservationKind::Error,
         "an unavailable VM opens no scenario");

  std::string why;
  std::string release = linux_vm::resolve_kernel("6.1", why);
  std::string missing = release.empty() ? why : linux_vm::missing_prerequisites(release);
  if (!missing.empty()) {
    std::printf("skipped: %s\n", missing.c_str());
    return failures ? 1 : 77;
  }
  // op-timeout: the hang below costs this long; every real request answers in well under a second.
  auto impl = make_implementation("linux-vm:6.1,iommu=intel,op-timeout=8", options);
  const auto& f = impl->info().features;
  auto has = [&](const char* x) { return std::find(f.begin(), f.end(), x) != f.end(); };
  expect(has("vfio.type1") && has("vfio.dma") && has("vfio.kernel.linux-6.1") &&
             has("vfio.geometry.intel-vtd-aw39") && !has("vfio.iommufd"),
         "claims type1, dma, linux-6.1, intel-vtd-aw39; not iommufd");
  expect(impl->open(other, {"s", {}, {}, state(65535)}).kind == ObservationKind::Error,
         "refuses a suite other than vfio");

  // docs/vfio-operations.md §8, then a few more answers the uapi fixes.
  expect(impl->open(vfio, {"vfio-7-0", {}, {}, state(65535)}).kind == ObservationKind::Outcome, "open §8");
  run_steps(
      *impl,
      {
          {"container.open -> handle 0", R"({"method":"container.open","params":{}})",
           R"({"ret":0,"container":0})"},
          {"group.set_container", R"({"method":"group.set_container","params":{"group":0,"container":0}})",
           R"({"ret":0})"},
          {"container.set_iommu TYPE1v2",
           R"({"method":"container.set_iommu","params":{"container":0,"type":3}})", R"({"ret":0})"},
          {"map_dma 8 KiB",
           R"({"method":"container.map_dma","params":{"container":0,"iova":"0x100000","size":"0x2000","vaddr":"0x0","flags":3}})",
           R"({"ret":0})"},
          {"v2 bisecting unmap: EINVAL",
           R"({"method":"container.unmap_dma","params":{"container":0,"iova":"0x101000","size":"0x1000","flags":0}})",
           R"({"ret":-1,"errno":"EINVAL"})"},
          {"group.get_device", R"({"method":"group.get_device","params":{"group":0}})", R"({"ret":0})"},
          {"dma.write lands at pool 0x1008",
           R"({"method":"dma.write","params":{"group":0,"iova":"0x101008","len":8}})",
           R"({"ret":0,"dma":"landed","pool_offset":"0x1008"})"},
          {"dma.read of an unmapped page: blocked",
           R"({"method":"dma.read","params":{"group":0,"iova":"0x102000","len":8}})",
           R"({"ret":0,"dma":"blocked"})"},
          {"get_info: pgsizes, ranges, dma_avail",
           R"({"method":"container.get_info","params":{"container":0}})",
           R"({"ret":0,"flags":3,"iova_pgsizes":"0x40201000","iova_ranges":[["0x0","0xfedfffff"],["0xfef00000","0x7fffffffff"]],"dma_avail":65534})"},
          {"handle -1: EBADF", R"({"method":"container.check_extension","params":{"container":-1,"ext":3}})",
           R"({"ret":-1,"errno":"EBADF"})"},
          {"check_extension UPDATE_VADDR after SET_IOMMU = 1",
           R"({"method":"container.check_extension","params":{"container":0,"ext":10}})", R"({"ret":1})"},
          {"unmap ALL returns the 8 KiB",
           R"({"method":"container.unmap_dma","params":{"container":0,"iova":"0x0","size":"0x0","flags":2}})",
           R"({"ret":0,"size":"0x2000"})"},
      });
  impl->close();

  // The next scenario starts clean: handles from 0 again, the entry limit of its state in force.
  expect(impl->open(vfio, {"vfio-7-1", {}, {}, state(2)}).kind == ObservationKind::Outcome,
         "open with dma_entry_limit 2");
  run_steps(
      *impl,
      {
          {"container.open -> handle 0 again", R"({"method":"container.open","params":{}})",
           R"({"ret":0,"container":0})"},
          {"group.status: VIABLE only", R"({"method":"group.status","params":{"group":0}})",
           R"({"ret":0,"flags":1})"},
          {"group.set_container", R"({"method":"group.set_container","params":{"group":0,"container":0}})",
           R"({"ret":0})"},
          {"container.set_iommu TYPE1v2",
           R"({"method":"container.set_iommu","params":{"container":0,"type":3}})", R"({"ret":0})"},
          {"map 1",
           R"({"method":"container.map_dma","params":{"container":0,"iova":"0x0","size":"0x1000","vaddr":"0x0","flags":3}})",
           R"({"ret":0})"},
          {"map 2",
           R"({"method":"container.map_dma","params":{"container":0,"iova":"0x2000","size":"0x1000","vaddr":"0x2000","flags":3}})",
           R"({"ret":0})"},
          {"map 3 over the limit: ENOSPC",
           R"({"method":"container.map_dma","params":{"container":0,"iova":"0x4000","size":"0x1000","vaddr":"0x4000","flags":3}})",
           R"({"ret":-1,"errno":"ENOSPC"})"},
          {"vaddr past the pool, limit reached: ENOSPC before pinning",
           R"({"method":"container.map_dma","params":{"container":0,"iova":"0x8000","size":"0x1000","vaddr":"0x4000000","flags":3}})",
           R"({"ret":-1,"errno":"ENOSPC"})"},
      });
  impl->close();

  // The crash and hang paths: the agent dies (the VM powers off) or stops answering; the operation gets a
  // crash / timeout verdict, the VM comes back from its snapshot with the scenario replayed, and the run goes
  // on (the mapping made before the failure is still there: EEXIST).
  expect(impl->open(vfio, {"vfio-7-2", {}, {}, state(65535)}).kind == ObservationKind::Outcome,
         "open for the crash/hang replay");
  const char* map =
      R"({"method":"container.map_dma","params":{"container":0,"iova":"0x100000","size":"0x1000","vaddr":"0x0","flags":3}})";
  run_steps(
      *impl,
      {
          {"container.open", R"({"method":"container.open","params":{}})", R"({"ret":0,"container":0})"},
          {"group.set_container", R"({"method":"group.set_container","params":{"group":0,"container":0}})",
           R"({"ret":0})"},
          {"container.set_iommu TYPE1v2",
           R"({"method":"container.set_iommu","params":{"container":0,"type":3}})", R"({"ret":0})"},
          {"map 4 KiB", map, R"({"ret":0})"},
      });
  for (const char* how : {"die", "hang"}) {
    const std::string m = std::string("linux-vm.") + how;
    std::vector<Observation> got =
        impl->apply(std::vector<Json>{Json{{"method", m}, {"params", Json::object()}}, Json::parse(map)});
    const ObservationKind want = m == "linux-vm.die" ? ObservationKind::Crash : ObservationKind::Timeout;
    expect(got.size() == 2 && got[0].kind == want, m + ": crash/timeout verdict", got[0].message);
    expect(got.size() == 2 && matches(Json::parse(R"({"ret":-1,"errno":"EEXIST"})"), got[1]),
           m + ": restored, replayed: the mapping is still there",
           got.size() == 2 ? got[1].outcome.dump() + " " + got[1].message : "");
  }
  impl->close();
  impl.reset();
  return failures ? 1 : 0;
}
