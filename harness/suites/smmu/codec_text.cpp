#include "codec_text.hpp"

#include <charconv>
#include <stdexcept>

#include "harness/core/json_text.hpp"

namespace vipcts::smmu::codec {
namespace {

bool u64_bits(JsonCursor& c, uint64_t& v, unsigned bits) {
  return c.u64(v) && (bits >= 64 || (v >> bits) == 0);
}

template <typename T>
bool uint_field(JsonCursor& c, std::string_view key, T& out, unsigned bits) {
  uint64_t v = 0;
  if (!c.lit(key) || !u64_bits(c, v, bits)) return false;
  out = static_cast<T>(v);
  return true;
}

bool bool_field(JsonCursor& c, std::string_view key, bool& out) {
  return c.lit(key) && c.boolean(out);
}

bool hex_field(JsonCursor& c, std::string_view key, uint64_t& out, unsigned bits = 64) {
  return c.lit(key) && c.hex(out, bits);
}

// The keys of an event in the order encode_event writes them, one per EventField bit (kFieldSid first).
constexpr std::string_view kEventKeys[] = {
    ",\"sid\":", ",\"ssv\":", ",\"ssid\":", ",\"input_addr\":", ",\"rnw\":",
    ",\"ind\":", ",\"pnu\":", ",\"s2\":",   ",\"class\":"};
constexpr unsigned kCanonicalFields = (1u << std::size(kEventKeys)) - 1;

bool decode_event_text(JsonCursor& c, EventRecord& e) {
  std::string_view name;
  if (!c.lit("{\"type\":") || !c.string(name) || !parse_event_type(name, e.type)) return false;
  unsigned seen = 0;
  for (unsigned i = 0; i < std::size(kEventKeys); ++i) {
    if (!c.lit(kEventKeys[i])) continue;
    seen |= 1u << i;
    bool ok = true;
    switch (1u << i) {
      case kFieldSid:
        ok = uint_field(c, "", e.stream_id, 32);
        break;
      case kFieldSsv:
        ok = c.boolean(e.ssv);
        break;
      case kFieldSsid:
        ok = uint_field(c, "", e.substream_id, kSsidBits);
        break;
      case kFieldInputAddr:
        ok = c.hex(e.input_addr);
        break;
      case kFieldRnw:
        ok = c.boolean(e.rnw);
        break;
      case kFieldInd:
        ok = c.boolean(e.ind);
        break;
      case kFieldPnu:
        ok = c.boolean(e.pnu);
        break;
      case kFieldS2:
        ok = c.boolean(e.s2);
        break;
      default:
        ok = c.string(name) && parse_event_class(name, e.event_class);
        break;
    }
    if (!ok) return false;
  }
  // Every field the type defines must be there (else the DOM path names the missing one); stage-2 faults
  // carry more (the IPA): DOM path.
  const unsigned required = event_fields(e.type) & kCanonicalFields;
  if (c.lit(",\"stall\":") && !c.boolean(e.stall)) return false;  // SMMU.EVENT.STALL, last when present
  return (required & ~seen) == 0 && !e.s2 && c.lit("}");
}

bool decode_updates_text(JsonCursor& c, WireOutcome& w) {
  if (!c.lit(",\"updates\":")) return false;
  if (c.lit("\"unknown\"")) {
    w.updates_unknown = true;
    return true;
  }
  if (!c.lit("[")) return false;
  if (c.lit("]")) return true;
  do {
    if (w.update_count == WireOutcome::kMaxUpdates) return false;
    DescriptorUpdate& u = w.updates[w.update_count++];
    if (!c.lit("[") || !c.hex(u.addr) || (u.addr & 7) != 0 || !c.lit(",") || !c.hex(u.value) || !c.lit("]"))
      return false;
  } while (c.lit(","));
  return c.lit("]");
}

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

void append_bool(std::string& out, bool b) {
  out += b ? "true" : "false";
}

void append_key_hex(std::string& out, std::string_view key, uint64_t v) {
  out += key;
  out += '"';
  append_hex(out, v);
  out += '"';
}

void append_attrs(std::string& out, uint8_t mair, uint8_t sh) {
  append_key_hex(out, ",\"attrs\":{\"mair\":", mair);
  out += ",\"sh\":";
  append_uint(out, sh);
  out += '}';
}

void append_updates(std::string& out, const DescriptorUpdate* u, size_t n) {
  out += ",\"updates\":[";
  for (size_t i = 0; i < n; ++i) {
    if (i != 0) out += ',';
    out += "[\"";
    append_hex(out, u[i].addr);
    out += "\",\"";
    append_hex(out, u[i].value);
    out += "\"]";
  }
  out += ']';
}

// encode_event's text, for stage-1 events (the caller has checked !e.s2).
void append_event(std::string& out, const EventRecord& e) {
  out += ",\"event\":{\"type\":\"";
  out += event_type_name(e.type);
  out += '"';
  const unsigned f = event_fields(e.type);
  for (unsigned i = 0; i < std::size(kEventKeys); ++i) {
    if ((f & (1u << i)) == 0) continue;
    out += kEventKeys[i];
    switch (1u << i) {
      case kFieldSid:
        append_uint(out, e.stream_id);
        break;
      case kFieldSsv:
        append_bool(out, e.ssv);
        break;
      case kFieldSsid:
        append_uint(out, e.substream_id);
        break;
      case kFieldInputAddr:
        out += '"';
        append_hex(out, e.input_addr);
        out += '"';
        break;
      case kFieldRnw:
        append_bool(out, e.rnw);
        break;
      case kFieldInd:
        append_bool(out, e.ind);
        break;
      case kFieldPnu:
        append_bool(out, e.pnu);
        break;
      case kFieldS2:
        append_bool(out, e.s2);
        break;
      default:
        out += '"';
        out += event_class_name(e.event_class);
        out += '"';
        break;
    }
  }
  if (e.stall) out += ",\"stall\":true";  // absent = false, as encode_event writes it
  out += '}';
}

}  // namespace

bool decode_state_words_text(std::string_view text, StateWords& out) {
  // docs/formats.md §2.1 in the order encode_regs writes it; STRTAB_BASE is the one 64-bit register.
  static constexpr std::string_view kRegisterKeys[] = {
      R"({"regs":{"IDR0":)", R"(,"IDR1":)", R"(,"IDR3":)",        R"(,"IDR5":)",           R"(,"CR0":)",
      R"(,"CR2":)",          R"(,"GBPA":)", R"(,"STRTAB_BASE":)", R"(,"STRTAB_BASE_CFG":)"};
  uint64_t r[std::size(kRegisterKeys)];
  JsonCursor c(text);
  for (size_t i = 0; i < std::size(kRegisterKeys); ++i)
    if (!c.lit(kRegisterKeys[i]) || !c.hex(r[i], i == 7 ? 64 : 32)) return false;
  out.regs.idr0 = static_cast<uint32_t>(r[0]);
  out.regs.idr1 = static_cast<uint32_t>(r[1]);
  out.regs.idr3 = static_cast<uint32_t>(r[2]);
  out.regs.idr5 = static_cast<uint32_t>(r[3]);
  out.regs.cr0 = static_cast<uint32_t>(r[4]);
  out.regs.cr2 = static_cast<uint32_t>(r[5]);
  out.regs.gbpa = static_cast<uint32_t>(r[6]);
  out.regs.strtab_base = r[7];
  out.regs.strtab_base_cfg = static_cast<uint32_t>(r[8]);
  out.mem.clear();
  if (!c.lit(R"(},"mem":[)")) return false;
  if (!c.lit("]")) {
    do {
      SparseMemory::Word w{};
      // Increasing addresses: no word listed twice (the DOM path names a duplicate).
      if (!c.lit("[") || !c.hex(w.addr) || (w.addr & 7) != 0 ||
          (!out.mem.empty() && w.addr <= out.mem.back().addr) || !c.lit(",") || !c.hex(w.value) ||
          !c.lit("]"))
        return false;
      out.mem.push_back(w);
    } while (c.lit(","));
    if (!c.lit("]")) return false;
  }
  return c.lit("}") && c.at_end();
}

bool decode_request_text(std::string_view text, Transaction& t) {
  JsonCursor c(text);
  std::string_view access;
  if (!c.lit(R"({"method":"translate","params":{)") || !uint_field(c, "\"sid\":", t.stream_id, 32) ||
      !bool_field(c, ",\"ssv\":", t.ssv) || !uint_field(c, ",\"ssid\":", t.substream_id, kSsidBits) ||
      !hex_field(c, ",\"iova\":", t.iova) || !c.lit(",\"access\":") || !c.string(access) ||
      !bool_field(c, ",\"priv\":", t.privileged) || !c.lit("}}") || !c.at_end())
    return false;
  for (AccessKind kind : {AccessKind::Read, AccessKind::Write, AccessKind::Execute})
    if (access == access_name(kind)) {
      t.access = kind;
      return true;
    }
  return false;
}

bool decode_outcome_text(std::string_view text, WireOutcome& w) {
  w = WireOutcome{};
  JsonCursor c(text);
  if (c.lit(R"({"status":"translated")")) {
    w.status = Status::Translated;
    uint64_t mair = 0, pbha = 0;
    if (!hex_field(c, ",\"oa\":", w.oa)) return false;
    // attrs may be left out by an implementation that cannot observe them (docs/formats.md §2.3).
    if (c.rest().starts_with(",\"attrs\":")) {
      if (!hex_field(c, ",\"attrs\":{\"mair\":", mair, 8) || !uint_field(c, ",\"sh\":", w.sh, 2) ||
          !c.lit("}"))
        return false;
      w.mair = static_cast<uint8_t>(mair);
      w.has_attrs = true;
    }
    if (c.lit(",\"pbha\":\"unknown\"")) {
      w.pbha_unknown = true;
    } else if (c.peek() == ',' && c.rest().starts_with(",\"pbha\":")) {
      if (!hex_field(c, ",\"pbha\":", pbha, 4)) return false;
      w.pbha = static_cast<uint8_t>(pbha);
    }
  } else if (c.lit(R"({"status":"terminated","termination":)")) {
    w.status = Status::Terminated;
    if (c.lit("\"abort\""))
      w.termination = Termination::Abort;
    else if (c.lit("\"raz_wi\""))
      w.termination = Termination::RazWi;
    else
      return false;
    if (c.lit(",\"event\":null")) {
      w.has_event = false;
    } else {
      if (!c.lit(",\"event\":") || !decode_event_text(c, w.event)) return false;
      w.has_event = true;
    }
  } else if (c.lit(R"({"status":"stalled","event":)")) {
    // SMMU.EVENT.STALL: the record is always there ("event":null fails here and takes the DOM path).
    w.status = Status::Stalled;
    if (!decode_event_text(c, w.event)) return false;
    w.has_event = true;
  } else {
    return false;  // unmodelled, other key orders, not an outcome: DOM path
  }
  if (!decode_updates_text(c, w)) return false;
  // Members named "level..." or "_..." are diagnostic (ignored by decode_outcome and compare,
  // docs/formats.md §2.3): any value, after the compared members.
  while (c.lit(",")) {
    std::string_view key, ignored;
    if (!c.string(key) || !(key.starts_with("level") || key.starts_with('_')) || !c.lit(":") ||
        !c.value(ignored))
      return false;
  }
  return c.lit("}") && c.at_end();
}

void append_request_text(std::string& out, const Transaction& t) {
  out += R"({"method":"translate","params":{"sid":)";
  append_uint(out, t.stream_id);
  out += ",\"ssv\":";
  append_bool(out, t.ssv);
  out += ",\"ssid\":";
  append_uint(out, t.substream_id);
  append_key_hex(out, ",\"iova\":", t.iova);
  out += ",\"access\":\"";
  out += access_name(t.access);
  out += "\",\"priv\":";
  append_bool(out, t.privileged);
  out += "}}";
}

bool append_outcome_text(std::string& out, const Outcome& o) {
  if (o.status == Status::Unmodelled || (o.event && o.event->s2)) return false;
  if (o.status == Status::Translated) {
    out += R"({"status":"translated")";
    append_key_hex(out, ",\"oa\":", o.output_address);
    append_attrs(out, o.attrs.mair_attr, o.attrs.sh);
    if (o.pbha_unknown)
      out += ",\"pbha\":\"unknown\"";
    else if (o.pbha != 0)
      append_key_hex(out, ",\"pbha\":", o.pbha);
  } else if (o.status == Status::Stalled) {
    if (!o.event) return false;
    out += R"({"status":"stalled")";
    append_event(out, *o.event);
  } else {
    out += o.termination == Termination::RazWi ? R"({"status":"terminated","termination":"raz_wi")"
                                               : R"({"status":"terminated","termination":"abort")";
    if (o.event)
      append_event(out, *o.event);
    else
      out += ",\"event\":null";
  }
  if (o.updates_unknown)
    out += ",\"updates\":\"unknown\"";
  else
    append_updates(out, o.updates.data(), std::min<size_t>(o.update_count, o.updates.size()));
  if (o.level >= 0) {
    out += ",\"level\":";
    append_uint(out, static_cast<uint64_t>(o.level));
  }
  out += '}';
  return true;
}

bool append_abi_outcome_text(std::string& out, const vipcts_smmu_outcome& abi) {
  if (abi.update_count > VIPCTS_SMMU_MAX_UPDATES) return false;  // the DOM path throws the error
  if (abi.status == VIPCTS_SMMU_TRANSLATED) {
    out += R"({"status":"translated")";
    append_key_hex(out, ",\"oa\":", abi.oa);
    append_attrs(out, abi.mair_attr, abi.sh);
    if (abi.pbha != 0) append_key_hex(out, ",\"pbha\":", abi.pbha);
  } else if (abi.status == VIPCTS_SMMU_TERMINATED || abi.status == VIPCTS_SMMU_STALLED) {
    const bool stalled = abi.status == VIPCTS_SMMU_STALLED;
    if (stalled && abi.has_event == 0) return false;
    if (!stalled && abi.termination != VIPCTS_SMMU_ABORT && abi.termination != VIPCTS_SMMU_RAZ_WI)
      return false;
    EventRecord r;
    if (abi.has_event != 0) {
      const vipcts_smmu_event& e = abi.event;
      // Unknown type or class codes (written as raw numbers) and stage-2 faults: DOM path.
      EventType type{};
      EventClass event_class{};
      if (!parse_event_type(event_type_name(static_cast<EventType>(e.type)), type) ||
          static_cast<uint8_t>(type) != e.type ||
          !parse_event_class(event_class_name(static_cast<EventClass>(e.event_class)), event_class) ||
          static_cast<uint8_t>(event_class) != e.event_class || e.s2 != 0)
        return false;
      r = event_fields_from_abi(e);
      r.type = type;
      r.event_class = event_class;
    }
    out += stalled                                 ? R"({"status":"stalled")"
           : abi.termination == VIPCTS_SMMU_RAZ_WI ? R"({"status":"terminated","termination":"raz_wi")"
                                                   : R"({"status":"terminated","termination":"abort")";
    if (abi.has_event != 0)
      append_event(out, r);
    else
      out += ",\"event\":null";
  } else {
    return false;
  }
  DescriptorUpdate updates[VIPCTS_SMMU_MAX_UPDATES];
  for (uint32_t i = 0; i < abi.update_count; ++i) updates[i] = {abi.updates[i].addr, abi.updates[i].value};
  append_updates(out, updates, abi.update_count);
  out += '}';
  return true;
}

StateWords state_words_from_text(std::string_view text) {
  StateWords s;
  if (decode_state_words_text(text, s)) return s;
  return decode_state_words(Json::parse(text));
}

Transaction request_from_text(std::string_view text) {
  Transaction t;
  if (decode_request_text(text, t)) return t;
  return decode_request(Json::parse(text));
}

WireOutcome outcome_from_text(std::string_view text, const Path& path) {
  WireOutcome w;
  if (decode_outcome_text(text, w)) return w;
  return decode_outcome(Json::parse(text), path);
}

std::string outcome_text(const Outcome& o) {
  std::string s;
  if (!append_outcome_text(s, o)) s = encode_outcome(o).dump();
  return s;
}

std::string abi_outcome_text(const vipcts_smmu_outcome& abi) {
  std::string s;
  if (!append_abi_outcome_text(s, abi)) s = outcome_from_abi(abi).dump();
  return s;
}

}  // namespace vipcts::smmu::codec
