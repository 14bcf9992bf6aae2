// A mutant of the vfio reference model exposed as an implementation through the C ABI (vipcts_vfio.h). This
// file is compiled once per mutant against that mutant's copy of reference/vfio (see mutants.py), never
// against the shipped model; it only converts between the ABI structs and the model's types.
#include <vipcts/vipcts_vfio.h>

#include <cstring>
#include <exception>
#include <new>

#include "harness/suites/vfio/abi.hpp"
#include "reference/vfio/model.hpp"

namespace {

using namespace vipcts::vfio;

void* mutant_open(const vipcts_vfio_state* s) {
  if (s == nullptr) return nullptr;
  try {
    return new Model(abi::from_abi(*s));
  } catch (const std::exception&) {
    return nullptr;
  }
}

int mutant_apply(void* ctx, const vipcts_vfio_request* r, vipcts_vfio_outcome* out) {
  try {
    const Outcome o = static_cast<Model*>(ctx)->apply(abi::from_abi(*r));
    if (o.unmodelled) return 1;
    abi::to_abi(o, *out);
    return 0;
  } catch (const std::exception&) {
    return 2;
  }
}

void mutant_close(void* ctx) {
  delete static_cast<Model*>(ctx);
}

const vipcts_vfio_ops kOps = {mutant_open, mutant_apply, mutant_close};

const void* suite(const char* name, uint32_t version) {
  return name != nullptr && std::strcmp(name, "vfio") == 0 && version == VIPCTS_VFIO_ABI_VERSION ? &kOps
                                                                                                 : nullptr;
}

// Everything the reference claims (harness/suites/vfio/suite.cpp): a mutant is tested on every vector.
const char* const kFeatures[] = {"vfio.type1",
                                 "vfio.iommufd",
                                 "vfio.iommufd.compat",
                                 "vfio.dma",
                                 "vfio.dirty",
                                 "vfio.sva",
                                 "vfio.kernel.linux-6.1",
                                 "vfio.kernel.linux-6.12",
                                 "vfio.kernel.linux-6.18+",
                                 "vfio.geometry.intel-vtd-aw39",
                                 "vfio.geometry.amd-vi",
                                 "vfio.geometry.full64",
                                 "vfio.geometry.small",
                                 nullptr};

const vipcts_implementation kImpl = {
    VIPCTS_ABI_VERSION, "vipcts-vfio-mutant", VIPCTS_MUTANT_NAME, kFeatures, nullptr, suite};

}  // namespace

extern "C" __attribute__((visibility("default"))) const vipcts_implementation* vipcts_entry(uint32_t host) {
  return host == VIPCTS_ABI_VERSION ? &kImpl : nullptr;
}
