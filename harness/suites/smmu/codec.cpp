#include "codec.hpp"

#include <algorithm>
#include <stdexcept>

#include "harness/core/errors.hpp"

namespace vipcts::smmu::codec {

std::string Path::str() const {
  std::string out;
  if (parent_ != nullptr) out = parent_->str();
  if (is_index_) {
    out += '[';
    out += std::to_string(index_);
    out += ']';
  } else {
    if (!out.empty()) out += '.';
    out += key_;
  }
  return out;
}

void fail(const Path& path, std::string_view message) {
  std::string text = path.str();
  text += ": ";
  text += message;
  throw InputError(text);
}

namespace {

// A short rendering of a JSON value for error messages (bounded, one line).
std::string show(const Json& j) {
  std::string s = j.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_ignored_key(std::string_view key) {
  // docs/formats.md §2.3: implementations may add fields starting with '_' or "level"; comparison ignores
  // them.
  return (!key.empty() && key[0] == '_') || key.starts_with("level");
}

// Builds a JSON object with its keys in a fixed order: straight appends to the ordered map, reserved up
// front, without operator[]'s lookup and regrowth (encoding runs once per operation).
class ObjectBuilder {
 public:
  explicit ObjectBuilder(size_t keys) : j_(Json::value_t::object) { map().reserve(keys); }
  ObjectBuilder& add(std::string_view key, Json&& value) {
    map().emplace_back(std::string(key), std::move(value));
    return *this;
  }
  Json take() { return std::move(j_); }

 private:
  Json::object_t& map() { return j_.get_ref<Json::object_t&>(); }
  Json j_;
};

Json make_array(size_t reserve) {
  Json j(Json::value_t::array);
  j.get_ref<Json::array_t&>().reserve(reserve);
  return j;
}

// [address, value]: a memory word or a descriptor update.
Json encode_word(uint64_t addr, uint64_t value) {
  Json j = make_array(2);
  j.push_back(to_hex(addr));
  j.push_back(to_hex(value));
  return j;
}

// The members of an object, iterated directly (items() builds a proxy per member).
const Json::object_t& members(const Json& j) {
  return j.get_ref<const Json::object_t&>();
}

}  // namespace

void append_hex(std::string& out, uint64_t value) {
  char buf[18];
  char* p = buf + sizeof buf;
  do {
    *--p = "0123456789abcdef"[value & 0xf];
    value >>= 4;
  } while (value != 0);
  *--p = 'x';
  *--p = '0';
  out.append(p, static_cast<size_t>(buf + sizeof buf - p));
}

std::string to_hex(uint64_t value) {
  std::string s;
  append_hex(s, value);
  return s;
}

uint64_t parse_hex_u64(const Json& j, const Path& path, unsigned bits) {
  if (!j.is_string()) fail(path, "expected a hex string, found " + show(j));
  const std::string& s = j.get_ref<const std::string&>();
  if (s.size() < 3 || s[0] != '0' || s[1] != 'x')
    fail(path, "expected a hex string like \"0x1f\", found " + show(j));
  uint64_t v = 0;
  for (size_t i = 2; i < s.size(); ++i) {
    const int d = hex_digit(s[i]);
    if (d < 0) fail(path, "expected a hex string like \"0x1f\", found " + show(j));
    if ((v >> 60) != 0) fail(path, "value " + s + " does not fit " + std::to_string(bits) + " bits");
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  if (bits < 64 && (v >> bits) != 0)
    fail(path, "value " + s + " does not fit " + std::to_string(bits) + " bits");
  return v;
}

uint64_t parse_uint(const Json& j, const Path& path, unsigned bits) {
  if (j.is_number_unsigned()) {
    const uint64_t v = j.get<uint64_t>();
    if (bits < 64 && (v >> bits) != 0)
      fail(path, "value " + std::to_string(v) + " does not fit " + std::to_string(bits) + " bits");
    return v;
  }
  // JSON built in C++ (or converted from YAML) may hold a non-negative value as a signed integer.
  if (j.is_number_integer()) {
    const int64_t v = j.get<int64_t>();
    if (v < 0) fail(path, "expected a non-negative integer, found " + show(j));
    if (bits < 64 && (static_cast<uint64_t>(v) >> bits) != 0)
      fail(path, "value " + std::to_string(v) + " does not fit " + std::to_string(bits) + " bits");
    return static_cast<uint64_t>(v);
  }
  fail(path, "expected an integer, found " + show(j));
}

bool parse_bool(const Json& j, const Path& path) {
  if (!j.is_boolean()) fail(path, "expected true or false, found " + show(j));
  return j.get<bool>();
}

// ---------------------------------------------------------------------------------------------------------------
// State

namespace {

struct RegisterField {
  std::string_view name;
  unsigned bits;
};
// docs/formats.md §2.1, in the order written. Widths: IHI 0070 G.b §6.3 (STRTAB_BASE is 64-bit, the rest 32).
constexpr RegisterField kRegisters[] = {{"IDR0", 32}, {"IDR1", 32},        {"IDR3", 32},
                                        {"IDR5", 32}, {"CR0", 32},         {"CR2", 32},
                                        {"GBPA", 32}, {"STRTAB_BASE", 64}, {"STRTAB_BASE_CFG", 32}};
constexpr size_t kRegisterCount = std::size(kRegisters);

uint64_t register_value(const SmmuRegisters& r, size_t i) {
  switch (i) {
    case 0:
      return r.idr0;
    case 1:
      return r.idr1;
    case 2:
      return r.idr3;
    case 3:
      return r.idr5;
    case 4:
      return r.cr0;
    case 5:
      return r.cr2;
    case 6:
      return r.gbpa;
    case 7:
      return r.strtab_base;
    default:
      return r.strtab_base_cfg;
  }
}

void set_register(SmmuRegisters& r, size_t i, uint64_t v) {
  const auto v32 = static_cast<uint32_t>(v);  // range already checked against kRegisters[i].bits
  switch (i) {
    case 0:
      r.idr0 = v32;
      break;
    case 1:
      r.idr1 = v32;
      break;
    case 2:
      r.idr3 = v32;
      break;
    case 3:
      r.idr5 = v32;
      break;
    case 4:
      r.cr0 = v32;
      break;
    case 5:
      r.cr2 = v32;
      break;
    case 6:
      r.gbpa = v32;
      break;
    case 7:
      r.strtab_base = v;
      break;
    default:
      r.strtab_base_cfg = v32;
      break;
  }
}

}  // namespace

SmmuRegisters decode_state_regs(const Json& regs, const Path& path) {
  if (!regs.is_object()) fail(path, "expected an object, found " + show(regs));
  SmmuRegisters r;
  bool seen[kRegisterCount] = {};
  for (const auto& [key_string, value] : members(regs)) {
    const std::string_view key = key_string;
    size_t i = 0;
    while (i < kRegisterCount && kRegisters[i].name != key) ++i;
    if (i == kRegisterCount) fail(Path(path, key), "unknown register");
    set_register(r, i, parse_hex_u64(value, Path(path, kRegisters[i].name), kRegisters[i].bits));
    seen[i] = true;
  }
  for (size_t i = 0; i < kRegisterCount; ++i)
    if (!seen[i]) fail(Path(path, kRegisters[i].name), "missing register");
  return r;
}

std::vector<SparseMemory::Word> decode_memory_words(const Json& mem, const Path& path) {
  if (!mem.is_array()) fail(path, "expected a list of [address, value] pairs, found " + show(mem));
  std::vector<SparseMemory::Word> words;
  words.reserve(mem.size());
  for (size_t i = 0; i < mem.size(); ++i) {
    const Path at(path, i);
    const Json& w = mem[i];
    if (!w.is_array() || w.size() != 2) fail(at, "expected an [address, value] pair, found " + show(w));
    const Path addr_path(at, size_t{0});
    const uint64_t addr = parse_hex_u64(w[0], addr_path);
    if ((addr & 7) != 0) fail(addr_path, "address " + to_hex(addr) + " is not 8-byte aligned");
    words.push_back({addr, parse_hex_u64(w[1], Path(at, size_t{1}))});
  }
  // A word listed twice would make the image depend on the order the implementation applies the list.
  std::vector<std::pair<uint64_t, size_t>> order;
  order.reserve(words.size());
  for (size_t i = 0; i < words.size(); ++i) order.emplace_back(words[i].addr, i);
  std::sort(order.begin(), order.end());
  for (size_t i = 1; i < order.size(); ++i)
    if (order[i].first == order[i - 1].first)
      fail(Path(Path(path, order[i].second), size_t{0}), "address " + to_hex(order[i].first) +
                                                             " is listed twice (also at index " +
                                                             std::to_string(order[i - 1].second) + ")");
  return words;
}

SparseMemory decode_memory(const Json& mem, const Path& path) {
  SparseMemory m;
  for (const auto& w : decode_memory_words(mem, path)) m.write64(w.addr, w.value);
  return m;
}

StateWords decode_state_words(const Json& state, const Path& path) {
  if (!state.is_object()) fail(path, "expected an object, found " + show(state));
  const Json* regs = nullptr;
  const Json* mem = nullptr;
  for (const auto& [key_string, value] : members(state)) {
    const std::string_view key = key_string;
    if (key == "regs")
      regs = &value;
    else if (key == "mem")
      mem = &value;
    else
      fail(Path(path, key), "unknown field");
  }
  // In document order, so the first error reported is the first one in the file.
  if (regs == nullptr) fail(Path(path, "regs"), "missing field");
  StateWords s;
  s.regs = decode_state_regs(*regs, Path(path, "regs"));
  if (mem == nullptr) fail(Path(path, "mem"), "missing field");
  s.mem = decode_memory_words(*mem, Path(path, "mem"));
  return s;
}

State decode_state(const Json& state, const Path& path) {
  StateWords words = decode_state_words(state, path);
  State s;
  s.regs = words.regs;
  for (const auto& w : words.mem) s.memory.write64(w.addr, w.value);
  return s;
}

Json encode_regs(const SmmuRegisters& regs) {
  ObjectBuilder j(kRegisterCount);
  for (size_t i = 0; i < kRegisterCount; ++i) j.add(kRegisters[i].name, to_hex(register_value(regs, i)));
  return j.take();
}

Json encode_memory(const SparseMemory& memory) {
  const auto words = memory.nonzero_words();
  Json j = make_array(words.size());
  for (const auto& w : words) j.push_back(encode_word(w.addr, w.value));
  return j;
}

Json encode_state(const SmmuRegisters& regs, const SparseMemory& memory) {
  return ObjectBuilder(2).add("regs", encode_regs(regs)).add("mem", encode_memory(memory)).take();
}

// ---------------------------------------------------------------------------------------------------------------
// Request

std::string_view access_name(AccessKind a) {
  switch (a) {
    case AccessKind::Read:
      return "read";
    case AccessKind::Write:
      return "write";
    case AccessKind::Execute:
      return "exec";
  }
  return "read";
}

Transaction decode_translate_params(const Json& params, const Path& path) {
  if (!params.is_object()) fail(path, "expected an object, found " + show(params));
  static constexpr std::string_view kKeys[] = {"sid", "ssv", "ssid", "iova", "access", "priv"};
  Transaction t;
  unsigned seen = 0;
  for (const auto& [key_string, value] : members(params)) {
    const std::string_view key = key_string;
    size_t i = 0;
    while (i < std::size(kKeys) && kKeys[i] != key) ++i;
    const Path at(path, i < std::size(kKeys) ? kKeys[i] : std::string_view(key));
    switch (i) {
      case 0:
        t.stream_id = static_cast<uint32_t>(parse_uint(value, at, 32));
        break;
      case 1:
        t.ssv = parse_bool(value, at);
        break;
      case 2:
        t.substream_id = static_cast<uint32_t>(parse_uint(value, at, kSsidBits));
        break;
      case 3:
        t.iova = parse_hex_u64(value, at);
        break;
      case 4: {
        if (!value.is_string()) fail(at, "expected \"read\", \"write\" or \"exec\", found " + show(value));
        const std::string& s = value.get_ref<const std::string&>();
        if (s == "read")
          t.access = AccessKind::Read;
        else if (s == "write")
          t.access = AccessKind::Write;
        else if (s == "exec")
          t.access = AccessKind::Execute;
        else
          fail(at, "expected \"read\", \"write\" or \"exec\", found " + show(value));
        break;
      }
      case 5:
        t.privileged = parse_bool(value, at);
        break;
      default:
        fail(at, "unknown field");
    }
    seen |= 1u << i;
  }
  for (size_t i = 0; i < std::size(kKeys); ++i)
    if ((seen & (1u << i)) == 0) fail(Path(path, kKeys[i]), "missing field");
  return t;
}

Transaction decode_request(const Json& request, const Path& path) {
  if (!request.is_object()) fail(path, "expected an object, found " + show(request));
  const Json* method = nullptr;
  const Json* params = nullptr;
  for (const auto& [key_string, value] : members(request)) {
    const std::string_view key = key_string;
    if (key == "method")
      method = &value;
    else if (key == "params")
      params = &value;
    else
      fail(Path(path, key), "unknown field");
  }
  if (method == nullptr) fail(Path(path, "method"), "missing field");
  if (!method->is_string() || method->get_ref<const std::string&>() != "translate")
    fail(Path(path, "method"), "unknown method " + show(*method) + " (suite smmu answers \"translate\")");
  if (params == nullptr) fail(Path(path, "params"), "missing field");
  return decode_translate_params(*params, Path(path, "params"));
}

Json encode_request(const Transaction& txn) {
  ObjectBuilder params(6);
  params.add("sid", txn.stream_id)
      .add("ssv", txn.ssv)
      .add("ssid", txn.substream_id)
      .add("iova", to_hex(txn.iova))
      .add("access", access_name(txn.access))
      .add("priv", txn.privileged);
  return ObjectBuilder(2).add("method", "translate").add("params", params.take()).take();
}

// ---------------------------------------------------------------------------------------------------------------
// Outcome

namespace {

constexpr unsigned kAllEventFields = event_fields(EventType::F_TRANSLATION);

// An event record with only the fields its type defines (event_fields, IHI 0070 §7.3), in the docs/formats.md
// §2.3 order. type and event_class are passed encoded: a name, or the raw number when it is not one we know.
Json encode_event_fields(Json type, unsigned fields, const EventRecord& e, Json event_class) {
  ObjectBuilder j(11);
  j.add("type", std::move(type));
  if (fields & kFieldSid) j.add("sid", e.stream_id);
  if (fields & kFieldSsv) j.add("ssv", e.ssv);
  if (fields & kFieldSsid) j.add("ssid", e.substream_id);
  if (fields & kFieldInputAddr) j.add("input_addr", to_hex(e.input_addr));
  if (fields & kFieldRnw) j.add("rnw", e.rnw);
  if (fields & kFieldInd) j.add("ind", e.ind);
  if (fields & kFieldPnu) j.add("pnu", e.pnu);
  if (fields & kFieldS2) j.add("s2", e.s2);
  if (fields & kFieldClass) j.add("class", std::move(event_class));
  if ((fields & kFieldIpa) && e.s2) j.add("ipa", to_hex(e.ipa));  // stage-2 faults only (event_ipa_valid)
  if (e.stall) j.add("stall", true);  // SMMU.EVENT.STALL; absent = false (docs/formats.md §2.3)
  return j.take();
}

Json encode_event(const EventRecord& e) {
  return encode_event_fields(Json(event_type_name(e.type)), event_fields(e.type), e,
                             Json(event_class_name(e.event_class)));
}

Json encode_attrs(uint8_t mair, uint8_t sh) {
  return ObjectBuilder(2).add("mair", to_hex(mair)).add("sh", sh).take();
}

}  // namespace

Json encode_outcome(const Outcome& o) {
  ObjectBuilder j(5);
  switch (o.status) {
    case Status::Unmodelled:
      // Never matched by compare(): a vector expecting this cannot pass, which is what we want until the
      // model covers the configuration.
      return j.add("status", "unmodelled").take();
    case Status::Translated:
      j.add("status", "translated")
          .add("oa", to_hex(o.output_address))
          .add("attrs", encode_attrs(o.attrs.mair_attr, o.attrs.sh));
      if (o.pbha_unknown)
        j.add("pbha", "unknown");  // pbha-combine=impdef, both stages enabled: not compared
      else if (o.pbha != 0)
        j.add("pbha", to_hex(o.pbha));  // absent = 0 (docs/formats.md §2.3)
      break;
    case Status::Terminated:
      j.add("status", "terminated")
          .add("termination", o.termination == Termination::RazWi ? "raz_wi" : "abort")
          .add("event", o.event ? encode_event(*o.event) : Json(nullptr));
      break;
    case Status::Stalled:  // SMMU.EVENT.STALL: the record is always written
      j.add("status", "stalled").add("event", o.event ? encode_event(*o.event) : Json(nullptr));
      break;
  }
  if (o.updates_unknown) {
    j.add("updates", "unknown");
  } else {
    const size_t n = std::min<size_t>(o.update_count, o.updates.size());
    Json updates = make_array(n);
    for (size_t i = 0; i < n; ++i) updates.push_back(encode_word(o.updates[i].addr, o.updates[i].value));
    j.add("updates", std::move(updates));
  }
  if (o.level >= 0) j.add("level", o.level);
  return j.take();
}

EventRecord event_fields_from_abi(const vipcts_smmu_event& e) {
  EventRecord r;
  r.stream_id = e.sid;
  r.ssv = e.ssv != 0;
  r.substream_id = e.ssid;
  r.input_addr = e.input_addr;
  r.rnw = e.rnw != 0;
  r.ind = e.ind != 0;
  r.pnu = e.pnu != 0;
  r.s2 = e.s2 != 0;
  r.stall = e.stall != 0;
  return r;
}

Json outcome_from_abi(const vipcts_smmu_outcome& out) {
  if (out.update_count > VIPCTS_SMMU_MAX_UPDATES)
    throw std::runtime_error("translate() returned update_count " + std::to_string(out.update_count) +
                             ", more than VIPCTS_SMMU_MAX_UPDATES (" +
                             std::to_string(VIPCTS_SMMU_MAX_UPDATES) + ")");
  ObjectBuilder j(4);
  if (out.status == VIPCTS_SMMU_TRANSLATED) {
    j.add("status", "translated").add("oa", to_hex(out.oa)).add("attrs", encode_attrs(out.mair_attr, out.sh));
    if (out.pbha != 0) j.add("pbha", to_hex(out.pbha));
  } else if (out.status == VIPCTS_SMMU_TERMINATED || out.status == VIPCTS_SMMU_STALLED) {
    if (out.status == VIPCTS_SMMU_STALLED) {
      j.add("status", "stalled");  // termination is not part of a stalled outcome
    } else {
      j.add("status", "terminated");
      j.add("termination", out.termination == VIPCTS_SMMU_ABORT    ? Json("abort")
                           : out.termination == VIPCTS_SMMU_RAZ_WI ? Json("raz_wi")
                                                                   : Json(to_hex(out.termination)));
    }
    if (out.has_event != 0) {
      const vipcts_smmu_event& e = out.event;
      // Known codes get their names; anything else is kept as its raw number so the diff shows it. Only the
      // fields the type defines are kept: the ABI struct has room for all of them, the record does not.
      const std::string_view type_name = event_type_name(static_cast<EventType>(e.type));
      EventType type{};
      const bool known_type = parse_event_type(type_name, type) && static_cast<uint8_t>(type) == e.type;
      const std::string_view class_name = event_class_name(static_cast<EventClass>(e.event_class));
      EventClass event_class{};
      const bool known_class =
          parse_event_class(class_name, event_class) && static_cast<uint8_t>(event_class) == e.event_class;
      EventRecord r = event_fields_from_abi(e);
      r.ipa = out.event_ipa;
      j.add("event", encode_event_fields(known_type ? Json(type_name) : Json(to_hex(e.type)),
                                         known_type ? event_fields(type) : kAllEventFields, r,
                                         known_class ? Json(class_name) : Json(to_hex(e.event_class))));
    } else {
      j.add("event", nullptr);
    }
  } else {
    j.add("status", to_hex(out.status));
  }
  Json updates = make_array(out.update_count);
  for (uint32_t i = 0; i < out.update_count; ++i)
    updates.push_back(encode_word(out.updates[i].addr, out.updates[i].value));
  j.add("updates", std::move(updates));
  return j.take();
}

namespace {

EventRecord decode_event(const Json& j, const Path& path) {
  if (!j.is_object()) fail(path, "expected an object or null, found " + show(j));
  // "stall" (SMMU.EVENT.STALL) is optional: absent = false.
  static constexpr std::string_view kKeys[] = {"type", "sid", "ssv", "ssid",  "input_addr", "rnw",
                                               "ind",  "pnu", "s2",  "class", "ipa",        "stall"};
  EventRecord e;
  unsigned seen = 0;
  for (const auto& [key_string, value] : members(j)) {
    const std::string_view key = key_string;
    size_t i = 0;
    while (i < std::size(kKeys) && kKeys[i] != key) ++i;
    const Path at(path, i < std::size(kKeys) ? kKeys[i] : std::string_view(key));
    switch (i) {
      case 0:
        if (!value.is_string()) fail(at, "expected an event type name, found " + show(value));
        if (!parse_event_type(value.get_ref<const std::string&>(), e.type))
          fail(at, "unknown event type '" + value.get<std::string>() + "'");
        break;
      case 1:
        e.stream_id = static_cast<uint32_t>(parse_uint(value, at, 32));
        break;
      case 2:
        e.ssv = parse_bool(value, at);
        break;
      case 3:
        e.substream_id = static_cast<uint32_t>(parse_uint(value, at, kSsidBits));
        break;
      case 4:
        e.input_addr = parse_hex_u64(value, at);
        break;
      case 5:
        e.rnw = parse_bool(value, at);
        break;
      case 6:
        e.ind = parse_bool(value, at);
        break;
      case 7:
        e.pnu = parse_bool(value, at);
        break;
      case 8:
        e.s2 = parse_bool(value, at);
        break;
      case 9:
        if (!value.is_string()) fail(at, "expected an event class name, found " + show(value));
        if (!parse_event_class(value.get_ref<const std::string&>(), e.event_class))
          fail(at, "unknown event class '" + value.get<std::string>() + "'");
        break;
      case 10:
        e.ipa = parse_hex_u64(value, at);
        break;
      case 11:
        e.stall = parse_bool(value, at);
        break;
      default:
        if (is_ignored_key(key)) continue;
        fail(at, "unknown field");
    }
    seen |= 1u << i;
  }
  // Required: the type, then the fields that type defines (IHI 0070 §7.3). A field the type does not define
  // may be present (an implementation may fill the whole record); it is read but never compared.
  if ((seen & 1u) == 0) fail(Path(path, kKeys[0]), "missing field");
  const unsigned defined = event_fields(e.type);
  for (size_t i = 1; i < std::size(kKeys); ++i)
    if ((defined & (1u << (i - 1))) != 0 && (seen & (1u << i)) == 0 && (kKeys[i] != "ipa" || e.s2))
      fail(Path(path, kKeys[i]), "missing field");
  return e;
}

void decode_updates(const Json& j, const Path& path, WireOutcome& w) {
  if (j.is_string() && j.get_ref<const std::string&>() == "unknown") {
    w.updates_unknown = true;
    return;
  }
  if (!j.is_array()) fail(path, "expected a list of [address, value] pairs or \"unknown\", found " + show(j));
  if (j.size() > WireOutcome::kMaxUpdates)
    fail(path, std::to_string(j.size()) + " updates, more than " + std::to_string(WireOutcome::kMaxUpdates));
  for (size_t i = 0; i < j.size(); ++i) {
    const Path at(path, i);
    const Json& u = j[i];
    if (!u.is_array() || u.size() != 2) fail(at, "expected an [address, value] pair, found " + show(u));
    const Path addr_path(at, size_t{0});
    const uint64_t addr = parse_hex_u64(u[0], addr_path);
    if ((addr & 7) != 0) fail(addr_path, "address " + to_hex(addr) + " is not 8-byte aligned");
    w.updates[w.update_count++] = {addr, parse_hex_u64(u[1], Path(at, size_t{1}))};
  }
}

void decode_attrs(const Json& j, const Path& path, WireOutcome& w) {
  if (!j.is_object()) fail(path, "expected an object, found " + show(j));
  bool mair = false, sh = false;
  for (const auto& [key_string, value] : members(j)) {
    const std::string_view key = key_string;
    if (key == "mair") {
      w.mair = static_cast<uint8_t>(parse_hex_u64(value, Path(path, "mair"), 8));
      mair = true;
    } else if (key == "sh") {
      w.sh = static_cast<uint8_t>(parse_uint(value, Path(path, "sh"), 2));  // SH[1:0], VMSAv8-64 D8.3
      sh = true;
    } else if (!is_ignored_key(key)) {
      fail(Path(path, key), "unknown field");
    }
  }
  if (!mair) fail(Path(path, "mair"), "missing field");
  if (!sh) fail(Path(path, "sh"), "missing field");
}

}  // namespace

WireOutcome decode_outcome(const Json& j, const Path& path) {
  if (!j.is_object()) fail(path, "expected an object, found " + show(j));
  WireOutcome w;
  const auto status_it = j.find("status");
  if (status_it == j.end()) fail(Path(path, "status"), "missing field");
  if (!status_it->is_string()) fail(Path(path, "status"), "expected a string, found " + show(*status_it));
  const std::string_view status = status_it->get_ref<const std::string&>();
  if (status == "translated")
    w.status = Status::Translated;
  else if (status == "terminated")
    w.status = Status::Terminated;
  else if (status == "stalled")
    w.status = Status::Stalled;
  else if (status == "unmodelled")
    w.status = Status::Unmodelled;
  else
    fail(Path(path, "status"), "unknown status '" + std::string(status) + "'");

  // Which keys each status carries (docs/formats.md §2.3).
  enum : unsigned { kOa = 1, kAttrs = 2, kTermination = 4, kEvent = 8, kUpdates = 16, kPbha = 32 };
  const unsigned allowed = w.status == Status::Translated   ? (kOa | kAttrs | kUpdates | kPbha)
                           : w.status == Status::Terminated ? (kTermination | kEvent | kUpdates)
                           : w.status == Status::Stalled    ? (kEvent | kUpdates)
                                                            : 0u;
  unsigned seen = 0;
  for (const auto& [key_string, value] : members(j)) {
    const std::string_view key = key_string;
    unsigned k = 0;
    if (key == "status") continue;
    if (key == "oa")
      k = kOa;
    else if (key == "attrs")
      k = kAttrs;
    else if (key == "termination")
      k = kTermination;
    else if (key == "event")
      k = kEvent;
    else if (key == "updates")
      k = kUpdates;
    else if (key == "pbha")
      k = kPbha;
    else if (is_ignored_key(key))
      continue;
    const Path at(path, key);
    if ((k & allowed) == 0) {
      if (k == 0) fail(at, "unknown field");
      fail(at, "not allowed in a '" + std::string(status) + "' outcome");
    }
    seen |= k;
    switch (k) {
      case kOa:
        w.oa = parse_hex_u64(value, at);
        break;
      case kAttrs:
        decode_attrs(value, at, w);
        break;
      case kTermination:
        if (value.is_string() && value.get_ref<const std::string&>() == "abort")
          w.termination = Termination::Abort;
        else if (value.is_string() && value.get_ref<const std::string&>() == "raz_wi")
          w.termination = Termination::RazWi;
        else
          fail(at, "expected \"abort\" or \"raz_wi\", found " + show(value));
        break;
      case kPbha:
        if (value.is_string() && value.get_ref<const std::string&>() == "unknown")
          w.pbha_unknown = true;  // SMMU.PBHA.COMBINE under pbha-combine=impdef
        else
          w.pbha = static_cast<uint8_t>(parse_hex_u64(value, at, 4));  // PBHA[3:0], SMMU.PBHA.S1_OUTPUT
        break;
      case kEvent:
        if (!value.is_null()) {
          w.event = decode_event(value, at);
          w.has_event = true;
        }
        break;
      default:
        decode_updates(value, at, w);
        break;
    }
  }
  // "event" may be omitted (= null); so may "attrs", by an implementation that cannot observe them (a device
  // behind an SMMU sees where data lands, not the attributes it carried); the rest are required.
  w.has_attrs = (seen & kAttrs) != 0;
  // "pbha" may be omitted: it is then 0 (no PBHA bit enabled).
  const unsigned required = allowed & ~unsigned{kEvent} & ~unsigned{kAttrs} & ~unsigned{kPbha};
  if ((required & ~seen) != 0) {
    const unsigned missing = required & ~seen;
    const char* name = (missing & kOa)            ? "oa"
                       : (missing & kAttrs)       ? "attrs"
                       : (missing & kTermination) ? "termination"
                                                  : "updates";
    fail(Path(path, name), "missing field");
  }
  return w;
}

}  // namespace vipcts::smmu::codec
