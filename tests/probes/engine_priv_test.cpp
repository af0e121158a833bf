// The probe engine on real namespaces (root; the test main moved us into a private namespace).
#include <fcntl.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <fstream>

#include "probes/engine.hpp"
#include "probes/engine_test_util.hpp"
#include "probes/netlink_helpers.hpp"
#include "probes/netns_helpers.hpp"

namespace nscheck::probes {
namespace {

using namespace std::chrono_literals;
using namespace test_util;

TEST(ProbeEngine, LoopbackAnswersAtOnce) {
  auto ns = namespaces(1);
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "127.0.0.1")}, {.deadline = 1000ms, .count = 2});
  ASSERT_EQ(t.results.size(), 1u);
  const ProbeResult& r = t.results[0];
  EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  EXPECT_EQ(r.reason, Reason::reply);
  EXPECT_GT(r.rtt.count(), 0);
  EXPECT_EQ(r.sent, 1);
  EXPECT_EQ(r.answered, 1);
  EXPECT_LT(t.took, 200ms) << "an all-OK batch must not wait for the deadline";
}

TEST(ProbeEngine, NoRouteOnTheSourceIsAConfirmedLocalNg) {
  auto ns = namespaces(1);
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "10.1.2.3")}, {.deadline = 1000ms, .count = 2});
  const ProbeResult& r = t.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::ng);
  EXPECT_EQ(r.reason, Reason::local_no_route);
  EXPECT_EQ(r.send_errno, ENETUNREACH);
  EXPECT_EQ(r.sent, 2) << "an NG is confirmed by a second request";
  EXPECT_EQ(r.answered, 0);
  EXPECT_EQ(r.detail, "sendto: Network is unreachable (no route on the source)");
  EXPECT_LT(t.took, 200ms);
}

// Requests of one socket go out in sendmmsg() bursts; the kernel stops a burst at the first
// refused message. Refusals interleaved with deliverable requests must each keep their own fate.
TEST(ProbeEngine, RefusedSendsInsideABurstKeepTheirOwnFate) {
  auto ns = namespaces(1);
  std::vector<Probe> probes;
  for (int i = 0; i < 40; ++i) {
    const std::string dst = i % 3 == 1 ? "10.1.2." + std::to_string(i) : "127.0.0." + std::to_string(i + 1);
    probes.push_back(probe(ns[0], dst.c_str()));
  }
  ProbeEngine engine;
  auto t = run(engine, probes, {.deadline = 1000ms, .count = 2});
  ASSERT_EQ(t.results.size(), probes.size());
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const ProbeResult& r = t.results[i];
    if (i % 3 == 1) {
      EXPECT_EQ(r.reason, Reason::local_no_route) << i << ": " << r.detail;
      EXPECT_EQ(r.send_errno, ENETUNREACH) << i;
      EXPECT_EQ(r.sent, 2) << i;
    } else {
      EXPECT_EQ(r.outcome, Outcome::ok) << i << ": " << r.detail;
      EXPECT_EQ(r.sent, 1) << i;
      EXPECT_EQ(r.send_errno, 0) << i;
    }
  }
  EXPECT_LT(t.took, 500ms);
}

// The streaming form hands over every probe once, refused ones included, by the caller's index.
TEST(ProbeEngine, SinkGetsEveryProbeOnceByIndex) {
  auto ns = namespaces(1);
  std::vector<Probe> probes;
  for (int i = 0; i < 30; ++i) probes.push_back(probe(ns[0], i % 5 == 4 ? "fe80::1" : "127.0.0.1"));
  ProbeEngine engine;
  std::vector<int> calls(probes.size());
  std::vector<ProbeResult> got(probes.size());
  auto ran = engine.run(probes, {}, {.deadline = 1000ms, .count = 2}, [&](std::size_t i, ProbeResult&& r) {
    ASSERT_LT(i, probes.size());
    ++calls[i];
    got[i] = std::move(r);
  });
  ASSERT_TRUE(ran) << ran.error().message;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    EXPECT_EQ(calls[i], 1) << i;
    if (i % 5 == 4) {
      EXPECT_EQ(got[i].outcome, Outcome::error) << i;
      EXPECT_NE(got[i].detail.find("link-local"), std::string::npos) << i << ": " << got[i].detail;
    } else {
      EXPECT_EQ(got[i].outcome, Outcome::ok) << i << ": " << got[i].detail;
    }
  }
}

