// Stage-2-only (STE.Config 0b110) and nested (0b111) scenarios, any granule at either stage, with an SMMU
// that advertises stage 2 (IDR0.S2P = 1): consistent stage-2 tables (S2SL0 start level, concatenated start
// tables), nested CDs and stage-1 tables placed at IPAs that stage 2 maps elsewhere (so an implementation
// that does not translate them is caught), and faults at each CLASS (CD fetch, stage-1 table walk, input).
// Plans come from a RapidCheck generator (random) or from fixed edge lists (S2SL0/S2T0SZ legality edges,
// output-address boundaries 2^eff_S2PS - page and 2^eff_S2PS at table and leaf, ILLEGAL STE fields). Field
// positions: Arm IHI 0070 G.b §5.2 (STE), §5.4 (CD); descriptors: Arm DDI 0487 M.a.a D8.3.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <functional>

#include "generate.hpp"
#include "reference/smmu/granule.hpp"

namespace vipcts::smmu::gen {

// What makes a stage-2 STE ILLEGAL (one at a time), or None.
enum class S2Defect : uint8_t {
  None,
  NoS2P,  // Config 0b11x with IDR0.S2P = 0 (SMMU.STE.CONFIG)
  Tg,     // S2TG reserved or not advertised (SMMU.STE.S2.TG)
  T0sz,   // S2T0SZ below the minimum or above the maximum (SMMU.STE.S2.T0SZ)
  Sl0,    // S2SL0 inconsistent with S2T0SZ, or invalid for the PA size (SMMU.STE.S2.SL0)
  Ttb,    // S2TTB beyond eff_S2PS (SMMU.STE.S2.TTB_RANGE)
  Misc,   // S2HA/S2HD beyond IDR0.HTTU, S2S against STALL_MODEL, S2AA64 = 0 (SMMU.STE.S2.MISC)
  Poe,    // S2POE with an S2HWU bit, IDR3.S2PO = 1 (SMMU.PBHA.S2POE)
  kCount
};

struct S2Plan {
  bool nested = false;
  // Stage 2
  Granule g2 = Granule::K4;
  unsigned ia2 = 40;  // 64 - S2T0SZ
  unsigned sl0 = 1;   // S2SL0 (legal for g2/ia2 unless the defect says otherwise)
  unsigned oas = 5;   // IDR5.OAS encoding
  unsigned s2ps = 5;  // STE.S2PS encoding
  bool stt = false, xnx = false;
  bool s2ha = false, s2hd = false, s2affd = false, s2r = true;
  bool ptw = false, ptw_device = false;  // S2PTW, and the stage-1 structures mapped Device at stage 2
  bool idr3_pbha = false;
  unsigned s2hwu = 0;
  // LPA2 at stage 2: IDR5.DS (with IDR5.VAX = 0b01, which DS implies, §6.3.6), STE.S2DS, STE.S2SL0_2,
  // STE.S2SH0, and the stage-2 tables placed above 2^48 (legal only with S2DS in effect).
  bool idr5_ds = false, s2ds = false, sl2 = false, high_tables = false;
  unsigned s2sh0 = 0;
  // Stage 1 (nested)
  Granule g1 = Granule::K4;
  unsigned ia1 = 39;
  unsigned ips = 5;
  bool had0 = false;
  unsigned hwu0 = 0;
  // Stall model (SMMU.EVENT.STALL): IDR0.STALL_MODEL (0b00 both models, 0b10 stall forced), STE.S2S and,
  // nested, the CD's S.
  unsigned stall_model = 0;
  bool s2s = false, cd_s = false;
  S2Defect defect = S2Defect::None;
  bool boundaries = true;  // stage-2 OA boundary leaves and table
  uint64_t seed = 0;       // the rest (addresses, attributes) from a seeded engine
};

// Whether {S2SL0, S2T0SZ} is legal for the granule and PA size (the model's functions); with S2DS in effect
// (ds) the 4 KB encoding has S2SL0_2 (sl2) as its bit 2.
bool s2_sl0_legal(Granule g, unsigned sl0, unsigned ia_bits, unsigned pamax_bits, bool stt);
bool s2_sl0_legal(Granule g, unsigned sl0, bool sl2, bool ds, unsigned ia_bits, unsigned pamax_bits,
                  bool stt);

// Builds the scenario of a plan (without id; finish_scenario() adds clauses and features).
ScenarioSpec build_s2_scenario(const S2Plan& plan, unsigned ops_hint = 16);

// Random plans, about 75 % well-formed and 25 % with one ILLEGAL STE field.
rc::Gen<S2Plan> s2_plan();
rc::Gen<ScenarioSpec> s2_scenario(unsigned ops_per_scenario);

// The fixed stage-2 scenarios: every granule x start level at the S2T0SZ edges (legal and not), concatenation
// 1..16, OA boundaries, each ILLEGAL field, nested faults at each CLASS, PBHA enable combinations.
// Ids "smmu-s2-<seed>-<n>".
void generate_s2_fixed_scenarios(uint64_t seed, const std::function<void(ScenarioSpec&)>& emit);

}  // namespace vipcts::smmu::gen
