#include "topology/plan.hpp"

#include <gtest/gtest.h>

#include "scenario/loader.hpp"

namespace nscheck::topology {
namespace {

scenario::Scenario load(const char* text) {
  auto r = scenario::parse_scenario(text, "t.toml");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : scenario::Scenario{};
}

constexpr const char* k_two = R"(
[nodes.a]
routes = ["default via 10.0.0.2"]
sysctl = { "net.ipv4.conf.eth0.100.rp_filter" = 2, "net.ipv4.ip_forward" = 1 }
[nodes.b]
[[links]]
a = { node = "a", ifname = "eth0.100", addresses = ["10.0.0.1/24"] }
b = { node = "b", ifname = "eth0", addresses = ["10.0.0.2/24"] }
[[stages]]
expect = "all OK"
)";

TEST(Plan, DescribesStepsInOrder) {
  auto plan = plan_topology(load(k_two));
  EXPECT_EQ(describe(plan),
            "netns a\n"
            "  sysctl net.ipv4.conf.all.rp_filter = 0\n"
            "  sysctl net.ipv4.conf.default.rp_filter = 0\n"
            "  sysctl net.ipv4.icmp_ratelimit = 0\n"
            "  sysctl net.ipv4.icmp_ratemask = 0\n"
            "  sysctl net.ipv6.conf.all.forwarding = 0\n"
            "  sysctl net.ipv6.conf.all.accept_dad = 0\n"
            "  sysctl net.ipv6.conf.default.accept_dad = 0\n"
      "  sysctl net.ipv6.conf.all.keep_addr_on_down = 1\n"
            "  sysctl net.ipv6.icmp.ratelimit = 0\n"
            "  sysctl net.ipv6.icmp.ratemask = \"\"\n"
            "  sysctl net.ipv4.ip_forward = 1\n"
            "netns b\n"
            "  sysctl net.ipv4.ip_forward = 0\n"
            "  sysctl net.ipv4.conf.all.rp_filter = 0\n"
            "  sysctl net.ipv4.conf.default.rp_filter = 0\n"
            "  sysctl net.ipv4.icmp_ratelimit = 0\n"
            "  sysctl net.ipv4.icmp_ratemask = 0\n"
            "  sysctl net.ipv6.conf.all.forwarding = 0\n"
            "  sysctl net.ipv6.conf.all.accept_dad = 0\n"
            "  sysctl net.ipv6.conf.default.accept_dad = 0\n"
      "  sysctl net.ipv6.conf.all.keep_addr_on_down = 1\n"
            "  sysctl net.ipv6.icmp.ratelimit = 0\n"
            "  sysctl net.ipv6.icmp.ratemask = \"\"\n"
            "veth a:eth0.100 <-> b:eth0\n"
            "configure a\n"
            "  sysctl net.ipv4.conf.eth0.100.rp_filter = 2\n"
            "  addr 10.0.0.1/24 dev eth0.100\n"
            "  up lo\n"
            "  up eth0.100\n"
            "  route default via 10.0.0.2\n"
            "configure b\n"
            "  addr 10.0.0.2/24 dev eth0\n"
            "  up lo\n"
            "  up eth0\n"
            "wait until every veth is operationally up\n");
}

TEST(Plan, AssignsIfindexesAndPeers) {
  auto plan = plan_topology(load(k_two));
  ASSERT_EQ(plan.veths.size(), 1u);
  const auto& v = plan.veths[0];
  EXPECT_EQ(v.node, 0u);
  EXPECT_EQ(v.peer_node, 1u);
  EXPECT_EQ(v.ifindex, k_first_ifindex);
  EXPECT_EQ(v.peer_ifindex, k_first_ifindex + 1);  // never equal to its peer's: see plan.cpp
  EXPECT_EQ(plan.nodes[0].routes[0].oif, 0);
}

TEST(Plan, SysctlPathsKeepDottedInterfaceNames) {
  EXPECT_EQ(sysctl_path("net.ipv4.ip_forward", {}), "/proc/sys/net/ipv4/ip_forward");
  EXPECT_EQ(sysctl_path("net.ipv4.conf.eth0.100.rp_filter", {"eth0.100"}),
            "/proc/sys/net/ipv4/conf/eth0.100/rp_filter");
  EXPECT_EQ(sysctl_path("net.ipv4.conf.gw-veth0.forwarding", {"gw-veth0"}),
            "/proc/sys/net/ipv4/conf/gw-veth0/forwarding");
  auto plan = plan_topology(load(k_two));
  EXPECT_EQ(plan.nodes[0].late_sysctls[0].path, "/proc/sys/net/ipv4/conf/eth0.100/rp_filter");
}

TEST(Plan, UserValueReplacesDefault) {
  auto plan = plan_topology(load(k_two));
  int forwards = 0;
  for (const auto& w : plan.nodes[0].early_sysctls)
    if (w.key == "net.ipv4.ip_forward") {
      ++forwards;
      EXPECT_EQ(w.value, "1");
    }
  EXPECT_EQ(forwards, 1);
}

TEST(Plan, RouteDeviceResolvesToIfindex) {
  auto s = load(R"(
[nodes.a]
routes = ["10.9.0.0/16 dev x1", "10.8.0.0/16 via 10.0.0.2 dev x0"]
[nodes.b]
[[links]]
a = { node = "a", ifname = "x0", addresses = ["10.0.0.1/24"] }
b = { node = "b", ifname = "y0", addresses = ["10.0.0.2/24"] }
[[links]]
a = { node = "a", ifname = "x1" }
b = { node = "b", ifname = "y1" }
[[stages]]
expect = "all OK"
)");
  auto plan = plan_topology(s);
  EXPECT_EQ(plan.nodes[0].routes[0].oif, k_first_ifindex + 1);
  EXPECT_EQ(plan.nodes[0].routes[1].oif, k_first_ifindex);
}

TEST(Plan, NexthopDevicesAndTableNamesResolve) {
  auto s = load(R"(
[nodes.a]
tables = { isp1 = 100 }
routes = ["10.9.0.0/16 nexthop via 10.0.0.2 dev x0 nexthop via 10.0.1.2", "blackhole 10.8.0.0/16 table isp1",
          "10.7.0.0/16 via 10.0.0.2 table 1000", "10.6.0.0/16 via 10.0.0.2 table main"]
[nodes.b]
[[links]]
a = { node = "a", ifname = "x0", addresses = ["10.0.0.1/24"] }
b = { node = "b", ifname = "y0", addresses = ["10.0.0.2/24"] }
[[links]]
a = { node = "a", ifname = "x1", addresses = ["10.0.1.1/24"] }
b = { node = "b", ifname = "y1", addresses = ["10.0.1.2/24"] }
[[stages]]
expect = "all OK"
)");
  const auto plan = plan_topology(s);
  const auto& routes = plan.nodes[0].routes;
  ASSERT_EQ(routes.size(), 4u);
  EXPECT_EQ(routes[0].nexthop_oifs, (std::vector<int>{k_first_ifindex, 0}));
  EXPECT_EQ(routes[0].table, 254u);
  EXPECT_EQ(routes[1].table, 100u);
  EXPECT_EQ(routes[2].table, 1000u);
  EXPECT_EQ(routes[3].table, 254u);
}

TEST(Plan, RulesTakeTheirFamilyOrBoth) {
  auto s = load(R"(
[nodes.a]
tables = { isp2 = 200 }
rules = ["from 10.0.0.0/24 table isp2 priority 10", "to 2001:db8::/32 table 7", "iif x0 lookup isp2"]
[nodes.b]
[[links]]
a = { node = "a", ifname = "x0", addresses = ["10.0.0.1/24"] }
b = { node = "b", ifname = "y0", addresses = ["10.0.0.2/24"] }
[[stages]]
expect = "all OK"
)");
  const auto plan = plan_topology(s);
  const auto& rules = plan.nodes[0].rules;
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[0].family, Family::v4);
  EXPECT_EQ(rules[0].table, 200u);
  EXPECT_EQ(rules[1].family, Family::v6);
  EXPECT_EQ(rules[1].table, 7u);
  EXPECT_EQ(rules[2].family, Family::v4);
  EXPECT_EQ(rules[3].family, Family::v6);
  EXPECT_NE(describe(plan).find("  rule from 10.0.0.0/24 table isp2 priority 10\n"
                                "  rule to 2001:db8::/32 table 7\n"
                                "  rule iif x0 lookup isp2 (IPv4)\n"
                                "  rule iif x0 lookup isp2 (IPv6)\n"),
            std::string::npos)
      << describe(plan);
}

}  // namespace
}  // namespace nscheck::topology
