// Z3 proofs that the granule geometry of the model (reference/smmu/granule.hpp) equals the architecture's
// formulas over the WHOLE input domain, for every granule: stage-1 start level, block (translation) size,
// block legality per level, stage-2 S2SL0 legality (S2InvalidSL + S2InconsistentSL), concatenated start
// tables and the per-level index.
//
// Method. The architecture's formula is written here in bit-vector logic, independently of the model, from
// Arm DDI 0487 M.a.a J1.1 (AArch64.S1StartLevel, TranslationSize, BlockDescSupported, S2StartLevel,
// S2InvalidSL, S2InconsistentSL, S2SLTTEntryAddress). The model's function has a finite domain; it is
// evaluated on every point and entered into Z3 as an uninterpreted function M constrained at exactly those
// points. The domain is also stated as a Z3 constraint, so a point the enumeration missed leaves M free there
// and the proof fails. Then Z3 is asked for inputs in the domain where M differs from the formula: unsat is
// the proof. The per-level index is a function of a 64-bit address and cannot be enumerated; it is proved in
// two steps: Z3 proves the architecture's IA[msb:lsb] equal to the shift-and-mask form for every (granule,
// iasize, level), and the model is checked on 130 probe addresses per point (0, all ones, every single bit
// set and every single bit cleared), which determine a bit-field extraction completely, plus random
// addresses.
#include <gtest/gtest.h>
#include <z3++.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "harness/core/clauses.hpp"
#include "reference/smmu/granule.hpp"

