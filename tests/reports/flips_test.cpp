#include "reports/flips.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "reports/sample_runs.hpp"

namespace nscheck::report {
namespace {

using fixtures::cell;

Cell judged(Verdict expected, Verdict observed, const char* address = "198.51.100.1") {
  const bool pass = expected == observed;
  return cell("ns1", "ns2", address, expected, observed, pass ? CellStatus::pass : CellStatus::fail, 3);
}

Stage stage_of(std::vector<Cell> cells) {
  Stage st;
  st.cells = std::move(cells);
  return st;
}

// Marks `now` against `before` and returns the one cell of `now`.
Cell after(const Cell& before, const Cell& now) {
  Stage current = stage_of({now});
  mark_flips(stage_of({before}), current);
  return current.cells[0];
}

TEST(MarkFlips, ExpectedFlipWhenBothStagesPass) {
  const Cell c = after(judged(Verdict::ng, Verdict::ng), judged(Verdict::ok, Verdict::ok));
  EXPECT_EQ(c.previous, "NG");
  EXPECT_EQ(c.flip, Flip::expected);
  EXPECT_EQ(flip_change(c), "NG → OK");
}

TEST(MarkFlips, UnexpectedFlipWhenThisStageMismatches) {
  const Cell c = after(judged(Verdict::ok, Verdict::ok), judged(Verdict::ok, Verdict::ng));
  EXPECT_EQ(c.previous, "OK");
  EXPECT_EQ(c.flip, Flip::unexpected);
}

TEST(MarkFlips, UnexpectedFlipWhenThePreviousStageMismatched) {
  EXPECT_EQ(after(judged(Verdict::ok, Verdict::ng), judged(Verdict::ok, Verdict::ok)).flip, Flip::unexpected);
}

TEST(MarkFlips, SameObservationIsNoFlipButRecordsPrevious) {
  const Cell c = after(judged(Verdict::ok, Verdict::ok), judged(Verdict::ng, Verdict::ok));
  EXPECT_EQ(c.previous, "OK");
  EXPECT_EQ(c.flip, Flip::none);
}

TEST(MarkFlips, ArrivedButNotAsAssertedStillFlipsAsExpected) {
  Cell now = judged(Verdict::ok, Verdict::ok);
  now.status = CellStatus::fail;  // seen_from mismatch: reachability was as written
  now.reason = "seen-from-mismatch";
  EXPECT_EQ(after(judged(Verdict::ng, Verdict::ng), now).flip, Flip::expected);
}

TEST(MarkFlips, CellsMatchOnProbeSourceBindTargetAndAddress) {
  Cell other_address = judged(Verdict::ok, Verdict::ok, "2001:db8:2::1");
  Cell other_probe = judged(Verdict::ok, Verdict::ok);
  other_probe.probe = "tcp/80";
  Cell other_bind = judged(Verdict::ok, Verdict::ok);
  other_bind.source_bind = "ns1-eth0";
  Cell other_target = judged(Verdict::ok, Verdict::ok);
  other_target.target = "ns2:ns2-eth0";
  Cell other_source = judged(Verdict::ok, Verdict::ok);
  other_source.source = "router";
  Stage current = stage_of({other_address, other_probe, other_bind, other_target, other_source});
  mark_flips(stage_of({judged(Verdict::ng, Verdict::ng)}), current);
  for (const auto& c : current.cells) {
    EXPECT_EQ(c.previous, "") << c.probe << " " << c.source << " " << c.target << " " << c.address;
    EXPECT_EQ(c.flip, Flip::none);
  }
}

TEST(MarkFlips, ErrorsNotRunAndSkippedNeverFlip) {
  const Cell error = cell("ns1", "ns2", "198.51.100.1", Verdict::ok, Verdict::error, CellStatus::error, 3);
  const Cell not_run = cell("ns1", "ns2", "198.51.100.1", Verdict::ok, Verdict::not_run, CellStatus::not_run, 3);
  const Cell skipped = cell("ns1", "ns2", "198.51.100.1", Verdict::ok, Verdict::skipped, CellStatus::skipped, 3);
  for (const Cell& odd : {error, not_run, skipped}) {
    const Cell from_odd = after(odd, judged(Verdict::ok, Verdict::ok));
    EXPECT_EQ(from_odd.previous, "") << odd.observed;
    EXPECT_EQ(from_odd.flip, Flip::none) << odd.observed;
    const Cell to_odd = after(judged(Verdict::ng, Verdict::ng), odd);
    EXPECT_EQ(to_odd.previous, "NG") << odd.observed;
    EXPECT_EQ(to_odd.flip, Flip::none) << odd.observed;
  }
}

TEST(MarkFlips, MarkingAgainReplacesEarlierMarks) {
  Stage current = stage_of({judged(Verdict::ok, Verdict::ok)});
  mark_flips(stage_of({judged(Verdict::ng, Verdict::ng)}), current);
  mark_flips(stage_of({}), current);
  EXPECT_EQ(current.cells[0].previous, "");
  EXPECT_EQ(current.cells[0].flip, Flip::none);
}

TEST(MarkFlips, DuplicateCellMatchesTheFirstDecidedCopy) {
  const Cell c = after(judged(Verdict::ng, Verdict::ng), judged(Verdict::ok, Verdict::ok));
  Stage current = stage_of({judged(Verdict::ok, Verdict::ok)});
  mark_flips(stage_of({cell("ns1", "ns2", "198.51.100.1", Verdict::ok, Verdict::error, CellStatus::error, 3),
                       judged(Verdict::ng, Verdict::ng), judged(Verdict::ok, Verdict::ok)}),
             current);
  EXPECT_EQ(current.cells[0].previous, c.previous);
  EXPECT_EQ(current.cells[0].flip, c.flip);
}

TEST(MarkFlips, HundredThousandCellsInLinearTime) {
  constexpr int k_cells = 100'000;
  Stage before, now;
  for (int i = 0; i < k_cells; ++i) {
    const std::string address =
        "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
    before.cells.push_back(judged(Verdict::ng, Verdict::ng, address.c_str()));
    now.cells.push_back(
        judged(i % 2 == 0 ? Verdict::ok : Verdict::ng, i % 3 == 0 ? Verdict::ok : Verdict::ng, address.c_str()));
  }
  const auto start = std::chrono::steady_clock::now();
  mark_flips(before, now);
  const auto took = std::chrono::steady_clock::now() - start;
  const FlipCounts n = count_flips(now);
  EXPECT_EQ(n.expected, (k_cells + 5) / 6);                 // i % 6 == 0: expected OK, observed OK
  EXPECT_EQ(n.expected + n.unexpected, (k_cells + 2) / 3);  // i % 3 == 0: observed OK
  EXPECT_LT(took, std::chrono::seconds(5)) << "mark_flips is not linear";
}

TEST(FlipName, NamesEveryKind) {
  EXPECT_EQ(flip_name(Flip::none), "");
  EXPECT_EQ(flip_name(Flip::expected), "expected");
  EXPECT_EQ(flip_name(Flip::unexpected), "unexpected");
}

}  // namespace
}  // namespace nscheck::report
