// Operations per second of the vfio reference model: generated scenarios replayed through a fresh Model each,
// per backend family, and the generator itself. Shares vipcts_bench's main (bench_smmu.cpp).
#include <benchmark/benchmark.h>

#include <vector>

#include "generators/vfio/generate.hpp"

namespace {

using namespace vipcts::vfio;

// Random scenarios of the default stream whose backend matches `type1` (type1 v1/v2) or not (iommufd,
// compat).
const std::vector<gen::Scenario>& scenarios(bool type1) {
  static const auto build = [](bool t1) {
    std::vector<gen::Scenario> out;
    for (uint64_t i = 0; out.size() < 200; ++i) {
      gen::Scenario s = gen::random_scenario(1, i, 32);
      const bool is_t1 =
          s.state.profile.backend == Backend::Type1v1 || s.state.profile.backend == Backend::Type1v2;
      if (is_t1 == t1) out.push_back(std::move(s));
    }
    return out;
  };
  static const std::vector<gen::Scenario> t1 = build(true), other = build(false);
  return type1 ? t1 : other;
}

void replay(benchmark::State& state, bool type1) {
  const auto& set = scenarios(type1);
  int64_t ops = 0;
  for (auto _ : state) {
    for (const gen::Scenario& s : set) {
      Model m(s.state);
      for (const gen::Op& op : s.ops) benchmark::DoNotOptimize(m.apply(op.request));
      ops += static_cast<int64_t>(s.ops.size());
    }
  }
  state.SetItemsProcessed(ops);
}

void BM_Vfio_Reference_Type1(benchmark::State& state) {
  replay(state, true);
}
void BM_Vfio_Reference_Iommufd(benchmark::State& state) {
  replay(state, false);
}
BENCHMARK(BM_Vfio_Reference_Type1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Vfio_Reference_Iommufd)->Unit(benchmark::kMillisecond);

// Generation including the model's expectations: scenarios/s of `vipcts gen vfio` (random part).
void BM_Vfio_Generate(benchmark::State& state) {
  uint64_t i = 0, ops = 0;
  for (auto _ : state) {
    const gen::Scenario s = gen::random_scenario(7, i++, 16);
    ops += s.ops.size();
    benchmark::DoNotOptimize(s.ops.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(ops));
}
BENCHMARK(BM_Vfio_Generate);

}  // namespace
