#include "suite.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "codec.hpp"
#include "codec_text.hpp"
#include "generators/smmu/generate.hpp"
#include "harness/core/errors.hpp"
#include "reference/smmu/translate.hpp"
#include "vipcts/vipcts_smmu.h"

namespace vipcts::smmu {

using codec::Path;

namespace {

// Sorted, like the scenario's clause list (generators/smmu/generate.hpp), so files do not depend on enum
// order.
std::vector<std::string> clause_ids(const ClauseSet& set) {
  std::vector<std::string> ids;
  set.for_each([&](Clause c) { ids.emplace_back(clause_id(c)); });
  std::sort(ids.begin(), ids.end());
  return ids;
}

// ---- Sessions
// ---------------------------------------------------------------------------------------------------

// The PBHA combine rule of a profile ("" = the default, stage 2 wins); InputError for anything else.
PbhaCombine pbha_rule_of(std::string_view profile) {
  constexpr std::string_view kPrefix = "pbha-combine=";
  PbhaCombine rule = PbhaCombine::Stage2Wins;
  if (profile.empty() ||
      (profile.starts_with(kPrefix) && parse_pbha_combine(profile.substr(kPrefix.size()), rule)))
    return rule;
  (void)canonical_profile(smmu_suite(), profile);  // throws for an unknown profile, naming the known ones
  throw std::logic_error("smmu profile `" + std::string(profile) + "` has no PBHA combine rule");
}

class ReferenceSession final : public SuiteSession {
 public:
  ReferenceSession(codec::State state, PbhaCombine rule) : state_(std::move(state)), rule_(rule) {}

  Json apply(const Json& request) override {
    return codec::encode_outcome(step(codec::decode_request(request)));
  }
  std::string apply_text(std::string_view request) override {
    return codec::outcome_text(step(codec::request_from_text(request)));
  }

  std::vector<std::string> last_clauses() const override { return clause_ids(last_); }

 private:
  Outcome step(const Transaction& txn) {
    Outcome outcome = translate(state_.memory, state_.regs, txn, cache_, rule_);
    // Hardware updates (HTTU AF, IHI 0070 G.b §3.13) carry over to the next transaction of the scenario.
    apply_updates(state_.memory, outcome);
    last_ = outcome.clauses;
    return outcome;
  }

  codec::State state_;
  PbhaCombine rule_;
  ConfigCache cache_;  // serves state_.memory only
  ClauseSet last_;
};

class PluginSession final : public SuiteSession {
 public:
  PluginSession(const vipcts_smmu_ops* ops, void* ctx) : ops_(ops), ctx_(ctx) {}
  ~PluginSession() override { ops_->close(ctx_); }
  PluginSession(const PluginSession&) = delete;
  PluginSession& operator=(const PluginSession&) = delete;

  Json apply(const Json& request) override {
    return codec::outcome_from_abi(call(codec::decode_request(request)));
  }
  std::string apply_text(std::string_view request) override {
    return codec::abi_outcome_text(call(codec::request_from_text(request)));
  }

 private:
  vipcts_smmu_outcome call(const Transaction& t) {
    vipcts_smmu_txn txn{};
    txn.sid = t.stream_id;
    txn.ssid = t.substream_id;
    txn.ssv = t.ssv ? 1 : 0;
    txn.access = t.access == AccessKind::Write     ? VIPCTS_SMMU_WRITE
                 : t.access == AccessKind::Execute ? VIPCTS_SMMU_EXEC
                                                   : VIPCTS_SMMU_READ;
    txn.privileged = t.privileged ? 1 : 0;
    txn.iova = t.iova;
    vipcts_smmu_outcome out{};
    const int rc = ops_->translate(ctx_, &txn, &out);
    if (rc != 0) throw std::runtime_error("implementation translate() returned " + std::to_string(rc));
    return out;
  }

