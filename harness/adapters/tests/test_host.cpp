// Stands in for the vipcts executable in the adapter tests: `test_host plugin-host SO` with the fake suite.
#include <string>

#include "harness/adapters/plugin_host.hpp"
#include "harness/adapters/tests/fake_suite.hpp"

int main(int argc, char** argv) {
  static const vipcts::testing::FakeSuite fake;
  if (argc != 3 || std::string(argv[1]) != "plugin-host") return 64;
  return vipcts::plugin_host_main(argv[2], [](std::string_view name) -> const vipcts::Suite* {
    return name == "fake" ? &fake : nullptr;
  });
}
