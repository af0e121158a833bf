#pragma once
// Counting and wording shared by the writers, so the console, JUnit and JSON reports
// name cells and reasons the same way.

#include <string>

#include "reports/report.hpp"

namespace nscheck::report {

/// How the cells of a stage or a run ended.
struct Counts {
  int cells = 0;
  int passed = 0;
  int mismatches = 0;
  int errors = 0;  ///< harness errors in cells
  int not_run = 0;
  int skipped = 0;       ///< cells the kernel could not run (never a failure)
  int stage_errors = 0;  ///< stages stopped by a harness error
};

/// Counts the cells of one stage (and its stage error).
Counts count_cells(const Stage& stage);

/// Counts the cells of all stages of a run.
Counts count_cells(const Run& run);

/// The verdict on a whole run, most serious first.
enum class RunResult {
  failed,       ///< at least one mismatch
  error,        ///< no mismatch, but a harness error in a cell, a stage or the run
  interrupted,  ///< no mismatch or error, but a signal stopped the run
  passed,       ///< every cell as expected (or skipped)
};

/// Decides the verdict on a run from its counts, error and interruption.
RunResult run_result(const Run& run);

/// "failed", "error", "interrupted" or "passed".
std::string result_name(RunResult result);

/// "ns1 -> ns2 (198.51.100.1)", with " -I <bind>" after the source; the address is
/// left out when the target was written as that address.
std::string cell_label(const Cell& cell);

/// What was observed, with its reason: "NG timeout: no reply within 500 ms (2 requests sent)".
std::string observation(const Cell& cell);

/// The stage before `index` as flips name it: "\"forwarding off\"" ("the previous stage" for the first).
std::string previous_stage(const Run& run, std::size_t index);

/// "scenarios/router.toml:23" (just the path when line is 0).
std::string scenario_place(const Run& run, int line);

/// The scenario file's name without directory and extension ("router").
std::string scenario_stem(const Run& run);

/// "1 mismatch", "2 mismatches": a count with its noun in singular or plural.
std::string plural(int n, const std::string& singular, const std::string& plural_form);

}  // namespace nscheck::report
