// The probe engine with its sockets shared out among several threads (ProbeOptions::threads),
// on real namespaces: every verdict is the one a single thread gives, results come back by the
// caller's index, flows and listeners run next to the ICMP shards, and a stop ends them all.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include "probes/engine.hpp"
#include "probes/engine_test_util.hpp"
#include "probes/netns_helpers.hpp"

namespace nscheck::probes {
namespace {

using namespace std::chrono_literals;
using namespace test_util;

/// What a probe of MixedBatch must come back as.
enum class Want { ok, timeout, no_route, error };

struct Expected {
  Probe probe;
  Want want;
};

/// Six namespaces, each probing 60 loopback addresses (so every namespace has its own socket and
/// the shards are busy at once): ns1 and ns3 ignore echo requests (timeouts), ns4 also probes
/// addresses it has no route to (local NG), ns2 has one probe bound to a missing device (harness
/// error), ns5 probes through an unbound and an address-bound socket of the same namespace.
std::vector<Expected> mixed_batch(const std::vector<UniqueFd>& ns) {
  std::vector<Expected> out;
  for (std::size_t n = 0; n < ns.size(); ++n)
    for (int d = 1; d <= 60; ++d) {
      const std::string dst = "127.0.0." + std::to_string(d);
      const bool silent = n == 1 || n == 3;
      out.push_back({probe(ns[n], dst.c_str()), silent ? Want::timeout : Want::ok});
      if (n == 4 && d % 4 == 0) out.push_back({probe(ns[n], ("10.7.0." + std::to_string(d)).c_str()), Want::no_route});
      if (n == 5 && d % 3 == 0) {
        Probe bound = probe(ns[n], dst.c_str());
        bound.bind_address = addr("127.0.0.1");
        out.push_back({bound, Want::ok});
      }
    }
  Probe bad = probe(ns[2], "127.0.0.1");
  bad.bind_device = "nope0";
  out.push_back({bad, Want::error});
  return out;
}

void expect_verdicts(const std::vector<Expected>& batch, const std::vector<ProbeResult>& results) {
  ASSERT_EQ(results.size(), batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const ProbeResult& r = results[i];
    switch (batch[i].want) {
      case Want::ok:
        EXPECT_EQ(r.outcome, Outcome::ok) << i << ": " << r.detail;
        EXPECT_EQ(r.sent, 1) << i;
        EXPECT_EQ(r.answered, 1) << i << ": one socket's reply is never counted by another";
        break;
      case Want::timeout:
        EXPECT_EQ(r.outcome, Outcome::ng) << i;
        EXPECT_EQ(r.reason, Reason::timeout) << i << ": " << r.detail;
        EXPECT_EQ(r.sent, 2) << i;
        EXPECT_EQ(r.answered, 0) << i;
        break;
      case Want::no_route:
        EXPECT_EQ(r.reason, Reason::local_no_route) << i << ": " << r.detail;
        EXPECT_EQ(r.send_errno, ENETUNREACH) << i;
        EXPECT_EQ(r.sent, 2) << i;
        break;
      case Want::error:
        EXPECT_EQ(r.outcome, Outcome::error) << i;
        EXPECT_NE(r.detail.find("\"nope0\""), std::string::npos) << i << ": " << r.detail;
        break;
    }
  }
}

/// A TCP probe to a port, answered by the built-in listener of that index.
Probe tcp_probe(const UniqueFd& ns, const char* destination, std::uint16_t port, std::size_t listener) {
  Probe p = probe(ns, destination);
  p.kind = ProbeKind::tcp;
  p.port = port;
  p.listener = listener;
  return p;
}

std::vector<Probe> probes_of(const std::vector<Expected>& batch) {
  std::vector<Probe> probes;
  for (const Expected& e : batch) probes.push_back(e.probe);
  return probes;
}

class EngineThreads : public ::testing::TestWithParam<std::size_t> {};

TEST_P(EngineThreads, EveryVerdictIsTheSingleThreadedOne) {
  auto ns = namespaces(6);
  ASSERT_EQ(ns.size(), 6u);
  ignore_echo(ns[1]);
  ignore_echo(ns[3]);
  const auto batch = mixed_batch(ns);
  ProbeEngine engine;
  const ProbeOptions options{.deadline = 300ms, .count = 2, .threads = GetParam()};
  auto t = run(engine, probes_of(batch), options);
  expect_verdicts(batch, t.results);
  EXPECT_GE(t.took, 290ms) << "the silent probes had their whole deadline";
  // A second run on the cached sockets, split the same way, must not read the first one's answers.
  auto again = run(engine, probes_of(batch), options);
  expect_verdicts(batch, again.results);
}

TEST_P(EngineThreads, SinkGetsEveryProbeOnceByTheCallersIndex) {
  auto ns = namespaces(4);
  ASSERT_EQ(ns.size(), 4u);
  ignore_echo(ns[2]);
  std::vector<Probe> probes;
  for (int d = 1; d <= 100; ++d)
    for (const UniqueFd& fd : ns) probes.push_back(probe(fd, ("127.0.1." + std::to_string(d)).c_str()));
  std::vector<int> seen(probes.size(), 0);
  std::vector<ProbeResult> results(probes.size());
  ProbeEngine engine;
  auto r = engine.run(probes, {}, {.deadline = 300ms, .count = 2, .threads = GetParam()},
                      [&](std::size_t i, ProbeResult&& result) {
                        ASSERT_LT(i, probes.size());
                        ++seen[i];
                        results[i] = std::move(result);
                      });
  ASSERT_TRUE(r) << r.error().message;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    EXPECT_EQ(seen[i], 1) << i;
    const bool silent = i % 4 == 2;  // the probes of ns[2], interleaved in the caller's order
    EXPECT_EQ(results[i].outcome, silent ? Outcome::ng : Outcome::ok) << i << ": " << results[i].detail;
  }
}

TEST_P(EngineThreads, FlowsAndListenersRunBesideTheShards) {
  auto ns = namespaces(3);
  ASSERT_EQ(ns.size(), 3u);
  std::vector<ListenerSpec> listeners{{ns[0].get(), ProbeKind::tcp, Family::v4, 80, "node a"},
                                      {ns[0].get(), ProbeKind::udp, Family::v4, 53, "node a"}};
  std::vector<Probe> probes;
  for (int d = 1; d <= 100; ++d)
    for (const UniqueFd& fd : ns) probes.push_back(probe(fd, ("127.0.2." + std::to_string(d)).c_str()));
  const std::size_t first_flow = probes.size();
  Probe tcp = tcp_probe(ns[0], "127.0.0.1", 80, 0);
  Probe udp = tcp;
  udp.kind = ProbeKind::udp;
  udp.port = 53;
  udp.listener = 1;
  Probe closed = tcp;
  closed.port = 81;
  closed.listener.reset();
  probes.insert(probes.end(), {tcp, udp, closed});
  ProbeEngine engine;
  auto r = engine.run(probes, listeners, {.deadline = 500ms, .count = 2, .threads = GetParam()});
  ASSERT_TRUE(r) << r.error().message;
  const auto& results = *r;
  for (std::size_t i = 0; i < first_flow; ++i) EXPECT_EQ(results[i].outcome, Outcome::ok) << i << ": " << results[i].detail;
  EXPECT_EQ(results[first_flow].outcome, Outcome::ok) << results[first_flow].detail;
  ASSERT_TRUE(results[first_flow].seen.has_value()) << "the TCP listener recorded the probe";
  EXPECT_EQ(results[first_flow + 1].outcome, Outcome::ok) << results[first_flow + 1].detail;
  ASSERT_TRUE(results[first_flow + 1].seen.has_value()) << "the UDP responder recorded the probe";
  EXPECT_EQ(results[first_flow + 2].reason, Reason::refused) << results[first_flow + 2].detail;
}

TEST_P(EngineThreads, ProbesHandedOverRunAsTheCallersWould) {
  auto ns = namespaces(3);
  ASSERT_EQ(ns.size(), 3u);
  ignore_echo(ns[1]);
  std::vector<ListenerSpec> listeners{{ns[0].get(), ProbeKind::tcp, Family::v4, 80, "node a"}};
  std::vector<Probe> probes;
  for (int d = 1; d <= 100; ++d)
    for (const UniqueFd& fd : ns) probes.push_back(probe(fd, ("127.0.3." + std::to_string(d)).c_str()));
  const std::size_t first_flow = probes.size();
  Probe tcp = tcp_probe(ns[0], "127.0.0.1", 80, 0);
  probes.push_back(tcp);
  std::vector<Probe> handed = probes;
  std::vector<ProbeResult> results(probes.size());
  std::vector<int> seen(probes.size(), 0);
  ProbeEngine engine;
  auto r = engine.run(std::move(handed), listeners, {.deadline = 300ms, .count = 2, .threads = GetParam()},
                      [&](std::size_t i, ProbeResult&& result) {
                        ASSERT_LT(i, results.size());
                        ++seen[i];
                        results[i] = std::move(result);
                      });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(handed.empty()) << "the engine took the probes over";
  for (std::size_t i = 0; i < first_flow; ++i) {
    EXPECT_EQ(seen[i], 1) << i;
    const bool silent = i % 3 == 1;  // the probes of ns[1]
    EXPECT_EQ(results[i].outcome, silent ? Outcome::ng : Outcome::ok) << i << ": " << results[i].detail;
  }
  EXPECT_EQ(seen[first_flow], 1);
  EXPECT_EQ(results[first_flow].outcome, Outcome::ok) << results[first_flow].detail;
  EXPECT_TRUE(results[first_flow].seen.has_value()) << "the TCP probe, copied before the probes were freed, ran";
}

TEST_P(EngineThreads, StopEndsEveryShardAtOnce) {
  auto ns = namespaces(4);
  ASSERT_EQ(ns.size(), 4u);
  std::vector<Probe> probes;
  for (const UniqueFd& fd : ns) {
    ignore_echo(fd);
    for (int d = 1; d <= 100; ++d) probes.push_back(probe(fd, ("127.0.3." + std::to_string(d)).c_str()));
  }
  std::atomic<bool> stop{false};
  std::jthread stopper([&] {
    std::this_thread::sleep_for(100ms);
    stop = true;
  });
  ProbeEngine engine;
  auto t = run(engine, probes, {.deadline = 10'000ms, .count = 2, .stop = &stop, .threads = GetParam()});
  ASSERT_EQ(t.results.size(), probes.size());
  for (std::size_t i = 0; i < probes.size(); ++i) {
    EXPECT_TRUE(t.results[i].interrupted) << i << ": " << t.results[i].detail;
    EXPECT_EQ(t.results[i].answered, 0) << i;
  }
  EXPECT_LT(t.took, 5'000ms) << "every shard ends well before the 10 s deadline";
}

INSTANTIATE_TEST_SUITE_P(Threads, EngineThreads, ::testing::Values(1, 2, 3),
                         [](const auto& info) { return std::to_string(info.param) + "_threads"; });

}  // namespace
}  // namespace nscheck::probes
