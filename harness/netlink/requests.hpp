#pragma once
// Pure factories for rtnetlink requests: each returns the bytes of one complete request
// (nlmsghdr + payload) with NLM_F_REQUEST | NLM_F_ACK set and nlmsg_seq = 0 (the Socket numbers
// them). Creation requests carry NLM_F_CREATE | NLM_F_EXCL: a leftover object is an error.
// No I/O here: every factory has a byte-exact unit test.

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
  std::string name;
  int ifindex = 0;  ///< 0 lets the kernel choose
  std::string peer_name;
  int peer_ifindex = 0;
  int peer_ns_fd = -1;
};

/// A route (main table, protocol static, scope from the gateway: universe with a gateway,
/// link without).
struct RouteSpec {
  Prefix destination;
  std::optional<IpAddress> gateway;
  int oif = 0;  ///< 0 = none
  std::optional<IpAddress> prefsrc;
  std::optional<std::uint32_t> metric;
};

/// RTM_NEWLINK creating a veth pair.
Bytes link_new_veth(const VethSpec& spec);
/// RTM_NEWLINK setting IFF_UP (up = true) or clearing it.
Bytes link_set_up(int ifindex, bool up = true);
/// RTM_NEWADDR for a prefix on an interface (IFA_LOCAL and IFA_ADDRESS; IFA_F_NODAD for IPv6).
Bytes addr_new(int ifindex, const Prefix& prefix);
/// RTM_NEWROUTE.
Bytes route_new(const RouteSpec& spec);
/// RTM_GETLINK dump of every link (NLM_F_DUMP, no ACK flag).
Bytes link_dump();

/// What nscheck reads from an RTM_NEWLINK message.
struct LinkState {
  int ifindex = 0;
  std::string name;
  unsigned flags = 0;          ///< ifi_flags
  std::uint8_t operstate = 0;  ///< IFLA_OPERSTATE (IF_OPER_UP = 6)
};

/// Parses an RTM_NEWLINK message (header included); nullopt for anything else.
std::optional<LinkState> parse_link(const void* nlmsg, std::size_t len);

}  // namespace nscheck::nl
