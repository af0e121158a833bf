#include "probes/icmp_codec.hpp"

#include <algorithm>
#include <cstring>

namespace nscheck::probes::icmp {
namespace {

constexpr std::uint8_t k_proto_icmp = 1;
constexpr std::uint8_t k_proto_icmpv6 = 58;
constexpr std::size_t k_ipv4_min_header = 20;
constexpr std::size_t k_ipv6_header = 40;
constexpr std::size_t k_icmp_header = 8;
constexpr std::array<std::uint8_t, 8> k_tag{'n', 's', 'c', 'h', 'e', 'c', 'k', '\0'};

using Bytes = std::span<const std::uint8_t>;

std::uint16_t be16(Bytes b, std::size_t at) { return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]); }

IpAddress v4_at(Bytes b, std::size_t at) {
  IpAddress a;
  a.family = Family::v4;
  std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at), 4, a.bytes.begin());
  return a;
}

/// A validated IPv4 header: its length and where its payload lies.
struct Ipv4View {
  std::size_t header_len = 0;
  std::uint8_t protocol = 0;
  IpAddress source;
  IpAddress destination;
  Bytes payload;
};

/// Validates the IPv4 header at the start of bytes. whole_datagram: an outer datagram must hold
/// exactly its total length (link padding after it is dropped); a quoted one is usually cut
/// short, so it only needs its header.
std::optional<Ipv4View> view_ipv4(Bytes b, bool whole_datagram) {
  if (b.size() < k_ipv4_min_header || (b[0] >> 4) != 4) return std::nullopt;
  const std::size_t ihl = static_cast<std::size_t>(b[0] & 0x0f) * 4;
  if (ihl < k_ipv4_min_header || ihl > b.size()) return std::nullopt;
  std::size_t end = b.size();
  if (whole_datagram) {
    const std::size_t total = be16(b, 2);
    if (total < ihl || total > b.size()) return std::nullopt;  // garbage, or cut short
    end = total;
    if ((be16(b, 6) & 0x1fff) != 0) return std::nullopt;  // a later fragment: no ICMP header
  }
  return Ipv4View{ihl, b[9], v4_at(b, 12), v4_at(b, 16), b.subspan(ihl, end - ihl)};
}

/// The echo identity at the start of an ICMP echo message (header and payload).
EchoIdent echo_ident(Bytes icmp) {
  EchoIdent ident{be16(icmp, 4), be16(icmp, 6), std::nullopt};
  if (icmp.size() >= k_icmp_header + sizeof(Nonce)) {
    Nonce n{};
    std::copy_n(icmp.begin() + k_icmp_header, n.size(), n.begin());
    ident.nonce = n;
  }
  return ident;
}

/// The quoted datagram of an ICMP error: nullopt when even its IP header is unusable.
std::optional<IcmpError> parse_error(const Ipv4View& outer, Bytes icmp) {
  auto inner = view_ipv4(icmp.subspan(k_icmp_header), false);
  if (!inner) return std::nullopt;
  IcmpError e;
  e.reporter = outer.source;
  e.type = icmp[0];
  e.code = icmp[1];
  if (e.type == k_dest_unreachable && e.code == 4) e.next_hop_mtu = be16(icmp, 6);
  e.original_destination = inner->destination;
  const Bytes quoted = inner->payload;
  if (inner->protocol == k_proto_icmp && quoted.size() >= k_icmp_header && quoted[0] == k_echo_request)
    e.original = echo_ident(quoted);
  return e;
}

std::uint32_t be32(Bytes b, std::size_t at) {
  return (static_cast<std::uint32_t>(be16(b, at)) << 16) | be16(b, at + 2);
}

/// The quoted datagram of an ICMPv6 error: its IPv6 header (the whole 40 bytes are required)
/// and, when it carried ICMPv6 straight after that header, the echo request. Our requests carry
/// no extension headers, so a quote with any (next header != 58) is someone else's packet.
std::optional<IcmpError> parse_error_v6(const IpAddress& reporter, Bytes icmp) {
  const Bytes inner = icmp.subspan(k_icmp_header);
  if (inner.size() < k_ipv6_header || (inner[0] >> 4) != 6) return std::nullopt;
  IcmpError e;
  e.reporter = reporter;
  e.type = icmp[0];
  e.code = icmp[1];
  if (e.type == k_icmp6_packet_too_big)
    e.next_hop_mtu = static_cast<std::uint16_t>(std::min<std::uint32_t>(be32(icmp, 4), 0xffff));
  e.original_destination.family = Family::v6;
  std::copy_n(inner.begin() + 24, 16, e.original_destination.bytes.begin());
  const Bytes quoted = inner.subspan(k_ipv6_header);
  if (inner[6] == k_proto_icmpv6 && quoted.size() >= k_icmp_header && quoted[0] == k_icmp6_echo_request)
    e.original = echo_ident(quoted);
  return e;
}

}  // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) sum += be16(bytes, i);
  if (bytes.size() % 2 != 0) sum += static_cast<std::uint32_t>(bytes.back()) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

