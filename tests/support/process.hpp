#pragma once
// Test helper: run a command, capture its output and exit status (no shell involved).

#include <chrono>
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

/// How run_command starts a command, beyond argv.
struct RunOptions {
  /// Changes to this process's environment: "NAME=VALUE" sets NAME, "NAME" alone removes it.
  std::vector<std::string> env;
  /// Stdout is a pseudo-terminal instead of a pipe (isatty() is true; "\n" arrives as "\r\n").
  bool terminal = false;
};

/// Runs argv to completion with a changed environment and/or stdout on a terminal (another name than
/// run_command, so that &run_command still names one function).
Finished run_command_with(const std::vector<std::string>& argv, const RunOptions& options);

/// Starts argv in the background with stdout/stderr to `output` (truncated; /dev/null by default);
/// returns its pid.
int spawn_background(const std::vector<std::string>& argv, const std::string& output = "/dev/null");

/// Waits for pid; returns its exit code (128 + signal when killed).
int wait_for(int pid);

/// How a background process ended: exit(130) and death by SIGINT are told apart.
struct Ended {
  int exit_code = -1;      ///< its exit status when it exited, else -1
  int signal = 0;          ///< the signal that killed it, else 0
  bool timed_out = false;  ///< still running at the timeout (it was then killed with SIGKILL)
};

/// Waits at most `timeout` for pid to end; past that, kills it with SIGKILL and reaps it.
Ended wait_until(int pid, std::chrono::milliseconds timeout);

/// Output of a command run for its stdout only (for host snapshots).
std::string capture(const std::vector<std::string>& argv);

}  // namespace nscheck::test
