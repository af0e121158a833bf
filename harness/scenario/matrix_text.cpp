#include "scenario/matrix_text.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace nscheck::scenario {
namespace {

/// A word of a line, pointing into the matrix text (only row and column names are copied).
struct WordView {
  std::string_view text;
  Loc loc;
};

/// A line with at least one word, and where it starts in the file.
struct LineView {
  std::string_view text;
  Loc start;
};

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

/// ASCII case-insensitive comparison with an upper-case word ("OK", "ALL").
bool equals_upper(std::string_view w, std::string_view upper) {
  return std::equal(w.begin(), w.end(), upper.begin(), upper.end(), [](char a, char b) {
    return std::toupper(static_cast<unsigned char>(a)) == static_cast<unsigned char>(b);
  });
}

/// The table's lines that hold a word (blank lines dropped), with their file positions.
std::vector<LineView> word_lines(std::string_view text, TextOrigin origin) {
  std::vector<LineView> lines;
  Loc at = origin.first;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!std::all_of(line.begin(), line.end(), is_space)) lines.push_back({line, at});
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
    at = Loc{at.line + 1, origin.next_column};
  }
  return lines;
}

/// Splits one line into `out` (reused from line to line) with the words' file positions.
void split_line(const LineView& line, TextOrigin origin, std::vector<WordView>& out) {
  out.clear();
  const std::string_view t = line.text;
  std::size_t i = 0;
  while (i < t.size()) {
    while (i < t.size() && is_space(t[i])) ++i;
    const std::size_t b = i;
    while (i < t.size() && !is_space(t[i])) ++i;
    // escapes ("\n", "\t") shift words: every word is then placed at the string's start
    const Loc loc = origin.exact ? Loc{line.start.line, line.start.column + int(b)} : origin.first;
    if (i > b) out.push_back({t.substr(b, i - b), loc});
  }
}

MatrixWord word(const WordView& w) { return {std::string(w.text), w.loc}; }

void parse_row(const std::vector<WordView>& words, MatrixText& m, Diagnostics& diags) {
  const auto r = static_cast<std::uint32_t>(m.rows.size());
  m.rows.push_back(word(words[0]));
  const std::size_t cells = words.size() - 1;
  if (cells != m.columns.size()) {
    diags.add(words[0].loc, "matrix row \"" + m.rows.back().text + "\" has " + std::to_string(cells) +
                                " cells but the header has " + std::to_string(m.columns.size()) +
                                " columns; give one OK, NG or - per column");
    return;
  }
  for (std::uint32_t c = 0; c < cells; ++c) {
    const auto& w = words[c + 1];
    if (w.text == "-") {
      m.cells.push_back({r, c, std::nullopt, w.loc});
    } else if (auto v = parse_verdict(w.text)) {
      m.cells.push_back({r, c, v, w.loc});
    } else {
      diags.add(w.loc, "matrix cell \"" + std::string(w.text) + "\" is not OK, NG or - (row \"" + m.rows.back().text +
                           "\", column \"" + m.columns[c].text + "\")");
    }
  }
}

}  // namespace

std::optional<Verdict> parse_verdict(std::string_view word) {
  if (equals_upper(word, "OK")) return Verdict::ok;
  if (equals_upper(word, "NG")) return Verdict::ng;
  return std::nullopt;
}

MatrixText parse_matrix(std::string_view text, TextOrigin origin, Diagnostics& diags) {
  MatrixText m;
  const auto lines = word_lines(text, origin);
  if (lines.empty()) {
    diags.add(origin.first, "empty expect matrix; write a table, or \"all OK\" / \"all NG\"");
    return m;
  }
  std::vector<WordView> words;
  split_line(lines[0], origin, words);
  if (lines.size() == 1 && words.size() == 2 && equals_upper(words[0].text, "ALL")) {
    m.all = parse_verdict(words[1].text);
    if (!m.all) diags.add(words[1].loc, "\"all " + std::string(words[1].text) + "\": write \"all OK\" or \"all NG\"");
    return m;
  }
  if (lines.size() < 2) {
    diags.add(words[0].loc,
              "the expect matrix needs a header line of targets and one line per source node "
              "(or \"all OK\" / \"all NG\")");
    return m;
  }
  std::transform(words.begin(), words.end(), std::back_inserter(m.columns), word);
  m.rows.reserve(lines.size() - 1);
  // every row complete (a cell takes two characters at least: no more than the text can hold)
  m.cells.reserve(std::min(m.columns.size() * (lines.size() - 1), text.size() / 2));
  for (std::size_t i = 1; i < lines.size(); ++i) {
    split_line(lines[i], origin, words);
    parse_row(words, m, diags);
  }
  return m;
}

}  // namespace nscheck::scenario
