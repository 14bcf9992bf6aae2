// SMMUv3 event records (Arm IHI 0070 G.b §7.3): the fields vipcts compares.
#pragma once

#include <cstdint>
#include <string_view>

namespace vipcts::smmu {

enum class EventType : uint8_t {
  C_BAD_STREAMID = 0x02,
  C_BAD_STE = 0x04,
  F_STREAM_DISABLED = 0x06,
  C_BAD_SUBSTREAMID = 0x08,
  C_BAD_CD = 0x0A,
  F_TRANSLATION = 0x10,
  F_ADDR_SIZE = 0x11,
  F_ACCESS = 0x12,
  F_PERMISSION = 0x13,
};

// CLASS of a translation-related fault: what the SMMU was doing when stage 2 faulted. Stage-1 faults are IN.
enum class EventClass : uint8_t { CD = 0, TT = 1, IN = 2 };

struct EventRecord {
  EventType type = EventType::F_TRANSLATION;
  uint32_t stream_id = 0;
  bool ssv = false;
  uint32_t substream_id = 0;
  uint64_t input_addr = 0;  // as presented; TBI does not strip it
  bool rnw = true;          // 1 = read (instruction fetches are reads)
  bool ind = false;         // instruction fetch
  bool pnu = false;         // privileged
  bool s2 = false;          // fault at stage 2
  EventClass event_class = EventClass::IN;
  // IPA[55:12] of a stage-2 fault (S2 = 1): the CD address (CLASS = CD), the stage-1 descriptor address
  // (CLASS = TT) or the input's IPA (CLASS = IN); bits [11:0] are not recorded. UNKNOWN for stage-1 faults
  // (§7.3.13-§7.3.16), so only compared when S2 = 1 (event_ipa_valid).
  uint64_t ipa = 0;
  // Stall (bit 95): 1 when the faulting transaction was stalled (CD.S or STE.S2S, §3.12.2, §5.5). A stalled
  // record also carries STAG [79:64], an IMPLEMENTATION SPECIFIC tag that CMD_RESUME quotes back (§3.12.2):
  // the model does not predict it, so it is no member here and never compared.
  bool stall = false;
  bool operator==(const EventRecord&) const = default;
};

std::string_view event_type_name(EventType t);
// Returns false if name is not one of the types above.
bool parse_event_type(std::string_view name, EventType& out);
std::string_view event_class_name(EventClass c);
bool parse_event_class(std::string_view name, EventClass& out);

// The fields an event record of a type defines (IHI 0070 §7.3.3-§7.3.16). The configuration errors carry
// StreamID, SSV and SubstreamID only (C_BAD_SUBSTREAMID has no SSV: its SubstreamID is always valid, §7.3.9;
// F_STREAM_DISABLED carries the StreamID alone, §7.3.7);
// the translation-related faults carry the access attributes, InputAddr, S2 and CLASS as well. Everything
// else in a record is RES0 or UNKNOWN, so it is neither produced nor compared.
enum EventField : unsigned {
  kFieldSid = 1u << 0,
  kFieldSsv = 1u << 1,
  kFieldSsid = 1u << 2,
  kFieldInputAddr = 1u << 3,
  kFieldRnw = 1u << 4,
  kFieldInd = 1u << 5,
  kFieldPnu = 1u << 6,
  kFieldS2 = 1u << 7,
  kFieldClass = 1u << 8,
  kFieldIpa = 1u << 9,  // only when S2 = 1: event_ipa_valid
};

constexpr unsigned event_fields(EventType t) {
  switch (t) {
    case EventType::C_BAD_STREAMID:
    case EventType::C_BAD_STE:
    case EventType::C_BAD_CD:
      return kFieldSid | kFieldSsv | kFieldSsid;
    case EventType::C_BAD_SUBSTREAMID:
      return kFieldSid | kFieldSsid;
    case EventType::F_STREAM_DISABLED:
      return kFieldSid;  // StreamID only: bits [31:8] of the record are RES0 (§7.3.7)
    case EventType::F_TRANSLATION:
    case EventType::F_ADDR_SIZE:
    case EventType::F_ACCESS:
    case EventType::F_PERMISSION:
      break;
  }
  return kFieldSid | kFieldSsv | kFieldSsid | kFieldInputAddr | kFieldRnw | kFieldInd | kFieldPnu | kFieldS2 |
         kFieldClass | kFieldIpa;
}

// The IPA field of the record: IPA[55:12] (§7.3.13). Meaningful only for a stage-2 fault.
constexpr uint64_t event_ipa_bits(uint64_t ipa) {
  return ipa & 0x00ff'ffff'ffff'f000ull;
}
constexpr bool event_ipa_valid(const EventRecord& e) {
  return (event_fields(e.type) & kFieldIpa) != 0 && e.s2;
}

// Whether the record's SubstreamID is meaningful: only with SSV = 1 (§7.3: "SubstreamID field is UNKNOWN"
// when SSV = 0), or in C_BAD_SUBSTREAMID, which always carries it.
constexpr bool event_substream_valid(const EventRecord& e) {
  return (event_fields(e.type) & kFieldSsv) == 0 || e.ssv;
}

// Whether an event of this type is a translation-related fault, which CD.R may suppress (IHI 0070 §5.5).
constexpr bool is_translation_fault(EventType t) {
  return t == EventType::F_TRANSLATION || t == EventType::F_ADDR_SIZE || t == EventType::F_ACCESS ||
         t == EventType::F_PERMISSION;
}

}  // namespace vipcts::smmu
