#include "suite.hpp"

#include <algorithm>
#include <stdexcept>

#include "abi.hpp"
#include "codec.hpp"
#include "generators/vfio/generate.hpp"
#include "harness/core/errors.hpp"
#include "reference/vfio/model.hpp"

namespace vipcts::vfio {

namespace {

std::vector<std::string> clause_ids(const ClauseSet& set) {
  std::vector<std::string> ids;
  set.for_each([&](Clause c) { ids.emplace_back(clause_id(c)); });
  std::sort(ids.begin(), ids.end());
  return ids;
}

class ReferenceSession final : public SuiteSession {
 public:
  explicit ReferenceSession(ScenarioState st) : model_(std::move(st)) {}
  Json apply(const Json& request) override {
    const Request r = codec::decode_request(request);
    Outcome o;
    try {
      o = model_.apply(r);
    } catch (const std::invalid_argument& e) {
      throw InputError(std::string("request: ") + e.what());
    }
    last_ = o.clauses;
    return codec::encode_outcome(o, model_.state());
  }
  std::vector<std::string> last_clauses() const override { return clause_ids(last_); }

 private:
  Model model_;
  ClauseSet last_;
};

class PluginSession final : public SuiteSession {
 public:
  PluginSession(const vipcts_vfio_ops* ops, void* ctx, ScenarioState st)
      : ops_(ops), ctx_(ctx), st_(std::move(st)) {}
  ~PluginSession() override { ops_->close(ctx_); }
  PluginSession(const PluginSession&) = delete;
  PluginSession& operator=(const PluginSession&) = delete;

  Json apply(const Json& request) override {
    abi::RequestBuffer req;
    abi::to_abi(codec::decode_request(request), req);
    auto out = std::make_unique<vipcts_vfio_outcome>();  // large (dirty list): not on the stack
    const int rc = ops_->apply(ctx_, &req.request, out.get());
    if (rc != 0) throw std::runtime_error("implementation apply() returned " + std::to_string(rc));
    return codec::encode_outcome(abi::from_abi(*out), st_, false);
  }

 private:
  const vipcts_vfio_ops* ops_;
  void* ctx_;
  ScenarioState st_;
};

}  // namespace

std::vector<std::string> VfioSuite::features() const {
  return {"vfio.type1",
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
          "vfio.geometry.small"};
}

std::vector<std::string> VfioSuite::methods() const {
  std::vector<std::string> m;
  for (size_t i = 0; i < static_cast<size_t>(Method::kCount); ++i)
    m.emplace_back(method_name(static_cast<Method>(i)));
  return m;
}

std::unique_ptr<SuiteSession> VfioSuite::open_reference(const Json& state) const {
  return std::make_unique<ReferenceSession>(codec::decode_state(state));
}

uint32_t VfioSuite::abi_version() const {
  return VIPCTS_VFIO_ABI_VERSION;
}

std::unique_ptr<SuiteSession> VfioSuite::open_plugin(const void* suite_table, const Json& state) const {
  const auto* ops = static_cast<const vipcts_vfio_ops*>(suite_table);
  if (ops == nullptr || ops->open == nullptr || ops->apply == nullptr || ops->close == nullptr)
    throw std::runtime_error("the implementation's vfio operation table is NULL or lacks open/apply/close");
  ScenarioState st = codec::decode_state(state);
  abi::StateBuffer buf;
  abi::to_abi(st, buf);
  void* ctx = ops->open(&buf.state);
  if (ctx == nullptr)
    throw std::runtime_error("implementation open() returned NULL: it cannot load this state");
  return std::make_unique<PluginSession>(ops, ctx, std::move(st));
}

Comparison VfioSuite::compare(const Json& expected, const Json& observed) const {
  const std::string diff = codec::compare_outcomes(expected, observed);
  if (diff.empty()) return Comparison{};
  return Comparison{false, diff};
}

void VfioSuite::generate(const GenerateOptions& options, ScenarioSink& sink) const {
  gen::Options g;
  g.seed = options.seed;
  g.count = options.count;
  g.ops_per_scenario = options.ops_per_scenario;
  g.random = options.random;
  g.boundary = options.boundary;
  g.spec_file = options.spec_dir + "/" + std::string(clause_file());
  g.platform = options.platform;
  if (!g.platform.empty() && g.platform != "linux-vm")
    throw InputError("gen vfio: unknown --platform `" + g.platform + "` (vfio knows linux-vm)");
  gen::generate(g, [&](const gen::Scenario& s) {
    ScenarioHeader header;
    header.id = s.id;
    header.clauses = s.clauses;
    header.features = s.features;
    header.state = codec::encode_state(s.state);
    sink.begin(header);
    for (size_t i = 0; i < s.ops.size(); ++i) {
      Operation op;
      op.index = i;
      op.request = codec::encode_request(s.ops[i].request);
      op.expect = codec::encode_outcome(s.ops[i].outcome, s.state);
      op.clauses = clause_ids(s.ops[i].outcome.clauses);
      sink.op(op);
    }
    sink.end();
  });
}

const Suite& vfio_suite() {
  static const VfioSuite suite;
  return suite;
}

}  // namespace vipcts::vfio
