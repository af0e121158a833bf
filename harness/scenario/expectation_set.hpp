#pragma once
// Internal to the loader: a stage's expectations as they are added, each cell once (its
// duplicates refused), within the scenario's k_max_cells, laid out by probe kind for reports,
// and checked against the nodes where its names are written.

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scenario/cell_keys.hpp"
#include "scenario/diagnostics.hpp"
#include "scenario/model.hpp"
#include "scenario/validate.hpp"

namespace nscheck::scenario {

/// cells_left once k_max_cells is exceeded and said so: later stages add nothing and say nothing.
inline constexpr std::size_t k_cells_exhausted = static_cast<std::size_t>(-1);

/// Adds expectations, refusing a second one for the same (source, target, binding, probe).
class ExpectationSet {
 public:
  /// cells_left: how many more cells the scenario may have, decreased by each added.
  /// checks: the problems of the expectations' names (validate's, reported after its others).
  ExpectationSet(const Scenario& s, Stage& st, std::size_t& cells_left, Diagnostics& diags, Diagnostics& checks)
      : s_(s), st_(st), cells_left_(cells_left), diags_(diags), checks_(checks) {}

  /// Room for n more expectations (no more than the scenario may still have), so that a large
  /// stage is allocated once, at its size.
  void reserve(std::size_t n);
  /// The new expectation of the cell written at loc, for the caller to fill and check; nullptr
  /// when the cell is taken (reported) or the scenario has k_max_cells already (reported once).
  Expectation* add(const CellKey& key, std::string_view from, std::string_view to, Loc loc);
  /// Adds and checks a whole expectation ([[stages.check]]).
  void add(Expectation e, const ExpectationLocs& at);
  /// True once the scenario has more cells than k_max_cells (reported once).
  [[nodiscard]] bool full() const { return cells_left_ == k_cells_exhausted; }
  /// How many more cells the scenario may have.
  [[nodiscard]] std::size_t room() const { return full() ? 0 : cells_left_; }
  /// True when the cell is taken.
  [[nodiscard]] bool has(const CellKey& key) const { return cells_.find(key).has_value(); }
  /// Records a cell written "-" in a matrix: not probed, and not left to a default either.
  void decline(const CellKey& key) {
    if (!declined_.find(key)) declined_.add(key);
  }
  /// True when the cell is taken or written "-": a default leaves it alone.
  [[nodiscard]] bool mentioned(const CellKey& key) const { return has(key) || declined_.find(key).has_value(); }
  /// The ids of the stage's names, for CellKey.
  NameIds& names() { return names_; }
  [[nodiscard]] const Scenario& scenario() const { return s_; }
  Diagnostics& checks() { return checks_; }

 private:
  void already_expected(const CellKey& key, std::string_view from, std::string_view to, Loc loc, Loc first);
  void layout(const CellKey& key, std::string_view row, std::string_view column);

  const Scenario& s_;
  Stage& st_;
  std::size_t& cells_left_;
  Diagnostics& diags_;
  Diagnostics& checks_;
  NameIds names_;
  CellIndex cells_;
  CellIndex declined_;  // cells written "-"
  std::unordered_map<std::uint32_t, std::uint32_t> layout_of_;  // probe_code -> index in st_.matrices
  std::uint32_t last_probe_ = 0;  // of the cell added last (most cells follow one of their probe kind)
  std::uint32_t last_layout_ = static_cast<std::uint32_t>(-1);
  /// The rows and columns of the matrices: {matrix, name id, 0 for a row or 1 for a column, 0}
  /// (a stage may have thousands of matrices and of names: a table per matrix could not be dense).
  CellIndex layout_names_;
};

/// Checks the names of a batch of cells (a matrix, "all OK", a default) once per source and per
/// target as written: the cells of a row share their source, written at the same place.
class BatchChecks {
 public:
  BatchChecks(ExpectationSet& set, std::size_t sources, std::size_t targets)
      : set_(set), source_seen_(sources), target_seen_(targets) {}
  /// Checks e, whose source is the batch's source-th, written at source_loc, and so on.
  void check(const Expectation& e, std::uint32_t source, Loc source_loc, std::uint32_t target, Loc target_loc);

 private:
  ExpectationSet& set_;
  std::vector<bool> source_seen_;
  std::vector<bool> target_seen_;
};

}  // namespace nscheck::scenario