namespace vipcts::smmu {
namespace {

using vmsa::kNoLevel;

struct Var {
  const char* name;
  unsigned width;
};

using Point = std::vector<uint64_t>;
using Exprs = std::vector<z3::expr>;

// Proves that for every input satisfying `domain`, the model (given on `points`) equals `arch`. Returns "" on
// success, else a description of the counterexample (or of the failure).
std::string prove(const std::vector<Var>& vars, const std::vector<Point>& points,
                  const std::function<uint64_t(const Point&)>& model, unsigned out_width,
                  const std::function<z3::expr(z3::context&, const Exprs&)>& arch,
                  const std::function<z3::expr(z3::context&, const Exprs&)>& domain) {
  z3::context c;
  Exprs x;
  z3::sort_vector sorts(c);
  for (const Var& v : vars) {
    x.push_back(c.bv_const(v.name, v.width));
    sorts.push_back(c.bv_sort(v.width));
  }
  const z3::func_decl m = z3::function("M", sorts, c.bv_sort(out_width));
  z3::solver s(c);
  for (const Point& p : points) {
    z3::expr_vector args(c);
    for (size_t i = 0; i < vars.size(); ++i) args.push_back(c.bv_val(p[i], vars[i].width));
    s.add(m(args) == c.bv_val(model(p), out_width));
  }
  z3::expr_vector xs(c);
  for (const z3::expr& e : x) xs.push_back(e);
  s.add(domain(c, x));
  s.add(m(xs) != arch(c, x));
  const z3::check_result r = s.check();
  if (r == z3::unsat) return "";
  if (r == z3::unknown) return "z3 returned unknown";
  const z3::model mod = s.get_model();
  std::string msg = "counterexample:";
  for (size_t i = 0; i < vars.size(); ++i)
    msg += std::string(" ") + vars[i].name + "=" + mod.eval(x[i], true).to_string();
  msg += " model=" + mod.eval(m(xs), true).to_string() + " arch=" + mod.eval(arch(c, x), true).to_string();
  return msg;
}

// ---- The architecture's formulas, bit-vector form. Granule code g: 0 = 4K, 1 = 16K, 2 = 64K (8-bit values;
// levels are 8-bit two's complement so that level -1 exists).
constexpr unsigned W = 8;
z3::expr k(z3::context& c, int v) {
  return c.bv_val(v, W);
}
z3::expr gbits(z3::context& c, const z3::expr& g) {
  return z3::ite(g == 0, k(c, 12), z3::ite(g == 1, k(c, 14), k(c, 16)));
}
z3::expr stride(z3::context& c, const z3::expr& g) {
  return gbits(c, g) - 3;
}
// FINAL_LEVEL - ((iasize - 1 - granulebits) DIV stride); the numerator is non-negative on the domain.
z3::expr arch_s1_start(z3::context& c, const z3::expr& g, const z3::expr& ia) {
  return k(c, 3) - z3::udiv(ia - 1 - gbits(c, g), stride(c, g));
}
// TranslationSize: granulebits + stride * (FINAL_LEVEL - level).
z3::expr arch_tsize(z3::context& c, const z3::expr& g, const z3::expr& level) {
  return gbits(c, g) + stride(c, g) * (k(c, 3) - level);
}
Granule granule_of(uint64_t g) {
  return g == 0 ? Granule::K4 : g == 1 ? Granule::K16 : Granule::K64;
}
constexpr unsigned kPamax[] = {32, 36, 40, 42, 44, 48, 52};  // IDR5.OAS encodings 0..6
z3::expr pamax_domain(z3::context& c, const z3::expr& p) {
  z3::expr any = c.bool_val(false);
  for (unsigned v : kPamax) any = any || p == c.bv_val(v, W);
  return any;
}
int8_t as_level(uint64_t v) {
  return static_cast<int8_t>(static_cast<uint8_t>(v));
}

// The stage-1 start-level domain: every granule, iasize = 64 - TxSZ from granulebits + 1 (one index bit) to
// 52 (DS / LPA), and the proof of a start-level function over it.
std::vector<Point> s1_start_points() {
  std::vector<Point> pts;
  for (uint64_t g = 0; g < 3; ++g)
    for (uint64_t ia = vmsa::granule_bits(granule_of(g)) + 1; ia <= 52; ++ia) pts.push_back({g, ia});
  return pts;
}
std::string prove_s1_start(const std::vector<Point>& pts, const std::function<int(const Point&)>& level) {
  return prove(
      {{"g", W}, {"ia", W}}, pts, [&](const Point& p) { return uint64_t{static_cast<uint8_t>(level(p))}; }, W,
      [](z3::context& c, const Exprs& x) { return arch_s1_start(c, x[0], x[1]); },
      [](z3::context& c, const Exprs& x) {
        return z3::ule(x[0], k(c, 2)) && z3::uge(x[1], gbits(c, x[0]) + 1) && z3::ule(x[1], k(c, 52));
      });
}
int model_s1_start(const Point& p) {
  return vmsa::s1_start_level(granule_of(p[0]), unsigned(p[1]));
}

TEST(Z3Proof, S1StartLevelEqualsTheFormulaForEveryGranuleAndTxSZ) {
  const std::vector<Point> pts = s1_start_points();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(prove_s1_start(pts, model_s1_start), "");
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[proof] S1 start level: %zu points, %.1f ms\n", pts.size(), ms);
}

TEST(Z3Proof, ArchitectureQemuAndLinuxStartLevelFormulasAgree) {
  // Purely symbolic: 3 - floor((N-1-g)/s) (DDI 0487), 4 - floor((N-4)/s) (QEMU), 4 - ceil((N-g)/s) (Linux).
  z3::context c;
  const z3::expr g = c.bv_const("g", W), n = c.bv_const("n", W);
  const z3::expr s = stride(c, g), gb = gbits(c, g);
  const z3::expr arch = arch_s1_start(c, g, n);
  const z3::expr qemu = k(c, 4) - z3::udiv(n - 4, s);
  const z3::expr linux_ = k(c, 4) - z3::udiv(n - gb + s - 1, s);
  z3::solver sv(c);
  sv.add(z3::ule(g, k(c, 2)) && z3::uge(n, gb + 1) && z3::ule(n, k(c, 52)));
  sv.add(arch != qemu || arch != linux_);
  EXPECT_EQ(sv.check(), z3::unsat);
}

TEST(Z3Proof, BlockSizeEqualsTranslationSizeForEveryGranuleAndLevel) {
  std::vector<Point> pts;
  for (uint64_t g = 0; g < 3; ++g)
    for (int l = -1; l <= 3; ++l) pts.push_back({g, static_cast<uint8_t>(l)});
  const std::string r = prove(
      {{"g", W}, {"level", W}}, pts,
      [](const Point& p) { return uint64_t{vmsa::level_shift(granule_of(p[0]), as_level(p[1]))}; }, W,
      [](z3::context& c, const Exprs& x) { return arch_tsize(c, x[0], x[1]); },
      [](z3::context& c, const Exprs& x) {
        return z3::ule(x[0], k(c, 2)) && x[1] >= k(c, -1) && x[1] <= k(c, 3);
      });
  EXPECT_EQ(r, "");
}

TEST(Z3Proof, BlockLegalityEqualsBlockDescSupported) {
  std::vector<Point> pts;
  for (uint64_t g = 0; g < 3; ++g)
    for (int l = -1; l <= 3; ++l)
      for (uint64_t ds = 0; ds < 2; ++ds)
        for (unsigned pa : kPamax) pts.push_back({g, static_cast<uint8_t>(l), ds, pa});
  const std::string r = prove(
      {{"g", W}, {"level", W}, {"ds", 1}, {"pamax", W}}, pts,
      [](const Point& p) {
        return uint64_t{vmsa::block_allowed(granule_of(p[0]), as_level(p[1]), p[2] != 0, unsigned(p[3]))};
      },
      1,
      [](z3::context& c, const Exprs& x) {
        const z3::expr &g = x[0], &l = x[1], &pa = x[3];
        const z3::expr ds = x[2] == c.bv_val(1, 1);
        const z3::expr ok =
            z3::ite(g == 0, (l == 0 && ds) || l == 1 || l == 2,
                    z3::ite(g == 1, (l == 1 && ds) || l == 2, (l == 1 && z3::uge(pa, k(c, 52))) || l == 2));
        return z3::ite(ok, c.bv_val(1, 1), c.bv_val(0, 1));
      },
      [](z3::context& c, const Exprs& x) {
        return z3::ule(x[0], k(c, 2)) && x[1] >= k(c, -1) && x[1] <= k(c, 3) && pamax_domain(c, x[3]);
      });
  EXPECT_EQ(r, "");
}

// S2StartLevel as written in J1.1 ({SL2,SL0} for 4K), kNoLevel where the table has no entry.
z3::expr arch_s2_start(z3::context& c, const z3::expr& g, const z3::expr& sl0, const z3::expr& sl2) {
  const z3::expr none = k(c, kNoLevel);
  const z3::expr k4 =
      z3::ite(sl2 == 1, z3::ite(sl0 == 0, k(c, -1), none),
              z3::ite(sl0 == 0, k(c, 2), z3::ite(sl0 == 1, k(c, 1), z3::ite(sl0 == 2, k(c, 0), k(c, 3)))));
  const z3::expr k16 = z3::ite(sl2 == 1, none, k(c, 3) - sl0);
  const z3::expr k64 = z3::ite(sl2 == 1 || sl0 == 3, none, k(c, 3) - sl0);
  return z3::ite(g == 0, k4, z3::ite(g == 1, k16, k64));
}

// Legal = !S2InvalidSL && !S2InconsistentSL, as a 1-bit vector.
z3::expr arch_s2_legal(z3::context& c, const Exprs& x) {
  const z3::expr &g = x[0], &sl0 = x[1], &sl2 = x[2], &ds = x[3], &pa = x[4], &ttst = x[5], &t = x[6];
  // S2InvalidSL (J1.1), PAMax = OAS, FEAT_TTST = STT. SL2 exists only for 4K (RES0 otherwise).
  const z3::expr inv4 =
      z3::ite(sl2 == 1, sl0 != 0 || z3::ult(pa, k(c, 52)),
              z3::ite(sl0 == 2, z3::ult(pa, k(c, 44)), z3::ite(sl0 == 3, ttst == 0, c.bool_val(false))));
  const z3::expr inv16 = sl2 == 1 || z3::ite(sl0 == 3, ds == 0 || z3::ult(pa, k(c, 52)),
                                             z3::ite(sl0 == 2, z3::ult(pa, k(c, 42)), c.bool_val(false)));
  const z3::expr inv64 = sl2 == 1 || sl0 == 3 || (sl0 == 2 && z3::ult(pa, k(c, 44)));
  const z3::expr invalid = z3::ite(g == 0, inv4, z3::ite(g == 1, inv16, inv64));
  // S2InconsistentSL: iasize outside [levels*stride + granulebits + 1, ... + (stride - 1) + 4].
  const z3::expr levels = k(c, 3) - arch_s2_start(c, g, z3::zext(sl0, W - 2), z3::zext(sl2, W - 1));
  const z3::expr lo = levels * stride(c, g) + gbits(c, g) + 1;
  const z3::expr hi = lo + stride(c, g) - 1 + 4;
  const z3::expr ia = k(c, 64) - z3::zext(t, W - 6);
  const z3::expr legal = !invalid && z3::uge(ia, lo) && z3::ule(ia, hi);
  return z3::ite(legal, c.bv_val(1, 1), c.bv_val(0, 1));
}

// Every (granule, SL0, SL2, DS, TTST) slice of the stage-2 start-level domain, s = {g, sl0, sl2, ds, ttst},
// with its points over every PA size and S2T0SZ 0..63, each {g, sl0, sl2, ds, pamax, ttst, s2t0sz}. With
// sl2_4k_only SL2 = 1 is enumerated for the 4 KB granule only (a clause witness's effective S2SL0_2).
// Returns the number of points.
size_t for_each_sl_slice(bool sl2_4k_only,
                         const std::function<void(const Point& s, const std::vector<Point>& pts)>& f) {
  size_t total = 0;
  for (uint64_t g = 0; g < 3; ++g)
    for (uint64_t sl0 = 0; sl0 < 4; ++sl0)
      for (uint64_t sl2 = 0; sl2 < (sl2_4k_only && g != 0 ? 1u : 2u); ++sl2)
        for (uint64_t ds = 0; ds < 2; ++ds)
          for (uint64_t ttst = 0; ttst < 2; ++ttst) {
            std::vector<Point> pts;
            for (unsigned pa : kPamax)
              for (uint64_t t = 0; t < 64; ++t) pts.push_back({g, sl0, sl2, ds, pa, ttst, t});
            total += pts.size();
            f({g, sl0, sl2, ds, ttst}, pts);
          }
  return total;
}

TEST(Z3Proof, S2SL0LegalityEqualsS2InvalidSLAndS2InconsistentSL) {
  // Domain: granule, SL0, SL2, DS, PAMax (= OAS), TTST (= IDR3.STT), S2T0SZ 0..63: 43,008 points, proved in
  // 96 slices of 448 points (one per granule/SL0/SL2/DS/TTST), each slice's domain pinned by Z3 constraints.
  const auto model = [](const Point& p) {
    const Granule g = granule_of(p[0]);
    const unsigned sl0 = unsigned(p[1]);
    const bool sl2 = p[2] != 0;
    if (vmsa::s2_invalid_sl(g, sl0, sl2, p[3] != 0, unsigned(p[4]), p[5] != 0)) return uint64_t{0};
    return uint64_t{!vmsa::s2_inconsistent_sl(g, vmsa::s2_start_level(g, sl0, sl2), unsigned(64 - p[6]))};
  };
  const auto t0 = std::chrono::steady_clock::now();
  const size_t total = for_each_sl_slice(false, [&](const Point& s, const std::vector<Point>& pts) {
    const std::string r =
        prove({{"g", W}, {"sl0", 2}, {"sl2", 1}, {"ds", 1}, {"pamax", W}, {"ttst", 1}, {"s2t0sz", 6}}, pts,
              model, 1, arch_s2_legal, [&](z3::context& c, const Exprs& x) {
                return x[0] == k(c, int(s[0])) && x[1] == c.bv_val(s[1], 2) && x[2] == c.bv_val(s[2], 1) &&
                       x[3] == c.bv_val(s[3], 1) && x[5] == c.bv_val(s[4], 1) && pamax_domain(c, x[4]);
              });
    EXPECT_EQ(r, "") << "g=" << s[0] << " sl0=" << s[1] << " sl2=" << s[2] << " ds=" << s[3]
                     << " ttst=" << s[4];
  });
  EXPECT_EQ(total, 43008u);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[proof] S2SL0 legality: %zu points, %.1f ms\n", total, ms);
}

TEST(Z3Proof, AProofFailsOnAWrongModel) {
  // Negative control: the same machinery must find the counterexample when the model is off by one at one
  // point of one granule (16 KB, iasize 36).
  std::vector<Point> pts = s1_start_points();
  const std::string r = prove_s1_start(
      pts, [](const Point& p) { return model_s1_start(p) + (p[0] == 1 && p[1] == 36 ? 1 : 0); });
  EXPECT_NE(r.find("g=#x01"), std::string::npos) << r;
  EXPECT_NE(r.find("ia=#x24"), std::string::npos) << r;
  // A domain with one point left out of the enumeration cannot be proved either.
  pts.pop_back();
  const std::string r2 = prove_s1_start(pts, model_s1_start);
  EXPECT_NE(r2, "");
}

TEST(Z3Proof, ConcatenatedStartTablesEqualTheFormulaOnEveryLegalConfiguration) {
  // Count = 2^(iasize - (granulebits + stride*(3 - start)) - stride) when positive, else 1; at most 16 on the
  // legal domain (checked on every point after the proof).
  std::vector<Point> pts;
  for (uint64_t g = 0; g < 3; ++g)
    for (int l = -1; l <= 3; ++l)
      for (uint64_t ia = 1; ia <= 64; ++ia)
        if (!vmsa::s2_inconsistent_sl(granule_of(g), l, unsigned(ia)))
          pts.push_back({g, static_cast<uint8_t>(l), ia});
  const std::string r = prove(
      {{"g", W}, {"start", W}, {"ia", W}}, pts,
      [](const Point& p) {
        return uint64_t{vmsa::s2_concatenated_tables(granule_of(p[0]), as_level(p[1]), unsigned(p[2]))};
      },
      W,
      [](z3::context& c, const Exprs& x) {
        const z3::expr extra = x[2] - arch_tsize(c, x[0], x[1]) - stride(c, x[0]);
        return z3::ite(extra > 0, z3::shl(k(c, 1), extra), k(c, 1));
      },
      [](z3::context& c, const Exprs& x) {
        const z3::expr lo = (k(c, 3) - x[1]) * stride(c, x[0]) + gbits(c, x[0]) + 1;
        return z3::ule(x[0], k(c, 2)) && x[1] >= k(c, -1) && x[1] <= k(c, 3) && z3::uge(x[2], lo) &&
               z3::ule(x[2], lo + stride(c, x[0]) + 3) && z3::ule(x[2], k(c, 64));
      });
  EXPECT_EQ(r, "");
  for (const Point& p : pts)
    EXPECT_LE(vmsa::s2_concatenated_tables(granule_of(p[0]), as_level(p[1]), unsigned(p[2])), 16u);
}

// ---- Stage 2 against the clause file: the SMT predicate of a spec/smmu.yaml clause (parsed by Z3 from the
// YAML, not rewritten here) holds for the model on the WHOLE domain. The model's output field is an
// uninterpreted function of the clause's input fields, fixed at every enumerated point; Z3 looks for a point
// of the domain where the predicate is false.
std::string prove_clause(const std::string& id, const std::vector<Var>& inputs, const Var& output,
                         const std::vector<Point>& points, const std::function<uint64_t(const Point&)>& model,
                         const std::function<z3::expr(z3::context&, const Exprs&)>& domain) {
  static const ClauseFile file = load_clause_file(std::string(VIPCTS_SPEC_DIR) + "/smmu.yaml");
  const ClauseInfo* clause = file.find(id);
  if (clause == nullptr || clause->smt.empty()) return id + ": no such clause with smt";
  z3::context c;
  std::string decls;
  for (const ClauseField& f : clause->fields)
    decls += "(declare-const " + f.name + " (_ BitVec " + std::to_string(f.width) + "))";
  const z3::expr_vector parsed = c.parse_string((decls + "(assert " + clause->smt + ")").c_str());
  Exprs x;
  z3::sort_vector sorts(c);
  z3::expr_vector xs(c);
  for (const Var& v : inputs) {
    x.push_back(c.bv_const(v.name, v.width));
    sorts.push_back(c.bv_sort(v.width));
    xs.push_back(x.back());
  }
  const z3::func_decl m = z3::function("M", sorts, c.bv_sort(output.width));
  z3::solver s(c);
  for (const Point& p : points) {
    z3::expr_vector args(c);
    for (size_t i = 0; i < inputs.size(); ++i) args.push_back(c.bv_val(p[i], inputs[i].width));
    s.add(m(args) == c.bv_val(model(p), output.width));
  }
  s.add(domain(c, x));
  s.add(c.bv_const(output.name, output.width) == m(xs));
  s.add(!z3::mk_and(parsed));
  const z3::check_result r = s.check();
  if (r == z3::unsat) return "";
  if (r == z3::unknown) return "z3 returned unknown";
  const z3::model mod = s.get_model();
  std::string msg = id + " counterexample:";
  for (size_t i = 0; i < inputs.size(); ++i)
    msg += std::string(" ") + inputs[i].name + "=" + mod.eval(x[i], true).to_string();
  return msg + " model=" + mod.eval(m(xs), true).to_string();
}

TEST(Z3Proof, S2StartLevelEqualsS2StartLevel) {
  std::vector<Point> pts;
  for (uint64_t g = 0; g < 3; ++g)
    for (uint64_t sl0 = 0; sl0 < 4; ++sl0)
      for (uint64_t sl2 = 0; sl2 < 2; ++sl2) pts.push_back({g, sl0, sl2});
  const std::string r = prove(
      {{"g", W}, {"sl0", 2}, {"sl2", 1}}, pts,
      [](const Point& p) {
        return uint64_t{
            static_cast<uint8_t>(vmsa::s2_start_level(granule_of(p[0]), unsigned(p[1]), p[2] != 0))};
      },
      W,
      [](z3::context& c, const Exprs& x) {
        return arch_s2_start(c, x[0], z3::zext(x[1], W - 2), z3::zext(x[2], W - 1));
      },
      [](z3::context& c, const Exprs& x) { return z3::ule(x[0], k(c, 2)); });
  EXPECT_EQ(r, "");
}

TEST(Z3Proof, ClauseSteS2Sl0HoldsForTheModelOnTheWholeDomain) {
  // granule x S2SL0 x SL2 x DS x STT slices, each over every PA size and S2T0SZ 0..63. The witness's sl2 is
  // the effective S2SL0_2, which only a 4 KB granule considers (IHI 0070 §5.2 S2SL0): 64 slices, 28,672
  // points.
  const auto t0 = std::chrono::steady_clock::now();
  const size_t total = for_each_sl_slice(true, [&](const Point& s, const std::vector<Point>& pts) {
    const std::string r = prove_clause(
        "SMMU.STE.S2.SL0",
        {{"granule", 2}, {"sl0", 2}, {"sl2", 1}, {"ds", 1}, {"pamax", 6}, {"stt", 1}, {"s2t0sz", 6}},
        {"bad_ste", 1}, pts,
        [](const Point& p) {
          const Granule gr = granule_of(p[0]);
          const unsigned v = unsigned(p[1]);
          const bool sl2 = p[2] != 0;
          return uint64_t{
              vmsa::s2_invalid_sl(gr, v, sl2, p[3] != 0, unsigned(p[4]), p[5] != 0) ||
              vmsa::s2_inconsistent_sl(gr, vmsa::s2_start_level(gr, v, sl2), unsigned(64 - p[6]))};
        },
        [&](z3::context& c, const Exprs& x) {
          z3::expr pa = c.bool_val(false);
          for (unsigned v : kPamax) pa = pa || x[4] == c.bv_val(v, 6);
          return x[0] == c.bv_val(s[0], 2) && x[1] == c.bv_val(s[1], 2) && x[2] == c.bv_val(s[2], 1) &&
                 x[3] == c.bv_val(s[3], 1) && x[5] == c.bv_val(s[4], 1) && pa;
        });
    EXPECT_EQ(r, "") << "g=" << s[0] << " sl0=" << s[1] << " sl2=" << s[2] << " ds=" << s[3]
                     << " stt=" << s[4];
  });
  EXPECT_EQ(total, 28672u);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[proof] SMMU.STE.S2.SL0 clause = model: %zu points, %.1f ms\n", total, ms);
}

TEST(Z3Proof, ClauseSteS2ConcatHoldsForTheModelOnEveryLegalConfiguration) {
  // Levels -1..3 (the clause's 3-bit two's complement `level`: -1 = 0b111, 4 KB with S2DS).
  std::vector<Point> pts;
  for (uint64_t g = 0; g < 3; ++g)
    for (int l = -1; l <= 3; ++l)
      for (uint64_t t = 0; t < 64; ++t)
        if (!vmsa::s2_inconsistent_sl(granule_of(g), l, unsigned(64 - t)))
          pts.push_back({g, static_cast<uint64_t>(l) & 7, t});
  const std::string r = prove_clause(
      "SMMU.STE.S2.CONCAT", {{"granule", 2}, {"level", 3}, {"s2t0sz", 6}}, {"tables", 5}, pts,
      [](const Point& p) {
        const int level = (p[1] & 4) != 0 ? int(p[1]) - 8 : int(p[1]);
        return uint64_t{vmsa::s2_concatenated_tables(granule_of(p[0]), level, unsigned(64 - p[2]))};
      },
      [](z3::context& c, const Exprs& x) {
        // S2InconsistentSL is false: 64 - S2T0SZ in [levels*s + g + 1, levels*s + g + s + 4]; level >= -1.
        const z3::expr g = z3::zext(x[0], W - 2), lv = z3::sext(x[1], W - 3);
        const z3::expr ia = k(c, 64) - z3::zext(x[2], W - 6);
        const z3::expr lo = (k(c, 3) - lv) * stride(c, g) + gbits(c, g) + 1;
        return z3::ule(x[0], c.bv_val(2, 2)) && lv >= k(c, -1) && z3::uge(ia, lo) &&
               z3::ule(ia, lo + stride(c, g) + 3);
      });
  EXPECT_EQ(r, "");
}

TEST(Z3Proof, ClauseSteS2T0szHoldsForTheModelOnTheWholeDomain) {
  std::vector<Point> pts;
  for (uint64_t t = 0; t < 64; ++t)
    for (uint64_t g = 0; g < 3; ++g)
      for (uint64_t stt = 0; stt < 2; ++stt)
        for (unsigned ias : kPamax)
          for (uint64_t ds = 0; ds < 2; ++ds) pts.push_back({t, g, stt, ias, ds});
  const std::string r = prove_clause(
      "SMMU.STE.S2.T0SZ", {{"s2t0sz", 6}, {"granule", 2}, {"stt", 1}, {"ias", 6}, {"ds", 1}}, {"bad_ste", 1},
      pts,
      [](const Point& p) {
        const Granule gr = granule_of(p[1]);
        return uint64_t{p[0] < vmsa::txsz_min(gr, p[4] != 0, unsigned(p[3])) ||
                        p[0] > vmsa::txsz_max(gr, p[2] != 0)};
      },
      [](z3::context& c, const Exprs& x) {
        z3::expr ias = c.bool_val(false);
        for (unsigned v : kPamax) ias = ias || x[3] == c.bv_val(v, 6);
        return z3::ule(x[1], c.bv_val(2, 2)) && ias;
      });
  EXPECT_EQ(r, "");
}

TEST(Z3Proof, PerLevelIndexIsTheArchitecturalBitField) {
  // Step 1 (symbolic): IA[msb:lsb] = (IA >> lsb) & (2^(msb-lsb+1) - 1) for all 64-bit IA, for every
  // (granule, iasize, level) of the domain, msb/lsb as J1.1 S1TTEntryAddress / S2SLTTEntryAddress define
  // them. Step 2 (model): the model's table_index equals IA[msb:lsb] on 130 probes per point plus random
  // addresses.
  z3::context c;
  std::mt19937_64 rng(0x5eed);
  size_t points = 0;
  for (uint64_t gi = 0; gi < 3; ++gi) {
    const Granule g = granule_of(gi);
    const unsigned gb = vmsa::granule_bits(g), s = vmsa::granule_stride(g);
    for (unsigned ia_bits = gb + 1; ia_bits <= 52; ++ia_bits) {
      // Stage 1 starts at the level the size implies; stage 2 may start one level lower (concatenation).
      const int s1 = vmsa::s1_start_level(g, ia_bits);
      for (int start = s1; start <= std::min(3, s1 + 1); ++start) {
        if (vmsa::s2_inconsistent_sl(g, start, ia_bits) && start != s1) continue;
        for (int level = start; level <= 3; ++level) {
          ++points;
          const unsigned lsb = gb + s * unsigned(3 - level);
          const unsigned msb = level == start ? ia_bits - 1 : lsb + s - 1;
          const z3::expr va = c.bv_const("va", 64);
          z3::solver sv(c);
          const z3::expr field = z3::zext(va.extract(msb, lsb), 63 - (msb - lsb));
          const z3::expr shifted =
              z3::lshr(va, c.bv_val(lsb, 64)) & c.bv_val(bits(~uint64_t{0}, msb - lsb, 0), 64);
          sv.add(field != shifted);
          ASSERT_EQ(sv.check(), z3::unsat) << gb << " " << ia_bits << " " << level;
          std::vector<uint64_t> probes = {0, ~uint64_t{0}};
          for (unsigned b = 0; b < 64; ++b) {
            probes.push_back(uint64_t{1} << b);
            probes.push_back(~(uint64_t{1} << b));
          }
          for (int i = 0; i < 16; ++i) probes.push_back(rng());
          for (uint64_t v : probes) {
            const uint64_t want = bits(v, msb, lsb);
            ASSERT_EQ(vmsa::table_index(v, g, ia_bits, level, start), want)
                << "granule bits " << gb << " iasize " << ia_bits << " start " << start << " level " << level;
          }
        }
      }
    }
  }
  std::printf("[proof] per-level index: %zu (granule, iasize, start, level) points\n", points);
}

}  // namespace
}  // namespace vipcts::smmu