  const vipcts_smmu_ops* ops_;
  void* ctx_;
};

// ---- Comparison
// -------------------------------------------------------------------------------------------------

const char* status_name(Status s) {
  switch (s) {
    case Status::Translated:
      return "translated";
    case Status::Terminated:
      return "terminated";
    case Status::Unmodelled:
      return "unmodelled";
    case Status::Stalled:
      return "stalled";
  }
  return "?";
}

const char* bool_name(bool b) {
  return b ? "true" : "false";
}

// Short description of an outcome for a status mismatch: "terminated (abort, F_PERMISSION)".
std::string summary(const codec::WireOutcome& w) {
  std::string s = status_name(w.status);
  if (w.status == Status::Translated) {
    s += " (oa ";
    codec::append_hex(s, w.oa);
    s += ')';
  } else if (w.status == Status::Terminated) {
    s += w.termination == Termination::RazWi ? " (raz_wi, " : " (abort, ";
    s += w.has_event ? std::string(event_type_name(w.event.type)) : std::string("no event");
    s += ')';
  } else if (w.status == Status::Stalled) {
    s += w.has_event ? " (" + std::string(event_type_name(w.event.type)) + ')' : std::string(" (no event)");
  }
  return s;
}

class Diff {
 public:
  void add(std::string_view field, std::string_view expected, std::string_view observed) {
    if (!text_.empty()) text_ += "; ";
    text_ += field;
    text_ += ": expected ";
    text_ += expected;
    text_ += ", observed ";
    text_ += observed;
  }
  void hex(std::string_view field, uint64_t expected, uint64_t observed) {
    if (expected != observed) add(field, codec::to_hex(expected), codec::to_hex(observed));
  }
  void flag(std::string_view field, bool expected, bool observed) {
    if (expected != observed) add(field, bool_name(expected), bool_name(observed));
  }
  void number(std::string_view field, uint64_t expected, uint64_t observed) {
    if (expected != observed) add(field, std::to_string(expected), std::to_string(observed));
  }
  std::string take() { return std::move(text_); }
  bool empty() const { return text_.empty(); }

