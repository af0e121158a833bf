#include "reports/console.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "reports/flips.hpp"
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
  report::Run run = one_stage({cell("ns1", "ns2", "198.51.100.1", Verdict::ok, Verdict::ok, CellStatus::pass, 3),
                               cell("ns1", "ns2", "2001:db8:2::1", Verdict::ng, Verdict::ng, CellStatus::pass, 4)});
  const auto lines = lines_of(console_report(run, k_plain));
  bool found = false;
  for (const auto& l : lines) found |= l.rfind("  ns1", 0) == 0 && l.find("OK/NG") != std::string::npos;
  EXPECT_TRUE(found) << console_report(run, k_plain);
}

TEST(ConsoleReport, MatrixColumnsAreAligned) {
  report::Run run =
      one_stage({cell("a-very-long-node-name", "ns2", "198.51.100.1", Verdict::ok, Verdict::ng, CellStatus::fail, 3),
                 cell("ns1", "x", "192.0.2.9", Verdict::ok, Verdict::ok, CellStatus::pass, 4)});
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

TEST(ConsoleReport, EachProbeKindHasItsOwnMatrix) {
  Cell icmp = cell("ns1", "ns2", "198.51.100.1", Verdict::ok, Verdict::ok, CellStatus::pass, 3);
  Cell tcp = cell("ns1", "ns2", "198.51.100.1", Verdict::ng, Verdict::ng, CellStatus::pass, 4);
  tcp.probe = SharedText("tcp/80");
  Cell stray = cell("ns1", "ns2", "198.51.100.1", Verdict::ok, Verdict::ng, CellStatus::fail, 5);
  stray.probe = SharedText("udp/53");  // a probe kind without a matrix: marks no matrix
  Cell outside = cell("ns9", "ns2", "198.51.100.1", Verdict::ok, Verdict::ng, CellStatus::fail, 6);  // no such row
  report::Run run = one_stage({icmp, tcp, stray, outside});
  run.stages[0].matrices = {{"icmp", {"ns1"}, {"ns2"}}, {"tcp/80", {"ns1"}, {"ns2"}}};
  const auto lines = lines_of(console_report(run, k_plain));
  std::vector<std::string> rows;  // the matrices' "ns1" rows, in order
  for (const auto& l : lines)
    if (l.rfind("  ns1   ", 0) == 0) rows.push_back(l);
  ASSERT_EQ(rows.size(), 2u) << console_report(run, k_plain);
  EXPECT_EQ(rows[0], "  ns1   OK");
  EXPECT_EQ(rows[1], "  ns1   NG");
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

// A two-stage run: `before` then `after`, with the flips of `after` marked.
report::Run two_stages(std::vector<Cell> before, std::vector<Cell> after) {
  report::Run run = router_run();
  run.interrupted = false;
  run.stages[0].cells = std::move(before);
  run.stages[1].cells = std::move(after);
  mark_flips(run.stages[0], run.stages[1]);
  return run;
}

Cell pass(const char* address, Verdict verdict) {
  return cell("ns1", "ns2", address, verdict, verdict, CellStatus::pass, 30);
}

TEST(ConsoleReport, FlipsAreListedAgainstThePreviousStage) {
  const std::string text = console_report(router_run(), k_plain);
  EXPECT_NE(text.find("stage 2/2 \"forwarding on\": 1 not run, 1 skipped, 1 expected flip, 1 unexpected flip ("),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\n  flipped vs \"forwarding off\":\n"
                      "  ↕ ns1 -> ns2 (198.51.100.1): NG → OK   expected\n"
                      "  ↕ ns2 -> ns1 (192.0.2.1): NG → OK      UNEXPECTED: NG was a mismatch in \"forwarding off\"\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(console_stage(router_run(), 0, k_plain).find("flip"), std::string::npos);
}

TEST(ConsoleReport, UnexpectedFlipInThisStagePointsAtItsExpectation) {
  Cell now = cell("ns1", "ns2", "198.51.100.1", Verdict::ok, Verdict::ng, CellStatus::fail, 31);
  const report::Run run = two_stages({pass("198.51.100.1", Verdict::ok)}, {now});
  const std::string text = console_stage(run, 1, k_colour);
  EXPECT_NE(text.find("OK → NG   \x1b[31mUNEXPECTED: expected OK (scenarios/router.toml:31)\x1b[0m"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\x1b[31m1 unexpected flip\x1b[0m"), std::string::npos) << text;
}

TEST(ConsoleReport, ExpectedFlipsAreCappedUnexpectedOnesAreNot) {
  std::vector<Cell> before, after;
  for (int i = 0; i < 45; ++i) {
    const std::string address = "198.51.100." + std::to_string(i);
    before.push_back(pass(address.c_str(), Verdict::ng));
    after.push_back(pass(address.c_str(), Verdict::ok));
  }
  for (int i = 0; i < 3; ++i) {
    const std::string address = "203.0.113." + std::to_string(i);
    before.push_back(pass(address.c_str(), Verdict::ng));
    after.push_back(cell("ns1", "ns2", address.c_str(), Verdict::ng, Verdict::ok, CellStatus::fail, 30));
  }
  const std::string text = console_stage(two_stages(before, after), 1, k_plain);
  std::size_t expected = 0, unexpected = 0;
  for (const auto& l : lines_of(text)) {
    expected += l.ends_with("   expected");
    unexpected += l.find("UNEXPECTED") != std::string::npos;
  }
  EXPECT_EQ(expected, 40u) << text;
  EXPECT_EQ(unexpected, 3u) << text;
  EXPECT_NE(text.find("... and 5 more expected flips (all are in the JUnit and JSON reports)"), std::string::npos)
      << text;
}

TEST(ConsoleReport, SkippedCellsHaveAMarkAndOneLinePerReason) {
  Cell nft = cell("ns1", "ns2", "198.51.100.1", Verdict::ng, Verdict::skipped, CellStatus::skipped, 3);
  nft.detail = "the kernel lacks nf_tables";
  Cell nat = nft;
  nat.address = "198.51.100.2";
  nat.detail = "the kernel lacks NAT";
  Cell nft2 = nft;
  nft2.source = "router";
  const std::string text = console_report(one_stage({nft, nat, nft2}), k_plain);
  EXPECT_NE(text.find("  S 2 cells skipped: the kernel lacks nf_tables\n  S 1 cell skipped: the kernel lacks NAT\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("S skipped: kernel lacks a feature"), std::string::npos) << text;
  EXPECT_NE(text.find("PASSED router: 1 stage, 3 cells, 0 passed, 3 skipped"), std::string::npos) << text;
  bool marked = false;
  for (const auto& l : lines_of(text)) marked |= l.rfind("  router", 0) == 0 && l.find(" S") != std::string::npos;
  EXPECT_TRUE(marked) << text;
}

TEST(ConsoleStage, OutOfRangeIndexIsEmpty) { EXPECT_EQ(console_stage(router_run(), 7, k_plain), ""); }

}  // namespace
}  // namespace nscheck::report
