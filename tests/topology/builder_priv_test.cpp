// The builder on real anonymous namespaces (inside the test's private namespace).
#include "topology/builder.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <linux/if.h>

#include <fstream>

#include "core/netns.hpp"
#include "scenario/loader.hpp"

namespace nscheck::topology {
namespace {

Plan plan_of(const char* text) {
  auto s = scenario::parse_scenario(text, "t.toml");
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return plan_topology(*s);
}

constexpr const char* k_router = R"(
[nodes.ns1]
routes = ["default via 192.0.2.254"]
[nodes.router]
sysctl = { "net.ipv4.ip_forward" = 1, "net.ipv4.conf.gw-veth1.forwarding" = 0 }
[nodes.ns2]
[[links]]
a = { node = "ns1", ifname = "ns1-veth0", addresses = ["192.0.2.1/24"] }
b = { node = "router", ifname = "gw-veth0", addresses = ["192.0.2.254/24"] }
[[links]]
a = { node = "router", ifname = "gw-veth1", addresses = ["198.51.100.254/24"] }
b = { node = "ns2", ifname = "ns2-veth0", addresses = ["198.51.100.1/24"] }
[[stages]]
expect = "all OK"
)";

std::string read_in(int ns_fd, const std::string& path) {
  std::string value;
  auto r = run_in_netns(ns_fd, [&]() -> Result<void> {
    std::ifstream in(path);
    std::getline(in, value);
    return {};
  });
  EXPECT_TRUE(r.ok());
  return value;
}

/// Link name -> operstate in a namespace.
std::map<std::string, int> links_in(int ns_fd) {
  std::map<std::string, int> out;
  auto r = run_in_netns(ns_fd, [&]() -> Result<void> {
    NS_TRY(sock, nl::Socket::open());
    sock.set_link_handler([&](const nl::LinkState& s) { out[s.name] = s.operstate; });
    return sock.dump_links();
  });
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return out;
}

TEST(Builder, BuildsTheRouterTopology) {
  BuildTimings t;
  auto topo = Topology::build(plan_of(k_router), &t);
  ASSERT_TRUE(topo.ok()) << topo.error().message;
  const auto links = links_in(topo->ns_fd(1));
  ASSERT_EQ(links.size(), 3u);  // lo, gw-veth0, gw-veth1: nothing else, nothing in the test's namespace
  EXPECT_EQ(links.at("gw-veth0"), IF_OPER_UP);
  EXPECT_EQ(links.at("gw-veth1"), IF_OPER_UP);
  EXPECT_EQ(links_in(topo->ns_fd(0)).at("ns1-veth0"), IF_OPER_UP);
  // the test's own namespace gained nothing
  auto self = UniqueFd(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(links_in(self.get()).size(), 1u);
}

TEST(Builder, WritesDefaultsAndUserSysctls) {
  auto topo = Topology::build(plan_of(k_router));
  ASSERT_TRUE(topo.ok()) << topo.error().message;
  EXPECT_EQ(read_in(topo->ns_fd(0), "/proc/sys/net/ipv4/ip_forward"), "0");
  EXPECT_EQ(read_in(topo->ns_fd(0), "/proc/sys/net/ipv4/icmp_ratemask"), "0");
  EXPECT_EQ(read_in(topo->ns_fd(0), "/proc/sys/net/ipv4/conf/all/rp_filter"), "0");
  EXPECT_EQ(read_in(topo->ns_fd(0), "/proc/sys/net/ipv4/conf/ns1-veth0/rp_filter"), "0");
  EXPECT_EQ(read_in(topo->ns_fd(1), "/proc/sys/net/ipv4/ip_forward"), "1");
  EXPECT_EQ(read_in(topo->ns_fd(1), "/proc/sys/net/ipv4/conf/gw-veth0/forwarding"), "1");
  EXPECT_EQ(read_in(topo->ns_fd(1), "/proc/sys/net/ipv4/conf/gw-veth1/forwarding"), "0");
}

TEST(Builder, KernelRefusalNamesNodeOperationAndKernelMessage) {
  auto plan = plan_of(k_router);
  // bypass validation: a gateway on no connected subnet, only the kernel can refuse it now
  plan.nodes[2].routes.push_back({*scenario::parse_scenario(k_router, "t.toml")->nodes[0].routes.data(), 0});
  auto topo = Topology::build(plan);
  ASSERT_FALSE(topo.ok());
  const auto& m = topo.error().message;
  EXPECT_EQ(topo.error().kind, ErrorKind::environment);
  EXPECT_NE(m.find("node ns2: RTM_NEWROUTE default via 192.0.2.254: "), std::string::npos) << m;
  EXPECT_NE(m.find("(kernel: \""), std::string::npos) << m;
}

TEST(Builder, UnknownSysctlIsAnEnvironmentError) {
  auto plan = plan_of(k_router);
  plan.nodes[1].early_sysctls.push_back({"net.ipv4.no_such_key", "/proc/sys/net/ipv4/no_such_key", "1", false, {}});
  auto topo = Topology::build(plan);
  ASSERT_FALSE(topo.ok());
  EXPECT_NE(topo.error().message.find("node router: sysctl net.ipv4.no_such_key = 1: open /proc/sys/net/ipv4/no_such_key: "
                                      "No such file or directory"),
            std::string::npos)
      << topo.error().message;
}

TEST(Builder, StageChangesApply) {
  auto topo = Topology::build(plan_of(k_router));
  ASSERT_TRUE(topo.ok());
  auto r = topo->write_sysctls(1, {plan_sysctl(topo->plan().nodes[1], {"net.ipv4.ip_forward", "0", {}})});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(read_in(topo->ns_fd(1), "/proc/sys/net/ipv4/ip_forward"), "0");
  auto route = scenario::parse_scenario(k_router, "t.toml")->nodes[0].routes[0];
  route.text = "default via 198.51.100.254";
  route.gateway = IpAddress::parse("198.51.100.254");
  auto added = topo->add_routes(2, {plan_route(topo->plan().nodes[2], route)});
  EXPECT_TRUE(added.ok()) << added.error().message;
  auto again = topo->add_routes(2, {plan_route(topo->plan().nodes[2], route)});
  ASSERT_FALSE(again.ok());  // NLM_F_EXCL: a route that is already there is an error
  EXPECT_EQ(again.error().errnum, EEXIST);
}

}  // namespace
}  // namespace nscheck::topology