 private:
  std::string text_;
};

// Updates compare as a set (docs/formats.md §2.3): sorted, duplicates removed.
size_t normalise_updates(std::array<DescriptorUpdate, codec::WireOutcome::kMaxUpdates>& u, size_t n) {
  auto less = [](const DescriptorUpdate& a, const DescriptorUpdate& b) {
    return a.addr != b.addr ? a.addr < b.addr : a.value < b.value;
  };
  std::sort(u.begin(), u.begin() + static_cast<std::ptrdiff_t>(n), less);
  return static_cast<size_t>(std::unique(u.begin(), u.begin() + static_cast<std::ptrdiff_t>(n)) - u.begin());
}

std::string show_updates(const codec::WireOutcome& w, size_t n) {
  if (w.updates_unknown) return "unknown";
  std::string s = "[";
  for (size_t i = 0; i < n; ++i) {
    if (i != 0) s += ',';
    s += '[';
    codec::append_hex(s, w.updates[i].addr);
    s += ',';
    codec::append_hex(s, w.updates[i].value);
    s += ']';
  }
  s += ']';
  return s;
}

// Only the fields the expected event's type defines are compared (IHI 0070 §7.3; event_fields); SubstreamID
// only where it is valid (SSV = 1, or C_BAD_SUBSTREAMID). A different type is reported alone: the other
// fields then mean different things.
void compare_events(const EventRecord& e, const EventRecord& o, Diff& d) {
  if (e.type != o.type) {
    d.add("event.type", event_type_name(e.type), event_type_name(o.type));
    return;
  }
  const unsigned f = event_fields(e.type);
  if (f & kFieldSid) d.number("event.sid", e.stream_id, o.stream_id);
  if (f & kFieldSsv) d.flag("event.ssv", e.ssv, o.ssv);
  if ((f & kFieldSsid) && event_substream_valid(e) && event_substream_valid(o))
    d.number("event.ssid", e.substream_id, o.substream_id);
  if (f & kFieldInputAddr) d.hex("event.input_addr", e.input_addr, o.input_addr);
  if (f & kFieldRnw) d.flag("event.rnw", e.rnw, o.rnw);
  if (f & kFieldInd) d.flag("event.ind", e.ind, o.ind);
  if (f & kFieldPnu) d.flag("event.pnu", e.pnu, o.pnu);
  if (f & kFieldS2) d.flag("event.s2", e.s2, o.s2);
  if ((f & kFieldClass) && e.event_class != o.event_class)
    d.add("event.class", event_class_name(e.event_class), event_class_name(o.event_class));
  if ((f & kFieldIpa) && e.s2 && o.s2) d.hex("event.ipa", e.ipa, o.ipa);  // stage-2 faults only
  // SMMU.EVENT.STALL: Stall is defined by the four Translation-related records; STAG is never compared.
  if (is_translation_fault(e.type)) d.flag("event.stall", e.stall, o.stall);
}

// docs/formats.md §2.3: the comparison of two decoded outcomes (updates are normalised in place).
Comparison compare_outcomes(codec::WireOutcome& e, codec::WireOutcome& o);

// `decode(text_or_json, path)` decodes an outcome. The vector's expectation must be well-formed: that is our
// input (InputError, exit 2). A malformed observed outcome is a failure of the implementation, reported with
// the field.
// An outcome's text (an object: it ends with '}') without its closing brace, and without its last member when
// that is the diagnostic `"level":N` (docs/formats.md §2.3).
std::string_view compared_part(std::string_view text) {
  constexpr std::string_view kLevel = R"(,"level":)";
  text.remove_suffix(1);
  size_t digits = 0;
  while (digits < text.size() && text[text.size() - 1 - digits] >= '0' &&
         text[text.size() - 1 - digits] <= '9')
    ++digits;
  if (digits > 0 && text.substr(0, text.size() - digits).ends_with(kLevel))
    text.remove_suffix(digits + kLevel.size());
  return text;
}

template <typename T, typename Decode>
Comparison compare_decoded(const T& expected, const T& observed, const Decode& decode) {
  codec::WireOutcome e = decode(expected, Path("expect"));
  codec::WireOutcome o;
  try {
    o = decode(observed, Path("observed"));
  } catch (const InputError& err) {
    return Comparison{false, err.what()};
  }
  return compare_outcomes(e, o);
}

}  // namespace

// ---- Suite
// ------------------------------------------------------------------------------------------------------

std::vector<std::string> SmmuSuite::features() const {
  return {"smmu.s1",     "smmu.ste.bypass", "smmu.gbpa",      "smmu.httu.af",       "smmu.httu.dirty",
          "smmu.cd.tbi", "smmu.cd.ttb1",    "smmu.cd.raz_wi", "smmu.s1.gran16k",    "smmu.s1.gran64k",
          "smmu.pbha",   "smmu.s2",         "smmu.nested",    "smmu.strtab.2level", "smmu.s1.vax",
          "smmu.s1.ds",  "smmu.ssid",       "smmu.cd.2level", "smmu.s2.ds",         "smmu.stall"};
}

std::vector<std::string> SmmuSuite::profiles() const {
  std::vector<std::string> out;
  for (PbhaCombine c : {PbhaCombine::Stage2Wins, PbhaCombine::Or, PbhaCombine::ImpDef})
    out.push_back("pbha-combine=" + std::string(pbha_combine_name(c)));
  return out;
}

std::unique_ptr<SuiteSession> SmmuSuite::open_reference(const Json& state) const {
  return std::make_unique<ReferenceSession>(codec::decode_state(state), PbhaCombine::Stage2Wins);
}

std::unique_ptr<SuiteSession> SmmuSuite::open_reference_text(std::string_view state) const {
  return open_reference_profile(state, "");
}

std::unique_ptr<SuiteSession> SmmuSuite::open_reference_profile(std::string_view state,
                                                                std::string_view profile) const {
  const PbhaCombine rule = pbha_rule_of(profile);
  codec::StateWords s = codec::state_words_from_text(state);
  codec::State st{s.regs, {}};
  for (const auto& w : s.mem) st.memory.write64(w.addr, w.value);
  return std::make_unique<ReferenceSession>(std::move(st), rule);
}

uint32_t SmmuSuite::abi_version() const {
  return VIPCTS_SMMU_ABI_VERSION;
}

std::unique_ptr<SuiteSession> SmmuSuite::open_plugin(const void* suite_table, const Json& state) const {
  return open_plugin_with(suite_table, [&] { return codec::decode_state_words(state); });
}

std::unique_ptr<SuiteSession> SmmuSuite::open_plugin_text(const void* suite_table,
                                                          std::string_view state) const {
  return open_plugin_with(suite_table, [&] { return codec::state_words_from_text(state); });
}

void SmmuSuite::check_state_text(std::string_view state) const {
  (void)codec::state_words_from_text(state);
}

template <typename Decode>
std::unique_ptr<SuiteSession> SmmuSuite::open_plugin_with(const void* suite_table, const Decode& decode) {
  const auto* ops = static_cast<const vipcts_smmu_ops*>(suite_table);
  if (ops == nullptr || ops->open == nullptr || ops->translate == nullptr || ops->close == nullptr)
    throw std::runtime_error(
        "the implementation's smmu operation table is NULL or lacks open/translate/close");
  const codec::StateWords s = decode();
  std::vector<vipcts_mem_word> mem;
  mem.reserve(s.mem.size());
  for (const auto& w : s.mem) mem.push_back({w.addr, w.value});
  vipcts_smmu_state abi{};
  abi.idr[0] = s.regs.idr0;
  abi.idr[1] = s.regs.idr1;
  abi.idr[3] = s.regs.idr3;
  abi.idr[5] = s.regs.idr5;  // IDR2 and IDR4 are not part of the state (docs/formats.md §2.1): zero
  abi.cr0 = s.regs.cr0;
  abi.cr2 = s.regs.cr2;
  abi.gbpa = s.regs.gbpa;
  abi.strtab_base = s.regs.strtab_base;
  abi.strtab_base_cfg = s.regs.strtab_base_cfg;
  abi.mem = mem.data();
  abi.mem_count = mem.size();
  void* ctx = ops->open(&abi);
  if (ctx == nullptr)
    throw std::runtime_error("implementation open() returned NULL: it cannot load this state");
  return std::make_unique<PluginSession>(ops, ctx);
}

void SmmuSuite::check_state(const Json& state) const {
  (void)codec::decode_state_words(state);
}

void SmmuSuite::check_operation(const Operation& op) const {
  (void)codec::request_from_text(op.request.text());
  (void)codec::outcome_from_text(op.expect.text(), Path("expect"));
}

Comparison SmmuSuite::compare(const Json& expected, const Json& observed) const {
  return compare_decoded(expected, observed,
                         [](const Json& j, const Path& p) { return codec::decode_outcome(j, p); });
}

Comparison SmmuSuite::compare_text(std::string_view expected, std::string_view observed) const {
  // Most answers are byte-identical to the expected text, which check_operation has decoded already, apart
  // from the diagnostic "level" (not compared): such an answer decodes to the same outcome and matches,
  // unless the status is unmodelled (never a pass). Only texts that name their status first are taken this
  // way; anything else is decoded.
  constexpr std::string_view kStatusFirst = R"({"status":")";
  if (expected.ends_with('}') && observed.ends_with('}') &&
      compared_part(expected) == compared_part(observed) && expected.starts_with(kStatusFirst) &&
      !expected.substr(kStatusFirst.size()).starts_with("unmodelled"))
    return Comparison{};
  return compare_decoded(expected, observed, codec::outcome_from_text);
}

