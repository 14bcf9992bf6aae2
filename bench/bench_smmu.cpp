// Throughput of the reference SMMU model (translations/s). Not a test: README reports the numbers.
// End-to-end numbers (in-process and exec:) come from scripts/bench.sh.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "generators/smmu/page_table.hpp"
#include "generators/smmu/vmsa_tables.hpp"
#include "reference/common/bits.hpp"
#include "reference/smmu/stage2.hpp"
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
    uint64_t cd0 = 16 | (uint64_t{1} << 30) | (uint64_t{1} << 31) | (uint64_t{5} << 32) |
                   (uint64_t{1} << 41) | (uint64_t{1} << 45) | (uint64_t{1} << 46) | (uint64_t{1} << 48);
    memory.write64(kCd, cd0);
    memory.write64(kCd + 8, kTables);
    memory.write64(kCd + 24, 0xff);
    const uint64_t va_base = 0x12'3400'0000;
    // One table per level: L0 at kTables, L1, L2 and L3 in the following pages. va_base is 2 MB aligned, so
    // up to 512 pages share the one level-3 table.
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
  state.counters["translations_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Translate_S1_4K_FourLevel);

// The same transactions with the configuration cache the harness's reference session uses: the STE and CD are
// decoded and checked once, each transaction pays for its walk and leaf checks.
void BM_Translate_S1_4K_FourLevel_ConfigCached(benchmark::State& state) {
  Fixture f(512);
  ConfigCache cache;
  size_t i = 0;
  uint64_t sink = 0;
  for (auto _ : state) {
    const Outcome o = translate(f.memory, f.regs, f.txns[i++ & 4095], cache);
    sink += o.output_address;
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
  state.counters["translations_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Translate_S1_4K_FourLevel_ConfigCached);

void BM_Translate_S1_4K_Traced(benchmark::State& state) {
  Fixture f(512);
  size_t i = 0;
  Trace trace;
  for (auto _ : state) {
    trace.witnesses.clear();
    benchmark::DoNotOptimize(translate(f.memory, f.regs, f.txns[i++ & 4095], &trace));
  }
  state.counters["translations_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Translate_S1_4K_Traced);

// ---- Every granule, stage 1 through translate(): a 48-bit VA space (start level 0, 0, 1 for 4K, 16K, 64K)
// with 512 pages mapped at level 3.
struct GranuleFixture {
  SparseMemory memory;
  SmmuRegisters regs;
  std::vector<Transaction> txns;

  // spread: each of the 512 pages in its own last-level table (VA stride = one level-2 entry), so that a
  // walk cache of fewer entries mostly misses.
  explicit GranuleFixture(Granule g, bool spread = false) {
    regs = gen::default_registers(kStrtab, 4);
    regs.idr5 |= (1u << 5) | (1u << 6);
    gen::SteFields ste;
    ste.s1_context_ptr = kCd;
    gen::write_words(memory, gen::ste_address(regs, 0), gen::encode_ste(ste));
    gen::VmsaTableBuilder b(memory, kTables, g, 48, vmsa::s1_start_level(g, 48));
    gen::CdFields cd;
    cd.t0sz = 16;
    cd.tg0 = g == Granule::K4 ? 0 : g == Granule::K64 ? 1 : 2;
    cd.ttb0 = b.root();
    cd.mair = 0xff;
    gen::write_words(memory, kCd, gen::encode_cd(cd));
    const unsigned page = vmsa::granule_bits(g);
    const unsigned stride = spread ? vmsa::level_shift(g, 2) : page;
    const uint64_t va_base = uint64_t{0x12} << 36;
    for (uint64_t i = 0; i < 512; ++i)
      b.map(va_base + (i << stride), 3, kOutput + (i << page), (1u << 10) | (1u << 6) | (3u << 8));
    for (unsigned i = 0; i < 4096; ++i) {
      Transaction t;
      const uint64_t n = (uint64_t{i} * 2654435761u) % 512;
      t.iova = va_base + (n << stride) + ((uint64_t{i} * 40503u) % (uint64_t{1} << page));
      t.access = (i & 1) ? AccessKind::Write : AccessKind::Read;
      txns.push_back(t);
    }
  }
};

void BM_Translate_S1(benchmark::State& state) {
  const Granule g = static_cast<Granule>(state.range(0));
  GranuleFixture f(g);
  size_t i = 0;
  uint64_t sink = 0;
  for (auto _ : state) sink += translate(f.memory, f.regs, f.txns[i++ & 4095]).output_address;
  benchmark::DoNotOptimize(sink);
  state.SetLabel(g == Granule::K4 ? "4K" : g == Granule::K16 ? "16K" : "64K");
  state.counters["translations_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Translate_S1)->Arg(0)->Arg(1)->Arg(2);

// The same with the caches of the harness's reference session (config_cache.hpp, walk_cache.hpp): range(1) =
// 0 pages in one last-level table (the walk cache hits), 1 = spread over 512 tables (it mostly misses, so
// this is the configuration cache alone plus full walks).
void BM_Translate_S1_Cached(benchmark::State& state) {
  const Granule g = static_cast<Granule>(state.range(0));
  const bool spread = state.range(1) != 0;
  GranuleFixture f(g, spread);
  ConfigCache cache;
  size_t i = 0;
  uint64_t sink = 0;
  for (auto _ : state) sink += translate(f.memory, f.regs, f.txns[i++ & 4095], cache).output_address;
  benchmark::DoNotOptimize(sink);
  state.SetLabel(std::string(g == Granule::K4    ? "4K"
                             : g == Granule::K16 ? "16K"
                                                 : "64K") +
                 (spread ? " spread" : " one table"));
  state.counters["translations_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Translate_S1_Cached)->ArgsProduct({{0, 1, 2}, {0, 1}});

// ---- Stage 2 only (STE.Config 0b110) and nested (0b111) through translate(), end to end: STE, stage-2 S2*
// checks, (nested) CD fetch through stage 2, stage-1 walk with every descriptor address translated by stage
// 2, then the output IPA through stage 2. Stage 2 maps the first 1 GB of IPA space onto PA + 4 GB with
// level-2 blocks (4K 2 MB, 16K 32 MB, 64K 512 MB); stage 1 maps 512 pages of a 48-bit VA range to IPAs below
// 1 GB.
constexpr uint64_t kS2Shift = uint64_t{1} << 32;
constexpr uint64_t kNestedCd = 0x0800'0000;  // IPA

struct S2Fixture {
  SparseMemory memory;
  SmmuRegisters regs;
  std::vector<Transaction> s2_txns, nested_txns;

  explicit S2Fixture(Granule g) {
    regs.idr0 = 0b11 | (0b10u << 2) | (0b10u << 6);  // S1P, S2P, TTF = AArch64, HTTU = AF + dirty
    regs.idr1 = 16;
    regs.idr5 = 5 | (1u << 4) | (1u << 5) | (1u << 6);  // OAS 48, every granule
    regs.cr0 = 1;
    regs.cr2 = 2;
    regs.strtab_base = kStrtab;
    regs.strtab_base_cfg = 8;
    // Stage 2: 40-bit IPA, S2SL0 = 1 (4K: level 1, 2 concatenated tables; 16K: level 2, 16 tables; 64K:
    // level 2).
    const int start = g == Granule::K4 ? 1 : 2;
    gen::VmsaTableBuilder s2b(memory, 0x4000'0000, g, 40, start);
    const uint64_t size = uint64_t{1} << vmsa::level_shift(g, 2);
    for (uint64_t a = 0; a < (uint64_t{1} << 30); a += size)
      s2b.map(a, 2, a + kS2Shift, (3u << 6) | (1u << 10) | (0xfu << 2));
    // Stage 1 in IPA space (stored at PA = IPA + 4 GB): 48-bit VA, 512 pages mapped to IPAs at 512 MB.
    SparseMemory ipa;
    gen::VmsaTableBuilder s1b(ipa, 0x1000'0000, g, 48, vmsa::s1_start_level(g, 48));
    const unsigned page = vmsa::granule_bits(g);
    for (uint64_t i = 0; i < 512; ++i)
      s1b.map((uint64_t{0x12} << 36) + (i << page), 3, 0x2000'0000 + (i << page), (1u << 10) | (1u << 6));
    gen::CdFields cd;
    cd.t0sz = 16;
    cd.tg0 = g == Granule::K4 ? 0 : g == Granule::K64 ? 1 : 2;
    cd.ttb0 = s1b.root();
    cd.mair = 0xff;
    gen::write_words(ipa, kNestedCd, gen::encode_cd(cd));
    for (const auto& w : ipa.nonzero_words()) memory.write64(w.addr + kS2Shift, w.value);
    // STE 0: stage 2 only; STE 1: nested with S1ContextPtr = kNestedCd (an IPA).
    for (unsigned sid = 0; sid < 2; ++sid) {
      gen::SteFields f;
      f.config = sid == 0 ? 0b110 : 0b111;
      f.s1_context_ptr = kNestedCd;
      auto w = gen::encode_ste(f);
      w[2] = (uint64_t{24} << 32) | (uint64_t{1} << 38) |
             (uint64_t(g == Granule::K4    ? 0
                       : g == Granule::K64 ? 1
                                           : 2)
              << 46) |
             (uint64_t{5} << 48) | (uint64_t{1} << 51) |
             (uint64_t{1} << 58);  // S2T0SZ 24, S2SL0 1, S2TG, S2PS 48, S2AA64, S2R
      w[3] = s2b.root();
      gen::write_words(memory, kStrtab + 64 * sid, w);
    }
    for (unsigned i = 0; i < 4096; ++i) {
      Transaction t;
      t.access = (i & 1) ? AccessKind::Write : AccessKind::Read;
      t.iova = 0x2000'0000 + ((uint64_t{i} * 2654435761u) % (uint64_t{512} << page));
      s2_txns.push_back(t);
      t.stream_id = 1;
      t.iova += (uint64_t{0x12} << 36) - 0x2000'0000;
      nested_txns.push_back(t);
    }
  }
};

const char* granule_label(Granule g) {
  return g == Granule::K4 ? "4K" : g == Granule::K16 ? "16K" : "64K";
}

void run_translations(benchmark::State& state, const S2Fixture& f, const std::vector<Transaction>& txns) {
  if (translate(f.memory, f.regs, txns[0]).status != Status::Translated)
    state.SkipWithError("the fixture does not translate");
  size_t i = 0;
  uint64_t sink = 0;
  for (auto _ : state) sink += translate(f.memory, f.regs, txns[i++ & 4095]).output_address;
  benchmark::DoNotOptimize(sink);
  state.counters["translations_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Translate_S2(benchmark::State& state) {
  const Granule g = static_cast<Granule>(state.range(0));
  const S2Fixture f(g);
  state.SetLabel(granule_label(g));
  run_translations(state, f, f.s2_txns);
}
BENCHMARK(BM_Translate_S2)->Arg(0)->Arg(1)->Arg(2);

void BM_Translate_Nested(benchmark::State& state) {
  const Granule g = static_cast<Granule>(state.range(0));
  const S2Fixture f(g);
  state.SetLabel(granule_label(g));
  run_translations(state, f, f.nested_txns);
}
BENCHMARK(BM_Translate_Nested)->Arg(0)->Arg(1)->Arg(2);

}  // namespace

BENCHMARK_MAIN();
