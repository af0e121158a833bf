// Link settings, lo addresses and bridges on real namespaces.
#include <gtest/gtest.h>

#include <cstring>

#include "support/link_query.hpp"
#include "topology/builder.hpp"
#include "topology/run_util.hpp"

namespace nscheck::test {
namespace {

constexpr const char* k_settings = R"(
[nodes.a]
[nodes.b]
[[links]]
a = { node = "a", ifname = "a0", addresses = ["192.0.2.1/24"], mtu = 1400, mac = "02:00:00:00:00:01" }
b = { node = "b", ifname = "b0", addresses = ["192.0.2.2/24"], up = false }
[[stages]]
expect = "all NG"
)";

TEST(Devices, MtuMacAndDownAreApplied) {
  auto s = scenario::parse_scenario(k_settings, "t.toml");
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto topo = topology::Topology::build(topology::plan_topology(*s));  // does not wait for b0
  ASSERT_TRUE(topo.ok()) << topo.error().message;
  EXPECT_EQ(query(topo->ns_fd(0), "a0", SIOCGIFMTU).ifr_mtu, 1400);
  const auto mac = query(topo->ns_fd(0), "a0", SIOCGIFHWADDR);
  EXPECT_EQ(std::memcmp(mac.ifr_hwaddr.sa_data, "\x02\x00\x00\x00\x00\x01", 6), 0);
  EXPECT_TRUE(query(topo->ns_fd(0), "a0", SIOCGIFFLAGS).ifr_flags & IFF_UP);
  EXPECT_FALSE(query(topo->ns_fd(1), "b0", SIOCGIFFLAGS).ifr_flags & IFF_UP);
}

// A switch node (one bridge, every link end a port) joins h1, h2 (one subnet) and h4 (another);
// r is on it with an address in each subnet. r also has a bridge of its own with an address and
// two ports (h5, and h6 whose end is down), and addresses on lo.
constexpr const char* k_lan = R"(
[nodes.sw]
switch = true
[nodes.h1]
[nodes.h2]
[nodes.h4]
[nodes.r]
sysctl = { "net.ipv4.ip_forward" = 1 }
bridges = [{ name = "br0", addresses = ["203.0.113.254/24", "2001:db8:3::fe/64"], ports = ["r-p1", "r-p2"] }]
loopback = ["10.255.0.1/32", "2001:db8:ff::1/128"]
[nodes.h5]
routes = ["10.255.0.1/32 via 203.0.113.254", "2001:db8:ff::1/128 via 2001:db8:3::fe"]
[nodes.h6]
[[links]]
a = { node = "h1", ifname = "h1-0", addresses = ["192.0.2.1/24"] }
b = { node = "sw", ifname = "sw-p1" }
[[links]]
a = { node = "h2", ifname = "h2-0", addresses = ["192.0.2.2/24"] }
b = { node = "sw", ifname = "sw-p2" }
[[links]]
a = { node = "h4", ifname = "h4-0", addresses = ["198.51.100.4/24"] }
b = { node = "sw", ifname = "sw-p4" }
[[links]]
a = { node = "r", ifname = "r-sw", addresses = ["192.0.2.254/24", "198.51.100.254/24"] }
b = { node = "sw", ifname = "sw-p5" }
[[links]]
a = { node = "r", ifname = "r-p1" }
b = { node = "h5", ifname = "h5-0", addresses = ["203.0.113.5/24", "2001:db8:3::5/64"] }
[[links]]
a = { node = "r", ifname = "r-p2" }
b = { node = "h6", ifname = "h6-0", addresses = ["203.0.113.6/24"], up = false }
[[stages]]
name = "no routes"
deadline_ms = 200
expect = """
     h1  h2  h4  192.0.2.254  198.51.100.254  h5  h6  r:lo
h1   OK  OK  NG  OK           NG              NG  NG  NG
h4   NG  NG  OK  NG           OK              NG  NG  NG
h5   NG  NG  NG  NG           NG              OK  NG  OK
"""
[[stages]]
name = "router on the bridge"
deadline_ms = 200
routes.h1 = ["default via 192.0.2.254"]
routes.h4 = ["default via 198.51.100.254"]
expect = """
     h1  h4
h1   OK  OK
h4   OK  OK
"""
)";

TEST(Devices, BridgesJoinHostsAndLoopbackAddressesAnswer) {
  const auto run = run_text(k_lan);
  ASSERT_EQ(run.stages.size(), 2u);
  for (const auto& st : run.stages)
    for (const auto& c : st.cells)
      EXPECT_EQ(c.status, report::CellStatus::pass) << c.source << " -> " << c.address << ": " << why(c);
  EXPECT_EQ(cell(run, "h1", "198.51.100.4").reason, "no-route");  // another subnet on the same bridge
  EXPECT_EQ(cell(run, "h5", "203.0.113.6").reason, "timeout");    // h6's end is down
}

TEST(Devices, FeatureTrialsNameTheFirstUserOfEachFeature) {
  auto s = scenario::parse_scenario(k_lan, "t.toml");
  ASSERT_TRUE(s.ok()) << s.error().message;
  const auto trials = topology::feature_trials(topology::plan_topology(*s));
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].where, "node sw: dev br0");
  EXPECT_TRUE(topology::check_kernel_features(trials).ok());  // this kernel has bridges
}

TEST(Devices, MissingKernelFeatureFailsBeforeAnythingIsBuilt) {
  const std::vector<topology::FeatureTrial> trials{
      {"node sw: dev br0",
       "frobnicator devices (CONFIG_FROB)",
       {nl::link_new("nscheck-nokind", "br0", 0), "dev br0: RTM_NEWLINK nscheck-nokind"}}};
  const auto r = topology::check_kernel_features(trials);
  ASSERT_FALSE(r.ok());
  RecordProperty("message", r.error().message);
  EXPECT_EQ(r.error().kind, ErrorKind::environment);
  EXPECT_EQ(r.error().message.rfind("node sw: dev br0: this kernel lacks frobnicator devices (CONFIG_FROB): "
                                    "dev br0: RTM_NEWLINK nscheck-nokind: ",
                                    0),
            0u)
      << r.error().message;
}

}  // namespace
}  // namespace nscheck::test
