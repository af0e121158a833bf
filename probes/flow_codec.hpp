#pragma once
// Pure helpers of the TCP and UDP probes: the token a probe carries to the listener (and gets
// back), socket addresses, and the ICMP error the kernel queues on a socket (IP_RECVERR).

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "core/ip.hpp"

namespace nscheck::probes::flow {

/// What a TCP or UDP probe sends and its listener echoes: the batch's random tag, the probe and
/// the attempt (16 bytes, big-endian). The tag keeps another batch's or run's packets apart.
struct Token {
  std::uint64_t batch = 0;
  std::uint32_t probe = 0;
  std::uint32_t attempt = 0;

  bool operator==(const Token&) const = default;
  /// One number per (probe, attempt): the key of what listeners saw.
  [[nodiscard]] std::uint64_t slot() const { return std::uint64_t{probe} << 32 | attempt; }
};

inline constexpr std::size_t k_token_size = 16;
using TokenBytes = std::array<std::uint8_t, k_token_size>;

TokenBytes encode(const Token& token);
/// The token at the start of bytes; none when fewer than k_token_size bytes.
std::optional<Token> decode(std::span<const std::uint8_t> bytes);

/// An IP address and a port.
struct Endpoint {
  IpAddress address;
  std::uint16_t port = 0;

  auto operator<=>(const Endpoint&) const = default;
};

/// A sockaddr_in or sockaddr_in6 (no scope id), with its length.
struct SockAddr {
  sockaddr_storage storage{};
  socklen_t length = 0;

  [[nodiscard]] const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

SockAddr to_sockaddr(const Endpoint& endpoint);
/// An AF_INET or AF_INET6 address; none for any other family.
std::optional<Endpoint> from_sockaddr(const sockaddr_storage& storage);

/// An ICMP error about one of our requests, as the kernel queued it (struct sock_extended_err
/// with origin ICMP or ICMP6, and the offender: who sent the error).
struct QueuedIcmp {
  int type = -1;
  int code = -1;
  std::uint32_t info = 0;  ///< next-hop MTU of "fragmentation needed" / "packet too big"
  int error = 0;           ///< the errno the kernel derived from it
  std::optional<IpAddress> reporter;
};

/// Reads the IP_RECVERR / IPV6_RECVERR control message of a recvmsg(MSG_ERRQUEUE). Errors of
/// local origin (the sender's own EMSGSIZE, ...) are none: the failed call reported them.
std::optional<QueuedIcmp> parse_queued_icmp(const msghdr& message);

}  // namespace nscheck::probes::flow
