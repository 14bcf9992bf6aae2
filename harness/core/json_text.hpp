// Compact JSON text on the hot path (docs/formats.md §1.1 "Fast path").
//
// Vector lines, exec requests and responses are compact JSON that vipcts itself writes. Building an
// nlohmann DOM for every one of them cost most of the CPU time of a run, so the hot path reads them with the
// small scanner below and keeps values as their text (JsonValue). The scanner accepts only the *canonical*
// subset of JSON that nlohmann's dump() writes: no whitespace, ASCII strings without escapes, integers only
// (no fractions, exponents, leading zeros or -0), no duplicate keys. For every text it accepts,
// Json::parse(text).dump() == text, so keeping the text is exactly equivalent to keeping the DOM. Anything
// else — other valid JSON and every error — makes the caller fall back to the strict nlohmann path, which
// accepts what it always accepted and gives the located error messages.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "json.hpp"

namespace vipcts {

// A cursor over compact JSON text. Every read either consumes what it matched and returns true, or returns
// false (then the position is unspecified: the caller falls back to the DOM path).
class JsonCursor {
 public:
  explicit JsonCursor(std::string_view text) : s_(text) {}

  size_t pos() const { return i_; }
  bool at_end() const { return i_ == s_.size(); }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  std::string_view rest() const { return s_.substr(i_); }
  void skip(size_t n) { i_ += n; }  // past text the caller has matched itself

  // Consumes `text` if it comes next.
  bool lit(std::string_view text) {
    if (s_.size() - i_ < text.size() || std::memcmp(s_.data() + i_, text.data(), text.size()) != 0)
      return false;
    i_ += text.size();
    return true;
  }
  // The same for a literal: the comparison of a known length compiles to a few loads.
  template <size_t N>
  bool lit(const char (&text)[N]) {
    constexpr size_t n = N - 1;
    if (s_.size() - i_ < n || std::memcmp(s_.data() + i_, text, n) != 0) return false;
    i_ += n;
    return true;
  }
  // A string in the canonical subset; `out` views the characters between the quotes.
  bool string(std::string_view& out);
  // A non-negative integer that fits 64 bits.
  bool u64(uint64_t& out);
  bool boolean(bool& out);
  // A string "0x..." (hex digits of either case, leading zeros allowed, as the strict decoders accept) whose
  // value fits `bits` bits.
  bool hex(uint64_t& out, unsigned bits = 64);
  // Any value in the canonical subset (checked in full, duplicate keys included); `out` views its text.
  bool value(std::string_view& out);

 private:
  bool skip_value(unsigned depth);
  bool skip_number();

  std::string_view s_;
  size_t i_ = 0;
};

// Whether `text` is one value in the canonical subset, nothing before or after it.
bool is_canonical_json(std::string_view text);

// A JSON value held as its compact text, its DOM built only when someone asks for it (and the text only when
// someone asks for that). Values read from a JSON Lines file keep the text as read (canonical: see above);
// values made in C++ (generators, YAML) start as a DOM.
class JsonValue {
 public:
  JsonValue() = default;
  JsonValue(std::nullptr_t) {}
  JsonValue(Json dom) : dom_(std::move(dom)), has_dom_(true) {}  // NOLINT: a DOM is a value
  JsonValue& operator=(Json dom) {
    dom_ = std::move(dom);
    has_dom_ = true;
    has_text_ = false;
    return *this;
  }
  // `text` must be canonical (is_canonical_json); the buffer of a previous text is reused.
  void assign_text(std::string_view text) {
    text_.assign(text);
    has_text_ = true;
    has_dom_ = false;
  }
  static JsonValue from_text(std::string_view text) {
    JsonValue v;
    v.assign_text(text);
    return v;
  }

  const Json& json() const {
    if (!has_dom_) {
      dom_ = has_text_ ? Json::parse(text_) : Json();
      has_dom_ = true;
    }
    return dom_;
  }
  operator const Json&() const { return json(); }  // NOLINT: most code only reads the DOM
  std::string_view text() const {
    if (!has_text_) {
      text_ = json().dump();
      has_text_ = true;
    }
    return text_;
  }
  bool is_null() const { return has_text_ ? text_ == "null" : dom_.is_null(); }

 private:
  // Not thread-safe on first use: a value belongs to one scenario, used by one thread at a time.
  mutable Json dom_;
  mutable std::string text_;
  mutable bool has_dom_ = true;  // a default JsonValue is null
  mutable bool has_text_ = false;
};

// How many bytes from the start of `s` are printable ASCII other than '"' and '\\' (written as-is in a JSON
// string): the scanner's inner loop, 16 bytes at a time.
size_t plain_run(std::string_view s);

// Appends `s` as a JSON string (quotes and escapes as nlohmann's dump() writes them).
void append_json_string(std::string& out, std::string_view s);

}  // namespace vipcts
