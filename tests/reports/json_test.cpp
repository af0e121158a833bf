#include "reports/json.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "reports/golden.hpp"
#include "reports/sample_runs.hpp"
#include "reports/temp_dir.hpp"
#include "reports/text.hpp"

namespace nscheck::report {
namespace {

using namespace fixtures;  // NOLINT: the sample runs

// Parses the file with jq or python3, whichever is installed; false when neither is.
bool parse_with_external_tool(const std::string& file, int& exit_code) {
  if (std::system("command -v jq >/dev/null 2>&1") == 0) {
    exit_code = std::system(("jq empty '" + file + "' >/dev/null").c_str());
    return true;
  }
  if (std::system("command -v python3 >/dev/null 2>&1") == 0) {
    exit_code = std::system(("python3 -m json.tool '" + file + "' >/dev/null").c_str());
    return true;
  }
  return false;
}

TEST(JsonReport, MatchesGoldenRouterRun) { expect_golden("json_router.json", json_report(router_run())); }

TEST(JsonReport, HostileRunIsValidJson) {
  const std::string json = json_report(hostile_run());
  EXPECT_EQ(sanitize(json), json);
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string file = dir.path() + "/hostile.json";
  std::ofstream(file) << json;
  int exit_code = -1;
  if (!parse_with_external_tool(file, exit_code)) GTEST_SKIP() << "neither jq nor python3 installed";
  EXPECT_EQ(exit_code, 0) << json;
}

TEST(JsonReport, CountsAndStatuses) {
  const std::string json = json_report(router_run());
  EXPECT_NE(json.find("\"status\": \"mismatch\""), std::string::npos);
  EXPECT_NE(json.find("\"status\": \"not-run\""), std::string::npos);
  EXPECT_NE(json.find("\"interrupted\": true"), std::string::npos);
  EXPECT_NE(json.find("\"result\": \"failed\""), std::string::npos);
  EXPECT_NE(json.find("\"mismatches\": 1"), std::string::npos);
}

TEST(JsonReport, SkippedCellsHaveTheirStatusAndCount) {
  const std::string json = json_report(passing_run());
  EXPECT_NE(json.find("\"status\": \"skipped\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"observed\": \"SKIPPED\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"skipped\": 1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"result\": \"passed\""), std::string::npos) << json;
}

TEST(JsonReport, FlipsPerCellAndPerStage) {
  const std::string json = json_report(router_run());
  EXPECT_NE(json.find("\"previous\": \"NG\",\n          \"flip\": \"expected\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"previous\": \"NG\",\n          \"flip\": \"unexpected\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"flips\": {\n        \"expected\": 1,\n        \"unexpected\": 1\n      }"), std::string::npos)
      << json;
}

}  // namespace
}  // namespace nscheck::report