namespace {

Comparison compare_outcomes(codec::WireOutcome& e, codec::WireOutcome& o) {
  Diff d;
  if (e.status == Status::Unmodelled || o.status == Status::Unmodelled) {
    // The reference model does not cover this configuration: never a pass.
    d.add("status", summary(e), summary(o) + " (the reference model does not cover this configuration yet)");
    return Comparison{false, d.take()};
  }
  if (e.status != o.status) {
    d.add("status", summary(e), summary(o));
  } else if (e.status == Status::Translated) {
    d.hex("oa", e.oa, o.oa);
    // SMMU.PBHA.S1_OUTPUT; vectors enabling PBHA need the feature smmu.pbha. "unknown" in the vector: the
    // profile pbha-combine=impdef on a nested translation where both stages enable PBHA (SMMU.PBHA.COMBINE).
    if (o.pbha_unknown && !e.pbha_unknown)
      d.add("pbha", codec::to_hex(e.pbha), "unknown");
    else if (!e.pbha_unknown)
      d.hex("pbha", e.pbha, o.pbha);
    if (o.has_attrs) {  // absent: not observable by this implementation (docs/formats.md §2.3)
      d.hex("attrs.mair", e.mair, o.mair);
      d.number("attrs.sh", e.sh, o.sh);
    }
  } else {
    if (e.status == Status::Terminated && e.termination != o.termination)
      d.add("termination", e.termination == Termination::RazWi ? "raz_wi" : "abort",
            o.termination == Termination::RazWi ? "raz_wi" : "abort");
    if (e.has_event != o.has_event)
      d.add("event", e.has_event ? event_type_name(e.event.type) : "none",
            o.has_event ? event_type_name(o.event.type) : "none");
    else if (e.has_event)
      compare_events(e.event, o.event, d);
  }
  // UNKNOWN updates (e.g. AF after a Permission fault, IHI 0070 G.b §3.13.1) are not compared.
  if (!e.updates_unknown) {
    const size_t ne = normalise_updates(e.updates, e.update_count);
    const size_t no = o.updates_unknown ? 0 : normalise_updates(o.updates, o.update_count);
    const bool same =
        !o.updates_unknown && ne == no &&
        std::equal(e.updates.begin(), e.updates.begin() + static_cast<std::ptrdiff_t>(ne), o.updates.begin());
    if (!same) d.add("updates", show_updates(e, ne), show_updates(o, no));
  }
  if (d.empty()) return Comparison{};
  return Comparison{false, d.take()};
}

}  // namespace

