#include "run/exit_code.hpp"

#include <gtest/gtest.h>

#include <csignal>

#include "reports/sample_runs.hpp"

namespace nscheck::run {
namespace {

using report::CellStatus;
using report::fixtures::cell;

report::Run run_of(std::vector<report::Cell> cells) {
  report::Run run = report::fixtures::passing_run();
  run.stages[0].cells = std::move(cells);
  return run;
}

report::Cell with(CellStatus status) {
  const char* observed = status == CellStatus::skipped ? "SKIPPED" : status == CellStatus::error ? "ERROR" : "OK";
  return cell("ns1", "ns2", "198.51.100.1", "OK", observed, status, 3);
}

TEST(ExitCode, PassedIsZero) { EXPECT_EQ(exit_code(run_of({with(CellStatus::pass)}), 0), k_exit_ok); }

TEST(ExitCode, SkippedCellsDoNotFailTheRun) {
  EXPECT_EQ(exit_code(report::fixtures::passing_run(), 0), k_exit_ok);  // has a skipped cell
  EXPECT_EQ(exit_code(run_of({with(CellStatus::skipped), with(CellStatus::skipped)}), 0), k_exit_ok);
}

TEST(ExitCode, SkippedCellsDoNotHideOtherResults) {
  EXPECT_EQ(exit_code(run_of({with(CellStatus::skipped), with(CellStatus::fail)}), 0), k_exit_mismatch);
  EXPECT_EQ(exit_code(run_of({with(CellStatus::skipped), with(CellStatus::error)}), 0), k_exit_environment);
  EXPECT_EQ(exit_code(run_of({with(CellStatus::skipped), with(CellStatus::not_run)}), 0), k_exit_environment);
}

TEST(ExitCode, RunErrorAndSignals) {
  EXPECT_EQ(exit_code(report::fixtures::run_error_run(), 0), k_exit_environment);
  EXPECT_EQ(exit_code(report::fixtures::passing_run(), SIGINT), 130);
  EXPECT_EQ(exit_code(report::fixtures::passing_run(), SIGTERM), 143);
}

}  // namespace
}  // namespace nscheck::run
