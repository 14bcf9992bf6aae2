#include "expectations.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

#include "errors.hpp"
#include "glob.hpp"
#include "sha256.hpp"

namespace vipcts {
namespace {

size_t expectation_line_of(const YAML::Node& n) {
  auto m = n.Mark();
  return m.line < 0 ? 0 : size_t(m.line) + 1;
}

}  // namespace

const Expectation* ExpectationFile::match(std::string_view verdict, std::string_view scenario,
                                          const std::vector<std::string>& clauses, std::string_view detail,
                                          std::string_view request) const {
  for (const auto& e : entries) {
    if (!verdict.empty() && e.verdict != verdict) continue;
    if (!e.detail.empty() && (verdict.empty() || !glob_match(e.detail, detail))) continue;
    if (!e.request.empty() && !glob_match(e.request, request)) continue;
    if (!e.scenario.empty() && !glob_match(e.scenario, scenario)) continue;
    if (!e.clause.empty()) {
      bool any = false;
      for (const auto& c : clauses) any = any || glob_match(e.clause, c);
      if (!any) continue;
    }
    return &e;
  }
  return nullptr;
}

ExpectationFile load_expectations(const std::string& path) {
  ExpectationFile f;
  f.path = path;
  f.sha256 = sha256_file(path);
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw InputError(located(path, 0, "cannot read"));
  } catch (const YAML::ParserException& e) {
    throw InputError(located(path, e.mark.line < 0 ? 0 : size_t(e.mark.line) + 1, e.msg));
  }
  auto fail = [&](const YAML::Node& at, const std::string& msg) -> void {
    throw InputError(located(path, expectation_line_of(at), msg));
  };
  auto str = [&](const YAML::Node& n, const std::string& field) {
    if (!n.IsScalar()) fail(n, field + ": expected a string");
    return n.Scalar();
  };
  if (!root.IsMap()) fail(root, "expected a map with keys implementation, expectations");
  std::set<std::string> seen;
  for (auto it = root.begin(); it != root.end(); ++it) {
    std::string key = it->first.Scalar();
    if (!seen.insert(key).second) fail(it->first, key + ": duplicate key");
    if (key == "implementation") {
      f.implementation = str(it->second, key);
    } else if (key == "expectations") {
      YAML::Node list = it->second;  // a copy: `it->second` lives in a temporary proxy
      if (list.IsNull()) continue;
      if (!list.IsSequence()) fail(list, "expectations: expected a list");
      for (size_t i = 0; i < list.size(); ++i) {
        YAML::Node n = list[i];
        std::string ctx = "expectations[" + std::to_string(i) + "]";
        if (!n.IsMap()) fail(n, ctx + ": expected a map");
        Expectation e;
        e.line = expectation_line_of(n);
        std::set<std::string> keys;
        for (auto kt = n.begin(); kt != n.end(); ++kt) {
          std::string k = kt->first.Scalar();
          if (!keys.insert(k).second) fail(kt->first, ctx + "." + k + ": duplicate key");
          std::string v = str(kt->second, ctx + "." + k);
          if (k == "clause") {
            e.clause = v;
          } else if (k == "scenario") {
            e.scenario = v;
          } else if (k == "verdict") {
            if (v != "fail" && v != "crash" && v != "timeout" && v != "error")
              fail(kt->second, ctx + ".verdict: expected fail, crash, timeout or error, found `" + v + "`");
            e.verdict = v;
          } else if (k == "reason") {
            e.reason = v;
          } else if (k == "detail") {
            e.detail = v;
          } else if (k == "request") {
            e.request = v;
          } else if (k == "tracker") {
            e.tracker = v;
          } else {
            fail(kt->first,
                 ctx + "." + k +
                     ": unknown key (expected clause, scenario, verdict, detail, request, reason, tracker)");
          }
        }
        if (e.reason.empty()) fail(n, ctx + ".reason: missing");
        // An entry without selectors would waive every failure of its verdict: almost surely a mistake.
        if (e.clause.empty() && e.scenario.empty()) fail(n, ctx + ": needs `clause` or `scenario`");
        f.entries.push_back(std::move(e));
      }
    } else {
      fail(it->first, key + ": unknown key (expected implementation, expectations)");
    }
  }
  return f;
}

}  // namespace vipcts
