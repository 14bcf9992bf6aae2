// The Z3 bridge: a clause's SMT-LIB2 predicate over named bit-vector fields, as written in spec/<area>.yaml
// (`fields: {name: width}` + `smt: "(...)"`). It evaluates the predicate on concrete field values (to check what
// the reference model computed) and asks Z3 for field values that make it true or false (to aim generated
// scenarios at a clause's boundaries). Z3 only proposes inputs; expected outcomes always come from the model.
//
// Determinism: every query runs on a fresh solver with fixed parameters and random_seed = the caller's seed, in
// a context owned by this predicate (or one the caller shares), so the same calls in the same order give the
// same answers. No global Z3 parameters are touched.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace z3 {
class context;
}

namespace vipcts {

struct SmtField {
  std::string name;
  unsigned width = 1;  // bit-vector width, 1..64
};

using SmtValues = std::map<std::string, uint64_t>;

class SmtPredicate {
 public:
  // `where` names the predicate in errors ("spec/smmu.yaml:40: SMMU.S1.WALK.START_LEVEL"). Throws InputError if
  // a width is outside 1..64, a name repeats, or the text does not parse as a Bool over the fields.
  SmtPredicate(std::vector<SmtField> fields, const std::string& smt, std::string where = "smt",
               std::shared_ptr<z3::context> context = nullptr);
  ~SmtPredicate();
  SmtPredicate(SmtPredicate&&) noexcept;
  SmtPredicate& operator=(SmtPredicate&&) noexcept;
  SmtPredicate(const SmtPredicate&) = delete;
  SmtPredicate& operator=(const SmtPredicate&) = delete;

  const std::vector<SmtField>& fields() const;
  const std::string& text() const;
  const std::string& where() const;

  // The predicate's truth value for these field values. Throws InputError if a field is missing, a value names
  // no field, or a value does not fit its width: a Witness that does not match its clause is a bug to report,
  // not something to paper over.
  bool evaluate(const SmtValues& values) const;

  // Field values making the predicate equal to `want`, subject to extra SMT-LIB2 Bool constraints over the same
  // fields (e.g. "(= txsz #b010000)"). nullopt if there are none. Throws InputError on an unparsable constraint.
  std::optional<SmtValues> solve(bool want, const std::vector<std::string>& extra_constraints = {},
                                 uint64_t seed = 0) const;

  // Up to n distinct solutions (each differs from the previous ones in at least one field).
  std::vector<SmtValues> enumerate(bool want, size_t n, const std::vector<std::string>& extra_constraints = {},
                                   uint64_t seed = 0) const;

  // Whether some field values make the predicate equal to `want`. A clause predicate that is not satisfiable
  // both ways is vacuous or contradictory: a spec inconsistency.
  bool satisfiable(bool want, const std::vector<std::string>& extra_constraints = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// An SMT-LIB2 bit-vector literal of the given width: bv_literal(5, 6) = "(_ bv5 6)".
std::string bv_literal(uint64_t value, unsigned width);

}  // namespace vipcts
