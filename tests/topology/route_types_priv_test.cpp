// Route types, onlink and multipath on real namespaces: each route is installed, and a probe
// sees the typed reason, from the source's own kernel or from a router's ICMP error.
#include <gtest/gtest.h>

#include "topology/run_util.hpp"

namespace nscheck::test {
namespace {

// src -- r -- far. far holds one address per case; typed routes on src (local errors) and on r
// (ICMP errors), for both families.
constexpr const char* k_typed = R"(
[nodes.src]
routes = ["default via 192.0.2.254", "blackhole 10.9.0.0/16", "unreachable 10.8.0.0/16", "prohibit 10.7.0.0/16",
          "default via 2001:db8:1::fe", "blackhole 2001:db8:9::/48", "unreachable 2001:db8:8::/48",
          "prohibit 2001:db8:7::/48"]
[nodes.r]
sysctl = { "net.ipv4.ip_forward" = 1, "net.ipv6.conf.all.forwarding" = 1 }
routes = ["10.0.0.0/8 via 10.0.0.1", "unreachable 10.6.0.0/16", "prohibit 10.5.0.0/16", "blackhole 10.4.0.0/16",
          "2001:db8::/32 via 2001:db8:2::1", "unreachable 2001:db8:6::/48", "prohibit 2001:db8:5::/48",
          "blackhole 2001:db8:4::/48"]
[nodes.far]
routes = ["default via 10.0.0.254", "default via 2001:db8:2::fe"]
[[links]]
a = { node = "src", ifname = "src0", addresses = ["192.0.2.1/24", "2001:db8:1::1/64"] }
b = { node = "r", ifname = "r0", addresses = ["192.0.2.254/24", "2001:db8:1::fe/64"] }
[[links]]
a = { node = "r", ifname = "r1", addresses = ["10.0.0.254/24", "2001:db8:2::fe/64"] }
b = { node = "far", ifname = "far0", addresses = ["10.0.0.1/24", "10.9.0.1/32", "10.8.0.1/32", "10.7.0.1/32",
      "10.6.0.1/32", "10.5.0.1/32", "10.4.0.1/32", "2001:db8:2::1/64", "2001:db8:9::1/128", "2001:db8:8::1/128",
      "2001:db8:7::1/128", "2001:db8:6::1/128", "2001:db8:5::1/128", "2001:db8:4::1/128"] }
[[stages]]
deadline_ms = 300
expect = """
     10.0.0.1 10.9.0.1 10.8.0.1 10.7.0.1 10.6.0.1 10.5.0.1 10.4.0.1
src  OK       NG       NG       NG       NG       NG       NG
"""
[[stages]]
deadline_ms = 300
expect = """
     2001:db8:2::1 2001:db8:9::1 2001:db8:8::1 2001:db8:7::1 2001:db8:6::1 2001:db8:5::1 2001:db8:4::1
src  OK            NG            NG            NG            NG            NG            NG
"""
)";

struct Case {
  const char* address;
  const char* reason;
  const char* detail;  ///< a part of the detail text
};

void expect_reasons(const report::Run& run, std::size_t stage, std::initializer_list<Case> cases) {
  for (const auto& c : cases) {
    const auto got = cell(run, "src", c.address, stage);
    EXPECT_EQ(got.status, report::CellStatus::pass) << c.address << ": " << why(got);
    EXPECT_EQ(got.reason, c.reason) << c.address << ": " << why(got);
    EXPECT_NE(got.detail.find(c.detail), std::string::npos) << c.address << ": " << why(got);
  }
}

TEST(RouteTypes, EachTypeGivesItsReason) {
  const auto run = run_text(k_typed);
  ASSERT_EQ(run.stages.size(), 2u);
  expect_reasons(run, 0,
                 {{"10.0.0.1", "reply", ""},
                  {"10.9.0.1", "blackhole", "Invalid argument"},
                  {"10.8.0.1", "local-host-unreachable", "No route to host"},
                  {"10.7.0.1", "local-prohibited", "Permission denied"},
                  {"10.6.0.1", "host-unreachable", "(ICMP 3/1) from 192.0.2.254"},
                  {"10.5.0.1", "admin-prohibited", "(ICMP 3/13) from 192.0.2.254"},
                  {"10.4.0.1", "timeout", "no reply"}});
  expect_reasons(run, 1,
                 {{"2001:db8:2::1", "reply", ""},
                  {"2001:db8:9::1", "blackhole", "Invalid argument"},
                  {"2001:db8:8::1", "local-host-unreachable", "No route to host"},
                  {"2001:db8:7::1", "local-prohibited", "Permission denied"},
                  {"2001:db8:6::1", "net-unreachable", "(ICMPv6 1/0) from 2001:db8:1::fe"},
                  {"2001:db8:5::1", "admin-prohibited", "(ICMPv6 1/1) from 2001:db8:1::fe"},
                  {"2001:db8:4::1", "timeout", "no reply"}});
}

// src reaches far through r by an onlink gateway (on r's link, in no subnet of src).
constexpr const char* k_onlink = R"(
[nodes.src]
routes = ["10.0.0.0/24 via 198.51.100.254 dev src0 onlink"]
[nodes.r]
sysctl = { "net.ipv4.ip_forward" = 1 }
[nodes.far]
routes = ["default via 10.0.0.254"]
[[links]]
a = { node = "src", ifname = "src0", addresses = ["192.0.2.1/24"] }
b = { node = "r", ifname = "r0", addresses = ["192.0.2.254/24", "198.51.100.254/24"] }
[[links]]
a = { node = "r", ifname = "r1", addresses = ["10.0.0.254/24"] }
b = { node = "far", ifname = "far0", addresses = ["10.0.0.1/24"] }
[[stages]]
expect = """
     10.0.0.1
src  OK
"""
)";

