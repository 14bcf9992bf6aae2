// JSON <-> SMMU model types: the `smmu` suite payloads of docs/formats.md §2 (state, translate request,
// outcome). Decoding is strict: wrong types, out-of-range values, missing and unknown keys are errors that
// name the JSON path of the field ("state.regs.IDR0: expected a hex string"). Encoding writes keys in the
// order of docs/formats.md so files are byte-stable.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/json.hpp"
#include "reference/common/sparse_memory.hpp"
#include "reference/smmu/outcome.hpp"
#include "reference/smmu/registers.hpp"
#include "reference/smmu/transaction.hpp"
#include "vipcts/vipcts_smmu.h"

namespace vipcts::smmu::codec {

// A JSON path built lazily: the string is only made when an error is reported, so decoding on the fast path
// does not allocate for it. Paths live on the stack of the decoder that builds them.
class Path {
 public:
  explicit constexpr Path(std::string_view root) : parent_(nullptr), key_(root) {}
  constexpr Path(const Path& parent, std::string_view key) : parent_(&parent), key_(key) {}
  constexpr Path(const Path& parent, size_t index) : parent_(&parent), index_(index), is_index_(true) {}
  std::string str() const;

 private:
  const Path* parent_ = nullptr;
  std::string_view key_;
  size_t index_ = 0;
  bool is_index_ = false;
};

// Throws InputError("PATH: message").
[[noreturn]] void fail(const Path& path, std::string_view message);

// "0x1f000": lower case, no leading zeros beyond one digit (docs/formats.md, numbers).
std::string to_hex(uint64_t value);
void append_hex(std::string& out, uint64_t value);

// A "0x..." string whose value fits `bits` bits. Upper-case digits and leading zeros are accepted on input.
uint64_t parse_hex_u64(const Json& j, const Path& path, unsigned bits = 64);
// A non-negative JSON integer that fits `bits` bits.
uint64_t parse_uint(const Json& j, const Path& path, unsigned bits);
bool parse_bool(const Json& j, const Path& path);

// SubstreamIDs are at most 20 bits (IHI 0070 G.b §6.3.2 SMMU_IDR1.SSIDSIZE; §7.3 event record SSID[31:12]).
constexpr unsigned kSsidBits = 20;

// ---- State (docs/formats.md §2.1) ----

SmmuRegisters decode_state_regs(const Json& regs, const Path& path = Path("state.regs"));
// Every listed word, in the order given; addresses 8-byte aligned and distinct.
std::vector<SparseMemory::Word> decode_memory_words(const Json& mem, const Path& path = Path("state.mem"));
SparseMemory decode_memory(const Json& mem, const Path& path = Path("state.mem"));

struct State {
  SmmuRegisters regs;
  SparseMemory memory;
};
// The whole state object: exactly the keys "regs" and "mem".
State decode_state(const Json& state, const Path& path = Path("state"));

// The same, with memory as the listed words (for the C ABI, which takes the list as given).
struct StateWords {
  SmmuRegisters regs;
  std::vector<SparseMemory::Word> mem;
};
StateWords decode_state_words(const Json& state, const Path& path = Path("state"));

Json encode_regs(const SmmuRegisters& regs);
// The non-zero words of memory, by address (a zero word is the same as an absent one).
Json encode_memory(const SparseMemory& memory);
Json encode_state(const SmmuRegisters& regs, const SparseMemory& memory);

// ---- Request (docs/formats.md §2.2) ----

// The whole request {"method":"translate","params":{...}}.
Transaction decode_request(const Json& request, const Path& path = Path("request"));
// Only the params object.
Transaction decode_translate_params(const Json& params, const Path& path = Path("request.params"));
Json encode_request(const Transaction& txn);

std::string_view access_name(AccessKind a);

// ---- Outcome (docs/formats.md §2.3) ----

// The model's outcome. Status::Unmodelled becomes {"status":"unmodelled"}, which compare() never matches.
Json encode_outcome(const Outcome& outcome);

// What an implementation returned through the C ABI. Enumerations outside the ABI's values are written as hex
// strings ("0x7") so that compare() reports them as a malformed outcome with the raw value. Throws
// std::runtime_error if update_count exceeds VIPCTS_SMMU_MAX_UPDATES (the struct cannot hold them).
Json outcome_from_abi(const vipcts_smmu_outcome& out);
// The flag and number fields of an ABI event record (type, class and IPA are the caller's: they need checks).
EventRecord event_fields_from_abi(const vipcts_smmu_event& e);

// A decoded outcome, for comparison. Holds more updates than the model makes so an implementation's extra
// writes are reported, not dropped.
struct WireOutcome {
  static constexpr size_t kMaxUpdates = 8;
  Status status = Status::Terminated;
  Termination termination = Termination::Abort;
  uint64_t oa = 0;
  uint8_t mair = 0;
  uint8_t sh = 0;
  bool has_attrs = false;  // an implementation that cannot observe attributes omits them (not compared)
  uint8_t pbha = 0;        // PBHA[3:0]; absent = 0
  bool pbha_unknown = false;  // "pbha":"unknown": IMPLEMENTATION DEFINED (pbha-combine=impdef), not compared
  bool has_event = false;
  EventRecord event;
  bool updates_unknown = false;
  uint8_t update_count = 0;
  std::array<DescriptorUpdate, kMaxUpdates> updates{};
};

// Strict: unknown keys are errors except names starting with '_' or "level" (diagnostics, docs/formats.md
// §2.3).
WireOutcome decode_outcome(const Json& outcome, const Path& path);

}  // namespace vipcts::smmu::codec
