// The configuration and walk caches (reference/smmu/config_cache.hpp, walk_cache.hpp) never change an answer:
// every generated scenario gives the same outcomes, clauses included, with and without them, and a write to
// an STE, CD or table descriptor, or a register change, is seen by the next transaction.
#include <gtest/gtest.h>

#include "generators/smmu/page_table.hpp"
#include "reference/smmu/translate.hpp"
#include "spec_support.hpp"

namespace vipcts::smmu {
namespace {

void expect_same_outcome(const Outcome& a, const Outcome& b) {
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.termination, b.termination);
  EXPECT_EQ(a.output_address, b.output_address);
  EXPECT_EQ(a.attrs, b.attrs);
  EXPECT_EQ(a.pbha, b.pbha);
  EXPECT_EQ(a.pbha_unknown, b.pbha_unknown);
  EXPECT_EQ(a.event, b.event);
  EXPECT_EQ(a.update_count, b.update_count);
  EXPECT_EQ(a.updates, b.updates);
  EXPECT_EQ(a.updates_unknown, b.updates_unknown);
  EXPECT_EQ(a.level, b.level);
  EXPECT_TRUE(a.clauses == b.clauses);
}

TEST(ConfigCache, GeneratedScenariosGiveTheSameOutcomesCachedAndUncached) {
  size_t translated = 0;
  // Seed 1 with the boundary scenarios, seed 2 random only.
  for (uint64_t seed : {1u, 2u}) {
    for (const gen::ScenarioSpec& s : spec_test::generate_all(spec_test::options(seed, 60, seed == 1))) {
      SCOPED_TRACE(s.id);
      SparseMemory plain = s.memory, cached = s.memory;
      ConfigCache cache;
      // Each transaction twice: the second one finds whatever the first left in the caches.
      for (const Transaction& t : s.transactions) {
        for (int pass = 0; pass < 2; ++pass) {
          const Outcome a = translate(plain, s.regs, t);
          const Outcome b = translate(cached, s.regs, t, cache);
          expect_same_outcome(a, b);
          if (::testing::Test::HasFailure()) return;
          translated += a.status == Status::Translated;
          apply_updates(plain, a);
          apply_updates(cached, b);
        }
      }
    }
  }
  EXPECT_GT(translated, 1000u);
}

// A stage-1 4 KB configuration mapping one page, as the benchmark's.
struct OnePage {
  static constexpr uint64_t kStrtab = 0x1000'0000, kCd = 0x1001'0000, kTables = 0x2000'0000;
  static constexpr uint64_t kVa = 0x12'3400'0000, kPa = 0x8000'0000;
  SparseMemory memory;
  SmmuRegisters regs;
  uint64_t l2_desc_addr = 0, leaf_addr = 0;

  OnePage() {
    regs = gen::default_registers(kStrtab, 4);
    memory.write64(kStrtab, 1 | (0b101u << 1) | kCd);
    // CD: T0SZ 16, TG0 4 KB, EPD1, V, IPS 48 bits, AA64, R, A; TTB0; MAIR attr 0 = 0xff.
    memory.write64(kCd, 16 | (uint64_t{1} << 30) | (uint64_t{1} << 31) | (uint64_t{5} << 32) |
                            (uint64_t{1} << 41) | (uint64_t{1} << 45) | (uint64_t{1} << 46) |
                            (uint64_t{1} << 48));
    memory.write64(kCd + 8, kTables);
    memory.write64(kCd + 24, 0xff);
    for (unsigned level = 0; level < 3; ++level) {
      const unsigned shift = 12 + 9 * (3 - level);
      const uint64_t table = kTables + 0x1000 * level;
      const uint64_t at = table + 8 * bits(kVa, shift + 8, shift);
      memory.write64(at, (table + 0x1000) | 0b11);
      if (level == 2) l2_desc_addr = at;
    }
    leaf_addr = kTables + 0x3000 + 8 * bits(kVa, 20, 12);
    memory.write64(leaf_addr, kPa | 0b11 | (1u << 10) | (1u << 6));
  }
  Transaction read() const {
    Transaction t;
    t.iova = kVa;
    return t;
  }
};

TEST(ConfigCache, AWriteToTheCdIsSeenByTheNextTransaction) {
  OnePage f;
  ConfigCache cache;
  ASSERT_EQ(translate(f.memory, f.regs, f.read(), cache).status, Status::Translated);
  f.memory.write64(OnePage::kCd, f.memory.read64(OnePage::kCd) | (uint64_t{1} << 14));  // EPD0
  const Outcome o = translate(f.memory, f.regs, f.read(), cache);
  EXPECT_EQ(o.status, Status::Terminated);
  ASSERT_TRUE(o.event.has_value());
  EXPECT_EQ(o.event->type, EventType::F_TRANSLATION);
}

TEST(ConfigCache, AWriteToAnStePointerOrTableIsSeenByTheNextTransaction) {
  OnePage f;
  ConfigCache cache;
  ASSERT_EQ(translate(f.memory, f.regs, f.read(), cache).output_address, OnePage::kPa);
  f.memory.write64(f.l2_desc_addr, 0);  // the level-2 table descriptor: the walk cache must not skip it
  EXPECT_EQ(translate(f.memory, f.regs, f.read(), cache).status, Status::Terminated);
  OnePage g;
  ASSERT_EQ(translate(g.memory, g.regs, g.read(), cache).status, Status::Translated);  // another memory
  g.memory.write64(OnePage::kStrtab, 0);                                               // STE.V = 0
  const Outcome o = translate(g.memory, g.regs, g.read(), cache);
  ASSERT_TRUE(o.event.has_value());
  EXPECT_EQ(o.event->type, EventType::C_BAD_STE);
}

TEST(ConfigCache, ARegisterChangeIsSeenByTheNextTransaction) {
  OnePage f;
  ConfigCache cache;
  ASSERT_EQ(translate(f.memory, f.regs, f.read(), cache).status, Status::Translated);
  SmmuRegisters regs = f.regs;
  regs.idr5 &= ~uint32_t{1u << 4};  // GRAN4K withdrawn: the CD's TG0 becomes ILLEGAL
  const Outcome o = translate(f.memory, regs, f.read(), cache);
  ASSERT_TRUE(o.event.has_value());
  EXPECT_EQ(o.event->type, EventType::C_BAD_CD);
}

}  // namespace
}  // namespace vipcts::smmu