TEST(ProbeEngine, RejectRouteOnTheSourceIsLocalHostUnreachable) {
  auto ns = namespaces(1);
  auto route = test::add_reject_route(ns[0].get(), "10.9.0.0", "255.255.0.0");
  ASSERT_TRUE(route) << route.error().message;
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "10.9.1.1")}, {.deadline = 1000ms, .count = 3});
  const ProbeResult& r = t.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::ng);
  EXPECT_EQ(r.reason, Reason::local_host_unreachable) << r.detail;
  EXPECT_EQ(r.send_errno, EHOSTUNREACH);
  EXPECT_EQ(r.sent, 3);
  EXPECT_LT(t.took, 200ms);
}

TEST(ProbeEngine, SilenceIsATimeoutAfterOneDeadline) {
  auto ns = namespaces(1);
  ignore_echo(ns[0]);
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "127.0.0.1")}, {.deadline = 300ms, .count = 2});
  const ProbeResult& r = t.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::ng);
  EXPECT_EQ(r.reason, Reason::timeout);
  EXPECT_EQ(r.sent, 2);
  EXPECT_EQ(r.answered, 0);
  EXPECT_EQ(r.detail, "no reply within 300 ms (2 requests sent)");
  EXPECT_GE(t.took, 290ms);
  EXPECT_LT(t.took, 600ms);
}

TEST(ProbeEngine, ThousandProbesHalfSilentCostOneDeadline) {
  auto ns = namespaces(2);
  ignore_echo(ns[1]);
  std::vector<Probe> probes;
  for (int i = 0; i < 1000; ++i) {
    const std::string dst = "127.0." + std::to_string(i / 2 / 200) + "." + std::to_string(i / 2 % 200 + 1);
    probes.push_back(probe(ns[i % 2], dst.c_str()));
  }
  ProbeEngine engine;
  const ProbeOptions options{.deadline = 500ms, .count = 2};
  auto t = run(engine, probes, options);
  ASSERT_EQ(t.results.size(), probes.size());
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const ProbeResult& r = t.results[i];
    if (i % 2 == 0) {
      EXPECT_EQ(r.outcome, Outcome::ok) << i << ": " << r.detail;
      EXPECT_EQ(r.answered, r.sent) << i;
    } else {
      EXPECT_EQ(r.reason, Reason::timeout) << i << ": " << r.detail;
      EXPECT_EQ(r.sent, 2) << i;
      EXPECT_EQ(r.answered, 0) << i;
    }
  }
  EXPECT_GE(t.took, 490ms);
  EXPECT_LT(t.took, 2 * options.deadline) << "silent drops must cost one deadline, not one each";
}

TEST(ProbeEngine, ManySocketsAllOkDoNotWaitForTheDeadline) {
  auto ns = namespaces(50);
  std::vector<Probe> probes;
  for (const UniqueFd& fd : ns)
    for (unsigned d = 1; d <= 50; ++d) {
      Probe p;
      p.ns_fd = fd.get();
      p.destination = IpAddress::v4((127u << 24) | d);
      probes.push_back(p);
    }
  ProbeEngine engine;
  auto t = run(engine, probes, {.deadline = 3000ms, .count = 2});
  ASSERT_EQ(t.results.size(), probes.size());
  for (std::size_t i = 0; i < probes.size(); ++i) {
    EXPECT_EQ(t.results[i].outcome, Outcome::ok) << i << ": " << t.results[i].detail;
    EXPECT_EQ(t.results[i].sent, 1) << i;
  }
  EXPECT_LT(t.took, 1500ms);
}

TEST(ProbeEngine, SilenceGetsEveryRequestOfCount) {
  auto ns = namespaces(1);
  ignore_echo(ns[0]);
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "127.0.0.1")}, {.deadline = 300ms, .count = 4});
  EXPECT_EQ(t.results.at(0).sent, 4);
  EXPECT_EQ(t.results.at(0).detail, "no reply within 300 ms (4 requests sent)");
  EXPECT_LT(t.took, 600ms);
}

