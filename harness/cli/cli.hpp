#pragma once
// Command-line parsing: pure, argv in, Options or a usage error out.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace nscheck::cli {

/// What the user asked for.
enum class Command { run, validate, plan, clean, help, version };

/// When the terminal report uses colour.
enum class Colour { automatic, always, never };

/// Parsed command line.
struct Options {
  Command command = Command::help;
  std::vector<std::string> scenarios;
  std::string junit_path;  ///< "" = no JUnit file
  std::string json_path;   ///< "" = no JSON report
  std::optional<std::chrono::milliseconds> deadline;
  std::optional<int> count;
  Colour colour = Colour::automatic;
  bool keep = false;  ///< run --keep
};

/// Parses argv (without argv[0]); errors are ErrorKind::input with a hint.
Result<Options> parse_args(const std::vector<std::string>& args);

/// The --help text.
std::string usage();

}  // namespace nscheck::cli
