#include "event_record.hpp"

#include <array>
#include <utility>

namespace vipcts::smmu {

namespace {
// Event numbers and names: Arm IHI 0070 G.b §7.3.
constexpr std::array<std::pair<EventType, std::string_view>, 9> kEventNames = {{
    {EventType::C_BAD_STREAMID, "C_BAD_STREAMID"},
    {EventType::C_BAD_STE, "C_BAD_STE"},
    {EventType::F_STREAM_DISABLED, "F_STREAM_DISABLED"},
    {EventType::C_BAD_SUBSTREAMID, "C_BAD_SUBSTREAMID"},
    {EventType::C_BAD_CD, "C_BAD_CD"},
    {EventType::F_TRANSLATION, "F_TRANSLATION"},
    {EventType::F_ADDR_SIZE, "F_ADDR_SIZE"},
    {EventType::F_ACCESS, "F_ACCESS"},
    {EventType::F_PERMISSION, "F_PERMISSION"},
}};
constexpr std::array<std::pair<EventClass, std::string_view>, 3> kClassNames = {{
    {EventClass::CD, "CD"},
    {EventClass::TT, "TT"},
    {EventClass::IN, "IN"},
}};
}  // namespace

std::string_view event_type_name(EventType t) {
  for (const auto& [type, name] : kEventNames)
    if (type == t) return name;
  return "UNKNOWN";
}

bool parse_event_type(std::string_view name, EventType& out) {
  for (const auto& [type, n] : kEventNames) {
    if (n == name) {
      out = type;
      return true;
    }
  }
  return false;
}

std::string_view event_class_name(EventClass c) {
  for (const auto& [cls, name] : kClassNames)
    if (cls == c) return name;
  return "UNKNOWN";
}

bool parse_event_class(std::string_view name, EventClass& out) {
  for (const auto& [cls, n] : kClassNames) {
    if (n == name) {
      out = cls;
      return true;
    }
  }
  return false;
}

}  // namespace vipcts::smmu