std::array<std::uint8_t, EchoRequest::k_size> EchoRequest::encode() const {
  std::array<std::uint8_t, k_size> b{};
  b[0] = k_echo_request;
  b[4] = static_cast<std::uint8_t>(id >> 8);
  b[5] = static_cast<std::uint8_t>(id);
  b[6] = static_cast<std::uint8_t>(seq >> 8);
  b[7] = static_cast<std::uint8_t>(seq);
  std::copy(nonce.begin(), nonce.end(), b.begin() + 8);
  std::copy(k_tag.begin(), k_tag.end(), b.begin() + 16);
  const std::uint16_t sum = internet_checksum(b);
  b[2] = static_cast<std::uint8_t>(sum >> 8);
  b[3] = static_cast<std::uint8_t>(sum);
  return b;
}

std::array<std::uint8_t, EchoRequest::k_size> EchoRequest::encode_v6() const {
  auto b = encode();
  b[0] = k_icmp6_echo_request;
  b[2] = b[3] = 0;  // the kernel computes the ICMPv6 checksum (pseudo-header included)
  return b;
}

std::array<std::uint8_t, EchoRequest::k_size> EchoRequest::encode(Family family) const {
  return family == Family::v6 ? encode_v6() : encode();
}

std::optional<Message> parse_ipv4(std::span<const std::uint8_t> datagram) {
  auto outer = view_ipv4(datagram, true);
  if (!outer || outer->protocol != k_proto_icmp) return std::nullopt;
  const Bytes icmp = outer->payload;
  if (icmp.size() < k_icmp_header || internet_checksum(icmp) != 0) return std::nullopt;
  switch (icmp[0]) {
    case k_echo_reply: return EchoReply{outer->source, echo_ident(icmp)};
    case k_dest_unreachable:
    case k_time_exceeded:
    case k_parameter_problem:
      if (auto e = parse_error(*outer, icmp)) return *e;
      return std::nullopt;
    default: return std::nullopt;
  }
}

std::optional<Message> parse_icmpv6(std::span<const std::uint8_t> message, const IpAddress& source) {
  if (message.size() < k_icmp_header || source.family != Family::v6) return std::nullopt;
  switch (message[0]) {
    case k_icmp6_echo_reply: return EchoReply{source, echo_ident(message)};
    case k_icmp6_dest_unreachable:
    case k_icmp6_packet_too_big:
    case k_icmp6_time_exceeded:
    case k_icmp6_parameter_problem:
      if (auto e = parse_error_v6(source, message)) return *e;
      return std::nullopt;
    default: return std::nullopt;
  }
}

Reason reason_for_icmp4(int type, int code) {
  if (type == k_time_exceeded) return code == 0 ? Reason::ttl_exceeded : Reason::other_unreachable;
  if (type != k_dest_unreachable) return Reason::other_unreachable;
  switch (code) {
    case 0: return Reason::net_unreachable;
    case 1: return Reason::host_unreachable;
    case 2: return Reason::protocol_unreachable;
    case 3: return Reason::port_unreachable;
    case 4: return Reason::fragmentation_needed;
    case 9:
    case 10:
    case 13: return Reason::admin_prohibited;
    default: return Reason::other_unreachable;
  }
}

