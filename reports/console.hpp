#pragma once
// The terminal report: per stage a reachability matrix and the reasons behind every NG,
// mismatch and error, then one summary line. The caller decides on colour.

#include <cstddef>
#include <string>

#include "reports/report.hpp"

namespace nscheck::report {

/// How the console report is rendered.
struct ConsoleOptions {
  bool colour = false;  ///< ANSI colours; the caller sets it on a TTY when NO_COLOR is unset
};

/// The whole run: a header, each stage (see console_stage) and a summary line.
std::string console_report(const Run& run, const ConsoleOptions& options);

/// One stage of `run`: header line, matrix, legend and reason lines, ending in '\n'.
std::string console_stage(const Run& run, std::size_t stage_index, const ConsoleOptions& options);

/// The last line of the report: PASSED/FAILED/ERROR/INTERRUPTED with the counts and time.
std::string console_summary(const Run& run, const ConsoleOptions& options);

}  // namespace nscheck::report
