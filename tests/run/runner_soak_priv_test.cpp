// Soak: 500 in-process runs of a small scenario in a row. Every run passes, and the fds, threads,
// namespaces, netlink sockets and memory the process holds do not grow.
#include "run/runner.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "run/exit_code.hpp"
#include "run/footprint.hpp"
#include "scenario/loader.hpp"

namespace nscheck::run {
namespace {

using namespace std::chrono_literals;

constexpr int k_runs = 500;
constexpr long k_rss_noise_kib = 4 * 1024;  ///< allowed RSS growth between run 50 and run 500

#if defined(__SANITIZE_ADDRESS__)
// ASan's quarantine keeps freed memory resident by design: RSS says nothing there (LSan checks
// leaks at exit instead).
constexpr bool k_rss_meaningful = false;
#else
constexpr bool k_rss_meaningful = true;
#endif

TEST(RunnerSoak, FiveHundredRunsLeaveNothingBehind) {
  auto s = scenario::load_scenario(NSCHECK_SOURCE_DIR "/scenarios/003_veth_pair.toml");
  ASSERT_TRUE(s.ok()) << s.error().message;
  const RunOptions options{.deadline = 200ms};  // every cell is OK: only a failure would wait
  std::atomic<bool> stop{false};

  const auto before = test::footprint();
  test::Footprint at1, at50, at500;
  double slowest_s = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 1; i <= k_runs; ++i) {
    const auto ti = std::chrono::steady_clock::now();
    const auto r = run_scenario(*s, options, stop);
    slowest_s = std::max(slowest_s, std::chrono::duration<double>(std::chrono::steady_clock::now() - ti).count());
    ASSERT_FALSE(r.error.has_value()) << "run " << i << ": " << r.error->message;
    ASSERT_EQ(exit_code(r.report, 0), k_exit_ok) << "run " << i << " did not pass";
    if (i == 1) at1 = test::footprint();
    if (i == 50) at50 = test::footprint();
    if (i == k_runs) at500 = test::footprint();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::cout << "soak: " << k_runs << " runs of 003_veth_pair in " << seconds << " s (" << seconds * 1000 / k_runs
            << " ms a run, slowest " << slowest_s * 1000 << " ms)\n"
            << "soak: before:   " << test::describe(before) << "\n"
            << "soak: run 1:    " << test::describe(at1) << "\n"
            << "soak: run 50:   " << test::describe(at50) << "\n"
            << "soak: run 500:  " << test::describe(at500) << "\n"
            << "soak: RSS growth run 50 -> 500: " << at500.rss_kib - at50.rss_kib << " KiB"
            << (k_rss_meaningful ? "" : " (not checked under AddressSanitizer)") << std::endl;

  for (const auto* f : {&at1, &at50, &at500}) {
    EXPECT_EQ(f->fds, before.fds);
    EXPECT_EQ(f->threads, before.threads);
    EXPECT_EQ(f->net_namespaces, before.net_namespaces);
    EXPECT_EQ(f->netlink_sockets, before.netlink_sockets);
  }
  if (k_rss_meaningful) {
    EXPECT_LT(at500.rss_kib - at50.rss_kib, k_rss_noise_kib);
  }
}

}  // namespace
}  // namespace nscheck::run
