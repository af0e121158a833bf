// TCP and UDP probes with their built-in listeners, on real namespaces behind a real router:
// every outcome class, IPv4 and IPv6, with the reason and the reporter checked.
#include <gtest/gtest.h>

#include <chrono>

#include "probes/engine.hpp"
#include "probes/engine_test_util.hpp"
#include "probes/netlink_helpers.hpp"
#include "probes/netns_helpers.hpp"

namespace nscheck::probes {
namespace {

using namespace std::chrono_literals;
using namespace test_util;

/// A probe of a kind to destination:port from ns, answered by listener (if any).
Probe flow(const UniqueFd& ns, ProbeKind kind, const char* destination, std::uint16_t port,
           std::optional<std::size_t> listener) {
  Probe p = probe(ns, destination);
  p.kind = kind;
  p.port = port;
  p.listener = listener;
  return p;
}

Timed run_with(ProbeEngine& engine, const std::vector<Probe>& probes, const std::vector<ListenerSpec>& listeners,
               ProbeOptions options) {
  const auto t0 = Clock::now();
  auto r = engine.run(probes, listeners, options);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return {r ? std::move(*r) : std::vector<ProbeResult>{}, took};
}

/// A (10.0.1.1, 2001:db8:1::1) -- R (forwarding, no ICMP rate limit) -- B (10.0.2.1,
/// 2001:db8:2::1). R holds an unreachable route for 10.91.0.0/16 and 2001:db8:91::/48, a
/// prohibit route for .92 / :92:, a blackhole route for .93 / :93:.
/// Listeners in B: 0 tcp/80 v4, 1 udp/53 v4, 2 tcp/80 v6, 3 udp/53 v6.
class FlowProbes : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_ = namespaces(3);
    ASSERT_EQ(ns_.size(), 3u);
    const int a = ns_[0].get(), r = ns_[1].get(), b = ns_[2].get();
    ASSERT_OK(test::add_veth(a, "a0", 10, r, "r0", 11));
    ASSERT_OK(test::add_veth(r, "r1", 12, b, "b0", 13));
    for (const auto& [ns, ifindex, prefix] : {std::tuple{a, 10, "10.0.1.1/24"}, {a, 10, "2001:db8:1::1/64"},
                                              {r, 11, "10.0.1.254/24"}, {r, 11, "2001:db8:1::fe/64"},
                                              {r, 12, "10.0.2.254/24"}, {r, 12, "2001:db8:2::fe/64"},
                                              {b, 13, "10.0.2.1/24"}, {b, 13, "2001:db8:2::1/64"}})
      ASSERT_OK(test::add_address(ns, ifindex, prefix));
    ASSERT_OK(test::add_route_via(a, "0.0.0.0/0", "10.0.1.254"));
    ASSERT_OK(test::add_route_via(a, "::/0", "2001:db8:1::fe"));
    ASSERT_OK(test::add_route_via(b, "0.0.0.0/0", "10.0.2.254"));
    ASSERT_OK(test::add_route_via(b, "::/0", "2001:db8:2::fe"));
    for (const char* key : {"net/ipv4/ip_forward", "net/ipv6/conf/all/forwarding"})
      ASSERT_OK(test::write_sysctl(r, key, "1"));
    for (int ns : {a, r, b}) {
      ASSERT_OK(test::write_sysctl(ns, "net/ipv4/icmp_ratelimit", "0"));
      ASSERT_OK(test::write_sysctl(ns, "net/ipv6/icmp/ratelimit", "0"));
    }
    using test::RouteKind;
    for (const auto& [prefix, kind] : {std::pair{"10.91.0.0/16", RouteKind::unreachable},
                                       {"2001:db8:91::/48", RouteKind::unreachable},
                                       {"10.92.0.0/16", RouteKind::prohibit},
                                       {"2001:db8:92::/48", RouteKind::prohibit},
                                       {"10.93.0.0/16", RouteKind::blackhole},
                                       {"2001:db8:93::/48", RouteKind::blackhole}})
      ASSERT_OK(test::add_route(r, prefix, kind));
    listeners_ = {{b, ProbeKind::tcp, Family::v4, 80, "node B"},
                  {b, ProbeKind::udp, Family::v4, 53, "node B"},
                  {b, ProbeKind::tcp, Family::v6, 80, "node B"},
                  {b, ProbeKind::udp, Family::v6, 53, "node B"}};
    wait_for_b();
  }

