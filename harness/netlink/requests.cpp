#include "netlink/requests.hpp"

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include <cstring>

#include "netlink/message.hpp"

namespace nscheck::nl {
namespace {

constexpr std::uint16_t k_flags = NLM_F_REQUEST | NLM_F_ACK;
constexpr std::uint16_t k_create_flags = k_flags | NLM_F_CREATE | NLM_F_EXCL;

ifinfomsg link_header(int ifindex) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = ifindex;
  return ifi;
}

void put_address(MessageBuilder& msg, std::uint16_t type, const IpAddress& address) {
  msg.put_attr(type, address.bytes.data(), address.size());
}

/// The peer nest of a veth: the description of a second link, as in a whole RTM_NEWLINK.
void put_veth_peer(MessageBuilder& msg, const VethSpec& spec) {
  auto peer = msg.nest(VETH_INFO_PEER);
  // Why an ifinfomsg inside an attribute: the kernel parses the peer like the body of an
  // RTM_NEWLINK (rtnl_nla_parse_ifinfomsg skips a struct ifinfomsg before the attributes).
  // Without it the kernel would read our IFLA_IFNAME as that header. Its ifi_index is how
  // the peer gets a chosen ifindex.
  msg.put_struct(link_header(spec.peer_ifindex));
  if (!spec.peer_name.empty()) msg.put_strz(IFLA_IFNAME, spec.peer_name);
  if (spec.peer_ns_fd >= 0) msg.put_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(spec.peer_ns_fd));
}

}  // namespace

Bytes link_new_veth(const VethSpec& spec) {
  MessageBuilder msg(RTM_NEWLINK, k_create_flags);
  msg.put_struct(link_header(spec.ifindex));
  // No IFLA_NET_NS_FD here: this end is born in the sending socket's namespace.
  if (!spec.name.empty()) msg.put_strz(IFLA_IFNAME, spec.name);
  {
    auto linkinfo = msg.nest(IFLA_LINKINFO);
    msg.put_strz(IFLA_INFO_KIND, "veth");
    auto data = msg.nest(IFLA_INFO_DATA);
    put_veth_peer(msg, spec);
  }
  return msg.finish();
}

Bytes link_new(const std::string& kind, const std::string& name, int ifindex) {
  MessageBuilder msg(RTM_NEWLINK, k_create_flags);
  msg.put_struct(link_header(ifindex));
  msg.put_strz(IFLA_IFNAME, name);
  {
    auto linkinfo = msg.nest(IFLA_LINKINFO);
    msg.put_strz(IFLA_INFO_KIND, kind);
  }
  return msg.finish();
}

Bytes link_set(const LinkSettings& settings) {
  MessageBuilder msg(RTM_NEWLINK, k_flags);
  msg.put_struct(link_header(settings.ifindex));
  if (settings.mtu) msg.put_u32(IFLA_MTU, *settings.mtu);
  if (settings.mac) msg.put_attr(IFLA_ADDRESS, settings.mac->data(), settings.mac->size());
  if (settings.master > 0) msg.put_u32(IFLA_MASTER, static_cast<std::uint32_t>(settings.master));
  return msg.finish();
}

Bytes link_set_up(int ifindex, bool up) {
  MessageBuilder msg(RTM_NEWLINK, k_flags);
  ifinfomsg ifi = link_header(ifindex);
  ifi.ifi_flags = up ? static_cast<unsigned>(IFF_UP) : 0U;
  ifi.ifi_change = IFF_UP;  // only this bit changes; the others stay as they are
  msg.put_struct(ifi);
  return msg.finish();
}

