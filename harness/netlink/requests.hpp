#pragma once
// Pure factories for rtnetlink requests: each returns the bytes of one complete request
// (nlmsghdr + payload) with NLM_F_REQUEST | NLM_F_ACK set and nlmsg_seq = 0 (the Socket numbers
// them). Creation requests carry NLM_F_CREATE | NLM_F_EXCL: a leftover object is an error.
// No I/O here: every factory has a byte-exact unit test.
// A request that does not fit the builder's fixed buffer (netlink/message.hpp; only absurdly
// long names can do that) comes back as empty Bytes, which Socket::transact refuses.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ip.hpp"

namespace nscheck::nl {

/// The bytes of one netlink message.
using Bytes = std::vector<std::uint8_t>;

/// A veth pair: this end is created in the sending socket's namespace, the peer straight in
/// the namespace held by peer_ns_fd, so nothing ever appears anywhere else.
struct VethSpec {
  std::string name;  ///< empty lets the kernel choose
  int ifindex = 0;   ///< 0 lets the kernel choose
  std::string peer_name;
  int peer_ifindex = 0;
  int peer_ns_fd = -1;  ///< -1: the peer stays in the sending socket's namespace too
};

/// Settings of an existing link, as `ip link set IF mtu N address MAC master BR` sends them.
struct LinkSettings {
  int ifindex = 0;
  std::optional<std::uint32_t> mtu;                ///< IFLA_MTU
  std::optional<std::array<std::uint8_t, 6>> mac;  ///< IFLA_ADDRESS
  int master = 0;                                  ///< IFLA_MASTER: the bridge's ifindex (0 = none)
};

/// What a route does (rtm_type): forward, or drop with an error of its own.
enum class RouteType { unicast, blackhole, unreachable, prohibit };

/// One path of a multipath route (struct rtnexthop + RTA_GATEWAY).
struct NextHopSpec {
  std::optional<IpAddress> gateway;
  int oif = 0;          ///< 0 = none
  int weight = 1;       ///< 1..256 (the kernel stores weight - 1)
  bool onlink = false;  ///< RTNH_F_ONLINK
};

/// A route (protocol static; scope universe with a gateway or nexthops and for typed routes,
/// link for a unicast route without either).
struct RouteSpec {
  Prefix destination;
  std::optional<IpAddress> gateway;
  int oif = 0;  ///< 0 = none
  std::optional<IpAddress> prefsrc;
  std::optional<std::uint32_t> metric;
  RouteType type = RouteType::unicast;
  std::uint32_t table = 254;          ///< RT_TABLE_MAIN
  bool onlink = false;                ///< RTNH_F_ONLINK in rtm_flags
  std::vector<NextHopSpec> nexthops;  ///< non-empty: RTA_MULTIPATH instead of gateway and oif
};

/// A policy routing rule that looks up one table (FR_ACT_TO_TBL).
struct RuleSpec {
  Family family = Family::v4;
  std::optional<Prefix> src;  ///< "from"
  std::optional<Prefix> dst;  ///< "to"
  std::optional<std::uint32_t> priority;
  std::optional<std::uint32_t> fwmark;
  std::optional<std::uint32_t> fwmask;
  std::string iifname;  ///< "" = any
  std::string oifname;  ///< "" = any
  std::uint32_t table = 254;
};

/// RTM_NEWLINK creating a veth pair.
Bytes link_new_veth(const VethSpec& spec);
/// RTM_NEWLINK creating a device of `kind` ("bridge") that needs no further data.
Bytes link_new(const std::string& kind, const std::string& name, int ifindex);
/// RTM_NEWLINK changing mtu, address and master of a link.
Bytes link_set(const LinkSettings& settings);
/// RTM_NEWLINK setting IFF_UP (up = true) or clearing it.
Bytes link_set_up(int ifindex, bool up = true);
/// RTM_NEWADDR for a prefix on an interface (IFA_LOCAL and IFA_ADDRESS; IFA_F_NODAD for IPv6).
Bytes addr_new(int ifindex, const Prefix& prefix);
/// RTM_NEWROUTE.
Bytes route_new(const RouteSpec& spec);
/// RTM_DELROUTE, as `ip route del`: the kernel deletes the route of that table and destination
/// that also matches the type (unless unicast), gateway, device and metric given.
Bytes route_del(const RouteSpec& spec);
/// RTM_NEWRULE.
Bytes rule_new(const RuleSpec& spec);
/// RTM_GETLINK dump of every link (NLM_F_DUMP, no ACK flag).
Bytes link_dump();

/// What nscheck reads from an RTM_NEWLINK message.
struct LinkState {
  int ifindex = 0;
  std::string name;
  unsigned flags = 0;          ///< ifi_flags
  std::uint8_t operstate = 0;  ///< IFLA_OPERSTATE (IF_OPER_UP = 6)
  bool removed = false;        ///< true for RTM_DELLINK: the link is gone
};

/// Parses an RTM_NEWLINK or RTM_DELLINK message (header included); nullopt for anything else.
std::optional<LinkState> parse_link(const void* nlmsg, std::size_t len);

/// IPCTNL_MSG_CT_DELETE without a tuple, family AF_UNSPEC: flushes the namespace's whole
/// conntrack table (`conntrack -F`), for a NETLINK_NETFILTER socket.
Bytes conntrack_flush();

}  // namespace nscheck::nl
