// Adapter tests: the reference, exec: (against peer.py with planted crashes, hangs and garbage), plugin: (the
// fake C plugin behind test_host plugin-host) and plugin-inproc:, all driven through make_implementation.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "harness/adapters/adapters.hpp"
#include "harness/adapters/tests/fake_suite.hpp"
#include "harness/core/errors.hpp"

namespace vipcts::testing {
namespace {

const FakeSuite kSuite;

ImplementationOptions options(unsigned timeout_ms = 3000, unsigned batch = 256) {
  ImplementationOptions o;
  o.timeout_ms = timeout_ms;
  o.batch = batch;
  o.vipcts_exe = TEST_HOST;
  return o;
}

std::string peer(const std::string& flags = "") {
  return "exec:python3 " PEER_PY " " + flags;
}

ScenarioHeader header(const std::string& id, long start) {
  ScenarioHeader h;
  h.id = id;
  h.state = Json{{"start", start}};
  return h;
}

std::vector<Json> echoes(long from, long to) {
  std::vector<Json> r;
  for (long x = from; x < to; ++x) r.push_back(Json{{"method", "echo"}, {"params", {{"x", x}}}});
  return r;
}

std::unique_ptr<Implementation> make(const std::string& spec, const ImplementationOptions& o = options()) {
  return make_implementation(spec, o, kSuite);
}

// No child of this process is left, running or zombie.
void expect_no_children() {
  int status;
  EXPECT_EQ(waitpid(-1, &status, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

void expect_outcome(const Observation& o, long x, long count) {
  ASSERT_EQ(o.kind, ObservationKind::Outcome) << o.message;
  EXPECT_EQ(o.outcome["x"], x);
  EXPECT_EQ(o.outcome["count"], count) << "for x=" << x;
}

std::string input_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

TEST(Spec, RejectsUnknownForms) {
  // (qemu: is a form now, and this test does not link the QEMU adapters.)
  EXPECT_NE(input_error([] { make("bochs:virt"); }).find("expected reference, exec:COMMAND, plugin:PATH.so"),
            std::string::npos);
  EXPECT_NE(input_error([] { make("qemu:virt-smmuv3"); }).find("QEMU adapters are not linked in"),
            std::string::npos);
  EXPECT_NE(input_error([] { make("exec:  "); }).find("needs a command"), std::string::npos);
  EXPECT_NE(input_error([] { make("plugin:/nonexistent.so"); }).find("/nonexistent.so: No such file"),
            std::string::npos);
  EXPECT_NE(input_error([] { make("plugin-inproc:"); }).find("needs a shared object"), std::string::npos);
}

TEST(Reference, ClaimsTheSuiteAndAnswersFromTheModel) {
  auto impl = make("reference");
  EXPECT_EQ(impl->info().id, "reference");
  EXPECT_EQ(impl->info().features, (std::vector<std::string>{"fake.a", "fake.b"}));
  ASSERT_EQ(impl->open(kSuite, header("s0", 10)).kind, ObservationKind::Outcome);
  auto obs = impl->apply(echoes(0, 3));
  for (long x = 0; x < 3; ++x) expect_outcome(obs[x], x, 10 + x);
  impl->close();
  // A malformed state is the vectors' fault: InputError naming the field.
  EXPECT_NE(input_error([&] {
              impl->open(kSuite, ScenarioHeader{"bad", {}, {}, Json{{"x", 1}}});
            }).find("state.start"),
            std::string::npos);
}

TEST(Exec, HelloPipeliningAndScenarios) {
  {
    auto impl = make(peer(), options(3000, 7));  // a batch size that does not divide the operation count
    EXPECT_EQ(impl->info().id, peer());
    EXPECT_EQ(impl->info().name, "peer.py");
    EXPECT_EQ(impl->info().version, "1.0");
    EXPECT_EQ(impl->info().features, std::vector<std::string>{"fake.a"});
    for (long s = 0; s < 3; ++s) {
      ASSERT_EQ(impl->open(kSuite, header("s" + std::to_string(s), 100 * s)).kind, ObservationKind::Outcome);
      auto obs = impl->apply(echoes(0, 50));
      ASSERT_EQ(obs.size(), 50u);
      for (long x = 0; x < 50; ++x) expect_outcome(obs[x], x, 100 * s + x);
      obs = impl->apply(echoes(50, 60));  // state carries over between apply() calls
      for (long x = 50; x < 60; ++x) expect_outcome(obs[x - 50], x, 100 * s + x);
      impl->close();
    }
  }
  expect_no_children();
}

TEST(Exec, BigAnswersDoNotDeadlockAFullPipe) {
  // 4000 requests in flight, 4 KB answers: the child blocks writing long before it has read everything.
  auto impl = make(peer("--pad 4096"), options(5000, 4000));
  ASSERT_EQ(impl->open(kSuite, header("s", 0)).kind, ObservationKind::Outcome);
  auto obs = impl->apply(echoes(0, 4000));
  for (long x = 0; x < 4000; x += 999) expect_outcome(obs[x], x, x);
  expect_outcome(obs[3999], 3999, 3999);
}

TEST(Exec, CrashIsThatOperationsVerdictThenRestartAndReplay) {
  {
    auto impl = make(peer("--crash-on 3"), options(3000, 4));
    ASSERT_EQ(impl->open(kSuite, header("s", 0)).kind, ObservationKind::Outcome);
    auto obs = impl->apply(echoes(0, 10));
    for (long x = 0; x < 3; ++x) expect_outcome(obs[x], x, x);
    EXPECT_EQ(obs[3].kind, ObservationKind::Crash);
    EXPECT_NE(obs[3].message.find("SIGSEGV"), std::string::npos) << obs[3].message;
    // Restarted, re-opened, 0..2 replayed: the count goes on from 3 and the process is a new one.
    for (long x = 4; x < 10; ++x) expect_outcome(obs[x], x, x - 1);
    EXPECT_NE(obs[4].outcome["_pid"], obs[0].outcome["_pid"]);
    // It crashes again in a later apply() of the same scenario, after a replay of everything before.
    obs = impl->apply(echoes(2, 6));
    expect_outcome(obs[0], 2, 9);
    EXPECT_EQ(obs[1].kind, ObservationKind::Crash);
    expect_outcome(obs[2], 4, 10);
    impl->close();
    ASSERT_EQ(impl->open(kSuite, header("t", 50)).kind, ObservationKind::Outcome);
    expect_outcome(impl->apply(echoes(7, 8))[0], 7, 50);
  }
  expect_no_children();
}

TEST(Exec, CrashOfABufferingPeerIsBlamedOnTheRightOperation) {
  // The answers to 0..2 die with the process: all of 0..9 were in flight. Re-sent one at a time, 3 is the
  // one.
  auto impl = make(peer("--crash-on 3 --no-flush"), options(3000, 10));
  ASSERT_EQ(impl->open(kSuite, header("s", 0)).kind, ObservationKind::Outcome);
  auto obs = impl->apply(echoes(0, 10));
  for (long x = 0; x < 3; ++x) expect_outcome(obs[x], x, x);
  EXPECT_EQ(obs[3].kind, ObservationKind::Crash);
  for (long x = 4; x < 10; ++x) expect_outcome(obs[x], x, x - 1);
}

TEST(Exec, ACrashThatDoesNotRecurIsStillReported) {
  std::string marker = ::testing::TempDir() + "/h2b_crash_once";
  std::remove(marker.c_str());
  auto impl = make(peer("--crash-on 3 --no-flush --crash-once " + marker), options(3000, 10));
  ASSERT_EQ(impl->open(kSuite, header("s", 0)).kind, ObservationKind::Outcome);
  auto obs = impl->apply(echoes(0, 10));
  EXPECT_EQ(obs[0].kind, ObservationKind::Crash);
  EXPECT_NE(obs[0].message.find("not reproduced"), std::string::npos) << obs[0].message;
  for (long x = 1; x < 10; ++x) expect_outcome(obs[x], x, x);
}

TEST(Exec, HangIsATimeoutAndTheWholeProcessGroupDies) {
  std::string pid_file = ::testing::TempDir() + "/h2b_grandchild.pid";
  std::remove(pid_file.c_str());
  {
    auto impl = make(peer("--hang-on 2 --grandchild " + pid_file), options(400, 256));
    ASSERT_EQ(impl->open(kSuite, header("s", 0)).kind, ObservationKind::Outcome);
    auto start = std::chrono::steady_clock::now();
    auto obs = impl->apply(echoes(0, 5));
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, std::chrono::milliseconds(10000));  // two timeouts (pipelined, then alone) and restarts
    expect_outcome(obs[1], 1, 1);
    EXPECT_EQ(obs[2].kind, ObservationKind::Timeout);
    EXPECT_EQ(obs[2].message, "no answer in 400 ms");
    expect_outcome(obs[3], 3, 2);
    expect_outcome(obs[4], 4, 3);
  }
  expect_no_children();
  // The `sleep` the peer started was in its process group: killed with it (and reaped by init).
  long grandchild = 0;
  std::ifstream(pid_file) >> grandchild;
  ASSERT_GT(grandchild, 0);
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = kill(static_cast<pid_t>(grandchild), 0) != 0;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "grandchild " << grandchild << " survived";
}

TEST(Exec, GarbageAndWrongIdAreErrorsWithRestart) {
  auto impl = make(peer("--garbage-on 1 --bad-id-on 3"));
  ASSERT_EQ(impl->open(kSuite, header("s", 0)).kind, ObservationKind::Outcome);
  auto obs = impl->apply(echoes(0, 5));
  expect_outcome(obs[0], 0, 0);
  EXPECT_EQ(obs[1].kind, ObservationKind::Error);
  EXPECT_NE(obs[1].message.find("not a JSON object: this is not json"), std::string::npos) << obs[1].message;
  expect_outcome(obs[2], 2, 1);
  EXPECT_EQ(obs[3].kind, ObservationKind::Error);
  EXPECT_NE(obs[3].message.find("response id 1"), std::string::npos) << obs[3].message;
  expect_outcome(obs[4], 4, 2);
}

TEST(Exec, ErrorAnswerIsAnErrorWithoutRestart) {
  auto impl = make(peer("--error-on 1"));
  ASSERT_EQ(impl->open(kSuite, header("s", 0)).kind, ObservationKind::Outcome);
  auto obs = impl->apply(echoes(0, 3));
  expect_outcome(obs[0], 0, 0);
  EXPECT_EQ(obs[1].kind, ObservationKind::Error);
  EXPECT_EQ(obs[1].message, "cannot do x=1");
  expect_outcome(obs[2], 2, 1);
  EXPECT_EQ(obs[2].outcome["_pid"], obs[0].outcome["_pid"]);
}

// open is sent with the scenario's first operations (docs/formats.md §3): its failure reaches them, worded
// as the runner words an open failure.
TEST(Exec, CrashOnOpenAppliesToTheScenarioThenRecovers) {
  {
    auto impl = make(peer("--crash-on-open"));
    for (int round = 0; round < 2; ++round) {
      EXPECT_EQ(impl->open(kSuite, header("s", 0)).kind, ObservationKind::Outcome);
      auto obs = impl->apply(echoes(0, 2));
      for (const Observation& o : obs) {
        EXPECT_EQ(o.kind, ObservationKind::Crash);
        EXPECT_EQ(o.message.rfind("open: ", 0), 0u) << o.message;
        EXPECT_NE(o.message.find("SIGSEGV"), std::string::npos) << o.message;
      }
      impl->close();
    }
  }
  expect_no_children();
}

TEST(Exec, RefusedOpenVoidsTheOperationsSentWithIt) {
  auto impl = make(peer("--refuse-open"));
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(impl->open(kSuite, header("s", 0)).kind, ObservationKind::Outcome);
    auto obs = impl->apply(echoes(0, 3));
    ASSERT_EQ(obs.size(), 3u);
    for (const Observation& o : obs) {
      EXPECT_EQ(o.kind, ObservationKind::Error);
      EXPECT_EQ(o.message, "open: cannot load the state");
    }
    impl->close();
  }
}

TEST(Exec, StartFailuresAreInputErrors) {
  ExecConfig no_hello{"exec:no-hello", {"python3", PEER_PY, "--no-hello"}, 300, 256, 1500, ""};
  EXPECT_EQ(input_error([&] { make_exec_implementation(no_hello); }),
            "exec:no-hello: no hello within 1500 ms");
  EXPECT_EQ(input_error([] { make(peer("--exit-at-start 3")); }),
            peer("--exit-at-start 3") + ": exited with status 3 before answering hello");
  EXPECT_NE(input_error([] { make(peer("--bad-protocol")); }).find("bad hello: result.protocol"),
            std::string::npos);
  EXPECT_NE(input_error([] { make("exec:/nonexistent/impl"); }).find("exited with status 127"),
            std::string::npos);
  expect_no_children();
}

TEST(Plugin, ContainedInThePluginHost) {
  {
    auto impl = make(std::string("plugin:") + FAKE_PLUGIN, options(500, 16));
    EXPECT_EQ(impl->info().name, "fake-plugin");
    EXPECT_EQ(impl->info().version, "0.0.1");
    EXPECT_EQ(impl->info().features, std::vector<std::string>{"fake.a"});
    ASSERT_EQ(impl->open(kSuite, header("s", 5)).kind, ObservationKind::Outcome);
    auto obs = impl->apply(echoes(10, 17));  // 13 crashes, 14 hangs, 15 cannot answer
    expect_outcome(obs[0], 10, 5);
    expect_outcome(obs[2], 12, 7);
    EXPECT_EQ(obs[3].kind, ObservationKind::Crash);
    // Under AddressSanitizer with abort_on_error=1 (the sanitizer pass of scripts/test.sh) the SEGV is turned
    // into SIGABRT before the host sees it.
    EXPECT_TRUE(obs[3].message == "killed by SIGSEGV" || obs[3].message == "killed by SIGABRT")
        << obs[3].message;
    EXPECT_EQ(obs[4].kind, ObservationKind::Timeout);
    EXPECT_EQ(obs[5].kind, ObservationKind::Error);
    EXPECT_EQ(obs[5].message, "plugin cannot answer x=15");
    expect_outcome(obs[6], 16, 8);
  }
  expect_no_children();
}

TEST(Plugin, LoadFailuresAreInputErrorsQuotingTheCause) {
  std::string bad_abi = input_error([] { make(std::string("plugin:") + FAKE_PLUGIN_BAD_ABI); });
  EXPECT_NE(bad_abi.find("hello refused: " FAKE_PLUGIN_BAD_ABI ": ABI version mismatch: plugin built for 99"),
            std::string::npos)
      << bad_abi;
  std::string no_entry = input_error([] { make(std::string("plugin:") + FAKE_PLUGIN_NO_ENTRY); });
  EXPECT_NE(no_entry.find("no exported symbol vipcts_entry"), std::string::npos) << no_entry;
  std::string not_so = input_error([] { make(std::string("plugin:") + PEER_PY); });
  EXPECT_NE(not_so.find("dlopen failed"), std::string::npos) << not_so;
  expect_no_children();
}

TEST(Plugin, InProcess) {
  auto impl = make(std::string("plugin-inproc:") + FAKE_PLUGIN);
  EXPECT_EQ(impl->info().name, "fake-plugin");
  ASSERT_EQ(impl->open(kSuite, header("s", 1)).kind, ObservationKind::Outcome);
  auto obs = impl->apply(echoes(15, 17));
  EXPECT_EQ(obs[0].kind, ObservationKind::Error);
  expect_outcome(obs[1], 16, 1);
  EXPECT_NE(input_error([] {
              make(std::string("plugin-inproc:") + FAKE_PLUGIN_BAD_ABI);
            }).find("ABI version mismatch"),
            std::string::npos);
}

}  // namespace
}  // namespace vipcts::testing
