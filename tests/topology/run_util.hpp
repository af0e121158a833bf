#pragma once
// For privileged tests that prove what the kernel does with a topology: run a scenario text
// in-process and read single cells of the report.
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "run/runner.hpp"
#include "scenario/loader.hpp"

namespace nscheck::test {

/// Runs a parsed scenario; a harness error fails the test.
inline report::Run run_parsed(const Result<scenario::Scenario>& s) {
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  if (!s.ok()) return {};
  std::atomic<bool> stop{false};
  auto r = run::run_scenario(*s, {}, stop);
  EXPECT_FALSE(r.error.has_value()) << r.error->message;
  return r.report;
}

/// Runs a scenario text.
inline report::Run run_text(const std::string& text) { return run_parsed(scenario::parse_scenario(text, "t.toml")); }

/// Runs a scenario file of the source tree ("scenarios/x.toml").
inline report::Run run_file(const std::string& relative) {
  return run_parsed(scenario::load_scenario(std::string(NSCHECK_SOURCE_DIR) + "/" + relative));
}

/// The cell of stage `stage` from `source` to `address`, or an empty cell (and a failure).
inline report::Cell cell(const report::Run& run, const std::string& source, const std::string& address,
                         std::size_t stage = 0) {
  if (stage < run.stages.size())
    for (const auto& c : run.stages[stage].cells)
      if (c.source == source && c.address == address) return c;
  ADD_FAILURE() << "no cell " << source << " -> " << address << " in stage " << stage;
  return {};
}

/// "reason: detail", what a failed expectation shows.
inline std::string why(const report::Cell& c) { return c.observed + " " + c.reason + ": " + c.detail; }

}  // namespace nscheck::test
