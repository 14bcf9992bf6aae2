// Z3 checks: for every predicate clause, inputs chosen by Z3 on both sides of each output (and further
// distinct solutions) are run through the model, and the model's outputs must satisfy the clause's predicate.
// Each test is named after its clause id.
#include <gtest/gtest.h>

#include <algorithm>

#include "generators/common/smt.hpp"
#include "generators/vfio/boundary.hpp"
#include "support.hpp"

namespace vipcts::vfio {
namespace {

class Predicate : public ::testing::TestWithParam<size_t> {};

TEST_P(Predicate, ModelSatisfiesThePredicate) {
  const gen::Witness& w = gen::witnesses()[GetParam()];
  const ClauseInfo* c = test::clause_file().find(w.clause);
  ASSERT_NE(c, nullptr);
  std::vector<SmtField> fields;
  for (const ClauseField& f : c->fields) fields.push_back({f.name, f.width});
  const SmtPredicate pred(fields, c->smt, w.clause);
  ASSERT_TRUE(pred.satisfiable(true, w.assumptions)) << "assumptions contradict the predicate";
  unsigned checked = 0;
  for (const std::string& out : w.outputs) {
    unsigned width = 0;
    for (const SmtField& f : fields)
      if (f.name == out) width = f.width;
    const uint64_t values = width > 3 ? 1 : uint64_t{1} << width;
    for (uint64_t v = 0; v < values; ++v) {
      std::vector<std::string> extra = w.assumptions;
      if (width <= 3) extra.push_back("(= " + out + " " + bv_literal(v, width) + ")");
      for (uint64_t seed : {1, 2, 3}) {
        for (const SmtValues& sol : pred.enumerate(true, 4, extra, seed)) {
          SmtValues inputs;
          for (const SmtField& f : fields)
            if (std::find(w.outputs.begin(), w.outputs.end(), f.name) == w.outputs.end())
              inputs[f.name] = sol.at(f.name);
          const SmtValues got = gen::model_values(w, inputs);
          std::string shown;
          for (const auto& [k, x] : got) shown += k + "=" + std::to_string(x) + " ";
          EXPECT_TRUE(pred.evaluate(got)) << w.clause << ": model disagrees with the predicate at " << shown;
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 0u);
}

std::string name(const ::testing::TestParamInfo<size_t>& info) {
  std::string n = gen::witnesses()[info.param].clause + "_" + std::to_string(info.param);
  std::replace(n.begin(), n.end(), '.', '_');
  return n;
}

INSTANTIATE_TEST_SUITE_P(VfioClauses, Predicate, ::testing::Range<size_t>(0, gen::witnesses().size()), name);

}  // namespace
}  // namespace vipcts::vfio
