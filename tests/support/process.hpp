#pragma once
// Test helper: run a command, capture its output and exit status (no shell involved).

#include <string>
#include <vector>

namespace nscheck::test {

/// What a finished command left.
struct Finished {
  int exit_code = -1;  ///< exit status, or 128 + signal when killed
  std::string out;
  std::string err;
};

/// Runs argv to completion.
Finished run_command(const std::vector<std::string>& argv);

/// Starts argv in the background with stdout/stderr to /dev/null; returns its pid.
int spawn_background(const std::vector<std::string>& argv);

/// Waits for pid; returns its exit code (128 + signal when killed).
int wait_for(int pid);

/// Output of a command run for its stdout only (for host snapshots).
std::string capture(const std::vector<std::string>& argv);

}  // namespace nscheck::test
