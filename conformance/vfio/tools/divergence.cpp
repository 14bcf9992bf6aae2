// vfio_divergence SEED COUNT [OUT.md]: the divergence matrix between the model's profiles, measured rather
// than listed. Each random scenario of `vipcts gen vfio --seed SEED --count COUNT` is replayed, request for
// request, under the neighbouring profiles (same geometry and entry limit): the kernel line before and after
// (linux-6.1 / 6.12 / 6.18+) and the other type1 version (v1 / v2, SET_IOMMU's argument swapped). The first
// operation whose outcome differs is the divergence (later ones inherit a different state); it is counted by
// profile pair, method and what differs, with one example. The clauses named are those the two outcomes do
// not share, or, when both decided on the same clauses, every clause of the operation.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "generators/vfio/generate.hpp"
#include "harness/suites/vfio/codec.hpp"
#include "reference/vfio/model.hpp"

using namespace vipcts;
using namespace vipcts::vfio;

namespace {

struct Example {
  std::string scenario, request, a, b;
  size_t op = 0;
};

struct Cell {
  uint64_t count = 0;
  std::set<std::string> clauses;
  Example example;
};

std::string profile_label(const Profile& p) {
  return std::string(backend_name(p.backend)) + "/" + std::string(kernel_name(p.kernel));
}

// The neighbours a profile is compared with (each unordered pair once: only "later" profiles).
std::vector<Profile> neighbours(const Profile& p) {
  std::vector<Profile> out;
  if (p.backend != Backend::Type1v1 && p.backend != Backend::Type1v2) return out;
  if (p.kernel == Kernel::Linux6_1) out.push_back({p.backend, Kernel::Linux6_12});
  if (p.kernel == Kernel::Linux6_12) out.push_back({p.backend, Kernel::Linux6_18});
  if (p.backend == Backend::Type1v1) out.push_back({Backend::Type1v2, p.kernel});
  return out;
}

// The same requests for profile `to`: SET_IOMMU asks for `to`'s type1 version where it asked for `from`'s.
Request retarget(Request r, const Profile& from, const Profile& to) {
  auto type_of = [](Backend b) { return b == Backend::Type1v1 ? uapi::kExtType1 : uapi::kExtType1v2; };
  if (r.method == Method::ContainerSetIommu && r.type == type_of(from.backend)) r.type = type_of(to.backend);
  return r;
}

// What differs between two outcomes, without the values that vary from scenario to scenario.
std::string difference(const Outcome& a, const Outcome& b, const Json& ja, const Json& jb) {
  auto status = [](const Outcome& o) {
    return o.err == Errno::OK ? std::string("ok") : std::string(errno_name(o.err));
  };
  if (a.err != b.err) return status(a) + " vs " + status(b);
  std::string keys;
  for (auto it = ja.begin(); it != ja.end(); ++it)
    if (it.key()[0] != '_' && (!jb.contains(it.key()) || jb.at(it.key()) != it.value()))
      keys += (keys.empty() ? "" : ", ") + it.key();
  for (auto it = jb.begin(); it != jb.end(); ++it)
    if (it.key()[0] != '_' && !ja.contains(it.key())) keys += (keys.empty() ? "" : ", ") + it.key();
  return keys.empty() ? "same fields" : status(a) + ", differs in " + keys;
}

std::set<std::string> deciding_clauses(const ClauseSet& a, const ClauseSet& b) {
  std::set<std::string> only, all;
  a.for_each([&](Clause c) {
    all.insert(std::string(clause_id(c)));
    if (!b.contains(c)) only.insert(std::string(clause_id(c)));
  });
  b.for_each([&](Clause c) {
    all.insert(std::string(clause_id(c)));
    if (!a.contains(c)) only.insert(std::string(clause_id(c)));
  });
  return only.empty() ? all : only;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: vfio_divergence SEED COUNT [OUT.md]\n");
    return 2;
  }
  const uint64_t seed = std::stoull(argv[1]), count = std::stoull(argv[2]);
  // (pair, method, difference) -> cell
  std::map<std::tuple<std::string, std::string, std::string>, Cell> cells;
  std::map<std::string, std::pair<uint64_t, uint64_t>> compared;  // pair -> scenarios compared, diverged
  std::vector<gen::Scenario> scenarios = gen::directed_scenarios();
  for (uint64_t i = 0; i < count; ++i) scenarios.push_back(gen::random_scenario(seed, i, 16));
  for (const gen::Scenario& s : scenarios) {
    const Profile from = s.state.profile;
    for (const Profile& to : neighbours(from)) {
      const std::string pair = profile_label(from) + " vs " + profile_label(to);
      ScenarioState other =
          gen::make_state(to.backend, to.kernel, s.state.geometry.name, s.state.geometry.dma_entry_limit);
      Model ma(s.state), mb(other);
      auto& [n, diverged] = compared[pair];
      ++n;
      for (size_t k = 0; k < s.ops.size(); ++k) {
        const Request& ra = s.ops[k].request;
        Outcome a, b;
        try {
          a = ma.apply(ra);
          b = mb.apply(retarget(ra, from, to));
        } catch (const std::exception&) {
          break;  // a handle the other profile never created: nothing comparable follows
        }
        if (a.unmodelled || b.unmodelled) break;
        const Json ja = codec::encode_outcome(a, s.state, false), jb = codec::encode_outcome(b, other, false);
        if (codec::compare_outcomes(ja, jb).empty() && codec::compare_outcomes(jb, ja).empty()) continue;
        ++diverged;
        Cell& c = cells[{pair, std::string(method_name(ra.method)), difference(a, b, ja, jb)}];
        if (c.count++ == 0) c.example = {s.id, codec::encode_request(ra).dump(), ja.dump(), jb.dump(), k};
        const auto cl = deciding_clauses(a.clauses, b.clauses);
        c.clauses.insert(cl.begin(), cl.end());
        break;
      }
    }
  }

