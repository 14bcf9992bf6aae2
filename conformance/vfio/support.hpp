// Shared helpers of the vfio conformance tests: the clause file, generated scenario sets, and a small request
// builder for hand-written sequences.
#pragma once

#include <string>
#include <vector>

#include "generators/vfio/generate.hpp"
#include "harness/core/clauses.hpp"

namespace vipcts::vfio::test {

inline std::string spec_file() {
  return std::string(VIPCTS_SPEC_DIR) + "/vfio.yaml";
}

inline const ClauseFile& clause_file() {
  static const ClauseFile file = load_clause_file(spec_file());
  return file;
}

inline std::vector<gen::Scenario> generate_all(uint64_t seed, uint64_t count, bool boundary = true) {
  gen::Options o;
  o.seed = seed;
  o.count = count;
  o.boundary = boundary;
  o.spec_file = spec_file();
  std::vector<gen::Scenario> out;
  gen::generate(o, [&](const gen::Scenario& s) { out.push_back(s); });
  return out;
}

inline Request map(uint64_t iova, uint64_t size, uint64_t vaddr = 0, uint32_t flags = 3) {
  Request r;
  r.method = Method::ContainerMapDma;
  r.iova = iova;
  r.size = size;
  r.vaddr = vaddr;
  r.flags = flags;
  return r;
}

inline Request unmap(uint64_t iova, uint64_t size, uint32_t flags = 0) {
  Request r;
  r.method = Method::ContainerUnmapDma;
  r.iova = iova;
  r.size = size;
  r.flags = flags;
  return r;
}

// A model after the standard prefix (container with group 0, IOMMU set, device open / IOAS with device).
inline Model ready(const ScenarioState& st) {
  Model m(st);
  for (const Request& r : gen::prefix(st)) {
    const Outcome o = m.apply(r);
    if (!o.ok()) throw std::logic_error("prefix failed");
  }
  return m;
}

}  // namespace vipcts::vfio::test