  /// The veths send nothing until linkwatch marks them up (KERNEL.md): ping B until it answers.
  void wait_for_b() {
    for (int i = 0; i < 30; ++i) {
      auto r = engine_.run(std::vector<Probe>{probe(ns_[0], "10.0.2.1"), probe(ns_[0], "2001:db8:2::1")},
                           {.deadline = 100ms, .count = 2});
      if (r && r->at(0).outcome == Outcome::ok && r->at(1).outcome == Outcome::ok) return;
    }
    FAIL() << "B never answered through R";
  }

  const UniqueFd& a() const { return ns_[0]; }
  Probe tcp(const char* to, std::uint16_t port = 80) const {
    const bool v6 = IpAddress::parse(to)->family == Family::v6;
    return flow(a(), ProbeKind::tcp, to, port, port == 80 ? std::optional<std::size_t>(v6 ? 2 : 0) : std::nullopt);
  }
  Probe udp(const char* to, std::uint16_t port = 53) const {
    const bool v6 = IpAddress::parse(to)->family == Family::v6;
    return flow(a(), ProbeKind::udp, to, port, port == 53 ? std::optional<std::size_t>(v6 ? 3 : 1) : std::nullopt);
  }
  Timed run(const std::vector<Probe>& probes, std::chrono::milliseconds deadline = 500ms) {
    return run_with(engine_, probes, listeners_, {.deadline = deadline, .count = 2});
  }

  std::vector<UniqueFd> ns_;
  std::vector<ListenerSpec> listeners_;
  ProbeEngine engine_;
};

TEST_F(FlowProbes, OkCarriesWhatTheListenerSaw) {
  auto t = run({tcp("10.0.2.1"), udp("10.0.2.1"), tcp("2001:db8:2::1"), udp("2001:db8:2::1")});
  const char* sources[] = {"10.0.1.1", "10.0.1.1", "2001:db8:1::1", "2001:db8:1::1"};
  const char* locals[] = {"10.0.2.1", "10.0.2.1", "2001:db8:2::1", "2001:db8:2::1"};
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    const ProbeResult& r = t.results.at(i);
    EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
    EXPECT_EQ(r.reason, Reason::reply);
    EXPECT_EQ(r.sent, 1);
    ASSERT_TRUE(r.seen.has_value()) << r.detail;
    EXPECT_EQ(r.seen->listener, i) << "the listener of that kind and family answered";
    EXPECT_EQ(r.seen->peer, addr(sources[i])) << "no NAT: the destination sees the source's own address";
    EXPECT_NE(r.seen->peer_port, 0);
    EXPECT_EQ(r.seen->local, addr(locals[i]));
    EXPECT_EQ(r.seen->local_port, i % 2 == 0 ? 80 : 53);
  }
  EXPECT_NE(t.results[0].detail.find("handshake completed in"), std::string::npos) << t.results[0].detail;
  EXPECT_NE(t.results[1].detail.find("datagram answered in"), std::string::npos) << t.results[1].detail;
  EXPECT_LT(t.took, 300ms) << "an all-OK batch must not wait for the deadline";
}

TEST_F(FlowProbes, ClosedPortsAreRefusedOrPortUnreachable) {
  auto t = run({tcp("10.0.2.1", 81), udp("10.0.2.1", 54), tcp("2001:db8:2::1", 81), udp("2001:db8:2::1", 54)});
  for (std::size_t i : {0u, 2u}) {
    const ProbeResult& r = t.results.at(i);
    EXPECT_EQ(r.outcome, Outcome::ng);
    EXPECT_EQ(r.reason, Reason::refused) << r.detail;
    EXPECT_EQ(r.sent, 2) << "confirmed by a second attempt";
    EXPECT_EQ(r.answered, 2);
    EXPECT_EQ(r.detail, "connection refused (TCP RST: nothing listens there)");
  }
  const ProbeResult& u4 = t.results.at(1);
  EXPECT_EQ(u4.reason, Reason::port_unreachable) << u4.detail;
  EXPECT_EQ(u4.icmp_type, 3);
  EXPECT_EQ(u4.icmp_code, 3);
  EXPECT_EQ(u4.reporter, addr("10.0.2.1"));
  const ProbeResult& u6 = t.results.at(3);
  EXPECT_EQ(u6.reason, Reason::port_unreachable) << u6.detail;
  EXPECT_EQ(u6.icmp_type, 1);
  EXPECT_EQ(u6.icmp_code, 4);
  EXPECT_EQ(u6.reporter, addr("2001:db8:2::1"));
  EXPECT_LT(t.took, 300ms) << "answered failures are confirmed at once";
}

