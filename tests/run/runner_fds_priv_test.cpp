// run_scenario in-process: every fd, thread and namespace it opens is closed when it returns,
// whether the run passes, the kernel refuses the topology or a stage, or a signal interrupts it.
#include "run/runner.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "run/exit_code.hpp"
#include "run/footprint.hpp"
#include "scenario/loader.hpp"
#include "support/proc.hpp"

namespace nscheck::run {
namespace {

using namespace std::chrono_literals;
using test::footprint;
using test::open_fds;

const std::string k_src = NSCHECK_SOURCE_DIR;

scenario::Scenario load(const std::string& relative) {
  auto s = scenario::load_scenario(k_src + "/" + relative);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? *s : scenario::Scenario{};
}

scenario::Scenario parse(const char* text) {
  auto s = scenario::parse_scenario(text, "t.toml");
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? *s : scenario::Scenario{};
}

std::size_t cells_with(const report::Run& r, report::CellStatus status) {
  std::size_t n = 0;
  for (const auto& st : r.stages)
    for (const auto& c : st.cells) n += c.status == status;
  return n;
}

/// Runs s and checks that the process holds exactly what it held before.
RunResult run_and_compare(const scenario::Scenario& s, const std::atomic<bool>& stop, RunOptions options = {}) {
  const auto fds_before = open_fds();
  const auto before = footprint();
  RunResult r = run_scenario(s, options, stop);
  const auto fds_after = open_fds();
  const auto after = footprint();
  EXPECT_EQ(fds_before, fds_after) << test::fd_difference(fds_before, fds_after);
  EXPECT_EQ(before.threads, after.threads);
  EXPECT_EQ(before.net_namespaces, after.net_namespaces);
  EXPECT_EQ(before.netlink_sockets, after.netlink_sockets);
  return r;
}

// A node sysctl that passes validation and that only the kernel refuses (the loader knows the
// keys, not what each one accepts).
constexpr const char* k_bad_node_sysctl = R"(
[nodes.ns1]
sysctl = { "net.ipv4.ip_forward" = "banana" }
[nodes.ns2]
[[links]]
a = { node = "ns1", ifname = "ns1-veth0", addresses = ["192.0.2.1/24"] }
b = { node = "ns2", ifname = "ns2-veth0", addresses = ["192.0.2.2/24"] }
[[stages]]
expect = "all OK"
)";

// The topology builds and stage 1 probes; stage 2's change is refused by the kernel.
constexpr const char* k_bad_stage_sysctl = R"(
[nodes.ns1]
[nodes.ns2]
[[links]]
a = { node = "ns1", ifname = "ns1-veth0", addresses = ["192.0.2.1/24"] }
b = { node = "ns2", ifname = "ns2-veth0", addresses = ["192.0.2.2/24"] }
[[stages]]
name = "fine"
expect = "all OK"
[[stages]]
name = "refused"
sysctl.ns2 = { "net.ipv4.ip_forward" = "banana" }
expect = "all OK"
[[stages]]
name = "never reached"
expect = "all OK"
)";

TEST(RunnerFds, PassingRunLeavesNothingOpen) {
  const auto s = load("scenarios/003_router.toml");
  std::atomic<bool> stop{false};
  const auto r = run_and_compare(s, stop);
  EXPECT_FALSE(r.error.has_value()) << r.error->message;
  EXPECT_EQ(exit_code(r.report, 0), k_exit_ok);
}

TEST(RunnerFds, TcpAndUdpRunLeavesNoSocketOrListenerOpen) {
  const auto s = load("scenarios/tcp_udp_router.toml");
  std::atomic<bool> stop{false};
  const auto r = run_and_compare(s, stop);
  EXPECT_FALSE(r.error.has_value()) << r.error->message;
  EXPECT_EQ(exit_code(r.report, 0), k_exit_ok);
}

TEST(RunnerFds, TopologyTheKernelRefusesLeavesNothingOpen) {
  const auto s = parse(k_bad_node_sysctl);
  std::atomic<bool> stop{false};
  const auto r = run_and_compare(s, stop);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_NE(r.error->message.find("ip_forward"), std::string::npos) << r.error->message;
  EXPECT_EQ(cells_with(r.report, report::CellStatus::not_run), 4u);
  EXPECT_EQ(exit_code(r.report, 0), k_exit_environment);
}

TEST(RunnerFds, StageTheKernelRefusesLeavesNothingOpen) {
  const auto s = parse(k_bad_stage_sysctl);
  std::atomic<bool> stop{false};
  const auto r = run_and_compare(s, stop);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_NE(r.error->message.find("ip_forward"), std::string::npos) << r.error->message;
  EXPECT_EQ(cells_with(r.report, report::CellStatus::pass), 4u);     // stage 1
  EXPECT_EQ(cells_with(r.report, report::CellStatus::not_run), 8u);  // stages 2 and 3
}

TEST(RunnerFds, RunInterruptedBeforeItStartsLeavesNothingOpen) {
  const auto s = load("scenarios/003_router.toml");
  std::atomic<bool> stop{true};
  const auto r = run_and_compare(s, stop);
  EXPECT_TRUE(r.report.interrupted);
  EXPECT_EQ(cells_with(r.report, report::CellStatus::pass), 0u);
  EXPECT_GT(cells_with(r.report, report::CellStatus::not_run), 0u);
}

TEST(RunnerFds, RunInterruptedWhileProbingLeavesNothingOpen) {
  const auto s = load("tests/e2e/data/slow_drops.toml");  // one stage of 4000 ms with silent drops
  std::atomic<bool> stop{false}, release{false};
  std::thread signal([&] {  // alive across both counts, so that the thread counts compare
    std::this_thread::sleep_for(300ms);
    stop = true;
    while (!release) std::this_thread::sleep_for(1ms);
  });
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run_and_compare(s, stop);
  const auto took = std::chrono::steady_clock::now() - t0;
  release = true;
  signal.join();
  EXPECT_TRUE(r.report.interrupted);
  EXPECT_GT(cells_with(r.report, report::CellStatus::not_run), 0u);  // the silent drops were undecided
  EXPECT_LT(took, 3s) << "the batch should stop soon after the stop flag, not at its 4 s deadline";
}

}  // namespace
}  // namespace nscheck::run
