#include "markup.hpp"

#include <algorithm>
#include <cstdio>

namespace vipcts::reports {
namespace {

size_t longest_backtick_run(const std::string& s) {
  size_t best = 0, run = 0;
  for (char c : s) {
    run = (c == '`') ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}

std::string u_escape(unsigned code) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\u%04X", code);
  return buf;
}

}  // namespace

std::string xml_escape(const std::string& s, bool attribute) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += attribute ? "&quot;" : "\"";
        break;
      case '\'':
        out += attribute ? "&apos;" : "'";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      default:
        if (c < 0x20) {
          out += u_escape(c);
        } else if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
                   (static_cast<unsigned char>(s[i + 2]) == 0xBE ||
                    static_cast<unsigned char>(s[i + 2]) == 0xBF)) {
          out += u_escape(static_cast<unsigned char>(s[i + 2]) == 0xBE ? 0xFFFE : 0xFFFF);
          i += 2;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string visible_controls(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      out += u_escape(c);
    } else {
      out += ch;
    }
  }
  return out;
}

std::string md_text(const std::string& raw) {
  const std::string s = visible_controls(raw);
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '<':
      case '>':
      case '|':
      case '#':
      case '!':
      case '~':
      case '&':
      case '{':
      case '}':
      case '(':
      case ')':
      case '+':
        out += '\\';
        out += c;
        break;
      case '\n':
      case '\r':
        out += ' ';  // one table row or paragraph line per item
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string md_code(const std::string& raw, bool table) {
  const std::string s = visible_controls(raw);
  std::string one_line;
  for (char c : s) one_line += (c == '\n' || c == '\r') ? ' ' : c;
  // In a table cell a '|' ends the cell even inside a code span (GFM), so it keeps its backslash.
  std::string body;
  for (char c : one_line) {
    if (table && c == '|') body += '\\';
    body += c;
  }
  const std::string fence(longest_backtick_run(body) + 1, '`');
  // CommonMark strips one space on each side when both are present; add them when s touches a backtick.
  const bool pad = !body.empty() && (body.front() == '`' || body.back() == '`' || body.front() == ' ');
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string md_fence(const std::string& raw, const std::string& info) {
  const std::string s = visible_controls(raw);
  const std::string fence(std::max<size_t>(3, longest_backtick_run(s) + 1), '`');
  std::string out = fence + info + "\n" + s;
  if (!s.empty() && s.back() != '\n') out += "\n";
  return out + fence + "\n";
}

}  // namespace vipcts::reports
