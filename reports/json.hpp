#pragma once
// A machine-readable report: one JSON object with the run, its stages and every cell.

#include <string>

#include "core/result.hpp"
#include "reports/output.hpp"
#include "reports/report.hpp"

namespace nscheck::report {

/// The run as one JSON object (UTF-8, two-space indented, ends in '\n').
std::string json_report(const Run& run);

/// Writes json_report(run) into `out` as it goes (a report of 100,000 cells is never whole in memory).
void write_json(const Run& run, Output& out);

/// Writes json_report(run) to `path` atomically (temporary file, fsync, rename), streamed.
Result<void> write_json_file(const Run& run, const std::string& path);

}  // namespace nscheck::report
