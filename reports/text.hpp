#pragma once
// Text hygiene shared by the writers: every string that reaches a report comes from a
// scenario file, a kernel message or a probe, so it is cleaned before it is shown.

#include <optional>
#include <string>
#include <string_view>

#include "reports/output.hpp"
#include "reports/report.hpp"

namespace nscheck::report {

/// Valid UTF-8 without control characters (except \t and \n) or ANSI escape sequences;
/// each byte that is not part of valid UTF-8 becomes '?'.
std::string sanitize(std::string_view text);

/// Whether sanitized() keeps line breaks and tabs or folds them into single spaces.
enum class Lines { keep, join };

/// Folds runs of \n and \t into one space and trims spaces at both ends (for one-line fields).
std::string one_line(std::string_view text);

/// A copy of the run with every string sanitized (and with Lines::join, one_line()),
/// so writers only have to escape.
Run sanitized(const Run& run, Lines lines = Lines::keep);

/// The run itself when every string of it is printable ASCII already (sanitizing would change
/// nothing), else a sanitized copy kept in `storage`: a report of 100,000 cells is not copied
/// for nothing.
const Run& sanitized_view(const Run& run, Lines lines, std::optional<Run>& storage);

/// Escapes text for an XML element body (& <, and > after "]]"). Expects sanitized text.
std::string xml_text(std::string_view text);
/// Appends xml_text(text) to out, without a temporary string.
void append_xml_text(Output& out, std::string_view text);

/// Escapes text for an XML attribute (& < " '), keeping \n and \t as character references.
std::string xml_attr(std::string_view text);
/// Appends xml_attr(text) to out, without a temporary string.
void append_xml_attr(Output& out, std::string_view text);

/// Escapes text for a JSON string body (without the quotes). Expects sanitized text.
std::string json_string(std::string_view text);
/// Appends json_string(text) to out, without a temporary string.
void append_json_string(Output& out, std::string_view text);

/// Terminal columns taken by sanitized UTF-8 text (one per code point).
std::size_t display_width(std::string_view text);

/// Pads text with spaces on the right to `width` terminal columns.
std::string pad_right(std::string_view text, std::size_t width);

/// A time in seconds as "1.234" (three decimals; negative or NaN becomes 0).
std::string seconds(double s);

}  // namespace nscheck::report
