#include "reports/console.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "reports/golden.hpp"
#include "reports/sample_runs.hpp"
#include "reports/text.hpp"

namespace nscheck::report {
namespace {

using namespace fixtures;  // NOLINT: the sample runs

const ConsoleOptions k_plain{.colour = false};
const ConsoleOptions k_colour{.colour = true};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The display column at which `needle` starts in `line` (code points, not bytes).
std::size_t column_of(const std::string& line, const std::string& needle) {
  const auto at = line.find(needle);
  return at == std::string::npos ? std::string::npos : display_width(line.substr(0, at));
}

Run one_stage(std::vector<Cell> cells) {
  report::Run run = passing_run();
  run.stages[0].cells = std::move(cells);
  return run;
}

TEST(ConsoleReport, MatchesGoldenRouterRun) {
  expect_golden("console_router.txt", console_report(router_run(), k_plain));
}

TEST(ConsoleReport, MatchesGoldenRouterRunInColour) {
  expect_golden("console_router_colour.txt", console_report(router_run(), k_colour));
}

TEST(ConsoleReport, MatchesGoldenPassingRun) {
  expect_golden("console_passing.txt", console_report(passing_run(), k_plain));
}

TEST(ConsoleReport, NoEscapeSequencesWithoutColour) {
  for (const report::Run& run : {router_run(), hostile_run(), stage_error_run(), run_error_run()}) {
    const std::string text = console_report(run, k_plain);
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
    EXPECT_EQ(sanitize(text), text);
  }
}

TEST(ConsoleReport, ColourUsesGreenRedAndYellow) {
  const std::string text = console_report(router_run(), k_colour);
  EXPECT_NE(text.find("\x1b[32mOK\x1b[0m"), std::string::npos);
  EXPECT_NE(text.find("\x1b[31mNG ✗\x1b[0m"), std::string::npos);
  EXPECT_NE(text.find("\x1b[33mOK E\x1b[0m"), std::string::npos);
}

TEST(ConsoleReport, PassingStageSaysPassed) {
  const std::string text = console_report(passing_run(), k_plain);
  EXPECT_NE(text.find("stage 1/1 \"forwarding on\": passed, 7 cells, 1 skipped (0.05 s; deadline 500 ms, count 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("PASSED router: 1 stage, 7 cells, 6 passed, 1 skipped"), std::string::npos) << text;
}

TEST(ConsoleReport, MixedVerdictsAggregateAsOkSlashNg) {
  report::Run run = one_stage({cell("ns1", "ns2", "198.51.100.1", "OK", "OK", CellStatus::pass, 3),
                               cell("ns1", "ns2", "2001:db8:2::1", "NG", "NG", CellStatus::pass, 4)});
  const auto lines = lines_of(console_report(run, k_plain));
  bool found = false;
  for (const auto& l : lines) found |= l.rfind("  ns1", 0) == 0 && l.find("OK/NG") != std::string::npos;
  EXPECT_TRUE(found) << console_report(run, k_plain);
}

TEST(ConsoleReport, MatrixColumnsAreAligned) {
  report::Run run = one_stage({cell("a-very-long-node-name", "ns2", "198.51.100.1", "OK", "NG", CellStatus::fail, 3),
                               cell("ns1", "x", "192.0.2.9", "OK", "OK", CellStatus::pass, 4)});
  run.stages[0].matrices = {{"icmp", {"ns1", "a-very-long-node-name"}, {"x", "ns2"}}};
  const auto lines = lines_of(console_report(run, k_plain));
  std::size_t header = 0;
  while (header < lines.size() && lines[header].rfind("stage 1/1", 0) != 0) ++header;
  ++header;  // the matrix header follows the stage line
  ASSERT_LT(header + 2, lines.size());
  // header, row ns1, row a-very-long-node-name: columns start at the same display offset
  EXPECT_EQ(column_of(lines[header], "ns2"), column_of(lines[header + 2], "NG ✗"));
  EXPECT_EQ(column_of(lines[header], "x"), column_of(lines[header + 1], "OK"));
  EXPECT_EQ(column_of(lines[header], "ns2"), column_of(lines[header + 1], "-"));
}

TEST(ConsoleReport, NgCellsMismatchesAndErrorsHaveReasonLines) {
  const std::string text = console_report(router_run(), k_plain);
  EXPECT_NE(text.find("ns1 -> ns2 (198.51.100.1): NG timeout: no reply within 500 ms (2 requests sent)"),
            std::string::npos);
  EXPECT_NE(text.find("MISMATCH expected OK (scenarios/router.toml:23)"), std::string::npos);
  EXPECT_NE(text.find("router -I router-eth9 -> ns1 (192.0.2.1): ERROR SO_BINDTODEVICE router-eth9: No such device"),
            std::string::npos);
  EXPECT_NE(text.find("1 cell not run (run interrupted)"), std::string::npos);
}

TEST(ConsoleReport, StageErrorIsShownWithItsLine) {
  const std::string text = console_report(stage_error_run(), k_plain);
  EXPECT_NE(text.find("stage error: node router: sysctl net.ipv4.ip_forward=1: Permission denied "
                      "(scenarios/router.toml:28)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("7 cells not run (the stage stopped on an error)"), std::string::npos) << text;
}

TEST(ConsoleReport, RunErrorIsShownAndTheRunIsAnError) {
  const std::string text = console_report(run_error_run(), k_plain);
  EXPECT_NE(text.find("error: scenarios/router.toml: node router: dev router-eth0"), std::string::npos) << text;
  EXPECT_NE(text.find("ERROR router: 0 stages, 0 cells, 0 passed, run error"), std::string::npos) << text;
}

TEST(ConsoleReport, HostileNamesCannotDriveTheTerminal) {
  const std::string text = console_report(hostile_run(), k_colour);
  EXPECT_EQ(text.find("\x1b[31mred"), std::string::npos);
  EXPECT_EQ(text.find("\x1b[2J"), std::string::npos);
  EXPECT_EQ(text.find("\x1b]"), std::string::npos);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find('\x07'), std::string::npos);
}

TEST(ConsoleStage, OutOfRangeIndexIsEmpty) { EXPECT_EQ(console_stage(router_run(), 7, k_plain), ""); }

}  // namespace
}  // namespace nscheck::report
