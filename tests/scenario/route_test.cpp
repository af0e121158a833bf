#include "scenario/route_text.hpp"

#include <gtest/gtest.h>

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

TEST(Route, Errors) {
  EXPECT_NE(parse_route("").error().message.find("empty route"), std::string::npos);
  EXPECT_NE(parse_route("default").error().message.find("needs \"via ADDR\" or \"dev IFNAME\""), std::string::npos);
  EXPECT_NE(parse_route("default via").error().message.find("lacks a value"), std::string::npos);
  EXPECT_NE(parse_route("default via x").error().message.find("x is not an IP address"), std::string::npos);
  EXPECT_NE(parse_route("default gw 1.2.3.4").error().message.find("unknown route keyword \"gw\""), std::string::npos);
  EXPECT_NE(parse_route("10.0.0.1/8 via 1.2.3.4").error().message.find("did you mean 10.0.0.0/8?"), std::string::npos);
  EXPECT_NE(parse_route("default via 1.2.3.4 metric -1").error().message.find("metric"), std::string::npos);
}

}  // namespace
}  // namespace nscheck::scenario
