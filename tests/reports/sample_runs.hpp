#pragma once
// Hand-made report::Run values for the report tests. router_run() looks like the
// tutorial router scenario (ns1 - router - ns2) and feeds the golden files.

#include "reports/report.hpp"

namespace nscheck::report::fixtures {

/// Two stages: "forwarding off" (expected NG timeouts, one mismatch, one harness error)
/// and "forwarding on" (all OK, one IPv6 cell skipped, one cell not run because SIGINT
/// arrived), with the flips of "forwarding on" marked: one expected, one unexpected.
Run router_run();

/// router_run's "forwarding on" stage alone, every cell as expected but the skipped one,
/// not interrupted.
Run passing_run();

/// Names and details full of markup, control characters, ANSI escapes and bad UTF-8.
Run hostile_run();

/// Interrupted during the second stage: most of its cells not run.
Run interrupted_run();

/// A harness error before any stage ran (no stages at all).
Run run_error_run();

/// The first stage stopped by a harness error, its cells not run.
Run stage_error_run();

/// A scenario without stages, no error.
Run empty_run();

/// A cell built from the fields the tests vary most.
Cell cell(const char* source, const char* column, const char* address, Verdict expected, Verdict observed,
          CellStatus status, int line);

/// The same, with the verdicts spelled as the reports spell them ("OK", "NOT RUN").
Cell cell(const char* source, const char* column, const char* address, const char* expected, const char* observed,
          CellStatus status, int line);

}  // namespace nscheck::report::fixtures
