#pragma once
// Opens the raw ICMP sockets the probe engine adopts. A socket is created inside its source
// namespace (on a helper thread, see core/netns.hpp) and stays there for its whole life.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/ip.hpp"
#include "core/result.hpp"
#include "core/unique_fd.hpp"

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

/// Opens one raw ICMP socket (non-blocking, close-on-exec, ICMP_FILTER letting only echo reply,
/// destination unreachable, time exceeded and parameter problem through, big buffers) in each
/// namespace of ns_fds, all on one helper thread. IPv4 only for now: Family::v6 is refused.
Result<std::vector<UniqueFd>> open_icmp_sockets(std::span<const int> ns_fds, Family family = Family::v4);

/// Opens one raw ICMP socket in the namespace held by ns_fd.
Result<UniqueFd> open_icmp_socket(int ns_fd, Family family = Family::v4);

/// Applies a binding to a socket. Errors name the device or address (ENODEV, EADDRNOTAVAIL).
/// Any thread will do: the kernel resolves names and addresses in the socket's own namespace.
Result<void> bind_icmp_socket(const UniqueFd& fd, const SocketBinding& binding);

/// Opens a raw ICMP socket in ns_fd and applies binding to it.
Result<UniqueFd> open_bound_icmp_socket(int ns_fd, const SocketBinding& binding, Family family = Family::v4);

}  // namespace nscheck::probes
