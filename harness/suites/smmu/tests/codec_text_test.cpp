// The text fast path of the smmu payloads (codec_text.hpp) against the DOM codec (codec.hpp): on generated
// scenarios the fast encoders write byte for byte what encode + dump() writes and the fast decoders read back
// the same values; on mutated texts a fast decoder never accepts what the strict path rejects or reads
// differently. If a payload field is added to codec.cpp and not here, these tests fail.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "generators/smmu/boundary.hpp"
#include "generators/smmu/generate.hpp"
#include "generators/smmu/stage2_scenarios.hpp"
#include "harness/core/json_text.hpp"
#include "harness/suites/smmu/codec.hpp"
#include "harness/suites/smmu/codec_text.hpp"
#include "reference/smmu/translate.hpp"

namespace vipcts::smmu::codec {
namespace {

struct Sample {
  Transaction txn;
  Outcome outcome;
};

// Stalled outcomes (SMMU.EVENT.STALL), which the random scenarios never make: stage-1 faults with CD.S = 1 on
// a stall-capable SMMU, and stage-2 stalls (STE.S2S = 1) at each CLASS.
void add_stall_samples(std::vector<Sample>& out) {
  std::vector<gen::ScenarioSpec> specs;
  for (unsigned fault = 0; fault < 3; ++fault) {
    gen::Knobs k;
    k.stall_model = 0;
    k.cd.s = true;
    k.txn.privileged = fault == 1;
    if (fault == 0) k.bad_level = 3, k.bad_desc = 0;  // F_TRANSLATION
    if (fault == 1) k.leaf_bits &= ~gen::desc::kAf;   // F_ACCESS
    if (fault == 2) k.cd.tg0 = 3;                     // C_BAD_CD: not stalled
    specs.push_back(gen::build_from_knobs(k));
  }
  for (bool nested : {false, true}) {
    gen::S2Plan p;
    p.nested = nested;
    p.stall_model = 0;
    p.s2s = true;
    p.seed = 3;
    specs.push_back(gen::build_s2_scenario(p));
  }
  for (const gen::ScenarioSpec& s : specs) {
    SparseMemory memory = s.memory;
    for (const Transaction& t : s.transactions) {
      Outcome o = translate(memory, s.regs, t);
      apply_updates(memory, o);
      out.push_back({t, o});
    }
  }
}

std::vector<Sample> samples() {
  gen::Options g;
  g.seed = 11;
  g.count = 150;
  g.ops_per_scenario = 16;
  g.boundary = false;
  g.spec_file = VIPCTS_SPEC_DIR "/smmu.yaml";
  std::vector<Sample> out;
  gen::generate(g, [&](const gen::ScenarioSpec& s) {
    SparseMemory memory = s.memory;
    for (const Transaction& t : s.transactions) {
      Outcome o = translate(memory, s.regs, t);
      apply_updates(memory, o);
      out.push_back({t, o});
    }
  });
  add_stall_samples(out);
  return out;
}

// What a C plugin that agrees with the model returns.
vipcts_smmu_outcome to_abi(const Outcome& o) {
  vipcts_smmu_outcome a{};
  a.status = o.status == Status::Translated ? VIPCTS_SMMU_TRANSLATED
             : o.status == Status::Stalled  ? VIPCTS_SMMU_STALLED
                                            : VIPCTS_SMMU_TERMINATED;
  a.termination = o.termination == Termination::RazWi ? VIPCTS_SMMU_RAZ_WI : VIPCTS_SMMU_ABORT;
  a.oa = o.output_address;
  a.mair_attr = o.attrs.mair_attr;
  a.sh = o.attrs.sh;
  a.pbha = o.pbha;
  if (o.event) {
    const EventRecord& e = *o.event;
    a.has_event = 1;
    a.event.type = static_cast<uint8_t>(e.type);
    a.event.sid = e.stream_id;
    a.event.ssv = e.ssv;
    a.event.ssid = e.substream_id;
    a.event.input_addr = e.input_addr;
    a.event.rnw = e.rnw;
    a.event.ind = e.ind;
    a.event.pnu = e.pnu;
    a.event.s2 = e.s2;
    a.event.event_class = static_cast<uint8_t>(e.event_class);
    a.event.stall = e.stall;
    a.event_ipa = e.ipa;
  }
  if (!o.updates_unknown) {
    a.update_count = o.update_count;
    for (size_t i = 0; i < o.update_count; ++i) a.updates[i] = {o.updates[i].addr, o.updates[i].value};
  }
  return a;
}

void expect_same(const WireOutcome& a, const WireOutcome& b, const std::string& text) {
  EXPECT_EQ(a.status, b.status) << text;
  EXPECT_EQ(a.termination, b.termination) << text;
  EXPECT_EQ(a.oa, b.oa) << text;
  EXPECT_EQ(a.mair, b.mair) << text;
  EXPECT_EQ(a.sh, b.sh) << text;
  EXPECT_EQ(a.has_attrs, b.has_attrs) << text;
  EXPECT_EQ(a.pbha, b.pbha) << text;
  EXPECT_EQ(a.pbha_unknown, b.pbha_unknown) << text;
  EXPECT_EQ(a.has_event, b.has_event) << text;
  if (a.has_event && b.has_event) {
    EXPECT_TRUE(a.event == b.event) << text;
  }
  EXPECT_EQ(a.updates_unknown, b.updates_unknown) << text;
  ASSERT_EQ(a.update_count, b.update_count) << text;
  for (size_t i = 0; i < a.update_count; ++i) EXPECT_TRUE(a.updates[i] == b.updates[i]) << text;
}

void expect_same(const Transaction& a, const Transaction& b, const std::string& text) {
  EXPECT_EQ(a.stream_id, b.stream_id) << text;
  EXPECT_EQ(a.ssv, b.ssv) << text;
  EXPECT_EQ(a.substream_id, b.substream_id) << text;
  EXPECT_EQ(a.iova, b.iova) << text;
  EXPECT_EQ(a.access, b.access) << text;
  EXPECT_EQ(a.privileged, b.privileged) << text;
}

TEST(CodecText, EncodersWriteWhatDumpWrites) {
  size_t fast = 0, total = 0;
  for (const Sample& s : samples()) {
    std::string request;
    append_request_text(request, s.txn);
    EXPECT_EQ(request, encode_request(s.txn).dump());
    std::string outcome;
    ++total;
    if (append_outcome_text(outcome, s.outcome)) {
      ++fast;
      EXPECT_EQ(outcome, encode_outcome(s.outcome).dump());
    }
    EXPECT_EQ(outcome_text(s.outcome), encode_outcome(s.outcome).dump());
    const vipcts_smmu_outcome abi = to_abi(s.outcome);
    std::string from_abi;
    if (append_abi_outcome_text(from_abi, abi)) {
      EXPECT_EQ(from_abi, outcome_from_abi(abi).dump());
    }
    EXPECT_EQ(abi_outcome_text(abi), outcome_from_abi(abi).dump());
  }
  // The fast path is the common case, not an exception.
  EXPECT_GT(fast * 10, total * 9) << fast << " of " << total;
}

// SMMU.EVENT.STALL on the wire: status "stalled", no termination, the event with "stall":true; both paths
// (model and ABI) write the same text, and it decodes back to a stalled outcome with the stall flag.
TEST(CodecText, StalledOutcomesRoundTrip) {
  std::vector<Sample> stalls;
  add_stall_samples(stalls);
  size_t stalled = 0, stage2 = 0;
  for (const Sample& s : stalls) {
    if (s.outcome.status != Status::Stalled) continue;
    ++stalled;
    ASSERT_TRUE(s.outcome.event.has_value());
    stage2 += s.outcome.event->s2 ? 1 : 0;
    const std::string text = encode_outcome(s.outcome).dump();
    EXPECT_TRUE(text.starts_with(R"({"status":"stalled","event":{"type":"F_)")) << text;
    EXPECT_NE(text.find(R"("stall":true})"), std::string::npos) << text;
    EXPECT_EQ(text.find("termination"), std::string::npos) << text;
    EXPECT_EQ(outcome_text(s.outcome), text);
    Outcome no_level = s.outcome;  // the ABI has no diagnostic "level"
    no_level.level = -1;
    const vipcts_smmu_outcome abi = to_abi(s.outcome);
    EXPECT_EQ(abi_outcome_text(abi), encode_outcome(no_level).dump());
    EXPECT_EQ(outcome_from_abi(abi).dump(), encode_outcome(no_level).dump());
    const WireOutcome dom = decode_outcome(Json::parse(text), Path("x"));
    EXPECT_EQ(dom.status, Status::Stalled);
    EXPECT_TRUE(dom.has_event && dom.event.stall) << text;
    WireOutcome fast;
    if (decode_outcome_text(text, fast))
      expect_same(fast, dom, text);
    else
      EXPECT_TRUE(s.outcome.event->s2) << "a stage-1 stall should take the fast path: " << text;
  }
  EXPECT_GT(stalled, 2u);
  EXPECT_GT(stage2, 0u);
}

// Outcomes that do not stall are written exactly as before the Stall model: no "stall" member.
TEST(CodecText, TerminatedRecordsCarryNoStallMember) {
  Outcome o;
  o.event = EventRecord{};
  o.event->type = EventType::F_TRANSLATION;
  o.event->input_addr = 0x1000;
  EXPECT_EQ(
      encode_outcome(o).dump(),
      R"({"status":"terminated","termination":"abort","event":{"type":"F_TRANSLATION","sid":0,"ssv":false,)"
      R"("ssid":0,"input_addr":"0x1000","rnw":true,"ind":false,"pnu":false,"s2":false,"class":"IN"},)"
      R"("updates":[]})");
}

TEST(CodecText, DecodersReadWhatTheDomReads) {
  size_t fast = 0, total = 0;
  for (const Sample& s : samples()) {
    const std::string request = encode_request(s.txn).dump();
    Transaction t;
    ASSERT_TRUE(decode_request_text(request, t)) << request;
    expect_same(t, decode_request(Json::parse(request)), request);
    const std::string outcome = encode_outcome(s.outcome).dump();
    WireOutcome w;
    ++total;
    if (decode_outcome_text(outcome, w)) {
      ++fast;
      expect_same(w, decode_outcome(Json::parse(outcome), Path("x")), outcome);
    }
  }
  EXPECT_GT(fast * 10, total * 9) << fast << " of " << total;
}

// What an implementation that cannot observe attributes answers (the QEMU adapter): no attrs, diagnostic
// members "_..." and "level..." after the compared ones. The fast path takes them, with the DOM's values; a
// member the DOM rejects is left to the DOM.
TEST(CodecText, DiagnosticMembersAndMissingAttrsTakeTheFastPath) {
  const char* const texts[] = {
      R"({"status":"translated","oa":"0x40001234","updates":[],"_attrs":"not observable through DMA"})",
      R"({"status":"terminated","termination":"abort","event":{"type":"F_TRANSLATION","sid":8,"ssv":false,)"
      R"("ssid":0,"input_addr":"0x1000","rnw":true,"ind":false,"pnu":true,"s2":false,"class":"IN"},"updates":[],)"
      R"("_termination":"from IDR0.TERM_MODEL","levels":[1,2]})",
      R"({"status":"terminated","termination":"abort","event":null,"updates":[],"_note":{"why":"none"}})",
  };
  for (const char* text : texts) {
    WireOutcome w;
    ASSERT_TRUE(decode_outcome_text(text, w)) << text;
    expect_same(w, decode_outcome(Json::parse(text), Path("x")), text);
  }
  WireOutcome w;
  EXPECT_FALSE(decode_outcome_text(R"({"status":"translated","oa":"0x1","updates":[],"extra":1})", w));
}

// Single-character edits of canonical texts: whatever a fast decoder (or the canonical scanner) accepts, the
// strict path accepts with the same value.
TEST(CodecText, FastPathNeverAcceptsMoreThanTheDom) {
  std::mt19937_64 rng(5);
  const std::string alphabet = "{}[],:\"0123456789abcdefxX-.eE tfnul_AZ\\";
  const std::vector<Sample> all = samples();
  size_t accepted = 0;
  for (size_t n = 0; n < 40000; ++n) {
    const Sample& s = all[rng() % all.size()];
    const bool is_request = (rng() & 1) != 0;
    std::string text = is_request ? encode_request(s.txn).dump() : encode_outcome(s.outcome).dump();
    const size_t at = rng() % text.size();
    const char c = alphabet[rng() % alphabet.size()];
    switch (rng() % 3) {
      case 0:
        text[at] = c;
        break;
      case 1:
        text.erase(at, 1);
        break;
      default:
        text.insert(at, 1, c);
        break;
    }
    if (is_canonical_json(text)) {
      EXPECT_EQ(Json::parse(text).dump(), text);
    }
    Json dom = Json::parse(text, nullptr, false);
    if (is_request) {
      Transaction t;
      if (!decode_request_text(text, t)) continue;
      ++accepted;
      ASSERT_FALSE(dom.is_discarded()) << text;
      expect_same(t, decode_request(dom), text);
    } else {
      WireOutcome w;
      if (!decode_outcome_text(text, w)) continue;
      ++accepted;
      ASSERT_FALSE(dom.is_discarded()) << text;
      expect_same(w, decode_outcome(dom, Path("x")), text);
    }
  }
  EXPECT_GT(accepted, 0u);
}

TEST(JsonText, CanonicalSubset) {
  for (const char* ok : {"{}", "[]", "0", "-1", "18446744073709551615", R"({"a":[1,"x",null,true,false]})"})
    EXPECT_TRUE(is_canonical_json(ok)) << ok;
  // Valid JSON outside the subset (the DOM path takes it) and invalid JSON.
  for (const char* no : {"", " {}", "{} ", "01", "-0", "1.5", "1e3", "18446744073709551616", R"("\n")",
                         R"({"a":1,"a":2})", "[1,]", "{\"a\"}", "tru", "\"\xc3\xa9\""})
    EXPECT_FALSE(is_canonical_json(no)) << no;
}

}  // namespace
}  // namespace vipcts::smmu::codec