Bytes addr_new(int ifindex, const Prefix& prefix) {
  const bool v6 = prefix.address.family == Family::v6;
  MessageBuilder msg(RTM_NEWADDR, k_create_flags);
  ifaddrmsg ifa{};
  ifa.ifa_family = static_cast<std::uint8_t>(prefix.address.af());
  ifa.ifa_prefixlen = prefix.length;
  // IPv6: without NODAD the address stays "tentative" (unusable) until duplicate address
  // detection ends, about a second later. ifa_flags holds only 8 bits, so IFA_FLAGS too.
  ifa.ifa_flags = v6 ? IFA_F_NODAD : 0;
  // As `ip addr add` does: a loopback address gets host scope (IPv6 ignores this field).
  ifa.ifa_scope = prefix.address.is_loopback() ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
  ifa.ifa_index = static_cast<std::uint32_t>(ifindex);
  msg.put_struct(ifa);
  put_address(msg, IFA_LOCAL, prefix.address);
  put_address(msg, IFA_ADDRESS, prefix.address);
  if (v6) msg.put_u32(IFA_FLAGS, IFA_F_NODAD);
  return msg.finish();
}

namespace {

std::uint8_t rtm_type(RouteType t) {
  switch (t) {
    case RouteType::blackhole: return RTN_BLACKHOLE;
    case RouteType::unreachable: return RTN_UNREACHABLE;
    case RouteType::prohibit: return RTN_PROHIBIT;
    case RouteType::unicast: break;
  }
  return RTN_UNICAST;
}

/// The header a table id needs: ids above 255 fit only RTA_TABLE, so rtm_table says UNSPEC.
std::uint8_t header_table(std::uint32_t table) {
  return table < 256 ? static_cast<std::uint8_t>(table) : static_cast<std::uint8_t>(RT_TABLE_UNSPEC);
}

/// RTA_MULTIPATH: one struct rtnexthop per path, each followed by its RTA_GATEWAY.
void put_multipath(MessageBuilder& msg, const std::vector<NextHopSpec>& nexthops) {
  auto multipath = msg.nest(RTA_MULTIPATH);
  for (const auto& h : nexthops) {
    rtnexthop rtnh{};
    rtnh.rtnh_flags = h.onlink ? RTNH_F_ONLINK : 0;
    rtnh.rtnh_hops = static_cast<std::uint8_t>(h.weight - 1);  // the kernel adds 1 back
    rtnh.rtnh_ifindex = h.oif;
    auto path = msg.nest_struct(rtnh);
    if (h.gateway) put_address(msg, RTA_GATEWAY, *h.gateway);
  }
}

}  // namespace

namespace {

/// RTM_NEWROUTE, or RTM_DELROUTE matching like `ip route del`: any protocol and scope, and the
/// type only when it is not unicast.
Bytes route_message(const RouteSpec& spec, bool add) {
  MessageBuilder msg(add ? RTM_NEWROUTE : RTM_DELROUTE, add ? k_create_flags : k_flags);
  const bool forwards = spec.type == RouteType::unicast;
  rtmsg rtm{};
  rtm.rtm_family = static_cast<std::uint8_t>(spec.destination.address.af());
  rtm.rtm_dst_len = spec.destination.length;
  rtm.rtm_table = header_table(spec.table);
  // as `ip route add` chooses: only a unicast route without a gateway is confined to its link
  const bool via_gateway = spec.gateway || !spec.nexthops.empty();
  if (add) {
    rtm.rtm_protocol = RTPROT_STATIC;
    rtm.rtm_scope = forwards && !via_gateway ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
    rtm.rtm_type = rtm_type(spec.type);
  } else {
    rtm.rtm_scope = RT_SCOPE_NOWHERE;
    rtm.rtm_type = forwards ? std::uint8_t{RTN_UNSPEC} : rtm_type(spec.type);
  }
  rtm.rtm_flags = spec.onlink ? RTNH_F_ONLINK : 0;
  msg.put_struct(rtm);
  msg.put_u32(RTA_TABLE, spec.table);
  if (spec.destination.length > 0) put_address(msg, RTA_DST, spec.destination.address);
  if (spec.gateway) put_address(msg, RTA_GATEWAY, *spec.gateway);
  if (spec.oif > 0) msg.put_u32(RTA_OIF, static_cast<std::uint32_t>(spec.oif));
  if (spec.prefsrc) put_address(msg, RTA_PREFSRC, *spec.prefsrc);
  if (spec.metric) msg.put_u32(RTA_PRIORITY, *spec.metric);
  if (!spec.nexthops.empty()) put_multipath(msg, spec.nexthops);
  return msg.finish();
}

}  // namespace

