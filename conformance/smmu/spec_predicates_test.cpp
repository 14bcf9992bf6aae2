// The reference model satisfies every clause predicate on every generated vector: each Witness the model emits
// (reference/smmu/witness.hpp) names exactly its clause's `fields`, and Z3 evaluates the clause's `smt` to true
// on the values the model computed.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "generators/common/smt.hpp"
#include "reference/smmu/translate.hpp"
#include "spec_support.hpp"

namespace vipcts::smmu {
namespace {

TEST(SpecPredicates, ModelSatisfiesEveryPredicateOnGeneratedVectors) {
  const ClauseFile& file = spec_test::clause_file();
  std::map<std::string, SmtPredicate> predicates;
  for (const ClauseInfo& c : file.clauses) {
    if (c.smt.empty()) continue;
    std::vector<SmtField> fields;
    for (const ClauseField& f : c.fields) fields.push_back({f.name, f.width});
    predicates.emplace(c.id, SmtPredicate(std::move(fields), c.smt, file.path + ":" + std::to_string(c.line)));
  }

  size_t checked = 0, failures = 0;
  std::set<std::string> witnessed;
  std::string report;
  auto fail = [&](const std::string& what) {
    if (++failures <= 25) report += "\n  " + what;
  };
  // 300 random scenarios (seed fixed) and every boundary scenario.
  gen::generate(spec_test::options(7, 300), [&](const gen::ScenarioSpec& s) {
    SparseMemory memory = s.memory;
    for (size_t i = 0; i < s.transactions.size(); ++i) {
      Trace trace;
      const Outcome o = translate(memory, s.regs, s.transactions[i], &trace);
      for (const Witness& w : trace.witnesses) {
        const std::string id(clause_id(w.clause));
        const std::string at = s.id + " op " + std::to_string(i) + ": " + id;
        if (!o.clauses.contains(w.clause)) fail(at + ": witness for a clause the outcome does not list");
        const ClauseInfo* c = file.find(id);
        if (c == nullptr) {
          fail(at + ": not in the spec");
          continue;
        }
        const auto p = predicates.find(id);
        if (p == predicates.end()) {
          fail(at + ": witness for a clause without smt");
          continue;
        }
        SmtValues values;
        std::string listing;
        for (uint8_t f = 0; f < w.count; ++f) {
          if (!values.emplace(std::string(w.names[f]), w.values[f]).second)
            fail(at + ": field " + std::string(w.names[f]) + " twice");
          listing += " " + std::string(w.names[f]) + "=" + std::to_string(w.values[f]);
        }
        std::set<std::string> expected_names, got_names;
        for (const ClauseField& f : c->fields) expected_names.insert(f.name);
        for (const auto& [name, v] : values) got_names.insert(name);
        if (expected_names != got_names) {
          fail(at + ": witness fields {" + listing + " } do not match the clause's fields");
          continue;
        }
        ++checked;
        witnessed.insert(id);
        try {
          if (!p->second.evaluate(values)) fail(at + ": predicate false for" + listing);
        } catch (const std::exception& e) {
          fail(at + ": " + e.what());
        }
      }
      apply_updates(memory, o);
    }
  });
  EXPECT_EQ(failures, 0u) << failures << " witness(es) violate their clause:" << report;
  EXPECT_GT(checked, 1000u) << "too few witnesses: is the model emitting them?";
  // Every predicate clause should have been witnessed at least once; otherwise its predicate went unchecked.
  std::string unwitnessed;
  for (const auto& [id, p] : predicates)
    if (!witnessed.count(id)) unwitnessed += " " + id;
  EXPECT_TRUE(unwitnessed.empty()) << "predicate clauses never witnessed by the model:" << unwitnessed;
}

}  // namespace
}  // namespace vipcts::smmu
