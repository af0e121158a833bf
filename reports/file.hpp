#pragma once
// Report files are written whole or not at all: a CI job that reads a half-written
// JUnit file reports a parse error instead of the failures in it.

#include <string>

#include "core/result.hpp"

namespace nscheck::report {

/// Writes `content` to `path` atomically: `path.tmp.<pid>`, fsync, rename over `path`.
/// On failure the temporary file is removed and the error names the path and errno.
Result<void> write_file_atomic(const std::string& path, const std::string& content);

}  // namespace nscheck::report
