#pragma once
// ICMP packets as value types: the echo request nscheck sends, and what a raw ICMP socket hands
// back (an echo reply, or an ICMP error quoting one of our requests), for ICMPv4 and ICMPv6.
// Parsing is bounds-checked everywhere: any byte string is safe input. Both parsers yield the
// same EchoReply / IcmpError values; an ICMPv6 raw socket delivers no IP header, so its parser
// takes the source address from recvmsg's msg_name instead.

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

/// ICMPv6 message types (RFC 4443) nscheck sends or understands.
inline constexpr std::uint8_t k_icmp6_dest_unreachable = 1;
inline constexpr std::uint8_t k_icmp6_packet_too_big = 2;
inline constexpr std::uint8_t k_icmp6_time_exceeded = 3;
inline constexpr std::uint8_t k_icmp6_parameter_problem = 4;
inline constexpr std::uint8_t k_icmp6_echo_request = 128;
inline constexpr std::uint8_t k_icmp6_echo_reply = 129;

/// Per-run random bytes carried in every request payload: a reply without them is not ours.
using Nonce = std::array<std::uint8_t, 8>;

/// The RFC 1071 Internet checksum of bytes (returned in host order, ready to store big-endian).
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes);

// An ICMP echo request as nscheck sends it (24 bytes; the kernel adds the IP header). ICMPv6
// has the same layout with type 128 and the checksum left 0: on a raw IPPROTO_ICMPV6 socket the
// kernel always computes it, over the IPv6 pseudo-header it alone knows (RFC 3542 3.1; Linux
// sets it in rawv6_init_sk and refuses IPV6_CHECKSUM at level IPPROTO_IPV6 with EINVAL).
//
//  0               8               16                             31
// +---------------+---------------+------------------------------+
// | type (8/128)  |   code (0)    |    checksum (v6: kernel's)   |
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
  /// The bytes to hand to an ICMPv6 raw socket: type 128, checksum 0 (the kernel fills it in).
  [[nodiscard]] std::array<std::uint8_t, k_size> encode_v6() const;
  /// encode() or encode_v6().
  [[nodiscard]] std::array<std::uint8_t, k_size> encode(Family family) const;
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

// An ICMPv6 error (RFC 4443: destination unreachable 1, packet too big 2, time exceeded 3,
// parameter problem 4) as a raw ICMPv6 socket delivers it, without the outer IPv6 header:
//
//  0               8               16                             31
// +---------------+---------------+------------------------------+
// |   type (1-4)  |     code      |   checksum (kernel-checked)  |
// +---------------+---------------+------------------------------+
// |   unused (2: MTU; 4: pointer)                                 |
// +--------------------------------------------------------------+
// |   original IPv6 header (40 bytes: version 6, next header 58,  |
// |   destination at bytes 24-39: our target)                     |
// +--------------------------------------------------------------+
// |   original ICMPv6 echo request: type 128, id, seq, nonce ...  |
// +--------------------------------------------------------------+

/// An ICMP error about one of our requests (or about something else: original is then empty).
struct IcmpError {
  IpAddress reporter;  ///< outer source: the router or host that sent the error
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint16_t next_hop_mtu = 0;     ///< v4 fragmentation needed (3/4), v6 packet too big (2,
                                      ///< saturated at 65535); else 0
  IpAddress original_destination;     ///< destination of the quoted datagram
  std::optional<EchoIdent> original;  ///< set only when the quoted datagram is an echo request
};

/// What a raw ICMP socket delivered, when it concerns echo traffic.
using Message = std::variant<EchoReply, IcmpError>;

/// Parses a datagram from an IPv4 raw ICMP socket (IP header included). Returns nullopt for
/// anything that is not a well-formed echo reply or ICMP error (bad lengths, bad checksum,
/// other types, a later fragment): such packets are ignored, never trusted.
std::optional<Message> parse_ipv4(std::span<const std::uint8_t> datagram);

/// Parses a message from an ICMPv6 raw socket (no IP header: it starts at the ICMPv6 type;
/// source is the sender from msg_name). Returns nullopt for anything but a well-formed echo
/// reply or ICMPv6 error. The checksum is not checked here: the kernel drops ICMPv6 with a bad
/// checksum before queueing (rawv6_rcv_skb), and only it knows the pseudo-header's destination.
std::optional<Message> parse_icmpv6(std::span<const std::uint8_t> message, const IpAddress& source);

/// The reason an ICMPv4 error stands for (type 3 by code, 11 ttl-exceeded, others unreachable).
Reason reason_for_icmp4(int type, int code);

/// The reason an ICMPv6 error stands for. Destination unreachable: 0 (no route; also what Linux
/// sends for an `unreachable` route) net, 1 (admin prohibited; Linux's `prohibit` route) and
/// 5 (source failed policy) and 6 (reject route) admin-prohibited, 3 (address unreachable:
/// neighbour discovery failed) host, 4 port, others unreachable. 2 fragmentation-needed (packet
/// too big), 3/0 ttl-exceeded (hop limit), anything else unreachable.
Reason reason_for_icmp6(int type, int code);

/// reason_for_icmp4() or reason_for_icmp6().
Reason reason_for_icmp(Family family, int type, int code);

/// Human description of an ICMPv4 error: "net unreachable (ICMP 3/0)".
std::string describe_icmp4(int type, int code, std::uint16_t next_hop_mtu = 0);

/// Human description of an ICMPv6 error: "no route to destination (ICMPv6 1/0)".
std::string describe_icmp6(int type, int code, std::uint16_t mtu = 0);

/// describe_icmp4() or describe_icmp6().
std::string describe_icmp(Family family, int type, int code, std::uint16_t mtu = 0);

}  // namespace nscheck::probes::icmp