// IPv4: an unreachable route at a router answers host unreachable (3/1), prohibit 3/13;
// IPv6: 1/0 and 1/1 (net/ipv6/route.c); a blackhole answers nothing.
TEST_F(FlowProbes, RouteTypesAtTheRouterGiveTypedReasons) {
  auto t = run({tcp("10.91.0.1"), udp("10.91.0.1"), tcp("10.92.0.1"), udp("10.92.0.1"), tcp("10.93.0.1"),
                udp("10.93.0.1"), tcp("2001:db8:91::1"), udp("2001:db8:91::1"), tcp("2001:db8:92::1"),
                udp("2001:db8:92::1"), tcp("2001:db8:93::1"), udp("2001:db8:93::1")});
  struct Want {
    Reason reason;
    int type, code;
    const char* reporter;
  };
  const Want want[] = {{Reason::host_unreachable, 3, 1, "10.0.1.254"},    {Reason::host_unreachable, 3, 1, "10.0.1.254"},
                       {Reason::admin_prohibited, 3, 13, "10.0.1.254"},   {Reason::admin_prohibited, 3, 13, "10.0.1.254"},
                       {Reason::timeout, -1, -1, nullptr},                {Reason::timeout, -1, -1, nullptr},
                       {Reason::net_unreachable, 1, 0, "2001:db8:1::fe"}, {Reason::net_unreachable, 1, 0, "2001:db8:1::fe"},
                       {Reason::admin_prohibited, 1, 1, "2001:db8:1::fe"}, {Reason::admin_prohibited, 1, 1, "2001:db8:1::fe"},
                       {Reason::timeout, -1, -1, nullptr},                {Reason::timeout, -1, -1, nullptr}};
  for (std::size_t i = 0; i < 12; ++i) {
    SCOPED_TRACE(i);
    const ProbeResult& r = t.results.at(i);
    EXPECT_EQ(r.outcome, Outcome::ng);
    EXPECT_EQ(r.reason, want[i].reason) << r.detail;
    EXPECT_EQ(r.icmp_type, want[i].type);
    EXPECT_EQ(r.icmp_code, want[i].code);
    if (want[i].reporter) {
      EXPECT_EQ(r.reporter, addr(want[i].reporter)) << r.detail;
    }
    EXPECT_EQ(r.sent, 2);
  }
  EXPECT_GE(t.took, 490ms) << "the blackholed probes end at the deadline";
  EXPECT_LT(t.took, 900ms);
}

TEST_F(FlowProbes, ForwardingOffIsASilentDropEndingAtTheDeadline) {
  ASSERT_OK(test::write_sysctl(ns_[1].get(), "net/ipv4/ip_forward", "0"));
  ASSERT_OK(test::write_sysctl(ns_[1].get(), "net/ipv6/conf/all/forwarding", "0"));
  auto t = run({tcp("10.0.2.1"), udp("10.0.2.1"), tcp("2001:db8:2::1"), udp("2001:db8:2::1")}, 400ms);
  for (const ProbeResult& r : t.results) {
    if (r.reason == Reason::timeout) continue;
    // IPv6 with forwarding off: R is a host, and hosts answer nothing for others' packets...
    ADD_FAILURE() << "expected a timeout: " << r.detail;
  }
  EXPECT_GE(t.took, 390ms);
  EXPECT_LT(t.took, 800ms);
}

TEST_F(FlowProbes, TtlExceededNamesTheRouter) {
  ASSERT_OK(test::write_sysctl(a().get(), "net/ipv4/ip_default_ttl", "1"));
  ASSERT_OK(test::write_sysctl(a().get(), "net/ipv6/conf/a0/hop_limit", "1"));
  auto t = run({tcp("10.0.2.1"), udp("10.0.2.1"), tcp("2001:db8:2::1"), udp("2001:db8:2::1")});
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    const ProbeResult& r = t.results.at(i);
    EXPECT_EQ(r.reason, Reason::ttl_exceeded) << r.detail;
    EXPECT_EQ(r.icmp_type, i < 2 ? 11 : 3);
    EXPECT_EQ(r.icmp_code, 0);
    EXPECT_EQ(r.reporter, addr(i < 2 ? "10.0.1.254" : "2001:db8:1::fe"));
  }
}

