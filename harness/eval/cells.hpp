#pragma once
// Pure: a stage's expectations expanded into probe cells (a node target means each of its
// addresses, probed and reported one by one), the built-in listeners they need, and probe
// results judged against them.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/ip.hpp"
#include "eval/cell_texts.hpp"
#include "probes/probe.hpp"
#include "reports/report.hpp"
#include "scenario/model.hpp"

namespace nscheck::eval {

/// What a cell's verdict needs of its plan: the expectation, the source node and the address probed.
/// While a stage's probes run, the runner keeps these (28 bytes a cell), not the whole plan.
struct CellKey {
  std::uint32_t expectation = 0;  ///< index into Stage::expectations
  std::uint32_t source_node = 0;  ///< index into Scenario::nodes
  IpAddress destination;
};

/// One probe to run for one expectation.
struct PlannedCell {
  std::size_t expectation = 0;  ///< index into Stage::expectations
  std::size_t source_node = 0;  ///< index into Scenario::nodes
  std::size_t target_node = 0;  ///< the node holding the destination address
  std::string bind_device;      ///< ping -I IFNAME
  std::optional<IpAddress> bind_address;  ///< ping -I ADDR
  IpAddress destination;
  probes::ProbeKind kind = probes::ProbeKind::icmp;
  std::uint16_t port = 0;
  std::optional<std::size_t> listener;  ///< tcp, udp: index into the stage's listeners

  [[nodiscard]] CellKey key() const {
    return {static_cast<std::uint32_t>(expectation), static_cast<std::uint32_t>(source_node), destination};
  }
};

/// A built-in listener a stage opens.
struct PlannedListener {
  std::size_t node = 0;  ///< index into Scenario::nodes
  probes::ProbeKind kind = probes::ProbeKind::tcp;
  Family family = Family::v4;
  std::uint16_t port = 0;

  auto operator<=>(const PlannedListener&) const = default;
};

/// Every address a target stands for, in the order written in the scenario.
std::vector<IpAddress> target_addresses(const scenario::Scenario& s, const scenario::Target& t);

/// How many cells a stage has: one per address of each expectation's target.
std::size_t cell_count(const scenario::Scenario& s, const scenario::Stage& st);

/// The cells of a stage, in expectation order (listener not yet assigned), in a vector of the exact size.
std::vector<PlannedCell> plan_cells(const scenario::Scenario& s, const scenario::Stage& st);

/// The keys of plan_cells(s, st), without the rest of the plan (for cells that will not be probed).
std::vector<CellKey> plan_keys(const scenario::Scenario& s, const scenario::Stage& st);

/// The listeners of a stage: one per (target node, kind, family, port) its TCP and UDP cells
/// probe, unless the node declares that port in `services`, plus every node's `listen` ports in
/// both families. Sets each cell's listener.
std::vector<PlannedListener> plan_listeners(const scenario::Scenario& s, std::vector<PlannedCell>& cells);

/// plan_cells and plan_listeners in one pass that keeps no cell: calls `each` with every cell,
/// in plan_cells' order and with its listener set; returns the listeners. For a caller that
/// turns the cells into something else (a stage of 62,500 cells would hold 7 MB of them).
std::vector<PlannedListener> stream_cells(const scenario::Scenario& s, const scenario::Stage& st,
                                          const std::function<void(const PlannedCell&)>& each);

/// Judges one cell: expected vs observed, with the reason, and what the destination saw
/// against seen_from / answered_by. Texts that cells repeat come from `texts` (one per stage).
report::Cell judge(const scenario::Scenario& s, const scenario::Stage& st, const CellKey& c,
                   const probes::ProbeResult& r, const std::vector<PlannedListener>& listeners,
                   CellTexts& texts);

/// A cell that never ran (interrupted run or failed stage), for the reports.
report::Cell not_run(const scenario::Scenario& s, const scenario::Stage& st, const CellKey& c,
                     const report::SharedText& why, CellTexts& texts);

/// A cell skipped because the running kernel lacks what its stage needs (why says what).
report::Cell skipped(const scenario::Scenario& s, const scenario::Stage& st, const CellKey& c,
                     const report::SharedText& why, CellTexts& texts);

}  // namespace nscheck::eval
