#include "probes/socket_factory.hpp"

#include <linux/icmp.h>
#include <linux/if.h>  // IFNAMSIZ (not <net/if.h>: it clashes with <linux/icmp.h>)
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "core/netns.hpp"

namespace nscheck::probes {
namespace {

/// Everything but the four types the engine reads is dropped by the kernel before queueing:
/// a busy node's echo requests and redirects never reach our receive buffer.
Result<void> set_icmp_filter(int fd) {
  icmp_filter filter{};
  filter.data =
      ~((1U << ICMP_ECHOREPLY) | (1U << ICMP_DEST_UNREACH) | (1U << ICMP_TIME_EXCEEDED) | (1U << ICMP_PARAMETERPROB));
  if (::setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter) != 0)
    return errno_error("setsockopt(ICMP_FILTER)", errno);
  return {};
}

/// The ICMPv6 counterpart (RFC 3542 3.2). Linux reads a set bit as "block" (BSD the opposite);
/// glibc's macros follow Linux, so only they touch the bits. Without it, neighbour discovery,
/// MLD and, on lo, our own echo requests would fill the receive queue.
Result<void> set_icmp6_filter(int fd) {
  icmp6_filter filter{};
  ICMP6_FILTER_SETBLOCKALL(&filter);
  for (int type : {ICMP6_ECHO_REPLY, ICMP6_DST_UNREACH, ICMP6_PACKET_TOO_BIG, ICMP6_TIME_EXCEEDED, ICMP6_PARAM_PROB})
    ICMP6_FILTER_SETPASS(type, &filter);
  if (::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0)
    return errno_error("setsockopt(ICMP6_FILTER)", errno);
  return {};
}

Result<void> set_int(int fd, int level, int option, int value, const char* name) {
  if (::setsockopt(fd, level, option, &value, sizeof value) != 0)
    return errno_error(std::string("setsockopt(") + name + ")", errno);
  return {};
}

/// SO_*BUFFORCE passes net.core.[rw]mem_max (it needs CAP_NET_ADMIN); without it, take what
/// the plain option grants rather than fail.
Result<void> set_buffer(int fd, int force_option, int plain_option, const char* name) {
  const int bytes = k_socket_buffer_bytes;
  if (::setsockopt(fd, SOL_SOCKET, force_option, &bytes, sizeof bytes) == 0) return {};
  if (errno != EPERM) return errno_error(std::string("setsockopt(") + name + ")", errno);
  if (::setsockopt(fd, SOL_SOCKET, plain_option, &bytes, sizeof bytes) == 0) return {};
  return errno_error(std::string("setsockopt(") + name + " fallback)", errno);
}

Result<void> set_big_buffers(int fd) {
  NS_CHECK(set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, "SO_RCVBUFFORCE"));
  return set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, "SO_SNDBUFFORCE");
}

/// Creates and configures the socket in the calling thread's namespace.
Result<UniqueFd> make_socket_here(Family family) {
  const bool v6 = family == Family::v6;
  UniqueFd fd(
      ::socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP));
  if (!fd.valid()) {
    Error e = errno_error(v6 ? "socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)" : "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)",
                          errno);
    if (e.errnum == EPERM || e.errnum == EACCES) e.message += " (raw ICMP sockets need root or CAP_NET_RAW)";
    if (e.errnum == EAFNOSUPPORT) e.message += " (IPv6 is disabled on this host)";
    return e;
  }
  NS_CHECK(v6 ? set_icmp6_filter(fd.get()) : set_icmp_filter(fd.get()));
  // DF, as ping's default sets on a path that has no locked MTU; with PMTUDISC_DO the kernel also
  // skips the host-wide IP ID generator (our 44-byte requests never need fragmenting).
  if (!v6) NS_CHECK(set_int(fd.get(), IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO, "IP_MTU_DISCOVER"));
  NS_CHECK(set_big_buffers(fd.get()));
  return fd;
}

