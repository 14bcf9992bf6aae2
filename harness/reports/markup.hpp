// Escaping for the text formats (XML, HTML, Markdown) used by more than one writer.
#pragma once

#include <string>

namespace vipcts::reports {

// XML 1.0 character data or attribute value (attribute = true also escapes '"', '\'' and line breaks).
// Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF, CR; U+FFFE, U+FFFF) become
// "\u00XX" text, so nothing is dropped and the document stays well formed. Input is UTF-8 (it came
// through the JSON parser, which rejects ill-formed UTF-8).
std::string xml_escape(const std::string& s, bool attribute = false);

// C0 control characters other than tab and line breaks, and DEL, as "\u00XX": reports are text, and a raw
// control character from an implementation's message must not reach a terminal or a CI log.
std::string visible_controls(const std::string& s);

// Markdown: text for a table cell or paragraph (escapes the characters Markdown would interpret).
std::string md_text(const std::string& s);
// Markdown: an inline code span whose delimiter is longer than any backtick run inside s. In a table cell
// (table = true) a '|' is written "\|", which GFM turns back into '|' inside the span.
std::string md_code(const std::string& s, bool table = false);
// Markdown: a fenced block, with a fence longer than any backtick run inside s.
std::string md_fence(const std::string& s, const std::string& info);

}  // namespace vipcts::reports
