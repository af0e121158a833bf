#pragma once
// Flips: cells whose OK/NG changed from one stage to the next on the same topology.

#include <string>
#include <string_view>

#include "reports/report.hpp"

namespace nscheck::report {

/// Sets `previous` and `flip` on every cell of `current` from the cell of `previous` with the same
/// (probe, source, source_bind, target, address). A cell flips when both stages observed OK or NG
/// and the two differ; the flip is expected when both cells observed what they expected (a
/// seen_from/answered_by failure still flips as expected: its reachability was as written).
/// Linear in the number of cells; a cell listed twice in `previous` matches its first OK/NG copy.
void mark_flips(const Stage& previous, Stage& current);

/// How many cells of a stage flipped, by kind.
struct FlipCounts {
  int expected = 0;
  int unexpected = 0;
};

/// Counts the flips marked on the cells of `stage`.
FlipCounts count_flips(const Stage& stage);

/// "", "expected" or "unexpected".
std::string_view flip_name(Flip flip);

/// "NG → OK": what a flipped cell observed in the previous stage and in this one.
std::string flip_change(const Cell& cell);

}  // namespace nscheck::report
