#pragma once
// Test helpers: run a scenario in-process on real namespaces (inside the test's private
// namespace), from its text or from a load result. A scenario that does not load fails the test.

#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "run/runner.hpp"
#include "scenario/loader.hpp"

namespace nscheck::run {

/// Runs a loaded scenario with default options; an empty result when it did not load.
inline RunResult run_parsed(const Result<scenario::Scenario>& s) {
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  if (!s) return {};
  std::atomic<bool> stop{false};
  return run_scenario(*s, {}, stop);
}

/// Parses the text as the scenario "t.toml" (its positions in messages) and runs it.
inline RunResult run_text(const std::string& text) { return run_parsed(scenario::parse_scenario(text, "t.toml")); }

}  // namespace nscheck::run
