// The probe engine with ICMPv6, on real namespaces (root; the test main moved us into a private
// namespace). Topologies come from the netlink layer (netlink_helpers): addresses with
// IFA_F_NODAD, typed routes, veth pairs.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <string>

#include "probes/engine.hpp"
#include "probes/engine_test_util.hpp"
#include "probes/netlink_helpers.hpp"
#include "probes/netns_helpers.hpp"

namespace nscheck::probes {
namespace {

using namespace std::chrono_literals;
using namespace test_util;

TEST(ProbeEngineV6, LoopbackAnswersAtOnce) {
  auto ns = namespaces(1);
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "::1")}, {.deadline = 1000ms, .count = 2});
  const ProbeResult& r = t.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  EXPECT_EQ(r.reason, Reason::reply);
  EXPECT_EQ(r.icmp_type, 129);
  EXPECT_EQ(r.sent, 1);
  EXPECT_EQ(r.answered, 1);
  EXPECT_LT(t.took, 200ms);
}

// lo never runs duplicate address detection (and addr_new sets IFA_F_NODAD): usable at once.
TEST(ProbeEngineV6, AddressOnLoAnswersWithoutDadWait) {
  auto ns = namespaces(1);
  ASSERT_OK(test::add_address(ns[0].get(), test::k_lo, "2001:db8:7::1/128"));
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "2001:db8:7::1")}, {.deadline = 1000ms, .count = 2});
  const ProbeResult& r = t.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  EXPECT_EQ(r.answered, 1);
  EXPECT_LT(t.took, 200ms);
}

TEST(ProbeEngineV6, NoRouteOnTheSourceIsAConfirmedLocalNg) {
  auto ns = namespaces(1);
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "2001:db8:ffff::1")}, {.deadline = 1000ms, .count = 2});
  const ProbeResult& r = t.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::ng);
  EXPECT_EQ(r.reason, Reason::local_no_route);
  EXPECT_EQ(r.send_errno, ENETUNREACH);
  EXPECT_EQ(r.sent, 2);
  EXPECT_EQ(r.detail, "sendto: Network is unreachable (no route on the source)");
  EXPECT_LT(t.took, 200ms);
}

TEST(ProbeEngineV6, EchoIgnoredIsATimeout) {
  auto ns = namespaces(1);
  ignore_echo6(ns[0]);
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "::1")}, {.deadline = 300ms, .count = 2});
  const ProbeResult& r = t.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::ng);
  EXPECT_EQ(r.reason, Reason::timeout);
  EXPECT_EQ(r.sent, 2);
  EXPECT_EQ(r.answered, 0);
  EXPECT_GE(t.took, 290ms);
  EXPECT_LT(t.took, 600ms);
}

// From the sender itself, IPv6 reject routes fail the send (net/ipv6/route.c fib6_prop):
// unreachable EHOSTUNREACH, prohibit EACCES, blackhole EINVAL; no ICMPv6 is involved.
TEST(ProbeEngineV6, RejectRoutesOnTheSourceAreLocalReasons) {
  auto ns = namespaces(1);
  ASSERT_OK(test::add_route(ns[0].get(), "2001:db8:1::/48", test::RouteKind::unreachable));
  ASSERT_OK(test::add_route(ns[0].get(), "2001:db8:2::/48", test::RouteKind::prohibit));
  ASSERT_OK(test::add_route(ns[0].get(), "2001:db8:3::/48", test::RouteKind::blackhole));
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "2001:db8:1::1"), probe(ns[0], "2001:db8:2::1"), probe(ns[0], "2001:db8:3::1")},
               {.deadline = 1000ms, .count = 3});
  const struct {
    Reason reason;
    int err;
  } expected[] = {{Reason::local_host_unreachable, EHOSTUNREACH},
                  {Reason::local_prohibited, EACCES},
                  {Reason::local_blackhole, EINVAL}};
  for (std::size_t i = 0; i < 3; ++i) {
    const ProbeResult& r = t.results.at(i);
    EXPECT_EQ(r.outcome, Outcome::ng) << i << ": " << r.detail;
    EXPECT_EQ(r.reason, expected[i].reason) << i << ": " << r.detail;
    EXPECT_EQ(r.send_errno, expected[i].err) << i;
    EXPECT_EQ(r.sent, 3) << i;
  }
  // the MSG_PROBE re-check finds the route itself refusing: a blackhole, not a neighbour problem
  EXPECT_EQ(t.results.at(2).detail, "sendto: Invalid argument (a blackhole route on the source)");
  EXPECT_LT(t.took, 200ms);
}

TEST(ProbeEngineV6, MixedFamiliesInOneNamespaceUseTheirOwnSockets) {
  auto ns = namespaces(1);
  ProbeEngine engine;
  std::vector<Probe> probes{probe(ns[0], "127.0.0.1"), probe(ns[0], "::1"), probe(ns[0], "::1")};
  probes[2].bind_device = "lo";
  auto t = run(engine, probes, {.deadline = 1000ms, .count = 2});
  for (const ProbeResult& r : t.results) {
    EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
    EXPECT_EQ(r.answered, 1);
  }
  EXPECT_EQ(t.results.at(0).icmp_type, 0);
  EXPECT_EQ(t.results.at(1).icmp_type, 129);
}