// Linux (net/ipv6/route.c) sends 1/0 for a missing route *and* for an `unreachable` route
// (ip6_pkt_discard: ICMPV6_NOROUTE), 1/1 for a `prohibit` route (ip6_pkt_prohibit), nothing for
// a `blackhole`; 1/3 when neighbour discovery fails (ip6_link_failure), to remote senders and to
// the sending host itself. Codes 5 and 6 (RFC 4443) come only from filters (nftables `reject
// with icmpv6 policy-fail / reject-route`) or other vendors' reject routes: both are a
// deliberate refusal, so they read as admin-prohibited, not as a missing path.
Reason reason_for_icmp6(int type, int code) {
  switch (type) {
    case k_icmp6_packet_too_big: return Reason::fragmentation_needed;
    case k_icmp6_time_exceeded: return code == 0 ? Reason::ttl_exceeded : Reason::other_unreachable;
    case k_icmp6_dest_unreachable: break;
    default: return Reason::other_unreachable;
  }
  switch (code) {
    case 0: return Reason::net_unreachable;
    case 1:
    case 5:
    case 6: return Reason::admin_prohibited;
    case 3: return Reason::host_unreachable;
    case 4: return Reason::port_unreachable;
    default: return Reason::other_unreachable;
  }
}

Reason reason_for_icmp(Family family, int type, int code) {
  return family == Family::v6 ? reason_for_icmp6(type, code) : reason_for_icmp4(type, code);
}

namespace {

std::string unreachable_name(int code) {
  static constexpr std::array<const char*, 16> k_names{"net unreachable",
                                                       "host unreachable",
                                                       "protocol unreachable",
                                                       "port unreachable",
                                                       "fragmentation needed",
                                                       "source route failed",
                                                       "destination net unknown",
                                                       "destination host unknown",
                                                       "source host isolated",
                                                       "net administratively prohibited",
                                                       "host administratively prohibited",
                                                       "net unreachable for TOS",
                                                       "host unreachable for TOS",
                                                       "communication administratively prohibited",
                                                       "host precedence violation",
                                                       "precedence cutoff in effect"};
  if (code >= 0 && code < static_cast<int>(k_names.size())) return k_names[code];
  return "destination unreachable";
}

std::string type_name(int type, int code) {
  switch (type) {
    case k_dest_unreachable: return unreachable_name(code);
    case k_time_exceeded: return code == 0 ? "ttl exceeded in transit" : "fragment reassembly time exceeded";
    case k_parameter_problem: return "parameter problem";
    default: return "ICMP error";
  }
}

std::string unreachable6_name(int code) {
  static constexpr std::array<const char*, 9> k_names{"no route to destination",
                                                      "communication administratively prohibited",
                                                      "beyond scope of source address",
                                                      "address unreachable",
                                                      "port unreachable",
                                                      "source address failed ingress/egress policy",
                                                      "reject route to destination",
                                                      "error in source routing header",
                                                      "headers too long"};
  if (code >= 0 && code < static_cast<int>(k_names.size())) return k_names[code];
  return "destination unreachable";
}

std::string parameter_problem6_name(int code) {
  static constexpr std::array<const char*, 4> k_names{"erroneous header field", "unrecognized next header",
                                                      "unrecognized IPv6 option", "incomplete header chain"};
  if (code >= 0 && code < static_cast<int>(k_names.size())) return std::string("parameter problem: ") + k_names[code];
  return "parameter problem";
}

std::string type6_name(int type, int code) {
  switch (type) {
    case k_icmp6_dest_unreachable: return unreachable6_name(code);
    case k_icmp6_packet_too_big: return "packet too big";
    case k_icmp6_time_exceeded:
      return code == 0 ? "hop limit exceeded in transit" : "fragment reassembly time exceeded";
    case k_icmp6_parameter_problem: return parameter_problem6_name(code);
    default: return "ICMPv6 error";
  }
}

}  // namespace

std::string describe_icmp4(int type, int code, std::uint16_t next_hop_mtu) {
  std::string text = type_name(type, code) + " (ICMP " + std::to_string(type) + "/" + std::to_string(code);
  if (type == k_dest_unreachable && code == 4 && next_hop_mtu != 0)
    text += ", next-hop MTU " + std::to_string(next_hop_mtu);
  return text + ")";
}

std::string describe_icmp6(int type, int code, std::uint16_t mtu) {
  std::string text = type6_name(type, code) + " (ICMPv6 " + std::to_string(type) + "/" + std::to_string(code);
  if (type == k_icmp6_packet_too_big && mtu != 0) text += ", MTU " + std::to_string(mtu);
  return text + ")";
}

std::string describe_icmp(Family family, int type, int code, std::uint16_t mtu) {
  return family == Family::v6 ? describe_icmp6(type, code, mtu) : describe_icmp4(type, code, mtu);
}

}  // namespace nscheck::probes::icmp
