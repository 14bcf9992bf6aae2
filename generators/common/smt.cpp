#include "smt.hpp"

#include <z3++.h>

#include <set>

#include "harness/core/errors.hpp"

namespace vipcts {

struct SmtPredicate::Impl {
  std::shared_ptr<z3::context> ctx;  // declared first: destroyed last, after every expr below
  std::vector<SmtField> fields;
  std::string text;
  std::string where;
  std::vector<z3::expr> consts;  // one bit-vector constant per field, in `fields` order
  z3::sort_vector sorts;         // no user sorts
  z3::func_decl_vector decls;    // the field constants, for parse_string
  z3::expr predicate;

  Impl(std::shared_ptr<z3::context> c, std::vector<SmtField> f, std::string t, std::string w)
      : ctx(std::move(c)),
        fields(std::move(f)),
        text(std::move(t)),
        where(std::move(w)),
        sorts(*ctx),
        decls(*ctx),
        predicate(ctx->bool_val(true)) {}

  // Parses one SMT-LIB2 Bool term over the fields.
  z3::expr parse(const std::string& term, const std::string& what) const {
    if (term.find_first_not_of(" \t\r\n") == std::string::npos)
      throw InputError(where + ": " + what + ": empty SMT expression");
    try {
      const std::string script = "(assert " + term + ")";
      z3::expr_vector v = ctx->parse_string(script.c_str(), sorts, decls);
      if (v.size() != 1) throw InputError(where + ": " + what + ": expected one SMT term: " + term);
      z3::expr e = v[0];
      if (!e.is_bool()) throw InputError(where + ": " + what + ": SMT term is not a Bool: " + term);
      return e;
    } catch (const z3::exception& ex) {
      std::string msg = ex.msg();
      for (char& ch : msg)
        if (ch == '\n') ch = ' ';
      throw InputError(where + ": " + what + ": unparsable SMT: " + msg);
    }
  }

  // A fresh solver with fixed parameters: same queries in the same order -> same models.
  z3::solver make_solver(uint64_t seed) const {
    z3::solver s(*ctx, "QF_BV");
    z3::params p(*ctx);
    p.set("random_seed", static_cast<unsigned>(seed & 0xffffffffu));
    s.set(p);
    return s;
  }

  void add_constraints(z3::solver& s, bool want, const std::vector<std::string>& extra) const {
    s.add(want ? predicate : !predicate);
    for (size_t i = 0; i < extra.size(); ++i) s.add(parse(extra[i], "constraint " + std::to_string(i)));
  }

  SmtValues read_model(const z3::model& m) const {
    SmtValues out;
    for (size_t i = 0; i < fields.size(); ++i) {
      const z3::expr v = m.eval(consts[i], /*model_completion=*/true);
      uint64_t n = 0;
      if (!v.is_numeral_u64(n)) throw InputError(where + ": Z3 returned a non-numeral for " + fields[i].name);
      out.emplace(fields[i].name, n);
    }
    return out;
  }