Result<void> bind_device(int fd, const std::string& device) {
  if (device.size() >= IFNAMSIZ)
    return input_error("bind to device \"" + device + "\": interface names have at most " +
                       std::to_string(IFNAMSIZ - 1) + " characters");
  if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), static_cast<socklen_t>(device.size() + 1)) == 0)
    return {};
  Error e = errno_error("bind to device \"" + device + "\" (SO_BINDTODEVICE)", errno);
  if (e.errnum == ENODEV) e.message += ": the source namespace has no interface of that name";
  return e;
}

Result<void> bind_address(int fd, const IpAddress& address) {
  int domain = 0;
  socklen_t len = sizeof domain;
  if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) return errno_error("getsockopt(SO_DOMAIN)", errno);
  if (domain != address.af())
    return input_error("bind to " + address.str() + ": an " + (address.family == Family::v6 ? "IPv6" : "IPv4") +
                       " source address on an " + (domain == AF_INET6 ? "IPv6" : "IPv4") + " probe");
  sockaddr_storage ss{};
  socklen_t ss_len = 0;
  if (address.family == Family::v6) {
    auto& sa = reinterpret_cast<sockaddr_in6&>(ss);
    sa.sin6_family = AF_INET6;
    std::memcpy(&sa.sin6_addr, address.bytes.data(), 16);
    ss_len = sizeof sa;
  } else {
    auto& sa = reinterpret_cast<sockaddr_in&>(ss);
    sa.sin_family = AF_INET;
    std::memcpy(&sa.sin_addr, address.bytes.data(), 4);
    ss_len = sizeof sa;
  }
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&ss), ss_len) == 0) return {};
  Error e = errno_error("bind to " + address.str(), errno);
  if (e.errnum == EADDRNOTAVAIL) e.message += ": " + address.str() + " is not an address of the source namespace";
  if (e.errnum == EINVAL && address.family == Family::v6)
    e.message += ": a link-local source address also needs a device binding";
  return e;
}

int domain_of(Family family) { return family == Family::v6 ? AF_INET6 : AF_INET; }

std::string flow_socket_call(ProbeKind kind, Family family) {
  return std::string("socket(") + (family == Family::v6 ? "AF_INET6" : "AF_INET") +
         (kind == ProbeKind::tcp ? ", SOCK_STREAM)" : ", SOCK_DGRAM)");
}

Result<UniqueFd> make_flow_socket_here(ProbeKind kind, Family family) {
  UniqueFd fd(::socket(domain_of(family), (kind == ProbeKind::tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK |
                                              SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    Error e = errno_error(flow_socket_call(kind, family), errno);
    if (e.errnum == EMFILE) e.message += " (too many open files: raise the limit with ulimit -n)";
    return e;
  }
  return fd;
}

Result<void> set_recverr(int fd, Family family) {
  return family == Family::v6 ? set_int(fd, SOL_IPV6, IPV6_RECVERR, 1, "IPV6_RECVERR")
                              : set_int(fd, SOL_IP, IP_RECVERR, 1, "IP_RECVERR");
}

Result<UniqueFd> make_client_here(const FlowPlace& place) {
  NS_TRY(fd, make_flow_socket_here(place.kind, place.family));
  NS_CHECK(set_recverr(fd.get(), place.family));
  if (place.kind == ProbeKind::udp) NS_CHECK(set_big_buffers(fd.get()));
  return fd;
}

Result<void> bind_wildcard(int fd, Family family, std::uint16_t port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (family == Family::v6) {
    auto& sa = reinterpret_cast<sockaddr_in6&>(ss);
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(port);
    len = sizeof sa;
  } else {
    auto& sa = reinterpret_cast<sockaddr_in&>(ss);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    len = sizeof sa;
  }
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&ss), len) == 0) return {};
  Error e = errno_error(std::string("bind to ") + (family == Family::v6 ? "[::]:" : "0.0.0.0:") + std::to_string(port),
                        errno);
  if (e.errnum == EADDRINUSE) e.message += " (something in the node already uses that port)";
  return e;
}

