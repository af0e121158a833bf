#include "reports/text.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstdint>

namespace nscheck::report {
namespace {

constexpr unsigned char k_esc = 0x1B;
constexpr unsigned char k_bel = 0x07;

bool in_range(unsigned char c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; }

// Returns the index just past an escape sequence that starts with ESC at `i`:
// CSI (ESC [ params final), OSC (ESC ] ... BEL or ESC \), else the lone ESC.
std::size_t skip_escape(std::string_view s, std::size_t i) {
  const std::size_t n = s.size();
  if (i + 1 < n && s[i + 1] == '[') {
    std::size_t j = i + 2;
    while (j < n && in_range(static_cast<unsigned char>(s[j]), 0x20, 0x3F)) ++j;
    if (j < n && in_range(static_cast<unsigned char>(s[j]), 0x40, 0x7E)) ++j;
    return j;
  }
  if (i + 1 < n && s[i + 1] == ']') {
    for (std::size_t j = i + 2; j < n; ++j) {
      if (static_cast<unsigned char>(s[j]) == k_bel) return j + 1;
      if (static_cast<unsigned char>(s[j]) == k_esc && j + 1 < n && s[j + 1] == '\\') return j + 2;
    }
    return i + 2;  // unterminated: drop only the introducer
  }
  return i + 1;
}

// Decodes one UTF-8 sequence at `i`; returns its length, or 0 when it is invalid
// (bad lead or continuation byte, overlong form, surrogate, beyond U+10FFFF).
std::size_t decode_utf8(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto c0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  if (in_range(c0, 0xC2, 0xDF)) {
    len = 2, cp = c0 & 0x1Fu;
  } else if (in_range(c0, 0xE0, 0xEF)) {
    len = 3, cp = c0 & 0x0Fu;
  } else if (in_range(c0, 0xF0, 0xF4)) {
    len = 4, cp = c0 & 0x07u;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if (!in_range(c, 0x80, 0xBF)) return 0;
    cp = (cp << 6) | (c & 0x3Fu);
  }
  if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
  if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
  return len;
}

bool keep_ascii(unsigned char c) { return c == '\t' || c == '\n' || (c >= 0x20 && c != 0x7F); }

// C1 controls (U+0080..U+009F) are terminal controls too; U+FFFE/U+FFFF are not XML characters.
bool keep_code_point(std::uint32_t cp) { return !(cp >= 0x80 && cp <= 0x9F) && cp != 0xFFFE && cp != 0xFFFF; }

using Clean = std::string (*)(std::string_view);

/// Every text of a cell, const or not (its verdicts are nscheck's own words: never unclean).
template <class C>
auto cell_texts(C& c) {
  return std::array{&c.source, &c.source_bind, &c.target, &c.column,    &c.address,
                    &c.probe,  &c.reason,      &c.detail, &c.seen_from, &c.answered_by};
}

/// Cleans the texts of a cell, keeping equal texts shared.
void clean_cell(Cell& c, Clean clean, TextPool& pool) {
  for (SharedText* f : cell_texts(c)) *f = pool(clean(*f));
}

void clean_stage(Stage& st, Clean clean) {
  st.name = clean(st.name);
  st.error = clean(st.error);
  for (auto& m : st.matrices) {
    m.probe = clean(m.probe);
    for (auto& r : m.rows) r = clean(r);
    for (auto& c : m.columns) c = clean(c);
  }
  TextPool pool;
  for (auto& c : st.cells) clean_cell(c, clean, pool);
}

std::string sanitize_one_line(std::string_view text) { return one_line(sanitize(text)); }

}  // namespace

std::string sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == k_esc) {
      i = skip_escape(text, i);
    } else if (c < 0x80) {
      if (keep_ascii(c)) out += static_cast<char>(c);
      ++i;
    } else {
      std::uint32_t cp = 0;
      const std::size_t len = decode_utf8(text, i, cp);
      if (len == 0) {
        out += '?';
        ++i;
        continue;
      }
      if (keep_code_point(cp)) out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const bool space = c == '\n' || c == '\t' || c == ' ';
    if (!space) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

namespace {

/// Whether sanitizing would leave s as it is: printable ASCII, and for one line no leading,
/// trailing or double space (one_line folds those).
bool unchanged(std::string_view s, bool join) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
  if (!join || s.empty()) return true;
  return s.front() != ' ' && s.back() != ' ' && s.find("  ") == std::string_view::npos;
}

bool all_printable(const Run& run, bool join) {
  auto printable = [join](std::string_view s) { return unchanged(s, join); };
  for (const std::string* f : {&run.scenario_path, &run.scenario_name, &run.timestamp, &run.hostname, &run.error})
    if (!printable(*f)) return false;
  for (const auto& st : run.stages) {
    if (!printable(st.name) || !printable(st.error)) return false;
    for (const auto& m : st.matrices) {
      if (!printable(m.probe)) return false;
      for (const auto* list : {&m.rows, &m.columns})
        for (const auto& x : *list)
          if (!printable(x)) return false;
    }
    for (const auto& c : st.cells)
      for (const SharedText* f : cell_texts(c))
        if (!printable(*f)) return false;
  }
  return true;
}

}  // namespace

