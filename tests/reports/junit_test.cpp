#include "reports/junit.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "reports/flips.hpp"
#include "reports/golden.hpp"
#include "reports/sample_runs.hpp"
#include "reports/temp_dir.hpp"
#include "reports/text.hpp"

namespace nscheck::report {
namespace {

using namespace fixtures;  // NOLINT: the sample runs

namespace fs = std::filesystem;

// ../shared/junit holds the schemas next to the repository in CI; a user's clone has none.
const std::string k_schema_dir = NSCHECK_SOURCE_DIR "/../shared/junit/";

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

bool have_xmllint() { return std::system("command -v xmllint >/dev/null 2>&1") == 0; }

struct LintResult {
  int exit_code = -1;
  std::string output;
};

LintResult run_xmllint(const std::string& schema, const std::string& file) {
  const std::string cmd = "xmllint --noout --schema '" + schema + "' '" + file + "' 2>&1";
  LintResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// router_run with its expected flip turned into a mismatch: a <failure> and a <system-out>.
report::Run flipped_mismatch_run() {
  report::Run run = router_run();
  Cell& c = run.stages[1].cells[0];
  c.expected = Verdict::ng;
  c.status = CellStatus::fail;
  mark_flips(run.stages[0], run.stages[1]);
  return run;
}

// ---- golden ---------------------------------------------------------------------------

TEST(JunitXml, MatchesGoldenRouterRun) { expect_golden("junit_router.xml", junit_xml(router_run())); }

// ---- schemas --------------------------------------------------------------------------

struct NamedRun {
  const char* name;
  std::function<report::Run()> make;
};

class JunitSchema : public ::testing::TestWithParam<NamedRun> {};

TEST_P(JunitSchema, ValidatesAgainstBothSchemas) {
  if (!fs::is_directory(k_schema_dir)) {
    GTEST_SKIP() << "JUnit schemas not found in " << k_schema_dir
                 << " (a clone without ../shared/junit); schema validation NOT checked";
  }
  ASSERT_TRUE(have_xmllint()) << "xmllint is missing: apt-get install libxml2-utils";
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string file = dir.path() + "/" + GetParam().name + ".xml";
  const std::string xml = junit_xml(GetParam().make());
  ASSERT_FALSE(xml.empty());
  ASSERT_TRUE(write_junit_file(GetParam().make(), file));
  for (const char* schema : {"junit-10.xsd", "jenkins-junit.xsd"}) {
    const LintResult r = run_xmllint(k_schema_dir + schema, file);
    EXPECT_EQ(r.exit_code, 0) << schema << " rejects the " << GetParam().name << " run:\n" << r.output << "\n" << xml;
  }
}

INSTANTIATE_TEST_SUITE_P(Runs, JunitSchema,
                         ::testing::Values(NamedRun{"router", router_run}, NamedRun{"passing", passing_run},
                                           NamedRun{"hostile", hostile_run}, NamedRun{"interrupted", interrupted_run},
                                           NamedRun{"run_error", run_error_run},
                                           NamedRun{"stage_error", stage_error_run}, NamedRun{"empty", empty_run},
                                           NamedRun{"flipped_mismatch", flipped_mismatch_run}),
                         [](const auto& info) { return std::string(info.param.name); });

// ---- content --------------------------------------------------------------------------

TEST(JunitXml, OneSuitePerStageNamedScenarioSlashStage) {
  const std::string xml = junit_xml(passing_run());
  EXPECT_EQ(occurrences(xml, "<testsuite "), 1u);
  EXPECT_NE(xml.find("<testsuite name=\"router / forwarding on\" tests=\"7\" failures=\"0\" errors=\"0\" "
                     "skipped=\"1\" time=\"0.047\" timestamp=\"2024-05-14T09:30:00Z\" hostname=\"ci-runner-7\" "
                     "id=\"0\" package=\"router\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"router.forwarding on\" name=\"icmp ns1 -> ns2 (198.51.100.1)\""),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("<failure"), std::string::npos);
  EXPECT_EQ(xml.find("<error"), std::string::npos);
}

TEST(JunitXml, MismatchIsAFailureWithTheScenarioLine) {
  const std::string xml = junit_xml(router_run());
  const auto at = xml.find("<failure message=\"expected OK, observed NG: timeout\" type=\"mismatch\">");
  ASSERT_NE(at, std::string::npos) << xml;
  const std::string body = xml.substr(at, xml.find("</failure>", at) - at);
  EXPECT_NE(body.find("scenarios/router.toml:23"), std::string::npos) << body;
  EXPECT_NE(body.find("no reply within 500 ms (2 requests sent)"), std::string::npos) << body;
}

TEST(JunitXml, HarnessErrorNotRunAndInterruptionAreReported) {
  const std::string xml = junit_xml(router_run());
  EXPECT_NE(xml.find("name=\"icmp router -I router-eth9 -> ns1 (192.0.2.1)\""), std::string::npos);
  EXPECT_NE(xml.find("<error message=\"harness error: SO_BINDTODEVICE router-eth9: No such device\" "
                     "type=\"harness-error\">"),
            std::string::npos);
  EXPECT_NE(xml.find("<skipped>not run: the run was interrupted</skipped>"), std::string::npos);
  EXPECT_NE(xml.find("name=\"interrupted\""), std::string::npos);
  EXPECT_NE(xml.find("type=\"interrupted\""), std::string::npos);
  EXPECT_NE(xml.find("<testsuites name=\"router\" tests=\"18\" failures=\"1\" errors=\"2\""), std::string::npos) << xml;
}

TEST(JunitXml, SkippedCellIsSkippedWithItsReason) {
  const std::string xml = junit_xml(passing_run());
  EXPECT_NE(
      xml.find("name=\"icmp ns1 -> ns2 (2001:db8:2::1)\" time=\"0.000\">\n"
               "      <skipped>skipped: the kernel lacks IPv6 (no sysctl net.ipv6.conf.all.forwarding)</skipped>\n"),
      std::string::npos)
      << xml;
  EXPECT_NE(xml.find("tests=\"7\" failures=\"0\" errors=\"0\" skipped=\"1\""), std::string::npos) << xml;
}

TEST(JunitXml, FlipsAreStagePropertiesAndTestcaseOutput) {
  const std::string xml = junit_xml(router_run());
  EXPECT_EQ(occurrences(xml, "<property name=\"flips.expected\" value=\"0\"/>"), 1u) << xml;
  EXPECT_EQ(occurrences(xml, "<property name=\"flips.expected\" value=\"1\"/>"), 1u) << xml;
  EXPECT_EQ(occurrences(xml, "<property name=\"flips.unexpected\" value=\"1\"/>"), 1u) << xml;
  EXPECT_NE(xml.find("name=\"icmp ns1 -> ns2 (198.51.100.1)\" time=\"0.000\">\n"
                     "      <system-out>flipped vs \"forwarding off\": NG → OK (expected)\n</system-out>\n"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<system-out>flipped vs \"forwarding off\": NG → OK (unexpected)\n</system-out>"),
            std::string::npos)
      << xml;
}

TEST(JunitXml, FailureComesBeforeTheFlipOutput) {  // Jenkins' junit-4 order
  const std::string xml = junit_xml(flipped_mismatch_run());
  const auto failure = xml.find("<failure message=\"expected NG, observed OK: reply\"");
  ASSERT_NE(failure, std::string::npos) << xml;
  EXPECT_EQ(
      xml.find("</failure>\n      <system-out>flipped vs \"forwarding off\": NG → OK (unexpected)\n</system-out>\n"
               "    </testcase>",
               failure),
      xml.find("</failure>", failure))
      << xml;
}

TEST(JunitXml, StageErrorIsAnErrorTestcase) {
  const std::string xml = junit_xml(stage_error_run());
  EXPECT_NE(xml.find("name=\"stage error\""), std::string::npos);
  EXPECT_NE(xml.find("<error message=\"node router: sysctl net.ipv4.ip_forward=1: Permission denied\" "
                     "type=\"stage-error\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<skipped>not run: the stage stopped on an error</skipped>"), std::string::npos);
}

TEST(JunitXml, RunErrorWithoutStagesStillReportsIt) {
  const std::string xml = junit_xml(run_error_run());
  EXPECT_NE(xml.find("<testsuite name=\"router / run\" tests=\"1\" failures=\"0\" errors=\"1\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("type=\"run-error\""), std::string::npos);
  EXPECT_NE(xml.find("RTM_NEWADDR 192.0.2.254/24: File exists (kernel: &quot;address already assigned&quot;)"),
            std::string::npos)
      << xml;
}

TEST(JunitXml, RunWithoutStagesOrErrorsIsNotEmpty) {
  const std::string xml = junit_xml(empty_run());
  EXPECT_EQ(occurrences(xml, "<testcase "), 1u) << xml;
  EXPECT_NE(xml.find("the scenario has no stages"), std::string::npos);
}

TEST(JunitXml, DuplicateCellsGetUniqueNames) {
  report::Run run = passing_run();
  run.stages[0].cells.push_back(run.stages[0].cells[0]);
  run.stages[0].cells.push_back(run.stages[0].cells[0]);
  const std::string xml = junit_xml(run);
  EXPECT_EQ(occurrences(xml, "name=\"icmp ns1 -> ns2 (198.51.100.1)\""), 1u);
  EXPECT_EQ(occurrences(xml, "name=\"icmp ns1 -> ns2 (198.51.100.1) #2\""), 1u);
  EXPECT_EQ(occurrences(xml, "name=\"icmp ns1 -> ns2 (198.51.100.1) #3\""), 1u);
}

TEST(JunitXml, DotInStageNameStaysOutOfThePackage) {
  report::Run run = passing_run();
  run.stages[0].name = "ipv4.forwarding on";
  const std::string xml = junit_xml(run);
  EXPECT_NE(xml.find("classname=\"router.ipv4_forwarding on\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testsuite name=\"router / ipv4.forwarding on\""), std::string::npos);
}

TEST(JunitXml, HostileTextIsEscapedAndCleaned) {
  const std::string xml = junit_xml(hostile_run());
  EXPECT_EQ(sanitize(xml), xml) << "control characters, escapes or bad UTF-8 left in the XML";
  EXPECT_EQ(xml.find('\x1b'), std::string::npos);
  EXPECT_EQ(xml.find('\r'), std::string::npos);
  EXPECT_NE(xml.find("name=\"evil &lt;&amp;&quot;&apos;> red\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("line1\nline2\ttab bell 31m c1 bad?? utf8 ?( surrogate ??? ok é ✗"), std::string::npos) << xml;
  EXPECT_NE(xml.find("hostname=\"hostname\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("time=\"0.000\""), std::string::npos);
  EXPECT_EQ(xml.find("nan"), std::string::npos);
}

// ---- writing the file -----------------------------------------------------------------

TEST(WriteJunitFile, WritesAtomicallyAndLeavesNoTemporary) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/junit.xml";
  {
    std::ofstream old(path);
    old << "old content";
  }
  const auto r = write_junit_file(router_run(), path);
  ASSERT_TRUE(r) << r.error().message;
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), junit_xml(router_run()));
  EXPECT_EQ(dir.names(), std::vector<std::string>{"junit.xml"});
}

TEST(WriteJunitFile, MissingDirectoryIsAnErrorNamingThePath) {
  TempDir dir;
  const std::string path = dir.path() + "/no/such/dir/junit.xml";
  const auto r = write_junit_file(router_run(), path);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("No such file or directory"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().errnum, ENOENT);
  EXPECT_FALSE(fs::exists(dir.path() + "/no"));
}

TEST(WriteJunitFile, PathThatIsADirectoryIsAnErrorAndLeavesNoTemporary) {
  TempDir dir;
  const auto r = write_junit_file(router_run(), dir.path());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(dir.path()), std::string::npos) << r.error().message;
  const fs::path parent = fs::path(dir.path()).parent_path();
  const std::string tmp_prefix = fs::path(dir.path()).filename().string() + ".tmp.";
  for (const auto& e : fs::directory_iterator(parent)) {
    EXPECT_NE(e.path().filename().string().rfind(tmp_prefix, 0), 0u) << "left behind: " << e.path();
  }
}

}  // namespace
}  // namespace nscheck::report