Result<UniqueFd> make_listener_here(const ListenerSpec& spec) {
  NS_TRY(fd, make_flow_socket_here(spec.kind, spec.family));
  const bool v6 = spec.family == Family::v6;
  if (v6) NS_CHECK(set_int(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY"));
  if (spec.kind == ProbeKind::tcp) {
    // an earlier stage's connections may linger in TIME_WAIT on this port
    NS_CHECK(set_int(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR"));
  } else {
    NS_CHECK(v6 ? set_int(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO")
                : set_int(fd.get(), IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO"));
    NS_CHECK(set_big_buffers(fd.get()));
  }
  NS_CHECK(bind_wildcard(fd.get(), spec.family, spec.port));
  if (spec.kind == ProbeKind::tcp && ::listen(fd.get(), SOMAXCONN) != 0) return errno_error("listen", errno);
  return fd;
}

}  // namespace

Result<std::vector<UniqueFd>> open_flow_sockets(std::span<const FlowPlace> places) {
  if (places.empty()) return std::vector<UniqueFd>{};
  std::vector<int> ns_fds;
  ns_fds.reserve(places.size());
  for (const FlowPlace& place : places) ns_fds.push_back(place.ns_fd);
  std::vector<UniqueFd> fds;
  fds.reserve(places.size());
  NS_CHECK(for_each_netns(ns_fds, [&](std::size_t i) -> Result<void> {
    NS_TRY(fd, make_client_here(places[i]));
    fds.push_back(std::move(fd));
    return {};
  }));
  return fds;
}

Result<std::vector<Result<UniqueFd>>> open_listeners(std::span<const ListenerSpec> specs) {
  if (specs.empty()) return std::vector<Result<UniqueFd>>{};
  std::vector<int> ns_fds;
  ns_fds.reserve(specs.size());
  for (const ListenerSpec& spec : specs) ns_fds.push_back(spec.ns_fd);
  std::vector<Result<UniqueFd>> fds;
  fds.reserve(specs.size());
  NS_CHECK(for_each_netns(ns_fds, [&](std::size_t i) -> Result<void> {
    fds.push_back(make_listener_here(specs[i]));
    return {};
  }));
  return fds;
}

Result<std::vector<UniqueFd>> open_icmp_sockets(std::span<const SocketPlace> places) {
  std::vector<int> ns_fds;
  ns_fds.reserve(places.size());
  for (const SocketPlace& place : places) ns_fds.push_back(place.ns_fd);
  std::vector<UniqueFd> fds;
  fds.reserve(places.size());
  NS_CHECK(for_each_netns(ns_fds, [&](std::size_t i) -> Result<void> {
    NS_TRY(fd, make_socket_here(places[i].family));
    fds.push_back(std::move(fd));
    return {};
  }));
  return fds;
}

Result<std::vector<UniqueFd>> open_icmp_sockets(std::span<const int> ns_fds, Family family) {
  std::vector<SocketPlace> places;
  places.reserve(ns_fds.size());
  for (int ns_fd : ns_fds) places.push_back({ns_fd, family});
  return open_icmp_sockets(places);
}

Result<UniqueFd> open_icmp_socket(int ns_fd, Family family) {
  const int fds[] = {ns_fd};
  NS_TRY(opened, open_icmp_sockets(fds, family));
  return std::move(opened.front());
}

EinvalCause einval_cause(int fd, std::span<const std::uint8_t> bytes, const sockaddr* to, socklen_t to_len) {
  constexpr int k_msg_probe = 0x10;  // the kernel's MSG_PROBE; glibc names the bit MSG_PROXY
  if (::sendto(fd, bytes.data(), bytes.size(), k_msg_probe | MSG_DONTWAIT, to, to_len) >= 0)
    return EinvalCause::neighbour_creation;
  return errno == EINVAL ? EinvalCause::blackhole_route : EinvalCause::unknown;
}

Result<void> bind_socket(const UniqueFd& fd, const SocketBinding& binding) {
  if (!binding.device.empty()) NS_CHECK(bind_device(fd.get(), binding.device));
  if (binding.address) NS_CHECK(bind_address(fd.get(), *binding.address));
  return {};
}

Result<UniqueFd> open_bound_icmp_socket(int ns_fd, const SocketBinding& binding, Family family) {
  NS_TRY(fd, open_icmp_socket(ns_fd, family));
  NS_CHECK(bind_socket(fd, binding));
  return fd;
}

}  // namespace nscheck::probes
