// End to end: the built nscheck binary on every scenario in scenarios/, on real namespaces.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/files.hpp"
#include "support/host_unchanged.hpp"
#include "support/process.hpp"

namespace nscheck::test {
namespace {

namespace fs = std::filesystem;

const std::string k_bin = NSCHECK_BINARY;
const std::string k_src = NSCHECK_SOURCE_DIR;

std::string temp_path(const std::string& name) { return test::temp_path("e2e", name); }

using E2E = HostUnchanged;

std::vector<std::string> shipped_scenarios() {
  std::vector<std::string> v;
  for (const auto& f : fs::directory_iterator(k_src + "/scenarios"))
    if (f.path().extension() == ".toml") v.push_back(f.path().string());
  std::sort(v.begin(), v.end());
  return v;
}

TEST_F(E2E, EveryShippedScenarioPasses) {
  const auto all = shipped_scenarios();
  ASSERT_GE(all.size(), 5u);
  for (const auto& path : all) {
    const auto junit = temp_path(fs::path(path).stem().string() + ".xml");
    auto r = run_command({k_bin, "run", path, "--junit", junit});
    EXPECT_EQ(r.exit_code, 0) << path << "\n" << r.out << r.err;
    const auto xml = read_file(junit);
    EXPECT_NE(xml.find("<testsuites"), std::string::npos) << path;
    EXPECT_EQ(xml.find("<failure"), std::string::npos) << path;
    EXPECT_EQ(xml.find("<error"), std::string::npos) << path;
    fs::remove(junit);
  }
}

TEST_F(E2E, WrongExpectationExitsOneWithAFailingTestcase) {
  const auto junit = temp_path("wrong.xml");
  auto r = run_command({k_bin, "run", k_src + "/tests/e2e/data/wrong_expectation.toml", "--junit", junit});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto xml = read_file(junit);
  EXPECT_NE(xml.find("<failure"), std::string::npos) << xml;
  EXPECT_NE(xml.find("expected NG, observed OK"), std::string::npos) << xml;
  EXPECT_NE(xml.find("wrong_expectation.toml:15"), std::string::npos) << xml;  // the cell's line
  EXPECT_NE(r.out.find("MISMATCH"), std::string::npos) << r.out;
  fs::remove(junit);
}

TEST_F(E2E, InvalidScenarioExitsFourAndCreatesNothing) {
  const auto junit = temp_path("invalid.xml");
  auto r = run_command({k_bin, "run", k_src + "/tests/e2e/data/invalid.toml", "--junit", junit});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("invalid.toml:4:11: route \"default via 10.9.9.9\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("invalid.toml:9:5: unknown node \"ns3\" in link"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(junit));
}

TEST_F(E2E, ValidateNeedsNoKernel) {
  auto ok = run_command({k_bin, "validate", k_src + "/scenarios/003_router.toml"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  auto bad = run_command({k_bin, "validate", k_src + "/tests/e2e/data/invalid.toml"});
  EXPECT_EQ(bad.exit_code, 4);
}

TEST_F(E2E, UsageErrorsExitFour) {
  EXPECT_EQ(run_command({k_bin, "frobnicate"}).exit_code, 4);
  EXPECT_EQ(run_command({k_bin, "run"}).exit_code, 4);
  EXPECT_EQ(run_command({k_bin, "run", "x.toml", "--deadline-ms", "5"}).exit_code, 4);
  EXPECT_EQ(run_command({k_bin, "run", "/nonexistent.toml"}).exit_code, 4);
  EXPECT_EQ(run_command({k_bin, "--help"}).exit_code, 0);
}

TEST_F(E2E, ReasonsAreShownForEveryNG) {
  auto r = run_command({k_bin, "run", k_src + "/scenarios/004_router_forwarding.toml", "--no-color"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("no-route"), std::string::npos) << r.out;  // stage 1: local ENETUNREACH
  EXPECT_NE(r.out.find("timeout"), std::string::npos) << r.out;   // stage 2: silent drop
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos) << "colour with --no-color";
}

TEST_F(E2E, NetUnreachableNamesTheRouter) {
  auto r = run_command({k_bin, "run", k_src + "/scenarios/003_two_routers.toml", "--no-color"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("from 192.0.2.254"), std::string::npos) << r.out;  // router1 said "net unreachable"
}

TEST_F(E2E, SigkillDuringProbingLeavesNothing) {
  for (int i = 0; i < 3; ++i) {
    const int pid = spawn_background({k_bin, "run", k_src + "/tests/e2e/data/slow_drops.toml"});
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + 400 * i));  // set-up, then probing
    ::kill(pid, SIGKILL);
    EXPECT_EQ(wait_for(pid), 128 + SIGKILL);
  }
  // TearDown compares the host with its state before the test
}

TEST_F(E2E, SigtermDuringProbingWritesTheReport) {
  const auto junit = temp_path("term.xml");
  const int pid = spawn_background({k_bin, "run", k_src + "/tests/e2e/data/slow_drops.toml", "--junit", junit});
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_for(pid), 143);
  const auto xml = read_file(junit);
  EXPECT_NE(xml.find("<testsuites"), std::string::npos) << xml;
  EXPECT_NE(xml.find("interrupted"), std::string::npos) << xml;
  fs::remove(junit);
}

}  // namespace
}  // namespace nscheck::test

