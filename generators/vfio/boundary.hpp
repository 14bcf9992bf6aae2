// Z3 boundary scenarios. Every predicate clause of spec/vfio.yaml has a Witness: the fields Z3 chooses
// (inputs), the assumptions under which the model's output field means what the predicate says, a builder
// that turns input values into a scenario, and a reader that takes the output field values back from the
// model's outcomes. Generators ask Z3 for inputs on both sides of each output; conformance checks that the
// model's outputs satisfy the predicate for such inputs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "generate.hpp"
#include "generators/common/smt.hpp"

namespace vipcts::vfio::gen {

struct Witness {
  std::string clause;
  std::vector<std::string> outputs;      // fields the model decides; the rest are inputs
  std::vector<std::string> assumptions;  // SMT-LIB2 constraints over the fields
  std::function<Scenario(const SmtValues&)> build;
  std::function<SmtValues(const Scenario&)> read;
};

const std::vector<Witness>& witnesses();

// The predicate's inputs plus the model's outputs for them.
SmtValues model_values(const Witness& w, const SmtValues& inputs);

}  // namespace vipcts::vfio::gen