TEST(RouteTypes, OnlinkGatewayOutsideEverySubnetWorks) {
  const auto run = run_text(k_onlink);
  const auto c = cell(run, "src", "10.0.0.1");
  EXPECT_EQ(c.observed, "OK") << why(c);
}

// ECMP: src spreads 10.1.0.0/16 over r1 (which forwards to far) and r2 (which prohibits it).
// With 16 destinations hashed on addresses, both paths carry some: some OK, some NG.
std::string ecmp_scenario() {
  std::string far_addresses, header, row;
  for (int i = 1; i <= 16; ++i) {
    far_addresses += ", \"10.1.0." + std::to_string(i) + "/32\"";
    header += " 10.1.0." + std::to_string(i);
    row += " OK";
  }
  return R"(
[nodes.src]
routes = ["10.1.0.0/16 nexthop via 192.0.2.1 dev s1 weight 1 nexthop via 198.51.100.1 dev s2 weight 1"]
[nodes.r1]
sysctl = { "net.ipv4.ip_forward" = 1 }
routes = ["10.1.0.0/16 via 10.0.0.1"]
[nodes.r2]
sysctl = { "net.ipv4.ip_forward" = 1 }
routes = ["prohibit 10.1.0.0/16"]
[nodes.far]
routes = ["default via 10.0.0.254"]
[[links]]
a = { node = "src", ifname = "s1", addresses = ["192.0.2.2/24"] }
b = { node = "r1", ifname = "r1a", addresses = ["192.0.2.1/24"] }
[[links]]
a = { node = "src", ifname = "s2", addresses = ["198.51.100.2/24"] }
b = { node = "r2", ifname = "r2a", addresses = ["198.51.100.1/24"] }
[[links]]
a = { node = "r1", ifname = "r1b", addresses = ["10.0.0.254/24"] }
b = { node = "far", ifname = "far0", addresses = ["10.0.0.1/24")" +
         far_addresses + R"(] }
[[stages]]
deadline_ms = 300
expect = """
)" + header +
         "\nsrc" + row + "\n\"\"\"\n";
}

TEST(RouteTypes, MultipathUsesEveryNexthop) {
  const auto run = run_text(ecmp_scenario());
  int ok = 0, prohibited = 0;
  for (int i = 1; i <= 16; ++i) {
    const auto c = cell(run, "src", "10.1.0." + std::to_string(i));
    ok += c.observed == "OK";
    prohibited += c.reason == "admin-prohibited" && c.detail.find("from 198.51.100.1") != std::string::npos;
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(prohibited, 0);
  EXPECT_EQ(ok + prohibited, 16) << "a cell neither OK nor prohibited by r2";
}

}  // namespace
}  // namespace nscheck::test
