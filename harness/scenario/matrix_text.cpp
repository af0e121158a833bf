#include "scenario/matrix_text.hpp"

#include <algorithm>
#include <cctype>

namespace nscheck::scenario {
namespace {

std::string upper(std::string_view w) {
  std::string s(w);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

/// Splits one line into words with their file positions.
std::vector<MatrixWord> split_line(std::string_view line, Loc start) {
  std::vector<MatrixWord> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    const std::size_t b = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > b) out.push_back({std::string(line.substr(b, i - b)), Loc{start.line, start.column + int(b)}});
  }
  return out;
}

/// The table's lines as words, blank lines dropped.
std::vector<std::vector<MatrixWord>> split_lines(std::string_view text, TextOrigin origin) {
  std::vector<std::vector<MatrixWord>> lines;
  Loc at = origin.first;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    auto w = split_line(line, at);
    if (!origin.exact)
      for (auto& word : w) word.loc = origin.first;
    if (!w.empty()) lines.push_back(std::move(w));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
    at = Loc{at.line + 1, origin.next_column};
  }
  return lines;
}

void parse_row(const std::vector<MatrixWord>& words, MatrixText& m, Diagnostics& diags) {
  const std::size_t r = m.rows.size();
  m.rows.push_back(words[0]);
  const std::size_t cells = words.size() - 1;
  if (cells != m.columns.size()) {
    diags.add(words[0].loc, "matrix row \"" + words[0].text + "\" has " + std::to_string(cells) +
                                " cells but the header has " + std::to_string(m.columns.size()) +
                                " columns; give one OK, NG or - per column");
    return;
  }
  for (std::size_t c = 0; c < cells; ++c) {
    const auto& w = words[c + 1];
    if (w.text == "-") {
      m.cells.push_back({r, c, std::nullopt, w.loc});
    } else if (auto v = parse_verdict(w.text)) {
      m.cells.push_back({r, c, v, w.loc});
    } else {
      diags.add(w.loc, "matrix cell \"" + w.text + "\" is not OK, NG or - (row \"" + words[0].text +
                           "\", column \"" + m.columns[c].text + "\")");
    }
  }
}

}  // namespace

std::optional<Verdict> parse_verdict(std::string_view word) {
  const auto u = upper(word);
  if (u == "OK") return Verdict::ok;
  if (u == "NG") return Verdict::ng;
  return std::nullopt;
}

MatrixText parse_matrix(std::string_view text, TextOrigin origin, Diagnostics& diags) {
  MatrixText m;
  auto lines = split_lines(text, origin);
  if (lines.empty()) {
    diags.add(origin.first, "empty expect matrix; write a table, or \"all OK\" / \"all NG\"");
    return m;
  }
  if (lines.size() == 1 && lines[0].size() == 2 && upper(lines[0][0].text) == "ALL") {
    m.all = parse_verdict(lines[0][1].text);
    if (!m.all) diags.add(lines[0][1].loc, "\"all " + lines[0][1].text + "\": write \"all OK\" or \"all NG\"");
    return m;
  }
  if (lines.size() < 2) {
    diags.add(lines[0][0].loc,
              "the expect matrix needs a header line of targets and one line per source node "
              "(or \"all OK\" / \"all NG\")");
    return m;
  }
  m.columns = lines[0];
  for (std::size_t i = 1; i < lines.size(); ++i) parse_row(lines[i], m, diags);
  return m;
}

}  // namespace nscheck::scenario
