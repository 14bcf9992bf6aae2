#include "clauses.hpp"

#include <yaml-cpp/yaml.h>

#include <z3++.h>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "errors.hpp"
#include "sha256.hpp"

namespace vipcts {
namespace {

size_t line_of(const YAML::Node& n) {
  auto m = n.Mark();
  return m.line < 0 ? 0 : size_t(m.line) + 1;
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

bool is_upper_digit_underscore(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// A field name becomes an SMT-LIB2 symbol; keep it to the simple-symbol subset that needs no quoting.
bool valid_field_name(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

class Loader {
 public:
  Loader(std::string path, bool check_predicates)
      : path_(std::move(path)), check_predicates_(check_predicates) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& msg) const {
    throw InputError(located(path_, line_of(at), msg));
  }

  std::string scalar(const YAML::Node& node, const std::string& ctx, const std::string& field) const {
    if (!node.IsScalar()) fail(node, ctx + "field `" + field + "`: expected a string, found " + kind(node));
    return node.Scalar();
  }

  static std::string kind(const YAML::Node& n) {
    switch (n.Type()) {
      case YAML::NodeType::Map:
        return "a map";
      case YAML::NodeType::Sequence:
        return "a list";
      case YAML::NodeType::Null:
        return "nothing";
      case YAML::NodeType::Scalar:
        return "a scalar";
      default:
        return "an undefined node";
    }
  }

  // Map entries in file order, with duplicate keys rejected (yaml-cpp keeps both silently).
  std::vector<std::pair<YAML::Node, YAML::Node>> entries(const YAML::Node& map,
                                                         const std::string& ctx) const {
    std::vector<std::pair<YAML::Node, YAML::Node>> out;
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->first.IsScalar()) fail(it->first, ctx + "keys must be strings");
      if (!seen.insert(it->first.Scalar()).second)
        fail(it->first, ctx + "field `" + it->first.Scalar() + "`: duplicate key");
      out.emplace_back(it->first, it->second);
    }
    return out;
  }

  ClauseInfo clause(const YAML::Node& node) const {
    ClauseInfo c;
    c.line = line_of(node);
    if (!node.IsMap()) fail(node, "field `clauses`: each entry must be a map, found " + kind(node));
    // The id first, so every later message can name the clause.
    std::string ctx = "clause: ";
    if (auto idn = node["id"]) {
      c.id = scalar(idn, ctx, "id");
      if (!valid_clause_id(c.id))
        fail(idn, "clause " + c.id + ": field `id`: must match ^[A-Z][A-Z0-9_]*(\\.[A-Z0-9_]+)+$");
      ctx = "clause " + c.id + ": ";
    }
    YAML::Node fields_node, smt_node;
    for (const auto& [k, v] : entries(node, ctx)) {
      const std::string key = k.Scalar();
      if (key == "id") continue;
      if (key == "title") {
        c.title = scalar(v, ctx, key);
      } else if (key == "rule") {
        c.rule = scalar(v, ctx, key);
      } else if (key == "source") {
        c.source = scalar(v, ctx, key);
      } else if (key == "note") {
        c.note = scalar(v, ctx, key);
      } else if (key == "smt") {
        c.smt = scalar(v, ctx, key);
        smt_node = v;
      } else if (key == "fields") {
        fields_node = v;
        c.fields = fields(v, ctx);
      } else {
        fail(k,
             ctx + "field `" + key + "`: unknown key (expected id, title, rule, source, fields, smt, note)");
      }
    }
    for (const char* req : {"id", "title", "rule", "source"}) {
      if (!node[req]) fail(node, ctx + "field `" + req + "`: missing");
    }
    for (auto [val, name] : {std::pair{&c.title, "title"}, {&c.rule, "rule"}, {&c.source, "source"}}) {
      if (val->empty()) fail(node[name], ctx + "field `" + name + "`: must not be empty");
    }
    if (!c.fields.empty() && c.smt.empty()) fail(fields_node, ctx + "field `fields`: given without `smt`");
    if (!c.smt.empty() && c.fields.empty()) fail(smt_node, ctx + "field `smt`: given without `fields`");
    if (!c.smt.empty() && check_predicates_) check_smt(c, smt_node, ctx);
    return c;
  }

  std::vector<ClauseField> fields(const YAML::Node& node, const std::string& ctx) const {
    if (!node.IsMap()) fail(node, ctx + "field `fields`: expected a map of name: width, found " + kind(node));
    std::vector<ClauseField> out;
    for (const auto& [k, v] : entries(node, ctx)) {
      std::string name = k.Scalar();
      if (!valid_field_name(name))
        fail(k, ctx + "field `fields." + name + "`: name must match [A-Za-z_][A-Za-z0-9_]*");
      if (!v.IsScalar()) fail(v, ctx + "field `fields." + name + "`: width must be an integer 1..64");
      const std::string& s = v.Scalar();
      bool digits = !s.empty() && s.size() <= 3 &&
                    std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
      unsigned w = digits ? unsigned(std::stoul(s)) : 0;
      if (!digits || w < 1 || w > 64)
        fail(v, ctx + "field `fields." + name + "`: width must be an integer 1..64, found `" + s + "`");
      out.push_back({name, w});
    }
    if (out.empty()) fail(node, ctx + "field `fields`: must not be empty");
    return out;
  }

  // The predicate must be a Bool over exactly the declared fields: Z3 rejects undeclared symbols while
  // parsing; unused declared fields are found by walking the parsed term.
  void check_smt(const ClauseInfo& c, const YAML::Node& at, const std::string& ctx) const {
    std::string preamble;
    for (const auto& f : c.fields)
      preamble += "(declare-const " + f.name + " (_ BitVec " + std::to_string(f.width) + "))\n";
    try {
      // One context for the whole file: creating one costs more than parsing every predicate, and each
      // parse_string has its own declarations.
      if (!z3_) z3_ = std::make_unique<z3::context>();
      z3::context& z = *z3_;
      z3::expr_vector asserts = z.parse_string((preamble + "(assert " + c.smt + ")").c_str());
      if (asserts.size() != 1)
        fail(at, ctx + "field `smt`: must be exactly one term, found " + std::to_string(asserts.size()));
      z3::expr e = asserts[0];
      if (!e.is_bool()) fail(at, ctx + "field `smt`: must be a Bool term");
      std::set<std::string> used;
      collect_consts(e, used);
      for (const auto& f : c.fields)
        if (!used.count(f.name))
          fail(at, ctx + "field `smt`: declared field `" + f.name + "` is not used by the predicate");
      for (const auto& u : used) {
        bool declared = std::any_of(c.fields.begin(), c.fields.end(), [&](auto& f) { return f.name == u; });
        if (!declared) fail(at, ctx + "field `smt`: uses `" + u + "`, which is not a declared field");
      }
    } catch (const z3::exception& ex) {
      fail(at, ctx + "field `smt`: Z3 cannot parse it: " + one_line(ex.msg()));
    }
  }

  static void collect_consts(const z3::expr& e, std::set<std::string>& out) {
    // Iterative DFS with a visited set: predicates share subterms (DAG), recursion on trees could blow up.
    std::vector<z3::expr> todo{e};
    std::set<unsigned> seen;
    while (!todo.empty()) {
      z3::expr t = todo.back();
      todo.pop_back();
      if (!seen.insert(t.id()).second) continue;
      if (t.is_app()) {
        if (t.num_args() == 0 && t.decl().decl_kind() == Z3_OP_UNINTERPRETED)
          out.insert(t.decl().name().str());
        for (unsigned i = 0; i < t.num_args(); ++i) todo.push_back(t.arg(i));
      } else if (t.is_quantifier()) {
        todo.push_back(t.body());
      }
    }
  }

  ClauseFile load() const {
    ClauseFile f;
    f.path = path_;
    f.sha256 = sha256_file(path_);
    YAML::Node root;
    try {
      root = YAML::LoadFile(path_);
    } catch (const YAML::ParserException& e) {
      throw InputError(located(path_, e.mark.line < 0 ? 0 : size_t(e.mark.line) + 1, one_line(e.msg)));
    } catch (const YAML::BadFile&) {
      throw InputError(located(path_, 0, "cannot read"));
    }
    if (!root.IsMap()) fail(root, "expected a map with keys suite, version, clauses");
    bool have_suite = false, have_clauses = false;
    for (const auto& [k, v] : entries(root, "")) {
      const std::string key = k.Scalar();
      if (key == "suite") {
        f.suite = scalar(v, "", key);
        have_suite = true;
      } else if (key == "version") {
        if (!v.IsScalar() || v.Scalar() != "1")
          fail(v, "field `version`: unsupported clause file version (expected 1)");
        f.version = 1;
      } else if (key == "clauses") {
        if (!v.IsSequence()) fail(v, "field `clauses`: expected a list, found " + kind(v));
        have_clauses = true;
        std::map<std::string, size_t> ids;
        for (const auto& cn : v) {
          ClauseInfo c = clause(cn);
          auto [it, fresh] = ids.emplace(c.id, c.line);
          if (!fresh)
            fail(cn["id"], "clause " + c.id + ": field `id`: duplicate (first at line " +
                               std::to_string(it->second) + ")");
          f.clauses.push_back(std::move(c));
        }
      } else {
        fail(k, "field `" + key + "`: unknown key (expected suite, version, clauses)");
      }
    }
    if (!have_suite) fail(root, "field `suite`: missing");
    if (f.suite.empty()) fail(root["suite"], "field `suite`: must not be empty");
    if (!have_clauses) fail(root, "field `clauses`: missing");
    return f;
  }

 private:
  std::string path_;
  bool check_predicates_ = true;
  mutable std::unique_ptr<z3::context> z3_;
};

}  // namespace

bool valid_clause_id(std::string_view id) {
  // ^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$
  if (id.empty() || !(id[0] >= 'A' && id[0] <= 'Z')) return false;
  size_t segments = 0, seg_len = 1;
  for (size_t i = 1; i < id.size(); ++i) {
    if (id[i] == '.') {
      if (seg_len == 0) return false;
      ++segments;
      seg_len = 0;
    } else if (is_upper_digit_underscore(id[i])) {
      ++seg_len;
    } else {
      return false;
    }
  }
  return segments >= 1 && seg_len > 0;
}

const ClauseInfo* ClauseFile::find(std::string_view id) const {
  for (const auto& c : clauses)
    if (c.id == id) return &c;
  return nullptr;
}

ClauseFile load_clause_file(const std::string& path, bool check_predicates) {
  return Loader(path, check_predicates).load();
}

std::vector<std::string> list_clause_files(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) throw InputError(located(dir, 0, "cannot read spec directory: " + ec.message()));
  std::vector<std::string> out;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) throw InputError(located(dir, 0, "cannot read spec directory: " + ec.message()));
    auto ext = it->path().extension().string();
    if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string find_spec_dir(const std::string& option, const std::string& compiled_in) {
  if (!option.empty()) return option;
  if (const char* env = std::getenv("VIPCTS_SPEC_DIR"); env && *env) return env;
  std::error_code ec;
  if (!compiled_in.empty() && std::filesystem::is_directory(compiled_in, ec)) return compiled_in;
  return "./spec";
}

}  // namespace vipcts