  // z3 check() with "unknown" turned into an error: QF_BV without a timeout is decidable, so unknown means
  // something is wrong with the predicate (e.g. it left bit-vector logic).
  bool check(z3::solver& s) const {
    const z3::check_result r = s.check();
    if (r == z3::unknown) throw InputError(where + ": Z3 answered unknown: " + s.reason_unknown());
    return r == z3::sat;
  }
};

SmtPredicate::SmtPredicate(std::vector<SmtField> fields, const std::string& smt, std::string where,
                           std::shared_ptr<z3::context> context) {
  if (!context) context = std::make_shared<z3::context>();
  impl_ = std::make_unique<Impl>(std::move(context), std::move(fields), smt, std::move(where));
  std::set<std::string> seen;
  for (const SmtField& f : impl_->fields) {
    if (f.width < 1 || f.width > 64)
      throw InputError(impl_->where + ": field " + f.name + ": width " + std::to_string(f.width) +
                       " is outside 1..64");
    if (!seen.insert(f.name).second) throw InputError(impl_->where + ": field " + f.name + " declared twice");
    z3::expr c = impl_->ctx->bv_const(f.name.c_str(), f.width);
    impl_->consts.push_back(c);
    impl_->decls.push_back(c.decl());
  }
  impl_->predicate = impl_->parse(smt, "smt");
}

SmtPredicate::~SmtPredicate() = default;
SmtPredicate::SmtPredicate(SmtPredicate&&) noexcept = default;
SmtPredicate& SmtPredicate::operator=(SmtPredicate&&) noexcept = default;

const std::vector<SmtField>& SmtPredicate::fields() const { return impl_->fields; }
const std::string& SmtPredicate::text() const { return impl_->text; }
const std::string& SmtPredicate::where() const { return impl_->where; }

bool SmtPredicate::evaluate(const SmtValues& values) const {
  const Impl& im = *impl_;
  z3::expr_vector from(*im.ctx), to(*im.ctx);
  for (size_t i = 0; i < im.fields.size(); ++i) {
    const SmtField& f = im.fields[i];
    const auto it = values.find(f.name);
    if (it == values.end()) throw InputError(im.where + ": no value for field " + f.name);
    if (f.width < 64 && (it->second >> f.width) != 0)
      throw InputError(im.where + ": field " + f.name + ": value " + std::to_string(it->second) +
                       " does not fit in " + std::to_string(f.width) + " bits");
    from.push_back(im.consts[i]);
    to.push_back(im.ctx->bv_val(it->second, f.width));
  }
  for (const auto& [name, value] : values) {
    bool known = false;
    for (const SmtField& f : im.fields) known = known || f.name == name;
    if (!known) throw InputError(im.where + ": value given for " + name + ", which is not a field");
  }
  z3::expr e = im.predicate;
  e = e.substitute(from, to).simplify();
  if (e.is_true()) return true;
  if (e.is_false()) return false;
  // The simplifier normally folds a ground bit-vector term; if it did not, decide it with the solver.
  z3::solver s = im.make_solver(0);
  s.add(e);
  return im.check(s);
}

std::optional<SmtValues> SmtPredicate::solve(bool want, const std::vector<std::string>& extra_constraints,
                                             uint64_t seed) const {
  z3::solver s = impl_->make_solver(seed);
  impl_->add_constraints(s, want, extra_constraints);
  if (!impl_->check(s)) return std::nullopt;
  return impl_->read_model(s.get_model());
}

std::vector<SmtValues> SmtPredicate::enumerate(bool want, size_t n, const std::vector<std::string>& extra_constraints,
                                               uint64_t seed) const {
  const Impl& im = *impl_;
  std::vector<SmtValues> out;
  if (n == 0 || im.fields.empty()) {
    if (n > 0 && satisfiable(want, extra_constraints)) out.emplace_back();
    return out;
  }
  z3::solver s = im.make_solver(seed);
  im.add_constraints(s, want, extra_constraints);
  while (out.size() < n && im.check(s)) {
    SmtValues v = im.read_model(s.get_model());
    // Blocking clause: the next solution differs in at least one field.
    z3::expr_vector diff(*im.ctx);
    for (size_t i = 0; i < im.fields.size(); ++i)
      diff.push_back(im.consts[i] != im.ctx->bv_val(v.at(im.fields[i].name), im.fields[i].width));
    s.add(z3::mk_or(diff));
    out.push_back(std::move(v));
  }
  return out;
}

bool SmtPredicate::satisfiable(bool want, const std::vector<std::string>& extra_constraints) const {
  z3::solver s = impl_->make_solver(0);
  impl_->add_constraints(s, want, extra_constraints);
  return impl_->check(s);
}

std::string bv_literal(uint64_t value, unsigned width) {
  if (width < 64) value &= (uint64_t{1} << width) - 1;
  return "(_ bv" + std::to_string(value) + " " + std::to_string(width) + ")";
}

}  // namespace vipcts
