#pragma once
// ICMP packets as value types: the echo request nscheck sends, and what a raw IPv4 ICMP socket
// hands back (an echo reply, or an ICMP error quoting one of our requests). Parsing is
// bounds-checked everywhere: any byte string is safe input. ICMPv6 drops in as another
// parse function yielding the same EchoReply / IcmpError values (an ICMPv6 raw socket delivers
// no IP header, so its parser takes the source address from recvfrom instead).

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "core/ip.hpp"
#include "probes/probe.hpp"

namespace nscheck::probes::icmp {

/// ICMP (v4) message types nscheck sends or understands.
inline constexpr std::uint8_t k_echo_reply = 0;
inline constexpr std::uint8_t k_dest_unreachable = 3;
inline constexpr std::uint8_t k_echo_request = 8;
inline constexpr std::uint8_t k_time_exceeded = 11;
inline constexpr std::uint8_t k_parameter_problem = 12;

/// Per-run random bytes carried in every request payload: a reply without them is not ours.
using Nonce = std::array<std::uint8_t, 8>;

/// The RFC 1071 Internet checksum of bytes (returned in host order, ready to store big-endian).
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes);

// An ICMP echo request as nscheck sends it (24 bytes; the kernel adds the IPv4 header):
//
//  0               8               16                             31
// +---------------+---------------+------------------------------+
// |   type (8)    |   code (0)    |           checksum           |
// +---------------+---------------+------------------------------+
// |          identifier           |       sequence number        |
// +-------------------------------+------------------------------+
// |                     nonce (8 bytes, per run)                 |
// |                                                              |
// +--------------------------------------------------------------+
// |                  tag "nscheck\0" (8 bytes)                   |
// |                                                              |
// +--------------------------------------------------------------+

/// One echo request: identifier, sequence number and the run's nonce.
struct EchoRequest {
  std::uint16_t id = 0;
  std::uint16_t seq = 0;
  Nonce nonce{};

  /// Size on the wire (ICMP header and payload).
  static constexpr std::size_t k_size = 24;

  /// The bytes to hand to an IPv4 raw socket, checksum included.
  [[nodiscard]] std::array<std::uint8_t, k_size> encode() const;
};

/// The identity of an echo request as seen again in a reply or an ICMP error.
struct EchoIdent {
  std::uint16_t id = 0;
  std::uint16_t seq = 0;
  std::optional<Nonce> nonce;  ///< absent when the packet carried too few payload bytes

  auto operator<=>(const EchoIdent&) const = default;
};

/// An echo reply: who answered, and to which request.
struct EchoReply {
  IpAddress source;
  EchoIdent ident;
};

// An ICMP error (destination unreachable, time exceeded, parameter problem) quotes the
// IP header and at least the first 8 bytes of the datagram that caused it:
//
//  0               8               16                             31
// +---------------+---------------+------------------------------+
// |  type (3/11)  |     code      |           checksum           |
// +---------------+---------------+------------------------------+
// |   unused (or next-hop MTU in the low 16 bits for 3/4)        |
// +--------------------------------------------------------------+
// |   original IPv4 header (ihl * 4 bytes; its dst is our target) |
// +--------------------------------------------------------------+
// |   original ICMP echo request header: type 8, id, seq, ...     |
// +--------------------------------------------------------------+

/// An ICMP error about one of our requests (or about something else: original is then empty).
struct IcmpError {
  IpAddress reporter;  ///< outer source: the router or host that sent the error
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint16_t next_hop_mtu = 0;     ///< for fragmentation needed (3/4), else 0
  IpAddress original_destination;     ///< destination of the quoted datagram
  std::optional<EchoIdent> original;  ///< set only when the quoted datagram is an echo request
};

/// What a raw ICMP socket delivered, when it concerns echo traffic.
using Message = std::variant<EchoReply, IcmpError>;

/// Parses a datagram from an IPv4 raw ICMP socket (IP header included). Returns nullopt for
/// anything that is not a well-formed echo reply or ICMP error (bad lengths, bad checksum,
/// other types, a later fragment): such packets are ignored, never trusted.
std::optional<Message> parse_ipv4(std::span<const std::uint8_t> datagram);

/// The reason an ICMPv4 error stands for (type 3 by code, 11 ttl-exceeded, others unreachable).
Reason reason_for_icmp4(int type, int code);

/// Human description of an ICMPv4 error: "net unreachable (ICMP 3/0)".
std::string describe_icmp4(int type, int code, std::uint16_t next_hop_mtu = 0);

}  // namespace nscheck::probes::icmp
