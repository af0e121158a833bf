#pragma once
// Shared helpers of the probe engine's privileged tests (engine_priv_test, engine_v6_priv_test).

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "probes/engine.hpp"
#include "probes/netns_helpers.hpp"

namespace nscheck::probes::test_util {

using Clock = std::chrono::steady_clock;

inline IpAddress addr(const char* text) { return *IpAddress::parse(text); }

/// A probe from the namespace ns to destination, without a binding.
inline Probe probe(const UniqueFd& ns, const char* destination) {
  Probe p;
  p.ns_fd = ns.get();
  p.destination = addr(destination);
  return p;
}

/// n namespaces with lo up (127.0.0.0/8 and ::1 answer).
inline std::vector<UniqueFd> namespaces(std::size_t n) {
  auto r = test::make_lo_namespaces(n);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? std::move(*r) : std::vector<UniqueFd>{};
}

/// The kernel of ns stops answering ICMP echo requests.
inline void ignore_echo(const UniqueFd& ns) {
  auto r = test::write_sysctl(ns.get(), "net/ipv4/icmp_echo_ignore_all", "1");
  ASSERT_TRUE(r) << r.error().message;
}

/// The kernel of ns stops answering ICMPv6 echo requests.
inline void ignore_echo6(const UniqueFd& ns) {
  auto r = test::write_sysctl(ns.get(), "net/ipv6/icmp/echo_ignore_all", "1");
  ASSERT_TRUE(r) << r.error().message;
}

/// Results of a batch with the wall time it took.
struct Timed {
  std::vector<ProbeResult> results;
  std::chrono::milliseconds took;
};

/// Runs a batch and times it.
inline Timed run(ProbeEngine& engine, const std::vector<Probe>& probes, ProbeOptions options) {
  const auto t0 = Clock::now();
  auto r = engine.run(probes, options);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return {r ? std::move(*r) : std::vector<ProbeResult>{}, took};
}

}  // namespace nscheck::probes::test_util

/// Asserts that a Result holds no error, printing the error otherwise.
#define ASSERT_OK(expr)                                    \
  do {                                                     \
    auto ok_result_ = (expr);                              \
    ASSERT_TRUE(ok_result_) << ok_result_.error().message; \
  } while (0)
