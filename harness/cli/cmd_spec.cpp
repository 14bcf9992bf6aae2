// vipcts spec list|show|check: the clause files under the spec directory.
#include <cstdio>
#include <map>

#include "commands.hpp"
#include "harness/core/clauses.hpp"
#include "harness/core/errors.hpp"
#include "harness/core/suite.hpp"

namespace vipcts::cli {
namespace {

std::vector<ClauseFile> load_all(const std::string& dir) {
  std::vector<ClauseFile> out;
  auto files = list_clause_files(dir);
  if (files.empty()) throw InputError(located(dir, 0, "no clause files (*.yaml) in the spec directory"));
  for (const auto& f : files) out.push_back(load_clause_file(f));
  return out;
}

int list(const Globals& g, const std::string& suite) {
  std::vector<ClauseFile> files;
  if (suite.empty()) {
    files = load_all(g.spec_dir());
  } else {
    std::string path = g.spec_dir() + "/" + suite + ".yaml";
    if (const Suite* s = find_suite(suite)) path = g.spec_dir() + "/" + std::string(s->clause_file());
    files.push_back(load_clause_file(path));
    if (files.back().suite != suite)
      throw InputError(located(path, 0, "suite: the file is for `" + files.back().suite + "`, not `" + suite + "`"));
  }
  size_t width = 0;
  for (const auto& f : files)
    for (const auto& c : f.clauses) width = std::max(width, c.id.size());
  for (const auto& f : files)
    for (const auto& c : f.clauses) std::printf("%-*s  %s\n", int(width), c.id.c_str(), c.title.c_str());
  return kExitOk;
}

int show(const Globals& g, const std::string& id) {
  for (const auto& f : load_all(g.spec_dir())) {
    const ClauseInfo* c = f.find(id);
    if (!c) continue;
    std::printf("id: %s\nsuite: %s\nfile: %s:%zu\ntitle: %s\n", c->id.c_str(), f.suite.c_str(), f.path.c_str(),
                c->line, c->title.c_str());
    std::string rule = c->rule;
    while (!rule.empty() && rule.back() == '\n') rule.pop_back();
    std::printf("rule: %s\nsource: %s\n", rule.c_str(), c->source.c_str());
    if (!c->fields.empty()) {
      std::printf("fields:");
      for (const auto& fld : c->fields) std::printf(" %s:%u", fld.name.c_str(), fld.width);
      std::printf("\nsmt: %s\n", c->smt.c_str());
    }
    if (!c->note.empty()) std::printf("note: %s\n", c->note.c_str());
    return kExitOk;
  }
  if (!valid_clause_id(id)) throw InputError("spec show: `" + id + "` is not a clause id (e.g. SMMU.S1.AF.FAULT)");
  throw InputError("spec show: no clause " + id + " in " + g.spec_dir());
}

// Loads every clause file; reports each as OK or with its error, and checks what spans files: unique clause
// ids and suite names, and a clause file for every registered suite.
int check(const Globals& g) {
  const std::string dir = g.spec_dir();
  int rc = kExitOk;
  std::map<std::string, std::string> ids, suites;
  for (const auto& path : list_clause_files(dir)) {
    try {
      ClauseFile f = load_clause_file(path);
      if (auto [it, fresh] = suites.emplace(f.suite, path); !fresh)
        throw InputError(located(path, 0, "suite: `" + f.suite + "` is also the suite of " + it->second));
      for (const auto& c : f.clauses)
        if (auto [it, fresh] = ids.emplace(c.id, path); !fresh)
          throw InputError(located(path, c.line, "clause " + c.id + ": field `id`: also in " + it->second));
      std::printf("OK    %s: suite %s, %zu clauses\n", path.c_str(), f.suite.c_str(), f.clauses.size());
    } catch (const InputError& e) {
      std::printf("ERROR %s\n", e.what());
      std::fprintf(stderr, "vipcts: %s\n", e.what());
      rc = kExitUsage;
    }
  }
  for (const Suite* s : all_suites()) {
    if (!suites.count(std::string(s->name()))) {
      std::string msg = located(dir + "/" + std::string(s->clause_file()), 0,
                                "missing: the clause file of suite " + std::string(s->name()));
      std::printf("ERROR %s\n", msg.c_str());
      std::fprintf(stderr, "vipcts: %s\n", msg.c_str());
      rc = kExitUsage;
    }
  }
  if (suites.empty() && rc == kExitOk) {
    std::fprintf(stderr, "vipcts: %s: no clause files (*.yaml)\n", dir.c_str());
    rc = kExitUsage;
  }
  return rc;
}

}  // namespace

std::vector<std::pair<CLI::App*, Action>> add_spec_commands(CLI::App& app, const Globals& g) {
  auto* spec = app.add_subcommand("spec", "list, show and check the clauses");
  spec->require_subcommand(1);
  auto* l = spec->add_subcommand("list", "one line per clause: id and title");
  auto suite = std::make_shared<std::string>();
  l->add_option("SUITE", *suite, "only this suite's clauses");
  auto* s = spec->add_subcommand("show", "every field of one clause");
  auto id = std::make_shared<std::string>();
  s->add_option("ID", *id, "clause id")->required();
  auto* c = spec->add_subcommand("check", "load every clause file strictly; exit 2 on any error");
  return {{l, [&g, suite] { return list(g, *suite); }},
          {s, [&g, id] { return show(g, *id); }},
          {c, [&g] { return check(g); }}};
}

}  // namespace vipcts::cli
