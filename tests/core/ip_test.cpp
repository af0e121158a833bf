#include "core/ip.hpp"

#include <gtest/gtest.h>

namespace nscheck {
namespace {

TEST(IpAddress, ParsesBothFamilies) {
  auto a = IpAddress::parse("192.0.2.1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->family, Family::v4);
  EXPECT_EQ(a->str(), "192.0.2.1");
  auto b = IpAddress::parse("2001:db8::1");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->family, Family::v6);
  EXPECT_EQ(b->str(), "2001:db8::1");
  EXPECT_FALSE(IpAddress::parse("192.0.2.256"));
  EXPECT_FALSE(IpAddress::parse("ns1"));
  EXPECT_FALSE(IpAddress::parse(""));
}

TEST(Prefix, ParsesAndContains) {
  auto p = Prefix::parse("192.0.2.77/24");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->network().str(), "192.0.2.0/24");
  EXPECT_TRUE(p->contains(*IpAddress::parse("192.0.2.254")));
  EXPECT_FALSE(p->contains(*IpAddress::parse("192.0.3.1")));
  EXPECT_FALSE(Prefix::parse("192.0.2.1/33"));
  EXPECT_FALSE(Prefix::parse("192.0.2.1/"));
  EXPECT_FALSE(Prefix::parse("192.0.2.1"));
  EXPECT_EQ(Prefix::parse("192.0.2.1", false)->length, 32);
  EXPECT_EQ(Prefix::parse("10.64.0.5/30")->network().str(), "10.64.0.4/30");
  EXPECT_EQ(Prefix::parse("2001:db8::1/64")->network().str(), "2001:db8::/64");
}

}  // namespace
}  // namespace nscheck