TEST(ProbeEngineV6, BindsAnIpv6SourceAddress) {
  auto ns = namespaces(1);
  ASSERT_OK(test::add_address(ns[0].get(), test::k_lo, "2001:db8:7::1/128"));
  std::vector<Probe> probes{probe(ns[0], "::1"), probe(ns[0], "::1"), probe(ns[0], "::1")};
  probes[0].bind_address = addr("2001:db8:7::1");
  probes[1].bind_address = addr("2001:db8:7::99");  // not local
  probes[2].bind_address = addr("127.0.0.1");       // the other family
  ProbeEngine engine;
  auto t = run(engine, probes, {.deadline = 500ms, .count = 2});
  EXPECT_EQ(t.results.at(0).outcome, Outcome::ok) << t.results.at(0).detail;
  EXPECT_EQ(t.results.at(1).outcome, Outcome::error);
  EXPECT_NE(t.results.at(1).detail.find("2001:db8:7::99 is not an address of the source namespace"), std::string::npos)
      << t.results.at(1).detail;
  EXPECT_EQ(t.results.at(2).outcome, Outcome::error);
  EXPECT_NE(t.results.at(2).detail.find("different families"), std::string::npos) << t.results.at(2).detail;
}

TEST(ProbeEngineV6, ScopelessAndMappedDestinationsAreProbeErrors) {
  auto ns = namespaces(1);
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "fe80::1"), probe(ns[0], "::ffff:127.0.0.1"), probe(ns[0], "::1")}, {});
  EXPECT_EQ(t.results.at(0).outcome, Outcome::error);
  EXPECT_NE(t.results.at(0).detail.find("needs a device binding"), std::string::npos) << t.results.at(0).detail;
  EXPECT_EQ(t.results.at(1).outcome, Outcome::error);
  EXPECT_NE(t.results.at(1).detail.find("IPv4-mapped"), std::string::npos) << t.results.at(1).detail;
  EXPECT_EQ(t.results.at(2).outcome, Outcome::ok) << "the rest of the batch runs";
}

TEST(ProbeEngineV6, MixedThousandProbesHalfSilentCostOneDeadline) {
  auto ns = namespaces(2);
  ignore_echo(ns[1]);
  ignore_echo6(ns[1]);
  for (const UniqueFd& fd : ns)  // every address of 2001:db8:100::/64 is local (AnyIP)
    ASSERT_OK(test::add_route(fd.get(), "2001:db8:100::/64", test::RouteKind::local));
  std::vector<Probe> probes;
  for (int i = 0; i < 1000; ++i) {
    const int n = i / 4;
    char dst[64];
    if ((i / 2) % 2 == 0)
      std::snprintf(dst, sizeof dst, "127.0.%d.%d", n / 200, n % 200 + 1);
    else
      std::snprintf(dst, sizeof dst, "2001:db8:100::%x", n + 1);
    probes.push_back(probe(ns[i % 2], dst));
  }
  ProbeEngine engine;
  const ProbeOptions options{.deadline = 500ms, .count = 2};
  auto t = run(engine, probes, options);
  ASSERT_EQ(t.results.size(), probes.size());
  int v6_ok = 0;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const ProbeResult& r = t.results[i];
    if (i % 2 == 0) {
      EXPECT_EQ(r.outcome, Outcome::ok) << i << " " << probes[i].destination.str() << ": " << r.detail;
      EXPECT_EQ(r.answered, r.sent) << i;
      if (probes[i].destination.family == Family::v6 && r.outcome == Outcome::ok) ++v6_ok;
    } else {
      EXPECT_EQ(r.reason, Reason::timeout) << i << ": " << r.detail;
      EXPECT_EQ(r.sent, 2) << i;
      EXPECT_EQ(r.answered, 0) << i;
    }
  }
  EXPECT_EQ(v6_ok, 250);
  EXPECT_GE(t.took, 490ms);
  EXPECT_LT(t.took, 2 * options.deadline) << "silent drops must cost one deadline, not one each";
}

