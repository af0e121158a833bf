#include "reports/summary.hpp"

#include <fmt/format.h>

namespace nscheck::report {
namespace {

void add(Counts& total, const Counts& c) {
  total.cells += c.cells;
  total.passed += c.passed;
  total.mismatches += c.mismatches;
  total.errors += c.errors;
  total.not_run += c.not_run;
  total.skipped += c.skipped;
  total.stage_errors += c.stage_errors;
}

std::string requests_sent(int sent) { return fmt::format(" ({})", plural(sent, "request sent", "requests sent")); }

}  // namespace

Counts count_cells(const Stage& stage) {
  Counts c;
  for (const auto& cell : stage.cells) {
    ++c.cells;
    switch (cell.status) {
      case CellStatus::pass: ++c.passed; break;
      case CellStatus::fail: ++c.mismatches; break;
      case CellStatus::error: ++c.errors; break;
      case CellStatus::not_run: ++c.not_run; break;
      case CellStatus::skipped: ++c.skipped; break;
    }
  }
  c.stage_errors = stage.error.empty() ? 0 : 1;
  return c;
}

Counts count_cells(const Run& run) {
  Counts total;
  for (const auto& st : run.stages) add(total, count_cells(st));
  return total;
}

RunResult run_result(const Run& run) {
  const Counts c = count_cells(run);
  if (c.mismatches > 0) return RunResult::failed;
  if (c.errors > 0 || c.stage_errors > 0 || !run.error.empty()) return RunResult::error;
  if (run.interrupted) return RunResult::interrupted;
  return RunResult::passed;
}

std::string result_name(RunResult result) {
  switch (result) {
    case RunResult::failed: return "failed";
    case RunResult::error: return "error";
    case RunResult::interrupted: return "interrupted";
    case RunResult::passed: return "passed";
  }
  return "error";
}

std::string cell_label(const Cell& cell) {
  std::string s = cell.probe.empty() || cell.probe == "icmp" ? "" : cell.probe + " ";
  s += cell.source;
  if (!cell.source_bind.empty()) s += " -I " + cell.source_bind;
  s += " -> " + cell.target;
  if (!cell.address.empty() && cell.address != cell.target) s += " (" + cell.address + ")";
  return s;
}

std::string observation(const Cell& cell) {
  std::string s(cell.observed.name());
  if (!cell.reason.empty()) s += " " + cell.reason;
  if (!cell.detail.empty() && cell.detail != cell.reason) s += (cell.reason.empty() ? " " : ": ") + cell.detail;
  // the probe's own detail may already count its requests ("no reply within 500 ms (2 requests sent)")
  if (cell.observed == Verdict::ng && cell.sent > 0 && cell.detail.find(" sent)") == std::string::npos)
    s += requests_sent(cell.sent);
  return s;
}

std::string previous_stage(const Run& run, std::size_t index) {
  if (index == 0 || index > run.stages.size()) return "the previous stage";
  return fmt::format("\"{}\"", run.stages[index - 1].name);
}

std::string scenario_place(const Run& run, int line) {
  if (line <= 0) return run.scenario_path;
  return fmt::format("{}:{}", run.scenario_path, line);
}

std::string scenario_stem(const Run& run) {
  std::string name = run.scenario_path;
  if (const auto slash = name.rfind('/'); slash != std::string::npos) name.erase(0, slash + 1);
  if (const auto dot = name.rfind('.'); dot != std::string::npos && dot > 0) name.erase(dot);
  if (name.empty()) name = run.scenario_name.empty() ? "scenario" : run.scenario_name;
  return name;
}

std::string plural(int n, const std::string& singular, const std::string& plural_form) {
  return fmt::format("{} {}", n, n == 1 ? singular : plural_form);
}

}  // namespace nscheck::report
