// qemu:virt-smmuv3 as an Implementation against a real QEMU (label `qemu`): scenarios from the qemu-virt
// platform load and answer with outcomes, translated outputs are where the reference says, and a QEMU that
// dies or hangs gives a crash/timeout observation, is restarted and the run goes on.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "generators/smmu/platform.hpp"
#include "harness/adapters/qemu/smmu_qemu.hpp"
#include "harness/core/errors.hpp"
#include "harness/suites/smmu/codec_text.hpp"
#include "harness/suites/smmu/suite.hpp"
#include "reference/smmu/stream_table.hpp"

namespace vipcts {
namespace {

bool have_qemu() {
  return std::system("command -v qemu-system-aarch64 >/dev/null 2>&1") == 0;
}

#define REQUIRE_QEMU() \
  if (!have_qemu()) GTEST_SKIP() << "qemu-system-aarch64 is not installed (scripts/setup.sh installs it)"

struct Collect : ScenarioSink {
  struct Scenario {
    ScenarioHeader header;
    std::vector<Operation> ops;
  };
  std::vector<Scenario> scenarios;
  void begin(const ScenarioHeader& h) override { scenarios.push_back({h, {}}); }
  void op(const Operation& o) override { scenarios.back().ops.push_back(o); }
  void end() override {}
};

std::vector<Collect::Scenario> platform_scenarios(uint64_t seed, uint64_t count) {
  GenerateOptions o;
  o.seed = seed;
  o.count = count;
  o.boundary = false;
  o.platform = "qemu-virt";
  Collect c;
  smmu::smmu_suite().generate(o, c);
  return c.scenarios;
}

std::vector<Json> requests(const Collect::Scenario& s) {
  std::vector<Json> r;
  for (const auto& op : s.ops) r.push_back(op.request);
  return r;
}

// The QEMU this process started (the adapter's only child).
pid_t child_qemu() {
  DIR* d = opendir("/proc");
  pid_t found = -1;
  while (dirent* e = readdir(d)) {
    const pid_t pid = static_cast<pid_t>(std::atol(e->d_name));
    if (pid <= 0) continue;
    std::ifstream stat(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos || line.find("(qemu-system-aar") == std::string::npos) continue;
    char state = 0;
    long ppid = 0;
    if (std::sscanf(line.c_str() + close_paren + 1, " %c %ld", &state, &ppid) == 2 && ppid == getpid())
      found = pid;
  }
  closedir(d);
  return found;
}

std::unique_ptr<Implementation> make(unsigned timeout_ms = 3000) {
  ImplementationOptions o;
  o.timeout_ms = timeout_ms;
  return qemu::make_qemu_smmu_implementation("qemu:virt-smmuv3", "virt-smmuv3", o, "");
}

TEST(QemuSmmu, ClaimsFromIdRegisters) {
  REQUIRE_QEMU();
  auto impl = make();
  const auto& f = impl->info().features;
  EXPECT_NE(std::find(f.begin(), f.end(), "smmu.s1"), f.end());
  EXPECT_EQ(std::find(f.begin(), f.end(), "smmu.httu.af"), f.end());    // IDR0.HTTU = 0
  EXPECT_EQ(std::find(f.begin(), f.end(), "smmu.cd.raz_wi"), f.end());  // IDR0.TERM_MODEL = 1
  EXPECT_NE(std::find(f.begin(), f.end(), "smmu.strtab.2level"), f.end());  // IDR0.ST_LEVEL = 1
  EXPECT_THROW(qemu::make_qemu_smmu_implementation("qemu:nope", "nope", {}, ""), InputError);
}

// Runs the scenarios that `keep` selects; counts their outcomes and the translations QEMU puts where the
// reference says. Every op must get an outcome.
struct Tally {
  size_t scenarios = 0, outcomes = 0, translated_match = 0;
};
template <typename Keep>
Tally run_scenarios(const std::vector<Collect::Scenario>& all, const Keep& keep) {
  auto impl = make();
  Tally t;
  for (const auto& s : all) {
    if (!keep(s)) continue;
    ++t.scenarios;
    EXPECT_EQ(impl->open(smmu::smmu_suite(), s.header).kind, ObservationKind::Outcome) << s.header.id;
    const auto obs = impl->apply(requests(s));
    EXPECT_EQ(obs.size(), s.ops.size());
    for (size_t i = 0; i < obs.size(); ++i) {
      EXPECT_EQ(obs[i].kind, ObservationKind::Outcome)
          << s.header.id << " op " << i << ": " << obs[i].message;
      if (obs[i].kind != ObservationKind::Outcome) continue;
      ++t.outcomes;
      const Json& e = s.ops[i].expect;
      if (e["status"] == "translated" && obs[i].outcome["status"] == "translated" &&
          e["oa"] == obs[i].outcome["oa"])
        ++t.translated_match;
    }
    impl->close();
  }
  return t;
}

TEST(QemuSmmu, TranslatedOutputsLandWhereTheReferenceSays) {
  REQUIRE_QEMU();
  const Tally t = run_scenarios(platform_scenarios(11, 12), [](const Collect::Scenario&) { return true; });
  EXPECT_GT(t.outcomes, 100u);
  EXPECT_GT(t.translated_match, 10u);  // QEMU translates ordinary TTB0 mappings correctly
}

bool two_level(const Collect::Scenario& s) {
  const auto& f = s.header.features;
  return std::find(f.begin(), f.end(), "smmu.strtab.2level") != f.end();
}

// SMMU.STRTAB.FMT, SMMU.STRTAB.L2_STE_ADDRESS: 2-level scenarios run with the device's L1STD and STE standing
// in for the request's StreamID; every op gets an outcome, and QEMU's translations land where the reference
// says.
TEST(QemuSmmu, TwoLevelStreamTablesTranslateWhereTheReferenceSays) {
  REQUIRE_QEMU();
  const Tally t = run_scenarios(platform_scenarios(11, 40), two_level);
  EXPECT_GT(t.scenarios, 5u);
  EXPECT_GT(t.outcomes, 50u);
  EXPECT_GT(t.translated_match, 5u);
}

// SMMU.STRTAB.L1STD_SPAN: --platform qemu-virt keeps a 2-level transaction only if one of the adapter's
// device StreamIDs is inside the Span of the transaction's L1STD exactly when the transaction's StreamID is
// (so the adapter can send it without changing what the table means). Needs no QEMU.
TEST(QemuVirtPlatform, TwoLevelTransactionsHaveADeviceStreamIdStandingIn) {
  size_t checked = 0;
  for (const auto& s : platform_scenarios(11, 40)) {
    if (!two_level(s)) continue;
    const smmu::codec::StateWords st = smmu::codec::state_words_from_text(s.header.state.text());
    SparseMemory m;
    for (const auto& w : st.mem) m.write64(w.addr, w.value);
    const unsigned split = smmu::strtab_split(st.regs);
    for (const auto& op : s.ops) {
      const auto sid = static_cast<uint32_t>(Json(op.request)["params"]["sid"].get<uint64_t>());
      if (smmu::sid_out_of_range(st.regs, sid)) continue;
      const smmu::L1Std l1{m.read64(smmu::l1std_address(st.regs, sid))};
      const bool reaches = smmu::l1std_reaches_ste(l1, split, sid);
      const auto& devices = smmu::gen::QemuVirtPlatform::kDeviceSids;
      EXPECT_TRUE(std::any_of(devices.begin(), devices.end(),
                              [&](uint32_t d) { return smmu::l1std_reaches_ste(l1, split, d) == reaches; }))
          << s.header.id << " op " << op.index;
      ++checked;
    }
  }
  EXPECT_GT(checked, 50u);
}

// QEMU 7.2 keeps walking 2-level tables after FMT = 0 is written (triage.md): a linear scenario run after a
// 2-level one must be observed exactly as on a fresh QEMU.
TEST(QemuSmmu, LinearScenarioAfterTwoLevelIsObservedAsOnAFreshQemu) {
  REQUIRE_QEMU();
  const auto all = platform_scenarios(11, 40);
  const Collect::Scenario *lvl2 = nullptr, *linear = nullptr;
  for (const auto& s : all) {
    if (two_level(s) && !lvl2) lvl2 = &s;
    if (!two_level(s) && !linear && s.header.id.find("st2") == std::string::npos) linear = &s;
  }
  ASSERT_TRUE(lvl2 && linear);
  auto fresh = make();
  ASSERT_EQ(fresh->open(smmu::smmu_suite(), linear->header).kind, ObservationKind::Outcome);
  const auto want = fresh->apply(requests(*linear));
  auto after = make();
  ASSERT_EQ(after->open(smmu::smmu_suite(), lvl2->header).kind, ObservationKind::Outcome);
  after->apply(requests(*lvl2));
  ASSERT_EQ(after->open(smmu::smmu_suite(), linear->header).kind, ObservationKind::Outcome);
  const auto got = after->apply(requests(*linear));
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].kind, ObservationKind::Outcome) << got[i].message;
    EXPECT_EQ(got[i].outcome, want[i].outcome) << linear->header.id << " op " << i;
  }
}