// Neighbour discovery that gets no answer ends (after retrans_time_ms x mcast_solicit) in an
// ICMPv6 "address unreachable" (1/3) that the sender's own kernel sends to itself, from its own
// address (net/ipv6/route.c ip6_link_failure), once per request queued on the neighbour entry;
// the sends themselves succeed. With the default timers (1 s x 3) a shorter deadline sees only
// a timeout; here the timers are cut to 100 ms x 1.
TEST(ProbeEngineV6, FailedNeighbourDiscoveryIsAddressUnreachableFromTheSender) {
  auto ns = namespaces(2);
  ASSERT_OK(test::add_veth(ns[0].get(), "nd0", 10, ns[1].get(), "nd1", 10));
  ASSERT_OK(test::add_address(ns[0].get(), 10, "2001:db8:5::1/64"));
  ASSERT_OK(test::write_sysctl(ns[0].get(), "net/ipv6/neigh/nd0/retrans_time_ms", "100"));
  ASSERT_OK(test::write_sysctl(ns[0].get(), "net/ipv6/neigh/nd0/mcast_solicit", "1"));
  ProbeEngine engine;
  auto t = run(engine, {probe(ns[0], "2001:db8:5::99")}, {.deadline = 2000ms, .count = 2});
  const ProbeResult& r = t.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::ng) << r.detail;
  EXPECT_EQ(r.reason, Reason::host_unreachable) << r.detail;
  EXPECT_EQ(r.icmp_type, 1);
  EXPECT_EQ(r.icmp_code, 3);
  EXPECT_EQ(r.reporter, addr("2001:db8:5::1")) << "the sender reports it to itself";
  EXPECT_EQ(r.send_errno, 0) << "no send fails";
  EXPECT_EQ(r.answered, 2);
  EXPECT_LT(t.took, 1500ms);
}

/// A: a0 2001:db8:a::1/64, default via R. R: r0 2001:db8:a::2/64, forwarding on, ICMPv6 rate
/// limit off, and reject routes for 2001:db8:91::/48 (unreachable), :92:: (prohibit),
/// :93:: (blackhole); nothing for :94:: .
class RouterV6 : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_ = namespaces(2);
    ASSERT_EQ(ns_.size(), 2u);
    const int a = ns_[0].get(), r = ns_[1].get();
    ASSERT_OK(test::add_veth(a, "a0", 10, r, "r0", 10));
    ASSERT_OK(test::add_address(a, 10, "2001:db8:a::1/64"));
    ASSERT_OK(test::add_address(r, 10, "2001:db8:a::2/64"));
    ASSERT_OK(test::add_route_via(a, "::/0", "2001:db8:a::2"));
    ASSERT_OK(test::write_sysctl(r, "net/ipv6/conf/all/forwarding", "1"));
    ASSERT_OK(test::write_sysctl(r, "net/ipv6/icmp/ratelimit", "0"));
    ASSERT_OK(test::add_route(r, "2001:db8:91::/48", test::RouteKind::unreachable));
    ASSERT_OK(test::add_route(r, "2001:db8:92::/48", test::RouteKind::prohibit));
    ASSERT_OK(test::add_route(r, "2001:db8:93::/48", test::RouteKind::blackhole));
    wait_for_router();
  }

  /// The veth sends nothing until linkwatch marks it up (KERNEL.md): ping R until it answers.
  void wait_for_router() {
    for (int i = 0; i < 30; ++i) {
      auto r = engine_.run(std::vector<Probe>{probe(ns_[0], "2001:db8:a::2")}, {.deadline = 100ms, .count = 2});
      if (r && r->at(0).outcome == Outcome::ok) return;
    }
    FAIL() << "the router never answered";
  }

  std::vector<UniqueFd> ns_;
  ProbeEngine engine_;
};

// What a Linux router sends (net/ipv6/route.c ip6_pkt_discard / ip6_pkt_prohibit): 1/0 "no
// route" both without a route and for an `unreachable` route (IPv4 sends host unreachable
// there), 1/1 for `prohibit`, nothing for `blackhole`.
TEST_F(RouterV6, RejectRoutesAtARouterAnswerWithIcmpv6Errors) {
  auto t = run(engine_,
               {probe(ns_[0], "2001:db8:91::1"), probe(ns_[0], "2001:db8:92::1"), probe(ns_[0], "2001:db8:93::1"),
                probe(ns_[0], "2001:db8:94::1")},
               {.deadline = 500ms, .count = 2});
  const ProbeResult& unreachable = t.results.at(0);
  EXPECT_EQ(unreachable.reason, Reason::net_unreachable) << unreachable.detail;
  EXPECT_EQ(unreachable.detail, "no route to destination (ICMPv6 1/0) from 2001:db8:a::2");
  EXPECT_EQ(unreachable.answered, 2);
  const ProbeResult& prohibit = t.results.at(1);
  EXPECT_EQ(prohibit.reason, Reason::admin_prohibited) << prohibit.detail;
  EXPECT_EQ(prohibit.detail, "communication administratively prohibited (ICMPv6 1/1) from 2001:db8:a::2");
  EXPECT_EQ(prohibit.reporter, addr("2001:db8:a::2"));
  const ProbeResult& blackhole = t.results.at(2);
  EXPECT_EQ(blackhole.reason, Reason::timeout) << blackhole.detail;
  const ProbeResult& no_route = t.results.at(3);
  EXPECT_EQ(no_route.reason, Reason::net_unreachable) << no_route.detail;
  EXPECT_EQ(no_route.icmp_code, 0);
}

}  // namespace
}  // namespace nscheck::probes
