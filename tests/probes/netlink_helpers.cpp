#include "probes/netlink_helpers.hpp"

#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "core/netns.hpp"
#include "netlink/message.hpp"
#include "netlink/socket.hpp"

namespace nscheck::test {
namespace {

/// Runs the requests inside the namespace through a socket opened there.
Result<void> transact_in(int ns_fd, const std::vector<nl::Request>& batch) {
  return run_in_netns(ns_fd, [&]() -> Result<void> {
    NS_TRY(socket, nl::Socket::open());
    return socket.transact(batch);
  });
}

Result<Prefix> parse_prefix(const std::string& text) {
  auto p = Prefix::parse(text);
  if (!p) return input_error("bad prefix " + text);
  return *p;
}

std::uint8_t route_type(RouteKind kind) {
  switch (kind) {
    case RouteKind::local: return RTN_LOCAL;
    case RouteKind::unreachable: return RTN_UNREACHABLE;
    case RouteKind::prohibit: return RTN_PROHIBIT;
    case RouteKind::blackhole: return RTN_BLACKHOLE;
  }
  return RTN_UNSPEC;
}

nl::Bytes typed_route(const Prefix& prefix, RouteKind kind) {
  nl::MessageBuilder msg(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  rtmsg rtm{};
  rtm.rtm_family = static_cast<std::uint8_t>(prefix.address.af());
  rtm.rtm_dst_len = prefix.length;
  rtm.rtm_table = RT_TABLE_MAIN;
  rtm.rtm_protocol = RTPROT_STATIC;
  rtm.rtm_scope = kind == RouteKind::local ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;  // as iproute2 does
  rtm.rtm_type = route_type(kind);
  msg.put_struct(rtm);
  msg.put_attr(RTA_DST, prefix.address.bytes.data(), prefix.address.size());
  if (kind == RouteKind::local) msg.put_u32(RTA_OIF, k_lo);  // reject routes get lo from the kernel
  return msg.finish();
}

/// RTM_GETROUTE for one address: true when the answer is a local route (false for a unicast
/// route or an error such as ENETUNREACH).
Result<bool> routed_locally(int fd, const IpAddress& address) {
  nl::MessageBuilder msg(RTM_GETROUTE, NLM_F_REQUEST);
  rtmsg rtm{};
  rtm.rtm_family = static_cast<std::uint8_t>(address.af());
  rtm.rtm_dst_len = static_cast<std::uint8_t>(address.size() * 8);
  msg.put_struct(rtm);
  msg.put_attr(RTA_DST, address.bytes.data(), address.size());
  const nl::Bytes request = msg.finish();
  if (::send(fd, request.data(), request.size(), 0) < 0) return errno_error("send RTM_GETROUTE", errno);
  alignas(nlmsghdr) std::uint8_t buf[8192];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n < 0) return errno_error("recv RTM_GETROUTE", errno);
  const auto* h = reinterpret_cast<const nlmsghdr*>(buf);
  if (!NLMSG_OK(h, static_cast<unsigned>(n)) || h->nlmsg_type != RTM_NEWROUTE) return false;
  return static_cast<const rtmsg*>(NLMSG_DATA(h))->rtm_type == RTN_LOCAL;
}

Result<void> wait_until_local(int ns_fd, const IpAddress& address) {
  return run_in_netns(ns_fd, [&]() -> Result<void> {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd.valid()) return errno_error("socket(NETLINK_ROUTE)", errno);
    const timeval one_second{1, 0};  // the kernel always answers; never hang a test if not
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &one_second, sizeof one_second) != 0)
      return errno_error("setsockopt(SO_RCVTIMEO)", errno);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < until) {
      NS_TRY(local, routed_locally(fd.get(), address));
      if (local) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return Error{address.str() + " is still not a local address after 5 s", ETIMEDOUT};
  });
}

}  // namespace

Result<void> add_address(int ns_fd, int ifindex, const std::string& prefix) {
  NS_TRY(p, parse_prefix(prefix));
  NS_CHECK(transact_in(ns_fd, {{nl::addr_new(ifindex, p), "RTM_NEWADDR " + prefix}}));
  return wait_until_local(ns_fd, p.address);
}

Result<void> add_route(int ns_fd, const std::string& prefix, RouteKind kind) {
  NS_TRY(p, parse_prefix(prefix));
  return transact_in(ns_fd, {{typed_route(p, kind), "RTM_NEWROUTE " + prefix}});
}

Result<void> add_route_via(int ns_fd, const std::string& prefix, const std::string& gateway) {
  NS_TRY(p, parse_prefix(prefix));
  auto gw = IpAddress::parse(gateway);
  if (!gw) return input_error("bad gateway " + gateway);
  const nl::RouteSpec spec{.destination = p, .gateway = *gw};
  return transact_in(ns_fd, {{nl::route_new(spec), "RTM_NEWROUTE " + prefix + " via " + gateway}});
}

Result<void> add_veth(int ns_a, const std::string& name_a, int ifindex_a, int ns_b, const std::string& name_b,
                      int ifindex_b) {
  const nl::VethSpec veth{
      .name = name_a, .ifindex = ifindex_a, .peer_name = name_b, .peer_ifindex = ifindex_b, .peer_ns_fd = ns_b};
  NS_CHECK(transact_in(ns_a, {{nl::link_new_veth(veth), "RTM_NEWLINK veth " + name_a},
                              {nl::link_set_up(ifindex_a), "RTM_NEWLINK " + name_a + " up"}}));
  return transact_in(ns_b, {{nl::link_set_up(ifindex_b), "RTM_NEWLINK " + name_b + " up"}});
}

}  // namespace nscheck::test
