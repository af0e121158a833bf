#pragma once
// Test helpers for files the end-to-end tests write and read.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace nscheck::test {

/// The whole file, or "" when it cannot be read.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A path in the temporary directory, unique to this test process: "nscheck-TAG-PID-NAME".
inline std::string temp_path(const std::string& tag, const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("nscheck-" + tag + "-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

}  // namespace nscheck::test
