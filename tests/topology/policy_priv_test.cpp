// Policy routing on real namespaces: traffic from one LAN leaves the router by a second uplink.
#include <gtest/gtest.h>

#include "topology/run_util.hpp"

namespace nscheck::test {
namespace {

// h1 (LAN 1) and h2 (LAN 2) behind r; r's main table goes to u1, which reaches srv; table isp2
// goes to u2, which has no route to srv and says so (ICMP net unreachable from u2).
// IPv4: a "from" rule; IPv6: an "iif" rule (which also matches IPv4, after the "from" rule).
constexpr const char* k_policy = R"(
[nodes.h1]
routes = ["default via 192.0.2.254", "default via 2001:db8:1::fe"]
[nodes.h2]
routes = ["default via 198.51.100.254", "default via 2001:db8:2::fe"]
[nodes.r]
sysctl = { "net.ipv4.ip_forward" = 1, "net.ipv6.conf.all.forwarding" = 1 }
tables = { isp2 = 200 }
routes = ["default via 10.1.0.1", "default via 10.2.0.1 table isp2",
          "default via 2001:db8:a::1", "default via 2001:db8:b::1 table isp2"]
rules = ["from 198.51.100.0/24 table isp2 priority 1000", "iif r-lan2 lookup isp2 priority 1001"]
[nodes.u1]
sysctl = { "net.ipv4.ip_forward" = 1, "net.ipv6.conf.all.forwarding" = 1 }
routes = ["192.0.2.0/24 via 10.1.0.254", "198.51.100.0/24 via 10.1.0.254",
          "2001:db8:1::/64 via 2001:db8:a::fe", "2001:db8:2::/64 via 2001:db8:a::fe"]
[nodes.u2]
sysctl = { "net.ipv4.ip_forward" = 1, "net.ipv6.conf.all.forwarding" = 1 }
routes = ["198.51.100.0/24 via 10.2.0.254", "2001:db8:2::/64 via 2001:db8:b::fe"]
[nodes.srv]
routes = ["default via 203.0.113.254", "default via 2001:db8:c::fe"]
[[links]]
a = { node = "h1", ifname = "h1-0", addresses = ["192.0.2.1/24", "2001:db8:1::1/64"] }
b = { node = "r", ifname = "r-lan1", addresses = ["192.0.2.254/24", "2001:db8:1::fe/64"] }
[[links]]
a = { node = "h2", ifname = "h2-0", addresses = ["198.51.100.1/24", "2001:db8:2::1/64"] }
b = { node = "r", ifname = "r-lan2", addresses = ["198.51.100.254/24", "2001:db8:2::fe/64"] }
[[links]]
a = { node = "r", ifname = "r-up1", addresses = ["10.1.0.254/24", "2001:db8:a::fe/64"] }
b = { node = "u1", ifname = "u1-0", addresses = ["10.1.0.1/24", "2001:db8:a::1/64"] }
[[links]]
a = { node = "r", ifname = "r-up2", addresses = ["10.2.0.254/24", "2001:db8:b::fe/64"] }
b = { node = "u2", ifname = "u2-0", addresses = ["10.2.0.1/24", "2001:db8:b::1/64"] }
[[links]]
a = { node = "u1", ifname = "u1-srv", addresses = ["203.0.113.254/24", "2001:db8:c::fe/64"] }
b = { node = "srv", ifname = "srv0", addresses = ["203.0.113.1/24", "2001:db8:c::1/64"] }
[[stages]]
deadline_ms = 300
expect = """
    srv
h1  OK
h2  NG
"""
)";

TEST(PolicyRouting, TrafficFromTheSecondLanLeavesByTheSecondUplink) {
  const auto run = run_text(k_policy);
  for (const char* a : {"203.0.113.1", "2001:db8:c::1"}) {
    const auto ok = cell(run, "h1", a);
    EXPECT_EQ(ok.status, report::CellStatus::pass) << why(ok);
    const auto ng = cell(run, "h2", a);
    EXPECT_EQ(ng.status, report::CellStatus::pass) << why(ng);
    EXPECT_EQ(ng.reason, "net-unreachable") << why(ng);
  }
  EXPECT_NE(cell(run, "h2", "203.0.113.1").detail.find("from 10.2.0.1"), std::string::npos);
  EXPECT_NE(cell(run, "h2", "2001:db8:c::1").detail.find("from 2001:db8:b::1"), std::string::npos);
}

}  // namespace
}  // namespace nscheck::test
