// The expectations file's selectors (docs/formats.md §5).
#include "harness/core/expectations.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "harness/core/errors.hpp"

namespace vipcts {
namespace {

std::string write_temp(const std::string& text) {
  char path[] = "/tmp/vipcts-expect-XXXXXX";
  const int fd = mkstemp(path);
  if (fd >= 0) close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(Expectations, RequestSelectorNarrowsAnEntry) {
  const std::string path = write_temp(
      "expectations:\n"
      "  - clause: \"*\"\n"
      "    request: '*\"access\":\"write\"*'\n"
      "    detail: \"event: *\"\n"
      "    reason: writes only\n");
  const ExpectationFile f = load_expectations(path);
  std::remove(path.c_str());
  const std::vector<std::string> clauses = {"SMMU.S1.PERM.AP"};
  EXPECT_NE(f.match("fail", "s", clauses, "event: x", R"({"iova":"0x1","access":"write"})"), nullptr);
  EXPECT_EQ(f.match("fail", "s", clauses, "event: x", R"({"iova":"0x1","access":"read"})"), nullptr);
}

TEST(Expectations, UnknownKeyIsALocatedError) {
  const std::string path = write_temp(
      "expectations:\n"
      "  - clause: \"*\"\n"
      "    requests: x\n"
      "    reason: r\n");
  try {
    load_expectations(path);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(":3:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("requests: unknown key"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace vipcts
