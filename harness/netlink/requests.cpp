#include "netlink/requests.hpp"

#include <libmnl/libmnl.h>
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
  if (spec.peer_ns_fd >= 0)
    msg.put_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(spec.peer_ns_fd));
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

Bytes route_new(const RouteSpec& spec) {
  MessageBuilder msg(RTM_NEWROUTE, k_create_flags);
  rtmsg rtm{};
  rtm.rtm_family = static_cast<std::uint8_t>(spec.destination.address.af());
  rtm.rtm_dst_len = spec.destination.length;
  rtm.rtm_table = RT_TABLE_MAIN;
  rtm.rtm_protocol = RTPROT_STATIC;
  rtm.rtm_scope = spec.gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  rtm.rtm_type = RTN_UNICAST;
  msg.put_struct(rtm);
  msg.put_u32(RTA_TABLE, RT_TABLE_MAIN);
  if (spec.destination.length > 0) put_address(msg, RTA_DST, spec.destination.address);
  if (spec.gateway) put_address(msg, RTA_GATEWAY, *spec.gateway);
  if (spec.oif > 0) msg.put_u32(RTA_OIF, static_cast<std::uint32_t>(spec.oif));
  if (spec.prefsrc) put_address(msg, RTA_PREFSRC, *spec.prefsrc);
  if (spec.metric) msg.put_u32(RTA_PRIORITY, *spec.metric);
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
