#pragma once
// Report files are written whole or not at all: a CI job that reads a half-written
// JUnit file reports a parse error instead of the failures in it.

#include <functional>
#include <string>

#include "core/result.hpp"
#include "reports/output.hpp"

namespace nscheck::report {

/// Writes a report into an Output.
using Render = std::function<void(Output&)>;

/// Streams `render`'s output into `path.tmp.<pid>` (buffered), fsyncs it and renames it over
/// `path`, so a reader sees the old file or the whole new one. On failure the temporary file is
/// removed and the error names the path and errno.
Result<void> write_file_atomic(const std::string& path, const Render& render);

/// Streams `render`'s output to `fd`, an open descriptor of the caller's (stdout); errors say
/// "write <name>: ...".
Result<void> write_to_fd(int fd, const std::string& name, const Render& render);

}  // namespace nscheck::report
