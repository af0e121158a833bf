#pragma once
// Pure: a stage's expectations expanded into probe cells (a node target means each of its
// addresses, probed and reported one by one), and probe results judged against them.

#include <optional>
#include <string>
#include <vector>

#include "core/ip.hpp"
#include "probes/probe.hpp"
#include "reports/report.hpp"
#include "scenario/model.hpp"

namespace nscheck::eval {

/// One probe to run for one expectation.
struct PlannedCell {
  std::size_t expectation = 0;  ///< index into Stage::expectations
  std::size_t source_node = 0;  ///< index into Scenario::nodes
  std::string bind_device;      ///< ping -I IFNAME
  std::optional<IpAddress> bind_address;  ///< ping -I ADDR
  IpAddress destination;
};

/// Every address a target stands for, in the order written in the scenario.
std::vector<IpAddress> target_addresses(const scenario::Scenario& s, const scenario::Target& t);

/// The cells of a stage, in expectation order.
std::vector<PlannedCell> plan_cells(const scenario::Scenario& s, const scenario::Stage& st);

/// Judges one cell: expected vs observed, with the reason.
report::Cell judge(const scenario::Scenario& s, const scenario::Stage& st, const PlannedCell& c,
                   const probes::ProbeResult& r);

/// A cell that never ran (interrupted run or failed stage), for the reports.
report::Cell not_run(const scenario::Scenario& s, const scenario::Stage& st, const PlannedCell& c,
                     const std::string& why);

}  // namespace nscheck::eval