const Run& sanitized_view(const Run& run, Lines lines, std::optional<Run>& storage) {
  if (all_printable(run, lines == Lines::join)) return run;
  storage = sanitized(run, lines);
  return *storage;
}

Run sanitized(const Run& run, Lines lines) {
  const Clean clean = lines == Lines::join ? sanitize_one_line : sanitize;
  Run out = run;
  for (std::string* f : {&out.scenario_path, &out.scenario_name, &out.timestamp, &out.hostname, &out.error}) {
    *f = clean(*f);
  }
  for (auto& st : out.stages) clean_stage(st, clean);
  return out;
}

namespace {

/// Appends text, each character for which `escape` gives a replacement replaced by it; the runs of
/// characters in between are appended whole.
template <class Escape>
void append_escaped(Output& out, std::string_view text, Escape escape) {
  std::size_t plain = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::string_view replacement = escape(text, i);
    if (replacement.empty()) continue;
    out += text.substr(plain, i - plain);
    out += replacement;
    plain = i + 1;
  }
  out += text.substr(plain);
}

/// "\u0000" .. "\u001f": JSON's spelling of the control characters without a short escape.
constexpr auto k_json_controls = [] {
  constexpr std::string_view hex = "0123456789abcdef";
  std::array<std::array<char, 6>, 0x20> table{};
  for (std::size_t c = 0; c < table.size(); ++c) table[c] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
  return table;
}();

std::string_view json_escape(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\t': return "\\t";
    default: return c < 0x20 ? std::string_view(k_json_controls[c].data(), 6) : std::string_view();
  }
}

std::string_view xml_text_escape(std::string_view text, std::size_t i) {
  switch (text[i]) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return i >= 2 && text[i - 1] == ']' && text[i - 2] == ']' ? "&gt;" : "";  // "]]>" ends CDATA
    default: return "";
  }
}

// '>' needs no escape inside a quoted attribute.
std::string_view xml_attr_escape(std::string_view text, std::size_t i) {
  switch (text[i]) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '"': return "&quot;";
    case '\'': return "&apos;";
    // a parser normalises raw newlines and tabs in attributes to spaces
    case '\n': return "&#10;";
    case '\t': return "&#9;";
    default: return "";
  }
}

template <class Append>
std::string escaped(std::string_view text, Append append) {
  Output out;
  append(out, text);
  return out.take();
}

}  // namespace

void append_xml_text(Output& out, std::string_view text) { append_escaped(out, text, xml_text_escape); }

void append_xml_attr(Output& out, std::string_view text) { append_escaped(out, text, xml_attr_escape); }

void append_json_string(Output& out, std::string_view text) { append_escaped(out, text, json_escape); }

std::string xml_text(std::string_view text) { return escaped(text, append_xml_text); }

std::string xml_attr(std::string_view text) { return escaped(text, append_xml_attr); }

std::string json_string(std::string_view text) { return escaped(text, append_json_string); }

std::size_t display_width(std::string_view text) {
  std::size_t w = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++w;
  }
  return w;
}

std::string pad_right(std::string_view text, std::size_t width) {
  std::string out(text);
  const std::size_t w = display_width(text);
  if (w < width) out.append(width - w, ' ');
  return out;
}

std::string seconds(double s) {
  if (!(s > 0) || !std::isfinite(s)) s = 0;
  return fmt::format("{:.3f}", s);
}

}  // namespace nscheck::report
