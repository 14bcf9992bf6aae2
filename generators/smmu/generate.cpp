#include "generate.hpp"

#include <algorithm>
#include <set>

#include "boundary.hpp"
#include "generators/common/seeded.hpp"
#include "granule_scenarios.hpp"
#include "harness/core/clauses.hpp"
#include "harness/core/errors.hpp"
#include "platform.hpp"
#include "rc_generators.hpp"
#include "reference/smmu/cd_table.hpp"
#include "reference/smmu/granule.hpp"
#include "reference/smmu/stream_table.hpp"
#include "reference/smmu/translate.hpp"
#include "stage2_scenarios.hpp"

namespace vipcts::smmu::gen {

namespace {

// The CD a stage-1-only transaction reads (IHI 0070 G.b §3.3.2): the single one at S1ContextPtr, or its
// SubstreamID's (CD 0 without one) in the STE's linear or 2-level table; none when the STE, the SubstreamID
// or S1DSS ends a transaction with substreams first. The reference model's own table functions, without its
// checks of the CD.
std::optional<uint64_t> stage1_cd_address(const SparseMemory& memory, const SmmuRegisters& regs,
                                          const smmu::Ste& ste, const Transaction& t) {
  const unsigned cdmax = effective_s1cdmax(regs, ste);
  if (cdmax == 0) return ste.s1_context_ptr();  // also when a SubstreamID is refused: the STE's one CD
  if (s1cdmax_illegal(regs, ste) || s1fmt_illegal(regs, ste)) return std::nullopt;
  if (substream_bad(true, cdmax, t.ssv, t.substream_id)) return std::nullopt;
  if (default_substream(ste.s1dss(), t.ssv, t.substream_id) != DefaultSubstream::UseCd) return std::nullopt;
  const uint32_t index = t.ssv ? t.substream_id : 0;
  const unsigned split = cd_table_split(ste.s1fmt());
  if (split == 0) return linear_cd_address(ste, index);
  const L1Cd l1{memory.read64(l1cd_address(ste, split, index))};
  if (l1cd_invalid(l1)) return std::nullopt;
  return l2_cd_address(l1, split, index);
}

}  // namespace

std::vector<std::string> scenario_features(const ScenarioSpec& s) {
  std::set<std::string> f;
  if (!cr0_smmuen(s.regs)) return {"smmu.gbpa"};  // nothing is walked: GBPA decides (IHI 0070 G.b §6.3.14)
  if (strtab_fmt(s.regs) == 1) f.insert("smmu.strtab.2level");
  // An SMMU that advertises 52-bit VAs (IDR5.VAX) or the LPA2 descriptors (IDR5.DS): its CDs may use them.
  if (idr5_vax(s.regs) != 0) f.insert("smmu.s1.vax");
  if (idr5_ds(s.regs)) f.insert("smmu.s1.ds");
  for (const Transaction& t : s.transactions) {
    // The STE the lookup reaches, linear or 2-level (none for an invalid StreamID).
    Outcome scratch;
    const SteLocation at = locate_ste(s.memory, s.regs, t.stream_id, scratch, nullptr);
    if (at.result != SteLookup::Found) continue;
    const uint64_t ste0 = s.memory.read64(at.addr);
    if (!bit(ste0, 0)) continue;
    const unsigned config = static_cast<unsigned>(bits(ste0, 3, 1));
    if (config == 0b100) f.insert("smmu.ste.bypass");
    const smmu::Ste ste = smmu::Ste::read(s.memory, at.addr);
    // Substreams in use: S1CDMax != 0 on an SMMU with SubstreamIDs. Where IDR1.SSIDSIZE = 0 the field is
    // IGNORED (IHI 0070 §5.2 S1CDMax), a rule every implementation follows, so such STEs need no feature;
    // 2-level CD tables where the SMMU has them.
    if (bit(config, 0) && effective_s1cdmax(s.regs, ste) != 0) f.insert("smmu.ssid");
    const unsigned s1fmt = ste.s1fmt();
    if (bit(config, 0) && effective_s1cdmax(s.regs, ste) != 0 && idr0_cd2l(s.regs) &&
        (s1fmt == 1 || s1fmt == 2))
      f.insert("smmu.cd.2level");
    // Stage 2 only or nested with IDR0.S2P = 1 (without it Config 0b11x is just C_BAD_STE); PBHA when
    // IDR3.PBHA and an STE.S2HWU bit [75:72] enable it.
    if ((config == 0b110 || config == 0b111) && idr0_s2p(s.regs)) {
      f.insert(config == 0b110 ? "smmu.s2" : "smmu.nested");
      const uint64_t ste1 = s.memory.read64(at.addr + 8);
      if (bit(s.regs.idr3, 3) && bits(ste1, 11, 8) != 0) f.insert("smmu.pbha");
      // LPA2 at stage 2: IDR5.DS with STE.S2DS [195] or S2SL0_2 [194] set (both RES0 without IDR5.DS).
      const uint64_t ste3 = s.memory.read64(at.addr + 24);
      if (idr5_ds(s.regs) && bits(ste3, 3, 2) != 0) f.insert("smmu.s2.ds");
      if (config == 0b111 && bit(s.regs.idr3, 3) && bit(s.regs.idr3, 2)) f.insert("smmu.pbha");
      continue;  // the CD (nested) is at an IPA: its fields are not read here
    }
    if (config != 0b101) continue;
    const std::optional<uint64_t> cd_addr = stage1_cd_address(s.memory, s.regs, ste, t);
    if (!cd_addr) continue;
    const uint64_t cd0 = s.memory.read64(*cd_addr);
    f.insert("smmu.s1");
    if (bit(cd0, 43) && idr0_httu(s.regs) != 0) f.insert("smmu.httu.af");  // CD.HA
    if (bit(cd0, 43) && bit(cd0, 42) && idr0_httu(s.regs) == 2) f.insert("smmu.httu.dirty");  // + CD.HD
    if (bit(cd0, 38) || bit(cd0, 39)) f.insert("smmu.cd.tbi");             // CD.TBI0/TBI1
    if (!bit(cd0, 46)) f.insert("smmu.cd.raz_wi");                         // CD.A
    if (bit(t.iova, 55) && !bit(cd0, 30)) f.insert("smmu.cd.ttb1");        // VA[55] through EPD1 = 0
    // The granule of the TTB the transaction goes through (TG0 [7:6]: 10 16K, 01 64K; TG1 [23:22]: 01 16K,
    // 11 64K), and PBHA enabled for it (IDR3.PBHA [3] + HAD [2], CD.HADx [65]/[129], HWUx
    // [127:124]/[191:188]).
    const bool upper = bit(t.iova, 55);
    const Granule g = upper ? tg1_granule(static_cast<unsigned>(bits(cd0, 23, 22)))
                            : tg0_granule(static_cast<unsigned>(bits(cd0, 7, 6)));
    if (g == Granule::K16) f.insert("smmu.s1.gran16k");
    if (g == Granule::K64) f.insert("smmu.s1.gran64k");
    const uint64_t cdw = s.memory.read64(*cd_addr + (upper ? 16 : 8));
    if (bit(s.regs.idr3, 3) && bit(s.regs.idr3, 2) && bit(cdw, 1) && bits(cdw, 63, 60) != 0)
      f.insert("smmu.pbha");
  }
  return {f.begin(), f.end()};
}

void finish_scenario(ScenarioSpec& s, const std::vector<std::string>& extra) {
  std::set<std::string> clauses(extra.begin(), extra.end());
  SparseMemory memory = s.memory;
  bool stalls = false;
  for (const Transaction& t : s.transactions) {
    const Outcome o = translate(memory, s.regs, t);
    o.clauses.for_each([&](Clause c) { clauses.insert(std::string(clause_id(c))); });
    stalls = stalls || o.status == Status::Stalled;
    apply_updates(memory, o);
  }
  s.clauses.assign(clauses.begin(), clauses.end());
  s.features = scenario_features(s);
  // smmu.stall: a transaction stalls (SMMU.EVENT.STALL). Taken from the outcomes, not the configuration: a
  // nested CD's S bit sits in IPA space, and a stall configuration without a fault needs no stall support.
  if (stalls)
    s.features.insert(std::upper_bound(s.features.begin(), s.features.end(), "smmu.stall"), "smmu.stall");
}

void generate(const Options& options, const std::function<void(const ScenarioSpec&)>& emit_any) {
  if (!options.platform.empty()) check_platform(options.platform);
  std::function<void(const ScenarioSpec&)> emit = emit_any;
  if (!options.platform.empty())
    emit = [&](const ScenarioSpec& spec) {
      ScenarioSpec s = spec;
      if (apply_platform(options.platform, s)) emit_any(s);
    };
  if (options.random) {
    const rc::Gen<ScenarioSpec> g = scenario(options.ops_per_scenario);
    for (uint64_t i = 0; i < options.count; ++i) {
      // Each scenario has its own seed derived from (seed, index): replayable from its id alone.
      ScenarioSpec s = generate_seeded(g, derive_seed(options.seed, i));
      s.id = "smmu-" + std::to_string(options.seed) + "-" + std::to_string(i);
      finish_scenario(s);
      emit(s);
    }
    // The other random families, one scenario for every four stage-1 ones each, from their own seed streams
    // so the stage-1 scenarios above stay what they were.
    const auto family = [&](const rc::Gen<ScenarioSpec>& gen, uint64_t stream, const std::string& prefix) {
      for (uint64_t i = 0; i < (options.count + 3) / 4; ++i) {
        ScenarioSpec s = generate_seeded(gen, derive_seed(options.seed ^ stream, i));
        s.id = prefix + std::to_string(options.seed) + "-" + std::to_string(i);
        finish_scenario(s);
        emit(s);
      }
    };
    // Stage 2 and nested (S2P = 1); 2-level Stream tables; SubstreamIDs with CD tables.
    family(s2_scenario(options.ops_per_scenario), 0x5332ull, "smmu-s2r-");
    family(two_level_scenario(options.ops_per_scenario), 0x5354'324cull, "smmu-st2-");
    family(substream_scenario(options.ops_per_scenario), 0x5353'4944ull, "smmu-ssid-");
  }
  if (options.boundary) {
    if (options.spec_file.empty())
      throw InputError("smmu generator: boundary scenarios need the spec file (spec/smmu.yaml)");
    const ClauseFile file = load_clause_file(options.spec_file);
    generate_boundary(file, options.seed, emit);
    // Every granule, start level, leaf level, TTB, TBI and PBHA enable combination (fixed tables, no Z3).
    generate_granule_scenarios(options.seed, [&](ScenarioSpec& s) {
      finish_scenario(s);
      emit(s);
    });
    // Stage 2 and nested edges: S2SL0/S2T0SZ, concatenation, OA boundaries, ILLEGAL fields, CLASS CD/TT/IN.
    generate_s2_fixed_scenarios(options.seed, [&](ScenarioSpec& s) {
      finish_scenario(s);
      emit(s);
    });
  }
}

}  // namespace vipcts::smmu::gen
