#include <gtest/gtest.h>

#include "scenario/route_text.hpp"
#include "scenario/rule_text.hpp"

namespace nscheck::scenario {
namespace {

TEST(Route, Forms) {
  auto r = parse_route("default via 192.0.2.254");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->destination.str(), "0.0.0.0/0");
  EXPECT_EQ(r->gateway->str(), "192.0.2.254");
  auto full = parse_route("198.51.100.0/24 via 192.0.2.254 dev ns1-veth0 src 192.0.2.1 metric 10");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->device, "ns1-veth0");
  EXPECT_EQ(full->source->str(), "192.0.2.1");
  EXPECT_EQ(*full->metric, 10u);
  auto dev = parse_route("203.0.113.0/24 dev gw-veth1");
  ASSERT_TRUE(dev.ok());
  EXPECT_FALSE(dev->gateway);
  auto host = parse_route("203.0.113.7 via 192.0.2.254");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->destination.length, 32);
}

TEST(Route, TypesTablesOnlinkAndNexthops) {
  auto b = parse_route("blackhole 10.9.0.0/16");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->type, RouteType::blackhole);
  EXPECT_FALSE(b->gateway);
  auto u = parse_route("unreachable 2001:db8:8::/48 metric 5 table isp1");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->type, RouteType::unreachable);
  EXPECT_EQ(u->destination.address.family, Family::v6);
  EXPECT_EQ(u->table, "isp1");
  EXPECT_EQ(parse_route("prohibit default")->type, RouteType::prohibit);
  EXPECT_EQ(parse_route("unicast default via 192.0.2.1")->type, RouteType::unicast);
  auto o = parse_route("10.1.0.0/16 via 203.0.113.1 dev eth0 onlink");
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_TRUE(o->onlink);
  auto m =
      parse_route("default metric 7 nexthop via 2001:db8:1::fe dev a weight 2 nexthop via 2001:db8:2::fe onlink dev b");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->destination.address.family, Family::v6);  // default takes the nexthops' family
  ASSERT_EQ(m->nexthops.size(), 2u);
  EXPECT_EQ(m->nexthops[0].weight, 2);
  EXPECT_EQ(m->nexthops[1].device, "b");
  EXPECT_TRUE(m->nexthops[1].onlink);
  EXPECT_EQ(*m->metric, 7u);
}

TEST(Route, TableWords) {
  const std::map<std::string, std::uint32_t> names{{"isp1", 100}};
  EXPECT_EQ(table_id("", names), 254u);
  EXPECT_EQ(table_id("main", names), 254u);
  EXPECT_EQ(table_id("local", names), 255u);
  EXPECT_EQ(table_id("default", names), 253u);
  EXPECT_EQ(table_id("isp1", names), 100u);
  EXPECT_EQ(table_id("0x100", names), 256u);
  EXPECT_EQ(table_id("4294967295", names), 4294967295u);
  EXPECT_FALSE(table_id("0", names));
  EXPECT_FALSE(table_id("isp2", names));
  EXPECT_FALSE(table_id("4294967296", names));
}

TEST(Route, Errors) {
  EXPECT_NE(parse_route("").error().message.find("empty route"), std::string::npos);
  EXPECT_NE(parse_route("default").error().message.find("needs \"via ADDR\" or \"dev IFNAME\""), std::string::npos);
  EXPECT_NE(parse_route("default via").error().message.find("lacks a value"), std::string::npos);
  EXPECT_NE(parse_route("default via x").error().message.find("x is not an IP address"), std::string::npos);
  EXPECT_NE(parse_route("default gw 1.2.3.4").error().message.find("unknown route keyword \"gw\""), std::string::npos);
  EXPECT_NE(parse_route("10.0.0.1/8 via 1.2.3.4").error().message.find("did you mean 10.0.0.0/8?"), std::string::npos);
  EXPECT_NE(parse_route("default via 1.2.3.4 metric -1").error().message.find("metric"), std::string::npos);
}

TEST(Rule, Forms) {
  auto r = parse_rule("from 192.0.2.0/24 table 100 priority 1000");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->from->str(), "192.0.2.0/24");
  EXPECT_EQ(r->table, "100");
  EXPECT_EQ(*r->priority, 1000u);
  auto m = parse_rule("fwmark 0x1/0xff iif eth1 oif eth2 to all lookup isp2 pref 5");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(*m->fwmark, 1u);
  EXPECT_EQ(*m->fwmask, 0xffu);
  EXPECT_EQ(m->iif, "eth1");
  EXPECT_EQ(m->oif, "eth2");
  EXPECT_FALSE(m->to);
  EXPECT_EQ(m->table, "isp2");
  EXPECT_FALSE(parse_rule("fwmark 1 table 2")->fwmask);
}

TEST(Rule, Errors) {
  EXPECT_NE(parse_rule("").error().message.find("empty rule"), std::string::npos);
  EXPECT_NE(parse_rule("from 10.0.0.0/8").error().message.find("needs \"table T\""), std::string::npos);
  EXPECT_NE(parse_rule("from 10.0.0.1/8 table 1").error().message.find("did you mean 10.0.0.0/8?"), std::string::npos);
  EXPECT_NE(parse_rule("fwmark x table 1").error().message.find("\"fwmark x\""), std::string::npos);
  EXPECT_NE(parse_rule("from 10.0.0.0/8 to 2001:db8::/32 table 1").error().message.find("different families"),
            std::string::npos);
  EXPECT_NE(parse_rule("goto 5 table 1").error().message.find("unknown rule keyword \"goto\""), std::string::npos);
  EXPECT_NE(parse_rule("table").error().message.find("lacks a value"), std::string::npos);
}

}  // namespace
}  // namespace nscheck::scenario