TEST(ProbeEngine, NamespacesProbingAtOnceDoNotSeeEachOthersReplies) {
  auto ns = namespaces(2);
  ignore_echo(ns[1]);
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "127.0.0.1"), probe(ns[1], "127.0.0.1")}, {.deadline = 300ms, .count = 2});
  EXPECT_EQ(t.results.at(0).outcome, Outcome::ok);
  EXPECT_EQ(t.results.at(0).answered, 1);
  EXPECT_EQ(t.results.at(1).reason, Reason::timeout);
  EXPECT_EQ(t.results.at(1).answered, 0);
}

TEST(ProbeEngine, SocketsSharingANamespaceDoNotShareReplies) {
  auto ns = namespaces(1);
  std::vector<Probe> probes{probe(ns[0], "127.0.0.2"), probe(ns[0], "127.0.0.2"), probe(ns[0], "127.0.0.2")};
  probes[1].bind_address = addr("127.0.0.1");
  probes[2].bind_device = "lo";
  ProbeEngine engine;
  auto t = run(engine, probes, {.deadline = 1000ms, .count = 2});
  for (const ProbeResult& r : t.results) {
    EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
    EXPECT_EQ(r.sent, 1);
    EXPECT_EQ(r.answered, 1) << "every raw socket of a namespace sees every reply; only its own counts";
  }
}

// Binding failures are per-probe harness errors (Outcome::error); the rest of the batch runs.
TEST(ProbeEngine, MissingDeviceIsAProbeErrorNamingIt) {
  auto ns = namespaces(1);
  std::vector<Probe> probes{probe(ns[0], "127.0.0.1"), probe(ns[0], "127.0.0.1")};
  probes[0].bind_device = "nope0";
  ProbeEngine engine;
  auto t = run(engine, probes, {.deadline = 500ms, .count = 2});
  const ProbeResult& bad = t.results.at(0);
  EXPECT_EQ(bad.outcome, Outcome::error);
  EXPECT_EQ(bad.reason, Reason::harness_error);
  EXPECT_NE(bad.detail.find("\"nope0\""), std::string::npos) << bad.detail;
  EXPECT_NE(bad.detail.find("No such device"), std::string::npos) << bad.detail;
  EXPECT_EQ(bad.sent, 0);
  EXPECT_EQ(t.results.at(1).outcome, Outcome::ok);
}

TEST(ProbeEngine, NonLocalSourceAddressIsAProbeErrorNamingIt) {
  auto ns = namespaces(1);
  auto p = probe(ns[0], "127.0.0.1");
  p.bind_address = addr("192.0.2.1");
  ProbeEngine engine;
  auto t = run(engine, {p}, {.deadline = 500ms, .count = 2});
  const ProbeResult& r = t.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::error);
  EXPECT_NE(r.detail.find("192.0.2.1 is not an address of the source namespace"), std::string::npos) << r.detail;
}

