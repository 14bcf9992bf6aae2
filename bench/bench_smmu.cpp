// Throughput of the reference SMMU model (translations/s). Not a test: README reports the numbers.
// End-to-end numbers (in-process and exec:) come from scripts/bench.sh.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "reference/common/bits.hpp"
#include "reference/smmu/translate.hpp"

namespace {

using namespace vipcts;
using namespace vipcts::smmu;

constexpr uint64_t kStrtab = 0x1000'0000;
constexpr uint64_t kCd = 0x1001'0000;
constexpr uint64_t kTables = 0x2000'0000;
constexpr uint64_t kOutput = 0x8000'0000;

// A stage-1 4 KB configuration with T0SZ = 16 (a 4-level walk from level 0) mapping `pages` pages of the IOVA
// range at 0x12_3400_0000 with AF = 1, EL0 and EL1 read/write.
struct Fixture {
  SparseMemory memory;
  SmmuRegisters regs;
  std::vector<Transaction> txns;

  explicit Fixture(unsigned pages) {
    regs.idr0 = (1u << 1) | (2u << 2) | (1u << 24);  // S1P, TTF=AArch64, STALL_MODEL=01
    regs.idr1 = 16;                                  // SIDSIZE
    regs.idr5 = 5u | (1u << 4);                      // OAS=48 bits, GRAN4K
    regs.cr0 = 1;
    regs.cr2 = 2;
    regs.strtab_base = kStrtab;
    regs.strtab_base_cfg = 8;  // linear, LOG2SIZE = 8
    // STE 0: V=1, Config=101 (stage 1), S1ContextPtr = kCd.
    memory.write64(kStrtab, 1 | (0b101u << 1) | kCd);
    // CD: T0SZ=16, TG0=4K, EPD1=1, V=1, IPS=48 bits, AA64=1, R=1, A=1; TTB0; MAIR0 attr 0 = 0xff.
    uint64_t cd0 = 16 | (uint64_t{1} << 30) | (uint64_t{1} << 31) | (uint64_t{5} << 32) | (uint64_t{1} << 41) |
                   (uint64_t{1} << 45) | (uint64_t{1} << 46) | (uint64_t{1} << 48);
    memory.write64(kCd, cd0);
    memory.write64(kCd + 8, kTables);
    memory.write64(kCd + 24, 0xff);
    const uint64_t va_base = 0x12'3400'0000;
    // One table per level: L0 at kTables, L1, L2 and L3 in the following pages. va_base is 2 MB aligned, so up to
    // 512 pages share the one level-3 table.
    for (unsigned level = 0; level < 3; ++level) {
      const unsigned shift = 12 + 9 * (3 - level);
      const uint64_t this_table = kTables + 0x1000 * level;
      memory.write64(this_table + 8 * bits(va_base, shift + 8, shift), (this_table + 0x1000) | 0b11);
    }
    const uint64_t l3_table = kTables + 0x3000;
    for (unsigned i = 0; i < pages; ++i) {
      const uint64_t va = va_base + (uint64_t{i} << 12);
      const uint64_t page = (kOutput + (uint64_t{i} << 12)) | 0b11 | (1u << 6) | (1u << 10) | (3u << 8);
      memory.write64(l3_table + 8 * bits(va, 20, 12), page);
    }
    for (unsigned i = 0; i < 4096; ++i) {
      Transaction t;
      t.iova = va_base + ((uint64_t{i} * 2654435761u) % (uint64_t{pages} << 12));
      t.access = (i & 1) ? AccessKind::Write : AccessKind::Read;
      t.privileged = (i & 2) != 0;
      txns.push_back(t);
    }
  }
};

void BM_Translate_S1_4K_FourLevel(benchmark::State& state) {
  Fixture f(512);
  size_t i = 0;
  uint64_t sink = 0;
  for (auto _ : state) {
    const Outcome o = translate(f.memory, f.regs, f.txns[i++ & 4095]);
    sink += o.output_address;
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
  state.counters["translations_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                            benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Translate_S1_4K_FourLevel);

void BM_Translate_S1_4K_Traced(benchmark::State& state) {
  Fixture f(512);
  size_t i = 0;
  Trace trace;
  for (auto _ : state) {
    trace.witnesses.clear();
    benchmark::DoNotOptimize(translate(f.memory, f.regs, f.txns[i++ & 4095], &trace));
  }
  state.counters["translations_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                            benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Translate_S1_4K_Traced);

}  // namespace

BENCHMARK_MAIN();