namespace nscheck::test {
namespace {

/// Every ```toml block of the README that starts with `name =` is a complete scenario.
std::vector<std::string> readme_scenarios() {
  std::vector<std::string> out;
  std::istringstream in(read_file(k_src + "/README.md"));
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == "```toml") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      if (block.starts_with("name =")) out.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  return out;
}

TEST_F(E2E, ReadmeExamplesRunAsWritten) {
  const auto blocks = readme_scenarios();
  ASSERT_GE(blocks.size(), 1u);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto path = temp_path("readme-" + std::to_string(i) + ".toml");
    std::ofstream(path) << blocks[i];
    auto r = run_command({k_bin, "run", path, "--no-color"});
    EXPECT_EQ(r.exit_code, 0) << "README example " << i << ":\n" << blocks[i] << r.out << r.err;
    fs::remove(path);
  }
}

}  // namespace
}  // namespace nscheck::test

namespace nscheck::test {
namespace {

/// The run id printed by `run --keep`.
std::string kept_run_id(const std::string& out) {
  const std::string marker = "kept (run id ";
  const auto at = out.find(marker);
  return at == std::string::npos ? "" : out.substr(at + marker.size(), 6);
}

TEST_F(E2E, KeepPinsTheRunAndCleanRemovesExactlyIt) {
  const std::string scen = k_src + "/scenarios/003_veth_pair.toml";
  ASSERT_EQ(run_command({"/usr/sbin/ip", "netns", "add", "nscheck-bystander-test"}).exit_code, 0);
  auto first = run_command({k_bin, "run", scen, "--keep", "--no-color"});
  auto second = run_command({k_bin, "run", scen, "--keep", "--no-color"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  const auto id1 = kept_run_id(first.out), id2 = kept_run_id(second.out);
  ASSERT_EQ(id1.size(), 6u) << first.out;
  ASSERT_NE(id1, id2);
  EXPECT_NE(first.out.find("ip netns exec nscheck-" + id1 + "-ns1"), std::string::npos) << first.out;
  // the kept namespaces are the real topology: the veth is there and up
  auto links = run_command({"/usr/sbin/ip", "netns", "exec", "nscheck-" + id1 + "-ns1", "/usr/sbin/ip", "-o", "link"});
  EXPECT_NE(links.out.find("ns1-veth0"), std::string::npos) << links.out << links.err;
  // clean one run: the other run and the bystander stay
  auto one = run_command({k_bin, "clean", id1});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  auto list = capture({"/usr/sbin/ip", "netns", "list"});
  EXPECT_EQ(list.find("nscheck-" + id1), std::string::npos) << list;
  EXPECT_NE(list.find("nscheck-" + id2 + "-ns2"), std::string::npos) << list;
  // an unknown run id is a usage error naming the kept runs
  auto unknown = run_command({k_bin, "clean", "ffffff"});
  EXPECT_EQ(unknown.exit_code, 4);
  EXPECT_NE(unknown.err.find(id2), std::string::npos) << unknown.err;
  // clean all: every nscheck run goes, nothing else
  EXPECT_EQ(run_command({k_bin, "clean"}).exit_code, 0);
  list = capture({"/usr/sbin/ip", "netns", "list"});
  EXPECT_EQ(list.find("nscheck-" + id2), std::string::npos) << list;
  EXPECT_NE(list.find("nscheck-bystander-test"), std::string::npos) << list;
  EXPECT_EQ(run_command({"/usr/sbin/ip", "netns", "del", "nscheck-bystander-test"}).exit_code, 0);
}

}  // namespace
}  // namespace nscheck::test

namespace nscheck::test {
namespace {

TEST_F(E2E, KernelRefusalExitsTwoNamingNodeOperationAndKernelError) {
  const auto junit = temp_path("refusal.xml");
  auto r = run_command({k_bin, "run", k_src + "/tests/e2e/data/kernel_refusal.toml", "--junit", junit, "--no-color"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("kernel_refusal.toml: building the topology: node router: sysctl net.ipv4.ip_forward = banana "
                       "(line 6): write /proc/sys/net/ipv4/ip_forward: Invalid argument"),
            std::string::npos)
      << r.err;
  const auto xml = read_file(junit);
  EXPECT_NE(xml.find("type=\"run-error\""), std::string::npos) << xml;
  fs::remove(junit);
}

TEST_F(E2E, BrokenRulesetExitsFourWithNftsMessageInTheScenario) {
  auto r = run_command({k_bin, "run", k_src + "/tests/e2e/data/broken_ruleset.toml", "--no-color"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("broken_ruleset.toml:9:23: node fw: nft: syntax error, unexpected newline\n"
                       "    tcp dport 22 dropp\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("not run"), std::string::npos) << "no probe ran: " << r.out;
}

}  // namespace
}  // namespace nscheck::test
