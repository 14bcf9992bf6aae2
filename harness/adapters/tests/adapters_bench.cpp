// Throughput of exec: end to end (serialise, pipe, child, parse): adapters_bench [IMPL] [OPS]
// [OPS_PER_SCENARIO] Default IMPL is the C++ echo peer; the runner's pattern is open, apply(ops of the
// scenario), close.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "harness/adapters/adapters.hpp"
#include "harness/adapters/tests/fake_suite.hpp"

int main(int argc, char** argv) {
  using namespace vipcts;
  const testing::FakeSuite suite;
  std::string spec = argc > 1 ? argv[1] : std::string("exec:") + ECHO_PEER;
  long total = argc > 2 ? std::stol(argv[2]) : 1000000;
  long per_scenario = argc > 3 ? std::stol(argv[3]) : 16;
  ImplementationOptions options;
  auto impl = make_implementation(spec, options, suite);
  std::vector<Json> requests;
  for (long k = 0; k < per_scenario; ++k)
    requests.push_back(Json{{"method", "echo"},
                            {"params",
                             {{"sid", 3},
                              {"ssv", false},
                              {"ssid", 0},
                              {"iova", "0x40001234"},
                              {"access", "read"},
                              {"priv", false},
                              {"x", k}}}});
  ScenarioHeader header;
  header.state = Json{{"start", 0}, {"mem", Json::array({Json::array({"0x80000000", "0x1234"})})}};
  long done = 0, bad = 0, scenario = 0;
  auto start = std::chrono::steady_clock::now();
  while (done < total) {
    header.id = "bench-" + std::to_string(scenario++);
    impl->open(suite, header);
    for (const Observation& o : impl->apply(requests)) bad += o.kind != ObservationKind::Outcome;
    impl->close();
    done += per_scenario;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %ld ops in %ld scenarios, %.3f s, %.0f ops/s, %ld not answered\n", spec.c_str(), done,
              scenario, secs, done / secs, bad);
  return bad ? 1 : 0;
}
