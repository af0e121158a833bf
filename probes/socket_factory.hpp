#pragma once
// Opens the sockets the probe engine adopts: raw ICMP and ICMPv6 sockets, TCP and UDP client
// sockets, and the built-in listeners. A socket is created inside its namespace (on a helper
// thread, see core/netns.hpp) and stays there for its whole life.

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/ip.hpp"
#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "probes/probe.hpp"
#include "probes/verdict.hpp"

namespace nscheck::probes {

/// Where a probe socket sends from, as `ping -I` would: an interface, a source address, or both.
struct SocketBinding {
  std::string device;                ///< "" or an interface name: SO_BINDTODEVICE
  std::optional<IpAddress> address;  ///< a local address to bind()

  auto operator<=>(const SocketBinding&) const = default;
};

/// Receive and send buffer sizes forced on every probe socket: a burst of thousands of
/// replies must fit while the engine is still sending.
inline constexpr int k_socket_buffer_bytes = 8 << 20;

/// Where one probe socket is opened: a namespace and an address family.
struct SocketPlace {
  int ns_fd = -1;
  Family family = Family::v4;
};

/// Opens one raw socket per place, all on one helper thread: non-blocking, close-on-exec, big
/// buffers, and a kernel filter letting only echo reply and the error types through. IPv4:
/// AF_INET/IPPROTO_ICMP with ICMP_FILTER (echo reply, destination unreachable, time exceeded,
/// parameter problem). IPv6: AF_INET6/IPPROTO_ICMPV6 with ICMP6_FILTER (echo reply 129,
/// destination unreachable 1, packet too big 2, time exceeded 3, parameter problem 4).
Result<std::vector<UniqueFd>> open_icmp_sockets(std::span<const SocketPlace> places);

/// Opens one raw socket of one family in each namespace of ns_fds (see above).
Result<std::vector<UniqueFd>> open_icmp_sockets(std::span<const int> ns_fds, Family family = Family::v4);

/// Opens one raw ICMP socket in the namespace held by ns_fd.
Result<UniqueFd> open_icmp_socket(int ns_fd, Family family = Family::v4);

/// Where one TCP or UDP client socket is opened.
struct FlowPlace {
  int ns_fd = -1;
  ProbeKind kind = ProbeKind::tcp;
  Family family = Family::v4;
};

/// Opens one client socket per place (all on one helper thread; give places of one namespace
/// together, each namespace is entered once per run of them): non-blocking, close-on-exec,
/// IP_RECVERR / IPV6_RECVERR on, so an ICMP error about a request is queued with its type, code
/// and reporter (MSG_ERRQUEUE). UDP sockets get big buffers, like the raw ones.
Result<std::vector<UniqueFd>> open_flow_sockets(std::span<const FlowPlace> places);

/// Opens the listeners of a batch, one per spec: TCP bound to the wildcard address and
/// listening, UDP bound with IP_PKTINFO / IPV6_RECVPKTINFO (the echo leaves from the address
/// the datagram came to). IPv6 ones are IPv6-only. Fails as a whole only when a namespace cannot
/// be entered; a listener that cannot bind (its port is taken) fails alone.
Result<std::vector<Result<UniqueFd>>> open_listeners(std::span<const ListenerSpec> specs);

/// What an EINVAL from an IPv6 send on fd means: IPv6 reports a blackhole route and a neighbour
/// entry it could not create (a full table) with the same EINVAL (ip6_finish_output2). MSG_PROBE
/// repeats the route lookup alone and sends nothing: it fails again only for the route.
EinvalCause einval_cause(int fd, std::span<const std::uint8_t> bytes, const sockaddr* to, socklen_t to_len);

/// Applies a binding to a socket. Errors name the device or address (ENODEV, EADDRNOTAVAIL).
/// Any thread will do: the kernel resolves names and addresses in the socket's own namespace.
/// An IPv6 address is bound without a scope id: a link-local one needs the device binding too
/// (it is applied first, and the kernel then takes the scope from it).
Result<void> bind_socket(const UniqueFd& fd, const SocketBinding& binding);

/// Opens a raw ICMP socket in ns_fd and applies binding to it.
Result<UniqueFd> open_bound_icmp_socket(int ns_fd, const SocketBinding& binding, Family family = Family::v4);

}  // namespace nscheck::probes