TEST(ProbeEngine, UnusableNamespaceFailsTheRun) {
  auto ns = namespaces(1);
  UniqueFd not_a_namespace(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  std::vector<Probe> probes{probe(ns[0], "127.0.0.1"), probe(not_a_namespace, "127.0.0.1")};
  ProbeEngine engine;
  auto r = engine.run(probes, {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("probe 1"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("setns"), std::string::npos) << r.error().message;
  probes[1].ns_fd = -1;
  EXPECT_FALSE(engine.run(probes, {}));
}

TEST(ProbeEngine, RefusesUnconfirmableOptions) {
  ProbeEngine engine;
  auto ns = namespaces(1);
  const std::vector<Probe> probes{probe(ns[0], "127.0.0.1")};
  EXPECT_FALSE(engine.run(probes, {.deadline = 500ms, .count = 1}));
  EXPECT_FALSE(engine.run(probes, {.deadline = 0ms, .count = 2}));
}

TEST(ProbeEngine, CachedSocketsServeLaterRuns) {
  auto ns = namespaces(1);
  ProbeEngine engine;
  for (int i = 0; i < 3; ++i) {
    auto t = run(engine, {probe(ns[0], "127.0.0.1"), probe(ns[0], "10.1.2.3")}, {.deadline = 300ms, .count = 2});
    EXPECT_EQ(t.results.at(0).outcome, Outcome::ok) << "run " << i;
    EXPECT_EQ(t.results.at(0).answered, 1) << "run " << i;
    EXPECT_EQ(t.results.at(1).reason, Reason::local_no_route) << "run " << i;
    if (i == 1) engine.close_sockets();
  }
}

// --- ICMP errors from a (fake) router ---------------------------------------------------------

TEST(ProbeEngine, ConfirmedIcmpErrorNamesTheReporter) {
  auto ns = namespaces(1);
  ignore_echo(ns[0]);
  auto responder = test::IcmpErrorResponder::start(ns[0].get(), [](int) {
    return test::ForgedError{3, 13, addr("127.0.0.9")};
  });
  ASSERT_TRUE(responder) << responder.error().message;
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "127.0.0.5")}, {.deadline = 2000ms, .count = 2});
  const ProbeResult& r = t.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::ng);
  EXPECT_EQ(r.reason, Reason::admin_prohibited);
  EXPECT_EQ(r.reporter, addr("127.0.0.9"));
  EXPECT_EQ(r.icmp_type, 3);
  EXPECT_EQ(r.icmp_code, 13);
  EXPECT_EQ(r.sent, 2);
  EXPECT_EQ(r.answered, 2);
  EXPECT_EQ(r.detail, "communication administratively prohibited (ICMP 3/13) from 127.0.0.9");
  EXPECT_LT(t.took, 1000ms) << "the confirming request goes out at once, not after deadline/count";
}

TEST(ProbeEngine, TtlExceededWithAnRfc792Quote) {
  auto ns = namespaces(1);
  ignore_echo(ns[0]);
  auto responder = test::IcmpErrorResponder::start(ns[0].get(), [](int) {
    return test::ForgedError{11, 0, addr("127.0.0.10"), 8};
  });
  ASSERT_TRUE(responder) << responder.error().message;
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "127.0.0.5")}, {.deadline = 2000ms, .count = 2});
  const ProbeResult& r = t.results.at(0);
  EXPECT_EQ(r.reason, Reason::ttl_exceeded) << r.detail;
  EXPECT_EQ(r.reporter, addr("127.0.0.10"));
  EXPECT_EQ(r.answered, 2);
}

TEST(ProbeEngine, ErrorThenSilenceKeepsTheErrorAndSaysSo) {
  auto ns = namespaces(1);
  ignore_echo(ns[0]);
  auto responder = test::IcmpErrorResponder::start(ns[0].get(), [](int n) -> std::optional<test::ForgedError> {
    if (n == 0) return test::ForgedError{3, 0, addr("127.0.0.9")};
    return std::nullopt;
  });
  ASSERT_TRUE(responder) << responder.error().message;
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "127.0.0.5")}, {.deadline = 300ms, .count = 2});
  const ProbeResult& r = t.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::ng);
  EXPECT_EQ(r.reason, Reason::net_unreachable);
  EXPECT_EQ(r.sent, 2);
  EXPECT_EQ(r.answered, 1);
  EXPECT_EQ(r.detail, "net unreachable (ICMP 3/0) from 127.0.0.9; no answer to the other 1 request within 300 ms");
  EXPECT_GE(t.took, 290ms);
}

TEST(ProbeEngine, ErrorThenReplyIsOk) {
  auto ns = namespaces(1);
  auto responder = test::IcmpErrorResponder::start(ns[0].get(), [](int n) -> std::optional<test::ForgedError> {
    if (n == 0) return test::ForgedError{3, 1, addr("127.0.0.9")};
    return std::nullopt;
  });
  ASSERT_TRUE(responder) << responder.error().message;
  // The kernel answers too (echo not ignored): the first reply usually beats the forged error;
  // either way one reply makes the probe OK.
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "127.0.0.5")}, {.deadline = 1000ms, .count = 2});
  EXPECT_EQ(t.results.at(0).outcome, Outcome::ok) << t.results.at(0).detail;
}

}  // namespace
}  // namespace nscheck::probes
