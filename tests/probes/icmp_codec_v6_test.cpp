// ICMPv6 side of the codec: echo requests for a raw ICMPv6 socket, and parsing of what such a
// socket delivers (no IP header; the sender comes from msg_name).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "probes/icmp_codec.hpp"

namespace nscheck::probes::icmp {
namespace {

using Bytes = std::vector<std::uint8_t>;

const Nonce k_nonce{1, 2, 3, 4, 5, 6, 7, 8};

IpAddress addr(const char* text) { return *IpAddress::parse(text); }

void put16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}

/// An ICMPv6 message as a raw ICMPv6 socket hands it over: no IP header; checksum left 0 (the
/// kernel checks it before queueing, the parser does not look at it).
Bytes icmp6_msg(std::uint8_t type, std::uint8_t code, std::uint32_t rest, const Bytes& body) {
  Bytes b(8, 0);
  b[0] = type;
  b[1] = code;
  put16(b, 4, static_cast<std::uint16_t>(rest >> 16));
  put16(b, 6, static_cast<std::uint16_t>(rest));
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

/// A 40-byte IPv6 header followed by payload.
Bytes ipv6(const char* src, const char* dst, const Bytes& payload, std::uint8_t next_header = 58) {
  Bytes b(40, 0);
  b[0] = 0x60;
  put16(b, 4, static_cast<std::uint16_t>(payload.size()));
  b[6] = next_header;
  b[7] = 64;
  auto s = addr(src), d = addr(dst);
  std::copy_n(s.bytes.begin(), 16, b.begin() + 8);
  std::copy_n(d.bytes.begin(), 16, b.begin() + 24);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Bytes request6_bytes(std::uint16_t id, std::uint16_t seq) {
  auto a = EchoRequest{id, seq, k_nonce}.encode_v6();
  return Bytes(a.begin(), a.end());
}

Bytes echo6_reply(std::uint16_t id, std::uint16_t seq) {
  Bytes b = request6_bytes(id, seq);
  b[0] = k_icmp6_echo_reply;
  return b;
}

/// An ICMPv6 error quoting our request to target (quote bytes of its ICMPv6 part).
Bytes icmp6_error(std::uint8_t type, std::uint8_t code, const char* target, std::size_t quote = EchoRequest::k_size,
                  std::uint32_t rest = 0) {
  Bytes inner = ipv6("2001:db8::1", target, request6_bytes(0x1234, 7));
  inner.resize(40 + quote);
  return icmp6_msg(type, code, rest, inner);
}

const IpAddress k_router6 = addr("2001:db8::fe");

TEST(EchoRequestV6, IsTheV4LayoutWithType128AndNoChecksum) {
  const auto v4 = EchoRequest{0x1234, 0xabcd, k_nonce}.encode();
  const auto v6 = EchoRequest{0x1234, 0xabcd, k_nonce}.encode_v6();
  ASSERT_EQ(v6.size(), 24u);
  EXPECT_EQ(v6[0], 128);
  EXPECT_EQ(v6[1], 0);
  EXPECT_EQ(v6[2], 0) << "the kernel computes the ICMPv6 checksum";
  EXPECT_EQ(v6[3], 0);
  for (std::size_t i = 4; i < v6.size(); ++i) EXPECT_EQ(v6[i], v4[i]) << "byte " << i;
  const EchoRequest r{1, 2, k_nonce};
  EXPECT_EQ(r.encode(Family::v6), r.encode_v6());
  EXPECT_EQ(r.encode(Family::v4), r.encode());
}

TEST(ParseIcmpv6, EchoReplyTakesTheSourceFromTheCaller) {
  auto m = parse_icmpv6(echo6_reply(0x1234, 42), addr("2001:db8::7"));
  ASSERT_TRUE(m);
  auto* r = std::get_if<EchoReply>(&*m);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->source, addr("2001:db8::7"));
  EXPECT_EQ(r->ident.id, 0x1234);
  EXPECT_EQ(r->ident.seq, 42);
  EXPECT_EQ(r->ident.nonce, k_nonce);
}

TEST(ParseIcmpv6, EchoReplyWithoutPayloadHasNoNonce) {
  auto m = parse_icmpv6(icmp6_msg(k_icmp6_echo_reply, 0, 0x00050006, {}), addr("::1"));
  ASSERT_TRUE(m);
  auto r = std::get<EchoReply>(*m);
  EXPECT_EQ(r.ident.id, 5);
  EXPECT_EQ(r.ident.seq, 6);
  EXPECT_FALSE(r.ident.nonce);
}

TEST(ParseIcmpv6, NeedsAnIpv6Source) { EXPECT_FALSE(parse_icmpv6(echo6_reply(1, 2), addr("192.0.2.7"))); }

TEST(ParseIcmpv6, DestinationUnreachableEveryCode) {
  for (int code = 0; code < 9; ++code) {
    auto m = parse_icmpv6(icmp6_error(k_icmp6_dest_unreachable, static_cast<std::uint8_t>(code), "2001:db8:9::9"),
                          k_router6);
    ASSERT_TRUE(m) << code;
    auto* e = std::get_if<IcmpError>(&*m);
    ASSERT_NE(e, nullptr) << code;
    EXPECT_EQ(e->reporter, k_router6);
    EXPECT_EQ(e->type, 1);
    EXPECT_EQ(e->code, code);
    EXPECT_EQ(e->next_hop_mtu, 0);
    EXPECT_EQ(e->original_destination, addr("2001:db8:9::9"));
    ASSERT_TRUE(e->original) << code;
    EXPECT_EQ(e->original->id, 0x1234);
    EXPECT_EQ(e->original->seq, 7);
    EXPECT_EQ(e->original->nonce, k_nonce);
  }
}

TEST(ParseIcmpv6, PacketTooBigCarriesTheMtu) {
  auto m = parse_icmpv6(icmp6_error(k_icmp6_packet_too_big, 0, "2001:db8:9::9", 24, 1280), k_router6);
  ASSERT_TRUE(m);
  auto e = std::get<IcmpError>(*m);
  EXPECT_EQ(e.type, 2);
  EXPECT_EQ(e.next_hop_mtu, 1280);
  ASSERT_TRUE(e.original);
  EXPECT_EQ(e.original->seq, 7);
  // the ICMPv6 MTU field has 32 bits (jumbograms): saturated, not wrapped
  auto big = parse_icmpv6(icmp6_error(k_icmp6_packet_too_big, 0, "2001:db8:9::9", 24, 70000), k_router6);
  ASSERT_TRUE(big);
  EXPECT_EQ(std::get<IcmpError>(*big).next_hop_mtu, 65535);
  // the MTU field of other types is not an MTU
  auto unreach = parse_icmpv6(icmp6_error(k_icmp6_dest_unreachable, 0, "2001:db8:9::9", 24, 1280), k_router6);
  EXPECT_EQ(std::get<IcmpError>(*unreach).next_hop_mtu, 0);
}

TEST(ParseIcmpv6, TimeExceededAndParameterProblem) {
  for (std::uint8_t code : {0, 1}) {
    auto m = parse_icmpv6(icmp6_error(k_icmp6_time_exceeded, code, "2001:db8:9::9"), k_router6);
    ASSERT_TRUE(m);
    auto e = std::get<IcmpError>(*m);
    EXPECT_EQ(e.type, 3);
    EXPECT_EQ(e.code, code);
    ASSERT_TRUE(e.original);
  }
  for (std::uint8_t code : {0, 1, 2, 3}) {
    auto m = parse_icmpv6(icmp6_error(k_icmp6_parameter_problem, code, "2001:db8:9::9", 24, 6), k_router6);
    ASSERT_TRUE(m);
    auto e = std::get<IcmpError>(*m);
    EXPECT_EQ(e.type, 4);
    EXPECT_EQ(e.code, code);
    EXPECT_EQ(e.next_hop_mtu, 0) << "the pointer is not an MTU";
    ASSERT_TRUE(e.original);
  }
}

TEST(ParseIcmpv6, ReasonsOfEveryTypeAndCode) {
  EXPECT_EQ(reason_for_icmp6(1, 0), Reason::net_unreachable);
  EXPECT_EQ(reason_for_icmp6(1, 1), Reason::admin_prohibited);
  EXPECT_EQ(reason_for_icmp6(1, 2), Reason::other_unreachable);
  EXPECT_EQ(reason_for_icmp6(1, 3), Reason::host_unreachable);
  EXPECT_EQ(reason_for_icmp6(1, 4), Reason::port_unreachable);
  EXPECT_EQ(reason_for_icmp6(1, 5), Reason::admin_prohibited);
  EXPECT_EQ(reason_for_icmp6(1, 6), Reason::admin_prohibited);
  for (int code : {7, 8, 99}) EXPECT_EQ(reason_for_icmp6(1, code), Reason::other_unreachable);
  EXPECT_EQ(reason_for_icmp6(2, 0), Reason::fragmentation_needed);
  EXPECT_EQ(reason_for_icmp6(3, 0), Reason::ttl_exceeded);
  EXPECT_EQ(reason_for_icmp6(3, 1), Reason::other_unreachable);
  for (int code : {0, 1, 2, 3}) EXPECT_EQ(reason_for_icmp6(4, code), Reason::other_unreachable);
  EXPECT_EQ(reason_for_icmp(Family::v6, 1, 3), Reason::host_unreachable);
  EXPECT_EQ(reason_for_icmp(Family::v4, 3, 3), Reason::port_unreachable) << "same numbers, other family";
}

TEST(ParseIcmpv6, Descriptions) {
  EXPECT_EQ(describe_icmp6(1, 0), "no route to destination (ICMPv6 1/0)");
  EXPECT_EQ(describe_icmp6(1, 1), "communication administratively prohibited (ICMPv6 1/1)");
  EXPECT_EQ(describe_icmp6(1, 2), "beyond scope of source address (ICMPv6 1/2)");
  EXPECT_EQ(describe_icmp6(1, 3), "address unreachable (ICMPv6 1/3)");
  EXPECT_EQ(describe_icmp6(1, 4), "port unreachable (ICMPv6 1/4)");
  EXPECT_EQ(describe_icmp6(1, 5), "source address failed ingress/egress policy (ICMPv6 1/5)");
  EXPECT_EQ(describe_icmp6(1, 6), "reject route to destination (ICMPv6 1/6)");
  EXPECT_EQ(describe_icmp6(1, 42), "destination unreachable (ICMPv6 1/42)");
  EXPECT_EQ(describe_icmp6(2, 0, 1400), "packet too big (ICMPv6 2/0, MTU 1400)");
  EXPECT_EQ(describe_icmp6(3, 0), "hop limit exceeded in transit (ICMPv6 3/0)");
  EXPECT_EQ(describe_icmp6(3, 1), "fragment reassembly time exceeded (ICMPv6 3/1)");
  EXPECT_EQ(describe_icmp6(4, 1), "parameter problem: unrecognized next header (ICMPv6 4/1)");
  EXPECT_EQ(describe_icmp6(4, 9), "parameter problem (ICMPv6 4/9)");
  EXPECT_EQ(describe_icmp(Family::v6, 1, 0), "no route to destination (ICMPv6 1/0)");
  EXPECT_EQ(describe_icmp(Family::v4, 3, 0), "net unreachable (ICMP 3/0)");
}

TEST(ParseIcmpv6, EightByteQuoteHasNoNonce) {
  auto m = parse_icmpv6(icmp6_error(1, 3, "2001:db8:9::9", 8), k_router6);
  ASSERT_TRUE(m);
  auto e = std::get<IcmpError>(*m);
  ASSERT_TRUE(e.original);
  EXPECT_EQ(e.original->id, 0x1234);
  EXPECT_FALSE(e.original->nonce);
}

TEST(ParseIcmpv6, QuoteOfOnlyTheIpv6HeaderNamesTheDestinationButNoRequest) {
  auto m = parse_icmpv6(icmp6_error(1, 0, "2001:db8:9::9", 0), k_router6);
  ASSERT_TRUE(m);
  auto e = std::get<IcmpError>(*m);
  EXPECT_EQ(e.original_destination, addr("2001:db8:9::9"));
  EXPECT_FALSE(e.original);
}

TEST(ParseIcmpv6, ErrorsAboutOtherTrafficHaveNoOriginal) {
  const Bytes udp(8, 0);
  auto m = parse_icmpv6(icmp6_msg(1, 4, 0, ipv6("2001:db8::1", "2001:db8:9::9", udp, 17)), k_router6);
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<IcmpError>(*m).original_destination, addr("2001:db8:9::9"));
  EXPECT_FALSE(std::get<IcmpError>(*m).original);
  // an echo request behind an extension header (hop-by-hop, 0) is not one of ours
  Bytes hbh{58, 0, 1, 4, 0, 0, 0, 0};
  const Bytes req = request6_bytes(0x1234, 7);
  hbh.insert(hbh.end(), req.begin(), req.end());
  auto ext = parse_icmpv6(icmp6_msg(1, 0, 0, ipv6("2001:db8::1", "2001:db8:9::9", hbh, 0)), k_router6);
  ASSERT_TRUE(ext);
  EXPECT_FALSE(std::get<IcmpError>(*ext).original);
  // a quoted echo reply is not a request of ours
  Bytes quoted_reply = echo6_reply(0x1234, 7);
  auto rep = parse_icmpv6(icmp6_msg(1, 0, 0, ipv6("2001:db8::1", "2001:db8:9::9", quoted_reply)), k_router6);
  ASSERT_TRUE(rep);
  EXPECT_FALSE(std::get<IcmpError>(*rep).original);
}

TEST(ParseIcmpv6, ErrorWithBrokenQuoteIsIgnored) {
  Bytes not_v6 = icmp6_error(1, 0, "2001:db8:9::9");
  not_v6[8] = 0x45;  // an IPv4 header where the IPv6 one belongs
  EXPECT_FALSE(parse_icmpv6(not_v6, k_router6));
  EXPECT_FALSE(parse_icmpv6(icmp6_msg(1, 0, 0, Bytes(39, 0x60)), k_router6)) << "39 bytes: no full IPv6 header";
}

TEST(ParseIcmpv6, IgnoresOtherTypes) {
  // echo request (our own, looped back on lo), router/neighbour discovery, MLD, redirect, and
  // error types RFC 4443 has not assigned
  for (std::uint8_t type : {0, 5, 100, 127, 128, 130, 133, 134, 135, 136, 137, 143, 255})
    EXPECT_FALSE(
        parse_icmpv6(icmp6_msg(type, 0, 0, ipv6("2001:db8::1", "2001:db8:9::9", request6_bytes(1, 2))), k_router6))
        << int(type);
}

TEST(ParseIcmpv6, EveryTruncationIsSafeAndDegradesInOrder) {
  const Bytes reply = echo6_reply(1, 2);
  for (std::size_t n = 0; n <= reply.size(); ++n) {
    auto m = parse_icmpv6(std::span(reply.data(), n), addr("::1"));
    if (n < 8) {
      EXPECT_FALSE(m) << n;
      continue;
    }
    ASSERT_TRUE(m) << n;
    EXPECT_EQ(std::get<EchoReply>(*m).ident.nonce.has_value(), n >= 16) << n;
  }
  const Bytes error = icmp6_error(1, 1, "2001:db8:9::9");
  for (std::size_t n = 0; n <= error.size(); ++n) {
    auto m = parse_icmpv6(std::span(error.data(), n), k_router6);
    if (n < 8 + 40) {
      EXPECT_FALSE(m) << n;
      continue;
    }
    ASSERT_TRUE(m) << n;
    const auto& e = std::get<IcmpError>(*m);
    EXPECT_EQ(e.original.has_value(), n >= 8 + 40 + 8) << n;
    if (e.original) {
      EXPECT_EQ(e.original->nonce.has_value(), n >= 8 + 40 + 16) << n;
    }
  }
}

TEST(ParseIcmpv6, RandomInputNeverCrashes) {
  std::mt19937 rng(4443);
  const Bytes seeds[] = {echo6_reply(1, 2), icmp6_error(1, 3, "2001:db8:9::9"),
                         icmp6_error(2, 0, "2001:db8:9::9", 8, 1280), icmp6_error(3, 0, "2001:db8:9::9", 0)};
  const IpAddress source = addr("2001:db8::fe");
  int parsed = 0;
  for (int i = 0; i < 200000; ++i) {
    Bytes b = seeds[i % 4];
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<std::uint8_t>(rng());
    b.resize(rng() % (b.size() + 8));
    if (parse_icmpv6(b, source)) ++parsed;
  }
  for (int i = 0; i < 50000; ++i) {
    Bytes b(rng() % 120);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    if (b.size() > 8) b[8] = static_cast<std::uint8_t>(0x60 | (b[8] & 0x0f));
    (void)parse_icmpv6(b, source);
  }
  SUCCEED() << parsed << " mutated messages still parsed";
}

}  // namespace
}  // namespace nscheck::probes::icmp
