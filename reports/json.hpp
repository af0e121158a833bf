#pragma once
// A machine-readable report: one JSON object with the run, its stages and every cell.

#include <string>

#include "reports/report.hpp"

namespace nscheck::report {

/// The run as one JSON object (UTF-8, two-space indented, ends in '\n').
std::string json_report(const Run& run);

}  // namespace nscheck::report
