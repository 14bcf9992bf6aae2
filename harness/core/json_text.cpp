#include "json_text.hpp"

#include "scenario.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vipcts {
namespace {

// Deeper values are legal JSON but never written by vipcts: left to the DOM path.
constexpr unsigned kMaxDepth = 32;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Printable ASCII other than '"' and '\\': written as-is by dump().
bool plain_char(char c) {
  return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

}  // namespace

size_t plain_run(std::string_view s) {
  size_t i = 0;
#if defined(__SSE2__)
  // Signed bytes below 0x20 are the control characters and every non-ASCII byte.
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20),
                del = _mm_set1_epi8(0x7f);
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                      _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)));
    if (const int mask = _mm_movemask_epi8(stop); mask != 0)
      return i + static_cast<size_t>(__builtin_ctz(mask));
  }
#endif
  while (i < s.size() && plain_char(s[i])) ++i;
  return i;
}

bool JsonCursor::string(std::string_view& out) {
  if (peek() != '"') return false;
  const size_t start = ++i_;
  i_ += plain_run(s_.substr(i_));
  if (i_ == s_.size() || s_[i_] != '"') return false;  // end, escape, control or non-ASCII byte
  out = s_.substr(start, i_ - start);
  ++i_;
  return true;
}

bool JsonCursor::u64(uint64_t& out) {
  if (!is_digit(peek())) return false;
  if (s_[i_] == '0') {
    ++i_;
    out = 0;
    return !is_digit(peek()) && peek() != '.' && peek() != 'e' && peek() != 'E';
  }
  uint64_t v = 0;
  while (is_digit(peek())) {
    const uint64_t d = static_cast<uint64_t>(s_[i_] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;  // nlohmann makes it a float
    v = v * 10 + d;
    ++i_;
  }
  if (peek() == '.' || peek() == 'e' || peek() == 'E') return false;
  out = v;
  return true;
}

bool JsonCursor::boolean(bool& out) {
  if (lit("true")) {
    out = true;
    return true;
  }
  if (lit("false")) {
    out = false;
    return true;
  }
  return false;
}

bool JsonCursor::hex(uint64_t& out, unsigned bits) {
  std::string_view s;
  if (!string(s) || s.size() < 3 || s[0] != '0' || s[1] != 'x') return false;
  uint64_t v = 0;
  for (size_t k = 2; k < s.size(); ++k) {
    const int d = hex_value(s[k]);
    if (d < 0 || (v >> 60) != 0) return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  if (bits < 64 && (v >> bits) != 0) return false;
  out = v;
  return true;
}

bool JsonCursor::skip_number() {
  // Integers only: -?(0|[1-9][0-9]*) within int64/uint64, not -0 (nlohmann would dump it as 0).
  const bool negative = lit("-");
  uint64_t v = 0;
  if (!u64(v)) return false;
  if (negative && (v == 0 || v > uint64_t{1} << 63)) return false;
  return true;
}

bool JsonCursor::skip_value(unsigned depth) {
  if (depth > kMaxDepth) return false;
  switch (peek()) {
    case '"': {
      std::string_view ignored;
      return string(ignored);
    }
    case 't':
      return lit("true");
    case 'f':
      return lit("false");
    case 'n':
      return lit("null");
    case '[':
      ++i_;
      if (lit("]")) return true;
      do {
        if (!skip_value(depth + 1)) return false;
      } while (lit(","));
      return lit("]");
    case '{': {
      ++i_;
      if (lit("}")) return true;
      // Keys seen in this object, for the duplicate check (objects written by vipcts have a few keys).
      constexpr size_t kMaxKeys = 32;
      std::string_view keys[kMaxKeys];
      size_t n = 0;
      do {
        std::string_view key;
        if (!string(key) || !lit(":") || n == kMaxKeys) return false;
        for (size_t k = 0; k < n; ++k)
          if (keys[k] == key) return false;
        keys[n++] = key;
        if (!skip_value(depth + 1)) return false;
      } while (lit(","));
      return lit("}");
    }
    default:
      return skip_number();
  }
}

bool JsonCursor::value(std::string_view& out) {
  const size_t start = i_;
  if (!skip_value(0)) return false;
  out = s_.substr(start, i_ - start);
  return true;
}

bool is_canonical_json(std::string_view text) {
  JsonCursor c(text);
  std::string_view v;
  return c.value(v) && c.at_end();
}

void append_json_string(std::string& out, std::string_view s) {
  if (plain_run(s) != s.size()) {
    out += Json(std::string(s)).dump();
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

ClauseList::ClauseList(std::vector<std::string> ids) {
  if (ids.empty()) return;
  auto d = std::make_shared<Data>();
  d->json.push_back('[');  // not = "[": GCC 12 warns falsely (-Wrestrict) on that assignment
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i != 0) d->json += ',';
    append_json_string(d->json, ids[i]);
  }
  d->json += ']';
  d->ids = std::move(ids);
  data_ = std::move(d);
}

const std::vector<std::string>& ClauseList::empty_ids() {
  static const std::vector<std::string> none;
  return none;
}

}  // namespace vipcts
