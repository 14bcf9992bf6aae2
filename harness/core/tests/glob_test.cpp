// Globs select clauses, scenarios, diffs and requests (docs/formats.md §5).
#include "harness/core/glob.hpp"

#include <gtest/gtest.h>

namespace vipcts {
namespace {

TEST(Glob, StarAndQuestionMark) {
  EXPECT_TRUE(glob_match("SMMU.S1.*", "SMMU.S1.AF.FAULT"));
  EXPECT_FALSE(glob_match("SMMU.S2.*", "SMMU.S1.AF.FAULT"));
  EXPECT_TRUE(glob_match("smmu-?-3", "smmu-1-3"));
  EXPECT_FALSE(glob_match("smmu-?-3", "smmu-12-3"));
  EXPECT_TRUE(glob_match("*", ""));
}

TEST(Glob, ClassesAndRanges) {
  EXPECT_TRUE(glob_match("0x[0-9a-f]", "0xc"));
  EXPECT_FALSE(glob_match("0x[0-9a-f]", "0x\""));
  EXPECT_TRUE(glob_match("[!0-9]*", "x1"));
  EXPECT_FALSE(glob_match("[!0-9]*", "1x"));
  EXPECT_TRUE(glob_match("[]a]", "]"));   // a leading ] is a member
  EXPECT_TRUE(glob_match("a[b", "a[b"));  // no closing ]: a literal [
}

// The selector the QEMU 7.2 expectations use for D1: IOVAs of 13 or more hex digits (>= 2^48), and not an
// 11-digit IOVA followed by the next key (which 13 `?` would match).
TEST(Glob, IovaAtOrAbove2To48) {
  const char* pattern =
      "*\"iova\":\"0x[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
      "[0-9a-f][0-9a-f]*";
  EXPECT_TRUE(glob_match(pattern, R"({"sid":24,"iova":"0xe900000cffffffff","access":"read"})"));
  EXPECT_TRUE(glob_match(pattern, R"({"sid":24,"iova":"0x1000000000000","access":"read"})"));
  EXPECT_FALSE(glob_match(pattern, R"({"sid":0,"iova":"0x10c55007fff","access":"read"})"));
  EXPECT_FALSE(glob_match(pattern, R"({"sid":0,"iova":"0xffffffffffff","access":"read"})"));
}

}  // namespace
}  // namespace vipcts