void SmmuSuite::generate(const GenerateOptions& options, ScenarioSink& sink) const {
  gen::Options g;
  g.seed = options.seed;
  g.count = options.count;
  g.ops_per_scenario = options.ops_per_scenario;
  g.random = options.random;
  g.boundary = options.boundary;
  g.platform = options.platform;
  g.spec_file = options.spec_dir + "/" + std::string(clause_file());
  const PbhaCombine rule = pbha_rule_of(options.profile);
  std::vector<Operation> ops;
  gen::generate(g, [&](const gen::ScenarioSpec& spec) {
    // Expected outcomes: the model over the transactions in order, hardware updates applied between them.
    // All operations are computed before the scenario is written, so an error never leaves half a scenario.
    SparseMemory memory = spec.memory;
    ops.clear();
    ops.reserve(spec.transactions.size());
    for (size_t i = 0; i < spec.transactions.size(); ++i) {
      const Outcome outcome = translate(memory, spec.regs, spec.transactions[i], nullptr, rule);
      if (outcome.status == Status::Unmodelled)
        throw InputError("generator: scenario " + spec.id + " op " + std::to_string(i) +
                         ": the reference model does not cover this configuration (the generator must not "
                         "produce it)");
      apply_updates(memory, outcome);
      Operation op;
      op.index = i;
      op.request = codec::encode_request(spec.transactions[i]);
      op.expect = codec::encode_outcome(outcome);
      op.clauses = clause_ids(outcome.clauses);
      ops.push_back(std::move(op));
    }
    ScenarioHeader header;
    header.id = spec.id;
    header.clauses = spec.clauses;
    header.features = spec.features;
    header.state = codec::encode_state(spec.regs, spec.memory);
    sink.begin(header);
    for (const Operation& op : ops) sink.op(op);
    sink.end();
  });
}

const Suite& smmu_suite() {
  static const SmmuSuite suite;
  return suite;
}

}  // namespace vipcts::smmu
