#pragma once
// The expectation matrix written as a table inside the scenario:
//
//           ns1  router  ns2        <- header: one target per column
//   ns1     OK   OK      NG         <- one row per source node
//   router  OK   OK      OK
//   ns2     NG   OK      OK
//
// Cells are OK, NG, or "-" (no expectation: not probed). "all OK" / "all NG" stand for a full
// matrix of every node against every node.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/diagnostics.hpp"
#include "scenario/model.hpp"

namespace nscheck::scenario {

/// A word of the table with its position in the file.
struct MatrixWord {
  std::string text;
  Loc loc;
};

/// One cell: row and column indexes, and the verdict (nullopt for "-").
struct MatrixCell {
  std::uint32_t row = 0;
  std::uint32_t column = 0;
  std::optional<Verdict> verdict;
  Loc loc;
};

/// A parsed table (or the "all" shorthand).
struct MatrixText {
  std::optional<Verdict> all;  ///< set for "all OK" / "all NG"
  std::vector<MatrixWord> columns;
  std::vector<MatrixWord> rows;
  std::vector<MatrixCell> cells;
};

/// Where the string's first character sits in the file, and how its lines continue.
struct TextOrigin {
  Loc first;            ///< position of the first content character
  int next_column = 1;  ///< column where continuation lines start (1 for multi-line strings)
  bool exact = true;    ///< false: escapes ("\n", "\t") shift words, so every word is placed at `first`
};

/// Parses the table; problems go to diags with their positions.
MatrixText parse_matrix(std::string_view text, TextOrigin origin, Diagnostics& diags);

/// Parses "OK"/"NG" (any case); nullopt otherwise.
std::optional<Verdict> parse_verdict(std::string_view word);

}  // namespace nscheck::scenario