Bytes route_new(const RouteSpec& spec) { return route_message(spec, true); }

Bytes route_del(const RouteSpec& spec) { return route_message(spec, false); }

Bytes rule_new(const RuleSpec& spec) {
  MessageBuilder msg(RTM_NEWRULE, k_create_flags);
  fib_rule_hdr frh{};
  frh.family = spec.family == Family::v4 ? AF_INET : AF_INET6;
  frh.src_len = spec.src ? spec.src->length : 0;
  frh.dst_len = spec.dst ? spec.dst->length : 0;
  frh.table = header_table(spec.table);
  frh.action = FR_ACT_TO_TBL;
  msg.put_struct(frh);
  msg.put_u32(FRA_TABLE, spec.table);
  if (spec.src && spec.src->length > 0) put_address(msg, FRA_SRC, spec.src->address);
  if (spec.dst && spec.dst->length > 0) put_address(msg, FRA_DST, spec.dst->address);
  if (spec.priority) msg.put_u32(FRA_PRIORITY, *spec.priority);
  if (spec.fwmark) msg.put_u32(FRA_FWMARK, *spec.fwmark);
  if (spec.fwmask) msg.put_u32(FRA_FWMASK, *spec.fwmask);
  if (!spec.iifname.empty()) msg.put_strz(FRA_IFNAME, spec.iifname);
  if (!spec.oifname.empty()) msg.put_strz(FRA_OIFNAME, spec.oifname);
  return msg.finish();
}

Bytes link_dump() {
  MessageBuilder msg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
  msg.put_struct(link_header(0));
  return msg.finish();
}

namespace {

/// mnl_attr_parse callback: reads the attributes nscheck cares about into a LinkState.
int read_link_attribute(const nlattr* attr, void* data) {
  auto& state = *static_cast<LinkState*>(data);
  const auto type = mnl_attr_get_type(attr);
  if (type == IFLA_IFNAME && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
    state.name = mnl_attr_get_str(attr);
  else if (type == IFLA_OPERSTATE && mnl_attr_validate(attr, MNL_TYPE_U8) == 0)
    state.operstate = mnl_attr_get_u8(attr);
  return MNL_CB_OK;
}

}  // namespace

std::optional<LinkState> parse_link(const void* nlmsg, std::size_t len) {
  const auto* nlh = static_cast<const nlmsghdr*>(nlmsg);
  if (len < sizeof(nlmsghdr) || !mnl_nlmsg_ok(nlh, static_cast<int>(len))) return std::nullopt;
  if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) return std::nullopt;
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ifinfomsg)) return std::nullopt;
  ifinfomsg ifi{};
  std::memcpy(&ifi, mnl_nlmsg_get_payload(nlh), sizeof ifi);
  LinkState state;
  state.ifindex = ifi.ifi_index;
  state.flags = ifi.ifi_flags;
  state.removed = nlh->nlmsg_type == RTM_DELLINK;
  mnl_attr_parse(nlh, sizeof(ifinfomsg), read_link_attribute, &state);
  return state;
}

Bytes conntrack_flush() {
  MessageBuilder msg(static_cast<std::uint16_t>((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE), k_flags);
  nfgenmsg nfg{};
  nfg.nfgen_family = AF_UNSPEC;
  nfg.version = NFNETLINK_V0;
  nfg.res_id = 0;
  msg.put_struct(nfg);
  return msg.finish();
}

}  // namespace nscheck::nl
