#pragma once
// JUnit XML for CI: one <testsuite> per (scenario, stage), one <testcase> per cell.
// Valid against both ../shared/junit schemas (xunit's junit-10.xsd and Jenkins' junit-4).

#include <string>

#include "core/result.hpp"
#include "reports/output.hpp"
#include "reports/report.hpp"

namespace nscheck::report {

/// The run as a JUnit XML document. Mismatches are <failure>, harness errors <error>,
/// cells not run <skipped>; a stage error, a run error or an interruption is an extra
/// <error> testcase, so the document is never empty and never looks green by omission.
std::string junit_xml(const Run& run);

/// Writes junit_xml(run) into `out` as it goes (a report of 100,000 cells is never whole in memory).
void write_junit(const Run& run, Output& out);

/// Writes junit_xml(run) to `path` atomically (temporary file, fsync, rename), streamed.
Result<void> write_junit_file(const Run& run, const std::string& path);

}  // namespace nscheck::report
