#include "scenario/expectation_set.hpp"

#include <algorithm>
#include <string>

#include "core/memory.hpp"
#include "scenario/loader.hpp"

namespace nscheck::scenario {
namespace {

/// Marks id as seen; false when it was already.
bool first_sight(std::vector<bool>& seen, std::uint32_t id) {
  if (id >= seen.size()) seen.resize(id + 1);
  if (seen[id]) return false;
  seen[id] = true;
  return true;
}

/// Adds key to seen; false when it was there already.
bool first_sight(CellIndex& seen, const CellKey& key) {
  if (seen.find(key)) return false;
  seen.add(key);
  return true;
}

}  // namespace

void ExpectationSet::reserve(std::size_t n) {
  const std::size_t more = std::min(n, room());
  auto& all = st_.expectations;  // 62,500 of them fill 15 MB: its pages faulted in at once
  if (all.capacity() < all.size() + more) reserve_populated(all, all.size() + more);
  cells_.reserve(more);
}

Expectation* ExpectationSet::add(const CellKey& key, std::string_view from, std::string_view to, Loc loc) {
  if (full()) return nullptr;
  if (auto taken = cells_.find(key)) {
    already_expected(key, from, to, loc, st_.expectations[*taken].loc);
    return nullptr;
  }
  if (cells_left_ == 0) {
    diags_.add(loc, "the scenario expects more than " + std::to_string(k_max_cells) +
                        " cells in all stages; split it into several scenarios");
    cells_left_ = k_cells_exhausted;
    return nullptr;
  }
  --cells_left_;
  cells_.add(key);
  layout(key, from, to);
  auto& e = st_.expectations.emplace_back();
  e.loc = loc;
  return &e;
}

void ExpectationSet::add(Expectation e, const ExpectationLocs& at) {
  const CellKey key{names_.id(e.from), names_.id(e.to.text), names_.id(e.source), probe_code(e.probe)};
  if (auto* slot = add(key, e.from, e.to.text, e.loc)) {
    *slot = std::move(e);
    check_expectation(s_, *slot, at, checks_);
  }
}

void ExpectationSet::already_expected(const CellKey& key, std::string_view from, std::string_view to, Loc loc,
                                      Loc first) {
  const ProbeSpec probe = probe_of(key.probe);
  const std::string what = probe.kind == ProbeSpec::Kind::icmp ? "" : " (" + probe.text() + ")";
  diags_.add(loc, "\"" + std::string(from) + "\" to \"" + std::string(to) + "\"" + what +
                      " is already expected at line " + std::to_string(first.line) + "; give each pair once");
}

/// Puts the row and column in the matrix of that probe kind (made on first use).
void ExpectationSet::layout(const CellKey& key, std::string_view row, std::string_view column) {
  if (last_layout_ == static_cast<std::uint32_t>(-1) || last_probe_ != key.probe) {
    const auto [it, added] = layout_of_.try_emplace(key.probe, static_cast<std::uint32_t>(st_.matrices.size()));
    if (added) st_.matrices.push_back({probe_of(key.probe), {}, {}});
    last_probe_ = key.probe;
    last_layout_ = it->second;
  }
  auto& m = st_.matrices[last_layout_];
  if (first_sight(layout_names_, {last_layout_, key.from, 0, 0})) m.rows.emplace_back(row);
  if (first_sight(layout_names_, {last_layout_, key.to, 1, 0})) m.columns.emplace_back(column);
}

void BatchChecks::check(const Expectation& e, std::uint32_t source, Loc source_loc, std::uint32_t target,
                        Loc target_loc) {
  // 0:0 stands for each cell's own position, which differs from cell to cell
  if (source_loc.line == 0 || first_sight(source_seen_, source))
    check_expectation_source(set_.scenario(), e, source_loc, set_.checks());
  if (target_loc.line == 0 || first_sight(target_seen_, target))
    check_expectation_target(set_.scenario(), e, target_loc, set_.checks());
}

}  // namespace nscheck::scenario