  std::ostringstream md;
  md << "# vfio: divergence matrix between the model's profiles\n\n"
     << "Generated by `vfio_divergence " << seed << " " << count
     << "` (scripts/linux-vm-report.sh). The directed and random scenarios of `vipcts gen vfio --seed "
     << seed << " --count " << count
     << "` of type1 profiles, each replayed under the next kernel line and under type1 v2 (v1 scenarios), "
        "with the same geometry; a row counts the scenarios whose **first** differing operation is that "
        "method with that difference (`A vs B` = the first profile's outcome vs the second's). Which of "
        "these the real kernels confirm: reports/linux-6.1 and reports/linux-6.12 (6.18+ and iommufd are "
        "checked against the reference only).\n\n"
     << "| profiles compared | scenarios | diverged |\n|---|---:|---:|\n";
  for (const auto& [pair, nd] : compared)
    md << "| " << pair << " | " << nd.first << " | " << nd.second << " |\n";
  md << "\n| profiles | method | difference | scenarios | clauses |\n|---|---|---|---:|---|\n";
  for (const auto& [key, c] : cells) {
    std::string cl;
    for (const std::string& id : c.clauses) cl += (cl.empty() ? "`" : ", `") + id + "`";
    md << "| " << std::get<0>(key) << " | `" << std::get<1>(key) << "` | " << std::get<2>(key) << " | "
       << c.count << " | " << cl << " |\n";
  }
  md << "\n## Examples (first scenario of each row)\n\n";
  for (const auto& [key, c] : cells)
    md << "- " << std::get<0>(key) << ", `" << std::get<1>(key) << "`: `" << c.example.scenario << "` op "
       << c.example.op << " `" << c.example.request << "` → `" << c.example.a << "` vs `" << c.example.b
       << "`\n";
  if (argc > 3) {
    std::ofstream out(argv[3]);
    out << md.str();
    if (!out) {
      std::fprintf(stderr, "vfio_divergence: cannot write %s\n", argv[3]);
      return 1;
    }
  } else {
    std::cout << md.str();
  }
  return 0;
}