TEST_F(FlowProbes, NoRouteOnTheSourceIsALocalNg) {
  auto lone = namespaces(1);
  std::vector<Probe> probes;
  for (ProbeKind kind : {ProbeKind::tcp, ProbeKind::udp})
    for (const char* to : {"10.1.2.3", "2001:db8:77::1"}) probes.push_back(flow(lone[0], kind, to, 80, std::nullopt));
  auto t = run(probes);
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    const ProbeResult& r = t.results.at(i);
    EXPECT_EQ(r.outcome, Outcome::ng);
    EXPECT_EQ(r.reason, Reason::local_no_route) << r.detail;
    EXPECT_EQ(r.send_errno, ENETUNREACH);
    EXPECT_EQ(r.sent, 2);
  }
  EXPECT_EQ(t.results[0].detail, "connect: Network is unreachable (no route on the source)");
  EXPECT_EQ(t.results[2].detail, "sendto: Network is unreachable (no route on the source)");
  EXPECT_LT(t.took, 300ms);
}

TEST_F(FlowProbes, ABoundSourceIsWhatTheDestinationSees) {
  ASSERT_OK(test::add_address(a().get(), 10, "10.0.1.7/24"));
  ASSERT_OK(test::add_address(a().get(), 10, "2001:db8:1::7/64"));
  std::vector<Probe> probes{tcp("10.0.2.1"), udp("10.0.2.1"), tcp("2001:db8:2::1"), udp("2001:db8:2::1")};
  for (auto& p : probes) p.bind_address = addr(p.destination.family == Family::v6 ? "2001:db8:1::7" : "10.0.1.7");
  probes.push_back(tcp("10.0.2.1"));
  probes.back().bind_device = "a0";
  auto t = run(probes);
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(t.results.at(i).seen.has_value()) << t.results[i].detail;
    EXPECT_EQ(t.results[i].seen->peer, *probes[i].bind_address);
  }
  EXPECT_EQ(t.results.at(4).outcome, Outcome::ok) << t.results[4].detail;
}

TEST_F(FlowProbes, AListenerThatCannotStartIsAHarnessErrorNotAnNg) {
  auto listeners = listeners_;
  listeners.push_back(listeners_[0]);  // the same port twice: the second bind fails
  Probe p = tcp("10.0.2.1");
  p.listener = 4;
  auto t = run_with(engine_, {p, tcp("10.0.2.1")}, listeners, {.deadline = 300ms, .count = 2});
  const ProbeResult& r = t.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::error);
  EXPECT_EQ(r.reason, Reason::harness_error);
  EXPECT_EQ(r.sent, 0) << "never sent";
  EXPECT_NE(r.detail.find("the built-in tcp/80 (IPv4) listener in node B could not start: bind to 0.0.0.0:80: "
                          "Address already in use"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(t.results.at(1).outcome, Outcome::ok) << "the first listener still serves";
}

TEST_F(FlowProbes, AServiceOfTheUsersOwnNeedsNoToken) {
  // listener 0 stands in for the user's service: the probe does not name it
  auto t = run({flow(a(), ProbeKind::tcp, "10.0.2.1", 80, std::nullopt)});
  const ProbeResult& r = t.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  EXPECT_FALSE(r.seen.has_value()) << "nothing is seen of a service";
}

TEST_F(FlowProbes, ThousandMixedCellsHalfSilentCostOneDeadline) {
  std::vector<Probe> probes;
  for (int i = 0; i < 1000; ++i) {
    const std::string silent = "10.93." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1);
    const bool drop = i % 2 == 1;
    const std::string to = drop ? silent : "10.0.2.1";
    Probe p = i % 3 == 0 ? probe(a(), to.c_str()) : i % 3 == 1 ? tcp(to.c_str()) : udp(to.c_str());
    probes.push_back(p);
  }
  auto t = run(probes, 1000ms);
  int ok = 0, timeouts = 0;
  for (const ProbeResult& r : t.results) {
    ok += r.outcome == Outcome::ok;
    timeouts += r.reason == Reason::timeout;
  }
  EXPECT_EQ(ok, 500);
  EXPECT_EQ(timeouts, 500);
  EXPECT_GE(t.took, 990ms);
  EXPECT_LT(t.took, 1400ms) << "one deadline, not one per probe";
  std::printf("1000 mixed cells (icmp/tcp/udp), half silent: %lld ms with a 1000 ms deadline\n",
              static_cast<long long>(t.took.count()));
}

}  // namespace
}  // namespace nscheck::probes