TEST(QemuSmmu, CrashIsAnObservationAndTheRunGoesOn) {
  REQUIRE_QEMU();
  auto impl = make();
  const auto scenarios = platform_scenarios(12, 2);
  ASSERT_EQ(impl->open(smmu::smmu_suite(), scenarios[0].header).kind, ObservationKind::Outcome);
  const pid_t qemu = child_qemu();
  ASSERT_GT(qemu, 0);
  kill(qemu, SIGSEGV);
  auto obs = impl->apply(requests(scenarios[0]));
  ASSERT_FALSE(obs.empty());
  EXPECT_EQ(obs[0].kind, ObservationKind::Crash);
  EXPECT_NE(obs[0].message.find("SIGSEGV"), std::string::npos) << obs[0].message;
  for (size_t i = 1; i < obs.size(); ++i) EXPECT_EQ(obs[i].kind, ObservationKind::Outcome) << i;
  EXPECT_NE(child_qemu(), qemu);  // restarted
  ASSERT_EQ(impl->open(smmu::smmu_suite(), scenarios[1].header).kind, ObservationKind::Outcome);
  for (const auto& o : impl->apply(requests(scenarios[1]))) EXPECT_EQ(o.kind, ObservationKind::Outcome);
}

TEST(QemuSmmu, HangIsATimeout) {
  REQUIRE_QEMU();
  auto impl = make(400);
  const auto scenarios = platform_scenarios(13, 1);
  ASSERT_EQ(impl->open(smmu::smmu_suite(), scenarios[0].header).kind, ObservationKind::Outcome);
  const pid_t qemu = child_qemu();
  ASSERT_GT(qemu, 0);
  kill(qemu, SIGSTOP);
  auto obs = impl->apply(requests(scenarios[0]));
  EXPECT_EQ(obs[0].kind, ObservationKind::Timeout) << obs[0].message;
  EXPECT_NE(child_qemu(), qemu);
}

}  // namespace
}  // namespace vipcts
