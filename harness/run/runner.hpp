#pragma once
// Runs one scenario: plan, build, then every stage in order (changes, probes, verdicts), then
// teardown. Never prints: everything observed goes into the report.

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "reports/report.hpp"
#include "scenario/model.hpp"

namespace nscheck::run {

/// Overrides from the command line.
struct RunOptions {
  std::optional<std::chrono::milliseconds> deadline;  ///< replaces every stage's deadline_ms
  std::optional<int> count;                           ///< replaces every stage's count
  bool keep = false;  ///< pin the namespaces under /run/netns instead of tearing down
};

/// What --keep left behind.
struct KeptRun {
  std::string run_id;
  std::vector<std::string> nodes;  ///< node names
  std::vector<std::string> names;  ///< their names under /run/netns
};

/// The report, and the harness error that stopped the run, if any.
struct RunResult {
  report::Run report;
  std::optional<Error> error;
  std::optional<KeptRun> kept;  ///< set when --keep pinned the topology
};

/// Runs the scenario. `stop` is polled between steps (SIGINT/SIGTERM); when it becomes true the
/// remaining cells are reported as not run and the report is marked interrupted.
RunResult run_scenario(const scenario::Scenario& s, const RunOptions& options, const std::atomic<bool>& stop);

}  // namespace nscheck::run
