#include "reports/output.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/unique_fd.hpp"
#include "reports/file.hpp"
#include "reports/json.hpp"
#include "reports/sample_runs.hpp"
#include "reports/temp_dir.hpp"

namespace nscheck::report {
namespace {

using fixtures::TempDir;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

TEST(Output, InMemoryKeepsEverythingInOrder) {
  Output out;
  out += "a";
  out += 'b';
  out.fill(3, ' ');
  out.integer(-42);
  out += '|';
  out.format("{}-{}", 1, "x");
  EXPECT_EQ(out.take(), "ab   -42|1-x");
}

TEST(Output, NumbersAreFmtsShortestText) {
  for (double d : {0.0, -0.0, 0.2, 0.000061, 0.0005, 1e-7, 123456789.125, 1e16, 1e300, 2.2250738585072014e-308,
                   -1.7976931348623157e308, 0.1 + 0.2}) {
    Output out;
    out.number(d);
    EXPECT_EQ(out.take(), fmt::format("{}", d)) << d;
  }
  Output out;
  out.integer(std::numeric_limits<long long>::min());
  EXPECT_EQ(out.take(), std::to_string(std::numeric_limits<long long>::min()));
}

TEST(Output, DrainsLargeOutputToTheDescriptorByteForByte) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/big";
  std::string expected;
  {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    ASSERT_TRUE(fd.valid());
    Output out(fd.get(), path);
    for (int i = 0; i < 100'000; ++i) {
      const std::string line = "line " + std::to_string(i) + "\n";
      out += line;
      expected += line;
    }
    ASSERT_TRUE(out.flush());
  }
  EXPECT_EQ(read_all(path), expected);
}

TEST(Output, AWriteErrorIsRememberedAndNamesTheFile) {
  UniqueFd fd(::open("/dev/full", O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) GTEST_SKIP() << "no /dev/full";
  Output out(fd.get(), "/dev/full");
  for (int i = 0; i < 10'000; ++i) out += "more than one chunk of output ";
  const auto r = out.flush();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errnum, ENOSPC);
  EXPECT_NE(r.error().message.find("write /dev/full: No space left on device"), std::string::npos) << r.error().message;
}

TEST(WriteFileAtomic, StreamsTheJsonReportAndLeavesNoTemporary) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/report.json";
  const auto r = write_json_file(fixtures::router_run(), path);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(read_all(path), json_report(fixtures::router_run()));
  EXPECT_EQ(dir.names(), std::vector<std::string>{"report.json"});
}

TEST(WriteFileAtomic, ARenderThatThrowsLeavesTheOldFileAndNoTemporary) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/report.json";
  std::ofstream(path) << "old content";
  EXPECT_THROW((void)write_file_atomic(path,
                                       [](Output& out) {
                                         out += "half a report";
                                         throw std::runtime_error("render failed");
                                       }),
               std::runtime_error);
  EXPECT_EQ(read_all(path), "old content");
  EXPECT_EQ(dir.names(), std::vector<std::string>{"report.json"});
}

TEST(WriteFileAtomic, MissingDirectoryIsAnErrorNamingThePath) {
  TempDir dir;
  const std::string path = dir.path() + "/no/such/dir/report.json";
  const auto r = write_json_file(fixtures::router_run(), path);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot write " + path), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().errnum, ENOENT);
}

}  // namespace
}  // namespace nscheck::report
