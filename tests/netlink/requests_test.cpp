// Byte-exact tests of the rtnetlink request factories. Every expected message is encoded by
// hand, one field per line; the layouts agree with what strace shows `ip` sending for the same
// operation (`ip` differs only where noted: it puts no NUL after "veth" and no IFA_FLAGS).
// Netlink is host byte order: these arrays are for little-endian hosts.
#include "netlink/requests.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>

// clang-format off: the byte tables keep one field per line, aligned by hand.
namespace nscheck::nl {
namespace {

static_assert(std::endian::native == std::endian::little, "expected bytes are little-endian");

Prefix prefix(const char* text) { return *Prefix::parse(text); }
IpAddress address(const char* text) { return *IpAddress::parse(text); }

TEST(Requests, VethWithPeerInAnotherNamespace) {
  const Bytes expected = {
      0x60, 0x00, 0x00, 0x00,  // nlmsg_len 96
      0x10, 0x00,              // nlmsg_type RTM_NEWLINK (16)
      0x05, 0x06,              // nlmsg_flags REQUEST|ACK|EXCL|CREATE (0x605)
      0x00, 0x00, 0x00, 0x00,  // nlmsg_seq 0 (the Socket numbers requests)
      0x00, 0x00, 0x00, 0x00,  // nlmsg_pid 0
      // struct ifinfomsg
      0x00, 0x00,              // ifi_family AF_UNSPEC, padding
      0x00, 0x00,              // ifi_type 0
      0x64, 0x00, 0x00, 0x00,  // ifi_index 100
      0x00, 0x00, 0x00, 0x00,  // ifi_flags 0
      0x00, 0x00, 0x00, 0x00,  // ifi_change 0
      // IFLA_IFNAME "a0"
      0x07, 0x00, 0x03, 0x00,  // nla_len 7, nla_type IFLA_IFNAME (3)
      'a', '0', 0x00, 0x00,    // "a0\0" + 1 byte padding
      // IFLA_LINKINFO (no IFLA_NET_NS_FD for this end: it stays in the socket's namespace)
      0x38, 0x00, 0x12, 0x00,  // nla_len 56, nla_type IFLA_LINKINFO (18)
      0x09, 0x00, 0x01, 0x00,  //   nla_len 9, IFLA_INFO_KIND (1)
      'v', 'e', 't', 'h',      //   "veth"
      0x00, 0x00, 0x00, 0x00,  //   NUL + 3 bytes padding
      0x28, 0x00, 0x02, 0x00,  //   nla_len 40, IFLA_INFO_DATA (2)
      0x24, 0x00, 0x01, 0x00,  //     nla_len 36, VETH_INFO_PEER (1)
      0x00, 0x00, 0x00, 0x00,  //       peer ifinfomsg: AF_UNSPEC, padding, ifi_type 0
      0x65, 0x00, 0x00, 0x00,  //       ifi_index 101
      0x00, 0x00, 0x00, 0x00,  //       ifi_flags 0
      0x00, 0x00, 0x00, 0x00,  //       ifi_change 0
      0x07, 0x00, 0x03, 0x00,  //       nla_len 7, IFLA_IFNAME
      'b', '0', 0x00, 0x00,    //       "b0\0" + padding
      0x08, 0x00, 0x1c, 0x00,  //       nla_len 8, IFLA_NET_NS_FD (28)
      0x07, 0x00, 0x00, 0x00,  //       fd 7
  };
  const VethSpec spec{.name = "a0", .ifindex = 100, .peer_name = "b0", .peer_ifindex = 101,
                      .peer_ns_fd = 7};
  EXPECT_EQ(link_new_veth(spec), expected);
}

TEST(Requests, VethWithoutPeerNamespaceOmitsTheFd) {
  const VethSpec spec{.name = "a0", .ifindex = 100, .peer_name = "b0", .peer_ifindex = 101};
  const Bytes bytes = link_new_veth(spec);
  ASSERT_EQ(bytes.size(), 88U);  // the 96 above minus the 8-byte IFLA_NET_NS_FD
  EXPECT_EQ(bytes[0], 88);
  EXPECT_EQ(bytes[40], 48);  // IFLA_LINKINFO shrinks by 8 too
}

TEST(Requests, LinkSetUp) {
  const Bytes expected = {
      0x20, 0x00, 0x00, 0x00,  // nlmsg_len 32
      0x10, 0x00,              // RTM_NEWLINK
      0x05, 0x00,              // REQUEST|ACK: no CREATE, the link exists
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x00, 0x00, 0x00, 0x00,  // AF_UNSPEC, padding, ifi_type
      0x64, 0x00, 0x00, 0x00,  // ifi_index 100
      0x01, 0x00, 0x00, 0x00,  // ifi_flags IFF_UP
      0x01, 0x00, 0x00, 0x00,  // ifi_change IFF_UP: only this bit changes
  };
  EXPECT_EQ(link_set_up(100), expected);
}

TEST(Requests, LinkSetDown) {
  const Bytes expected = {
      0x20, 0x00, 0x00, 0x00,  // nlmsg_len 32
      0x10, 0x00, 0x05, 0x00,  // RTM_NEWLINK, REQUEST|ACK
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x00, 0x00, 0x00, 0x00,  // AF_UNSPEC, padding, ifi_type
      0x01, 0x00, 0x00, 0x00,  // ifi_index 1 (lo)
      0x00, 0x00, 0x00, 0x00,  // ifi_flags: IFF_UP cleared
      0x01, 0x00, 0x00, 0x00,  // ifi_change IFF_UP
  };
  EXPECT_EQ(link_set_up(1, false), expected);
}

TEST(Requests, AddrNewV4) {
  const Bytes expected = {
      0x28, 0x00, 0x00, 0x00,  // nlmsg_len 40
      0x14, 0x00,              // RTM_NEWADDR (20)
      0x05, 0x06,              // REQUEST|ACK|EXCL|CREATE
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      // struct ifaddrmsg
      0x02,                    // ifa_family AF_INET
      0x18,                    // ifa_prefixlen 24
      0x00,                    // ifa_flags 0
      0x00,                    // ifa_scope RT_SCOPE_UNIVERSE
      0x64, 0x00, 0x00, 0x00,  // ifa_index 100
      0x08, 0x00, 0x02, 0x00,  // nla_len 8, IFA_LOCAL (2)
      10, 0, 0, 1,             // 10.0.0.1
      0x08, 0x00, 0x01, 0x00,  // nla_len 8, IFA_ADDRESS (1)
      10, 0, 0, 1,             // 10.0.0.1 (same: not a point-to-point peer)
  };
  EXPECT_EQ(addr_new(100, prefix("10.0.0.1/24")), expected);
}

TEST(Requests, AddrNewV4LoopbackGetsHostScope) {
  const Bytes bytes = addr_new(1, prefix("127.0.0.2/8"));
  ASSERT_EQ(bytes.size(), 40U);
  EXPECT_EQ(bytes[19], 254);  // ifa_scope RT_SCOPE_HOST, as `ip addr add` chooses
}

TEST(Requests, AddrNewV6WithNodad) {
  const Bytes expected = {
      0x48, 0x00, 0x00, 0x00,  // nlmsg_len 72
      0x14, 0x00, 0x05, 0x06,  // RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x0a,                    // ifa_family AF_INET6 (10)
      0x40,                    // ifa_prefixlen 64
      0x02,                    // ifa_flags IFA_F_NODAD
      0x00,                    // ifa_scope (the kernel derives it for IPv6)
      0x64, 0x00, 0x00, 0x00,  // ifa_index 100
      0x14, 0x00, 0x02, 0x00,  // nla_len 20, IFA_LOCAL
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  // 2001:db8::1
      0x14, 0x00, 0x01, 0x00,  // nla_len 20, IFA_ADDRESS
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  // 2001:db8::1
      0x08, 0x00, 0x08, 0x00,  // nla_len 8, IFA_FLAGS (8): the 32-bit copy of the flags
      0x02, 0x00, 0x00, 0x00,  // IFA_F_NODAD
  };
  EXPECT_EQ(addr_new(100, prefix("2001:db8::1/64")), expected);
}

TEST(Requests, RouteDefaultViaGateway) {
  const Bytes expected = {
      0x2c, 0x00, 0x00, 0x00,  // nlmsg_len 44
      0x18, 0x00,              // RTM_NEWROUTE (24)
      0x05, 0x06,              // REQUEST|ACK|EXCL|CREATE
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      // struct rtmsg
      0x02,                    // rtm_family AF_INET
      0x00,                    // rtm_dst_len 0: default
      0x00,                    // rtm_src_len
      0x00,                    // rtm_tos
      0xfe,                    // rtm_table RT_TABLE_MAIN (254)
      0x04,                    // rtm_protocol RTPROT_STATIC
      0x00,                    // rtm_scope RT_SCOPE_UNIVERSE (a gateway)
      0x01,                    // rtm_type RTN_UNICAST
      0x00, 0x00, 0x00, 0x00,  // rtm_flags
      0x08, 0x00, 0x0f, 0x00,  // nla_len 8, RTA_TABLE (15)
      0xfe, 0x00, 0x00, 0x00,  // 254
      // no RTA_DST for a /0
      0x08, 0x00, 0x05, 0x00,  // nla_len 8, RTA_GATEWAY (5)
      10, 0, 0, 254,           // 10.0.0.254
  };
  EXPECT_EQ(route_new({.destination = prefix("0.0.0.0/0"), .gateway = address("10.0.0.254")}),
            expected);
}

// What `ip route del default via 10.0.0.254` sends: no protocol, scope NOWHERE, no type.
TEST(Requests, RouteDelMatchesLikeIpRouteDel) {
  const Bytes expected = {
      0x2c, 0x00, 0x00, 0x00,  // nlmsg_len 44
      0x19, 0x00,              // RTM_DELROUTE (25)
      0x05, 0x00,              // REQUEST|ACK
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x02, 0x00, 0x00, 0x00,  // AF_INET, dst_len 0, src_len, tos
      0xfe,                    // rtm_table RT_TABLE_MAIN
      0x00,                    // rtm_protocol: any
      0xff,                    // rtm_scope RT_SCOPE_NOWHERE: any
      0x00,                    // rtm_type RTN_UNSPEC: any
      0x00, 0x00, 0x00, 0x00,  // rtm_flags
      0x08, 0x00, 0x0f, 0x00,  // RTA_TABLE
      0xfe, 0x00, 0x00, 0x00,  // 254
      0x08, 0x00, 0x05, 0x00,  // RTA_GATEWAY
      10, 0, 0, 254,
  };
  EXPECT_EQ(route_del({.destination = prefix("0.0.0.0/0"), .gateway = address("10.0.0.254")}), expected);
  // a typed route is deleted by its type, like `ip route del blackhole 10.9.0.0/16`
  const Bytes blackhole = route_del({.destination = prefix("10.9.0.0/16"), .type = RouteType::blackhole});
  ASSERT_GE(blackhole.size(), 24u);
  EXPECT_EQ(blackhole[23], 6) << "RTN_BLACKHOLE";
}

TEST(Requests, RoutePrefixViaGatewayWithOifSourceAndMetric) {
  const Bytes expected = {
      0x4c, 0x00, 0x00, 0x00,  // nlmsg_len 76
      0x18, 0x00, 0x05, 0x06,  // RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x02, 0x18, 0x00, 0x00,  // AF_INET, dst_len 24, src_len 0, tos 0
      0xfe, 0x04, 0x00, 0x01,  // table main, proto static, scope universe, RTN_UNICAST
      0x00, 0x00, 0x00, 0x00,  // rtm_flags
      0x08, 0x00, 0x0f, 0x00,  // RTA_TABLE
      0xfe, 0x00, 0x00, 0x00,  // 254
      0x08, 0x00, 0x01, 0x00,  // nla_len 8, RTA_DST (1)
      192, 0, 2, 0,            // 192.0.2.0
      0x08, 0x00, 0x05, 0x00,  // RTA_GATEWAY
      10, 0, 0, 254,           // 10.0.0.254
      0x08, 0x00, 0x04, 0x00,  // nla_len 8, RTA_OIF (4)
      0x64, 0x00, 0x00, 0x00,  // 100
      0x08, 0x00, 0x07, 0x00,  // nla_len 8, RTA_PREFSRC (7)
      10, 0, 0, 1,             // 10.0.0.1
      0x08, 0x00, 0x06, 0x00,  // nla_len 8, RTA_PRIORITY (6)
      0x32, 0x00, 0x00, 0x00,  // metric 50
  };
  const RouteSpec spec{.destination = prefix("192.0.2.0/24"),
                       .gateway = address("10.0.0.254"),
                       .oif = 100,
                       .prefsrc = address("10.0.0.1"),
                       .metric = 50};
  EXPECT_EQ(route_new(spec), expected);
}

TEST(Requests, RoutePrefixOnLinkHasScopeLink) {
  const Bytes expected = {
      0x34, 0x00, 0x00, 0x00,  // nlmsg_len 52
      0x18, 0x00, 0x05, 0x06,  // RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x02, 0x18, 0x00, 0x00,  // AF_INET, dst_len 24, src_len 0, tos 0
      0xfe, 0x04,              // table main, proto static
      0xfd,                    // rtm_scope RT_SCOPE_LINK (253): no gateway
      0x01,                    // RTN_UNICAST
      0x00, 0x00, 0x00, 0x00,  // rtm_flags
      0x08, 0x00, 0x0f, 0x00,  // RTA_TABLE
      0xfe, 0x00, 0x00, 0x00,  // 254
      0x08, 0x00, 0x01, 0x00,  // RTA_DST
      198, 51, 100, 0,         // 198.51.100.0
      0x08, 0x00, 0x04, 0x00,  // RTA_OIF
      0x64, 0x00, 0x00, 0x00,  // 100
  };
  EXPECT_EQ(route_new({.destination = prefix("198.51.100.0/24"), .oif = 100}), expected);
}

TEST(Requests, RouteV6ViaLinkLocalGateway) {
  const Bytes expected = {
      0x54, 0x00, 0x00, 0x00,  // nlmsg_len 84
      0x18, 0x00, 0x05, 0x06,  // RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x0a, 0x30, 0x00, 0x00,  // AF_INET6, dst_len 48, src_len 0, tos 0
      0xfe, 0x04, 0x00, 0x01,  // table main, proto static, scope universe, RTN_UNICAST
      0x00, 0x00, 0x00, 0x00,  // rtm_flags
      0x08, 0x00, 0x0f, 0x00,  // RTA_TABLE
      0xfe, 0x00, 0x00, 0x00,  // 254
      0x14, 0x00, 0x01, 0x00,  // nla_len 20, RTA_DST
      0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 2001:db8:1::
      0x14, 0x00, 0x05, 0x00,  // nla_len 20, RTA_GATEWAY
      0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  // fe80::1
      0x08, 0x00, 0x04, 0x00,  // RTA_OIF
      0x64, 0x00, 0x00, 0x00,  // 100
  };
  const RouteSpec spec{.destination = prefix("2001:db8:1::/48"),
                       .gateway = address("fe80::1"),
                       .oif = 100};
  EXPECT_EQ(route_new(spec), expected);
}

TEST(Requests, RouteBlackhole) {
  const Bytes expected = {
      0x2c, 0x00, 0x00, 0x00,  // nlmsg_len 44
      0x18, 0x00, 0x05, 0x06,  // RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x02, 0x10, 0x00, 0x00,  // AF_INET, dst_len 16, src_len 0, tos 0
      0xfe, 0x04,              // table main, proto static
      0x00,                    // rtm_scope RT_SCOPE_UNIVERSE (as `ip route add blackhole` sends)
      0x06,                    // rtm_type RTN_BLACKHOLE (6)
      0x00, 0x00, 0x00, 0x00,  // rtm_flags
      0x08, 0x00, 0x0f, 0x00,  // RTA_TABLE
      0xfe, 0x00, 0x00, 0x00,  // 254
      0x08, 0x00, 0x01, 0x00,  // RTA_DST
      10, 9, 0, 0,             // 10.9.0.0
  };
  EXPECT_EQ(route_new({.destination = prefix("10.9.0.0/16"), .type = RouteType::blackhole}), expected);
}

TEST(Requests, RouteUnreachableV6InTableWithMetric) {
  const Bytes expected = {
      0x40, 0x00, 0x00, 0x00,  // nlmsg_len 64
      0x18, 0x00, 0x05, 0x06,  // RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x0a, 0x30, 0x00, 0x00,  // AF_INET6, dst_len 48, src_len 0, tos 0
      0x64,                    // rtm_table 100
      0x04, 0x00,              // proto static, scope universe
      0x07,                    // rtm_type RTN_UNREACHABLE (7)
      0x00, 0x00, 0x00, 0x00,  // rtm_flags
      0x08, 0x00, 0x0f, 0x00,  // RTA_TABLE
      0x64, 0x00, 0x00, 0x00,  // 100
      0x14, 0x00, 0x01, 0x00,  // nla_len 20, RTA_DST
      0x20, 0x01, 0x0d, 0xb8, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 2001:db8:8::
      0x08, 0x00, 0x06, 0x00,  // RTA_PRIORITY
      0x00, 0x04, 0x00, 0x00,  // metric 1024
  };
  const RouteSpec spec{.destination = prefix("2001:db8:8::/48"), .metric = 1024,
                       .type = RouteType::unreachable, .table = 100};
  EXPECT_EQ(route_new(spec), expected);
}

TEST(Requests, RouteProhibitInTableAbove255) {
  const Bytes expected = {
      0x2c, 0x00, 0x00, 0x00,  // nlmsg_len 44
      0x18, 0x00, 0x05, 0x06,  // RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x02, 0x10, 0x00, 0x00,  // AF_INET, dst_len 16, src_len 0, tos 0
      0x00,                    // rtm_table RT_TABLE_UNSPEC: 1000 does not fit 8 bits
      0x04, 0x00,              // proto static, scope universe
      0x08,                    // rtm_type RTN_PROHIBIT (8)
      0x00, 0x00, 0x00, 0x00,  // rtm_flags
      0x08, 0x00, 0x0f, 0x00,  // RTA_TABLE: the whole id
      0xe8, 0x03, 0x00, 0x00,  // 1000
      0x08, 0x00, 0x01, 0x00,  // RTA_DST
      10, 7, 0, 0,             // 10.7.0.0
  };
  EXPECT_EQ(route_new({.destination = prefix("10.7.0.0/16"), .type = RouteType::prohibit, .table = 1000}),
            expected);
}

TEST(Requests, RouteOnlinkSetsTheFlag) {
  const Bytes expected = {
      0x3c, 0x00, 0x00, 0x00,  // nlmsg_len 60
      0x18, 0x00, 0x05, 0x06,  // RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x02, 0x10, 0x00, 0x00,  // AF_INET, dst_len 16, src_len 0, tos 0
      0xfe, 0x04, 0x00, 0x01,  // table main, proto static, scope universe, RTN_UNICAST
      0x04, 0x00, 0x00, 0x00,  // rtm_flags RTNH_F_ONLINK (4)
      0x08, 0x00, 0x0f, 0x00,  // RTA_TABLE
      0xfe, 0x00, 0x00, 0x00,  // 254
      0x08, 0x00, 0x01, 0x00,  // RTA_DST
      10, 1, 0, 0,             // 10.1.0.0
      0x08, 0x00, 0x05, 0x00,  // RTA_GATEWAY
      203, 0, 113, 1,          // 203.0.113.1: on no subnet of the link, onlink says it is there
      0x08, 0x00, 0x04, 0x00,  // RTA_OIF
      0x64, 0x00, 0x00, 0x00,  // 100
  };
  const RouteSpec spec{.destination = prefix("10.1.0.0/16"), .gateway = address("203.0.113.1"), .oif = 100,
                       .onlink = true};
  EXPECT_EQ(route_new(spec), expected);
}

TEST(Requests, RouteMultipathV4WithWeightsAndOnlink) {
  const Bytes expected = {
      0x50, 0x00, 0x00, 0x00,  // nlmsg_len 80
      0x18, 0x00, 0x05, 0x06,  // RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x02, 0x08, 0x00, 0x00,  // AF_INET, dst_len 8, src_len 0, tos 0
      0xfe, 0x04, 0x00, 0x01,  // table main, proto static, scope universe, RTN_UNICAST
      0x00, 0x00, 0x00, 0x00,  // rtm_flags
      0x08, 0x00, 0x0f, 0x00,  // RTA_TABLE
      0xfe, 0x00, 0x00, 0x00,  // 254
      0x08, 0x00, 0x01, 0x00,  // RTA_DST
      10, 0, 0, 0,             // 10.0.0.0
      0x24, 0x00, 0x09, 0x00,  // nla_len 36, RTA_MULTIPATH (9)
      0x10, 0x00,              //   rtnh_len 16: the rtnexthop and its attributes
      0x00,                    //   rtnh_flags
      0x00,                    //   rtnh_hops 0: weight 1
      0x64, 0x00, 0x00, 0x00,  //   rtnh_ifindex 100
      0x08, 0x00, 0x05, 0x00,  //   RTA_GATEWAY
      192, 0, 2, 1,            //   192.0.2.1
      0x10, 0x00,              //   rtnh_len 16
      0x04,                    //   rtnh_flags RTNH_F_ONLINK
      0x02,                    //   rtnh_hops 2: weight 3
      0x65, 0x00, 0x00, 0x00,  //   rtnh_ifindex 101
      0x08, 0x00, 0x05, 0x00,  //   RTA_GATEWAY
      198, 51, 100, 1,         //   198.51.100.1
  };
  const RouteSpec spec{.destination = prefix("10.0.0.0/8"),
                       .nexthops = {{.gateway = address("192.0.2.1"), .oif = 100},
                                    {.gateway = address("198.51.100.1"), .oif = 101, .weight = 3, .onlink = true}}};
  EXPECT_EQ(route_new(spec), expected);
}

TEST(Requests, RouteMultipathV6) {
  const Bytes expected = {
      0x74, 0x00, 0x00, 0x00,  // nlmsg_len 116
      0x18, 0x00, 0x05, 0x06,  // RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x0a, 0x30, 0x00, 0x00,  // AF_INET6, dst_len 48, src_len 0, tos 0
      0xfe, 0x04, 0x00, 0x01,  // table main, proto static, scope universe, RTN_UNICAST
      0x00, 0x00, 0x00, 0x00,  // rtm_flags
      0x08, 0x00, 0x0f, 0x00,  // RTA_TABLE
      0xfe, 0x00, 0x00, 0x00,  // 254
      0x14, 0x00, 0x01, 0x00,  // RTA_DST
      0x20, 0x01, 0x0d, 0xb8, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 2001:db8:5::
      0x3c, 0x00, 0x09, 0x00,  // nla_len 60, RTA_MULTIPATH
      0x1c, 0x00, 0x00, 0x00,  //   rtnh_len 28, flags 0, hops 0
      0x64, 0x00, 0x00, 0x00,  //   rtnh_ifindex 100
      0x14, 0x00, 0x05, 0x00,  //   nla_len 20, RTA_GATEWAY
      0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe,  // 2001:db8:1::fe
      0x1c, 0x00, 0x00, 0x00,  //   rtnh_len 28, flags 0, hops 0
      0x65, 0x00, 0x00, 0x00,  //   rtnh_ifindex 101
      0x14, 0x00, 0x05, 0x00,  //   nla_len 20, RTA_GATEWAY
      0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe,  // 2001:db8:2::fe
  };
  const RouteSpec spec{.destination = prefix("2001:db8:5::/48"),
                       .nexthops = {{.gateway = address("2001:db8:1::fe"), .oif = 100},
                                    {.gateway = address("2001:db8:2::fe"), .oif = 101}}};
  EXPECT_EQ(route_new(spec), expected);
}

TEST(Requests, RuleFromPrefixWithPriority) {
  const Bytes expected = {
      0x34, 0x00, 0x00, 0x00,  // nlmsg_len 52
      0x20, 0x00,              // RTM_NEWRULE (32)
      0x05, 0x06,              // REQUEST|ACK|EXCL|CREATE (as `ip rule add` sends)
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      // struct fib_rule_hdr
      0x02,                    // family AF_INET
      0x00,                    // dst_len 0
      0x18,                    // src_len 24
      0x00,                    // tos
      0x64,                    // table 100
      0x00, 0x00,              // res1, res2
      0x01,                    // action FR_ACT_TO_TBL
      0x00, 0x00, 0x00, 0x00,  // flags
      0x08, 0x00, 0x0f, 0x00,  // nla_len 8, FRA_TABLE (15)
      0x64, 0x00, 0x00, 0x00,  // 100
      0x08, 0x00, 0x02, 0x00,  // nla_len 8, FRA_SRC (2)
      192, 0, 2, 0,            // 192.0.2.0
      0x08, 0x00, 0x06, 0x00,  // nla_len 8, FRA_PRIORITY (6)
      0xe8, 0x03, 0x00, 0x00,  // 1000
  };
  EXPECT_EQ(rule_new({.src = prefix("192.0.2.0/24"), .priority = 1000, .table = 100}), expected);
}

TEST(Requests, RuleV6WithMarkInterfacesAndLargeTable) {
  const Bytes expected = {
      0x60, 0x00, 0x00, 0x00,  // nlmsg_len 96
      0x20, 0x00, 0x05, 0x06,  // RTM_NEWRULE, REQUEST|ACK|EXCL|CREATE
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x0a, 0x30, 0x00, 0x00,  // AF_INET6, dst_len 48, src_len 0, tos 0
      0x00,                    // table RT_TABLE_UNSPEC: 1000 is in FRA_TABLE only
      0x00, 0x00, 0x01,        // res1, res2, FR_ACT_TO_TBL
      0x00, 0x00, 0x00, 0x00,  // flags
      0x08, 0x00, 0x0f, 0x00,  // FRA_TABLE
      0xe8, 0x03, 0x00, 0x00,  // 1000
      0x14, 0x00, 0x01, 0x00,  // nla_len 20, FRA_DST (1)
      0x20, 0x01, 0x0d, 0xb8, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 2001:db8:5::
      0x08, 0x00, 0x0a, 0x00,                                            // nla_len 8, FRA_FWMARK (10)
      0x01, 0x00, 0x00, 0x00,                                            // 0x1
      0x08, 0x00, 0x10, 0x00,                                            // nla_len 8, FRA_FWMASK (16)
      0xff, 0x00, 0x00, 0x00,                                            // 0xff
      0x09, 0x00, 0x03, 0x00,                                            // nla_len 9, FRA_IFNAME (3): iif
      'e',  't',  'h',  '1',                                             // "eth1"
      0x00, 0x00, 0x00, 0x00,                                            // NUL + 3 bytes padding
      0x09, 0x00, 0x11, 0x00,                                            // nla_len 9, FRA_OIFNAME (17)
      'e',  't',  'h',  '2',                                             // "eth2"
      0x00, 0x00, 0x00, 0x00,                                            // NUL + 3 bytes padding
  };
  const RuleSpec spec{.family = Family::v6,
                      .dst = prefix("2001:db8:5::/48"),
                      .fwmark = 1,
                      .fwmask = 0xff,
                      .iifname = "eth1",
                      .oifname = "eth2",
                      .table = 1000};
  EXPECT_EQ(rule_new(spec), expected);
}

TEST(Requests, LinkNewBridge) {
  const Bytes expected = {
      0x38, 0x00, 0x00, 0x00,  // nlmsg_len 56
      0x10, 0x00, 0x05, 0x06,  // RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x00, 0x00, 0x00, 0x00,  // AF_UNSPEC, padding, ifi_type
      0x66, 0x00, 0x00, 0x00,  // ifi_index 102
      0x00, 0x00, 0x00, 0x00,  // ifi_flags
      0x00, 0x00, 0x00, 0x00,  // ifi_change
      0x08, 0x00, 0x03, 0x00,  // nla_len 8, IFLA_IFNAME
      'b',  'r',  '0',  0x00,  // "br0\0"
      0x10, 0x00, 0x12, 0x00,  // nla_len 16, IFLA_LINKINFO
      0x0b, 0x00, 0x01, 0x00,  //   nla_len 11, IFLA_INFO_KIND
      'b',  'r',  'i',  'd',   //   "bridge"
      'g',  'e',  0x00, 0x00,  //   NUL + 1 byte padding (`ip` sends no NUL, the kernel takes both)
  };
  EXPECT_EQ(link_new("bridge", "br0", 102), expected);
}

TEST(Requests, LinkSetMtuMacAndMaster) {
  const Bytes expected = {
      0x3c, 0x00, 0x00, 0x00,  // nlmsg_len 60
      0x10, 0x00, 0x05, 0x00,  // RTM_NEWLINK, REQUEST|ACK: the link exists
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x00, 0x00, 0x00, 0x00,  // AF_UNSPEC, padding, ifi_type
      0x64, 0x00, 0x00, 0x00,  // ifi_index 100
      0x00, 0x00, 0x00, 0x00,  // ifi_flags
      0x00, 0x00, 0x00, 0x00,  // ifi_change 0: no flag changes
      0x08, 0x00, 0x04, 0x00,  // nla_len 8, IFLA_MTU (4)
      0x78, 0x05, 0x00, 0x00,  // 1400
      0x0a, 0x00, 0x01, 0x00,  // nla_len 10, IFLA_ADDRESS (1)
      0x02, 0x00, 0x00, 0x00,  // 02:00:00:00:
      0x00, 0x01, 0x00, 0x00,  // 00:01 + 2 bytes padding
      0x08, 0x00, 0x0a, 0x00,  // nla_len 8, IFLA_MASTER (10)
      0x66, 0x00, 0x00, 0x00,  // 102
  };
  const LinkSettings set{
      .ifindex = 100, .mtu = 1400, .mac = std::array<std::uint8_t, 6>{2, 0, 0, 0, 0, 1}, .master = 102};
  EXPECT_EQ(link_set(set), expected);
}

TEST(Requests, LinkDump) {
  const Bytes expected = {
      0x20, 0x00, 0x00, 0x00,  // nlmsg_len 32
      0x12, 0x00,              // RTM_GETLINK (18)
      0x01, 0x03,              // REQUEST|DUMP (0x301): a dump ends with NLMSG_DONE, no ACK
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x00, 0x00, 0x00, 0x00,  // ifinfomsg: AF_UNSPEC (every link), padding, ifi_type
      0x00, 0x00, 0x00, 0x00,  // ifi_index
      0x00, 0x00, 0x00, 0x00,  // ifi_flags
      0x00, 0x00, 0x00, 0x00,  // ifi_change
  };
  EXPECT_EQ(link_dump(), expected);
}

TEST(Requests, OverlongNameOverflowsToEmptyBytes) {
  const VethSpec spec{.name = std::string(2000, 'x'), .peer_name = "b0"};
  EXPECT_TRUE(link_new_veth(spec).empty());
}

/// An RTM_NEWLINK as the kernel sends it, trimmed to a few attributes.
Bytes sample_newlink(std::uint16_t type) {
  return {
      0x38, 0x00, 0x00, 0x00,  // nlmsg_len 56
      static_cast<std::uint8_t>(type), 0x00,  // RTM_NEWLINK or RTM_DELLINK
      0x00, 0x00,              // flags
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
      0x00, 0x00, 0x01, 0x00,  // AF_UNSPEC, padding, ifi_type ARPHRD_ETHER (1)
      0x64, 0x00, 0x00, 0x00,  // ifi_index 100
      0x43, 0x10, 0x01, 0x00,  // ifi_flags UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP (0x11043)
      0x00, 0x00, 0x00, 0x00,  // ifi_change
      0x07, 0x00, 0x03, 0x00,  // nla_len 7, IFLA_IFNAME
      'a', '0', 0x00, 0x00,    // "a0\0" + padding
      0x08, 0x00, 0x04, 0x00,  // nla_len 8, IFLA_MTU (4): ignored
      0xdc, 0x05, 0x00, 0x00,  // 1500
      0x05, 0x00, 0x10, 0x00,  // nla_len 5, IFLA_OPERSTATE (16)
      0x06, 0x00, 0x00, 0x00,  // IF_OPER_UP + padding
  };
}

TEST(ParseLink, ReadsIndexFlagsNameAndOperstate) {
  const Bytes msg = sample_newlink(16);
  const auto state = parse_link(msg.data(), msg.size());
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->ifindex, 100);
  EXPECT_EQ(state->flags, 0x11043U);
  EXPECT_EQ(state->name, "a0");
  EXPECT_EQ(state->operstate, 6);
  EXPECT_FALSE(state->removed);
}

TEST(ParseLink, DellinkIsMarkedRemoved) {
  const Bytes msg = sample_newlink(17);
  const auto state = parse_link(msg.data(), msg.size());
  ASSERT_TRUE(state.has_value());
  EXPECT_TRUE(state->removed);
  EXPECT_EQ(state->ifindex, 100);
}

TEST(ParseLink, RejectsOtherTypesAndTruncatedMessages) {
  Bytes msg = sample_newlink(20);  // RTM_NEWADDR
  EXPECT_FALSE(parse_link(msg.data(), msg.size()).has_value());
  msg = sample_newlink(16);
  EXPECT_FALSE(parse_link(msg.data(), 40).has_value());  // shorter than nlmsg_len
  msg[0] = 20;  // nlmsg_len too short for an ifinfomsg
  EXPECT_FALSE(parse_link(msg.data(), msg.size()).has_value());
}

}  // namespace
}  // namespace nscheck::nl
// clang-format on
