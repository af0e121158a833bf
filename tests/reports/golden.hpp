#pragma once
// Golden files for the report formats, in tests/golden/.
//
// To accept a deliberate change of a format, run the report tests with
//     NSCHECK_UPDATE_GOLDEN=1 ctest -L unit -R reports
// Each compared golden file is then rewritten with the current output and the test
// passes; review `git diff tests/golden` before committing.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace nscheck::report::fixtures {

/// The path of a golden file in the source tree.
inline std::string golden_path(const std::string& name) { return NSCHECK_SOURCE_DIR "/tests/golden/" + name; }

/// True when NSCHECK_UPDATE_GOLDEN=1 asks for golden files to be rewritten.
inline bool updating_golden() {
  const char* v = std::getenv("NSCHECK_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

/// Compares `actual` with the golden file `name` byte for byte (or rewrites it, see above).
inline void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = golden_path(name);
  if (updating_golden()) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << actual;
    ASSERT_TRUE(out.good()) << "cannot rewrite " << path;
    std::cerr << "rewrote golden file " << path << "\n";
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << path << "; create it with NSCHECK_UPDATE_GOLDEN=1 and review it";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(expected.str(), actual) << "output differs from " << path
                                    << "; if the change is intended, rerun with NSCHECK_UPDATE_GOLDEN=1";
}

}  // namespace nscheck::report::fixtures
