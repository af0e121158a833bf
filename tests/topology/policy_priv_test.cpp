// Policy routing on real namespaces: traffic from one LAN leaves the router by a second uplink.
#include <gtest/gtest.h>

#include "topology/run_util.hpp"

namespace nscheck::test {
namespace {

TEST(PolicyRouting, TrafficFromTheSecondLanLeavesByTheSecondUplink) {
  // lan1 and lan2 behind a router; its main table goes to isp1, which reaches the server; table
  // isp2 goes to isp2, which has no route to it and says so (ICMP net unreachable from isp2).
  // IPv4: a "from" rule; IPv6: an "iif" rule.
  const auto run = run_file("scenarios/policy_routing.toml");
  for (const char* a : {"203.0.113.1", "2001:db8:c::1"}) {
    const auto ok = cell(run, "lan1", a);
    EXPECT_EQ(ok.status, report::CellStatus::pass) << why(ok);
    const auto ng = cell(run, "lan2", a);
    EXPECT_EQ(ng.status, report::CellStatus::pass) << why(ng);
    EXPECT_EQ(ng.reason, "net-unreachable") << why(ng);
  }
  EXPECT_NE(cell(run, "lan2", "203.0.113.1").detail.find("from 10.2.0.1"), std::string::npos);
  EXPECT_NE(cell(run, "lan2", "2001:db8:c::1").detail.find("from 2001:db8:b::1"), std::string::npos);
}

}  // namespace
}  // namespace nscheck::test
