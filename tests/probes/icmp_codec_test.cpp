#include "probes/icmp_codec.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace nscheck::probes::icmp {
namespace {

using Bytes = std::vector<std::uint8_t>;

const Nonce k_nonce{1, 2, 3, 4, 5, 6, 7, 8};

IpAddress addr(const char* text) { return *IpAddress::parse(text); }

void put16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}

/// An IPv4 header (20 bytes, no options) followed by payload.
Bytes ipv4(const char* src, const char* dst, const Bytes& payload, std::uint8_t proto = 1) {
  Bytes b(20, 0);
  b[0] = 0x45;
  put16(b, 2, static_cast<std::uint16_t>(20 + payload.size()));
  b[8] = 64;
  b[9] = proto;
  auto s = addr(src), d = addr(dst);
  std::copy_n(s.bytes.begin(), 4, b.begin() + 12);
  std::copy_n(d.bytes.begin(), 4, b.begin() + 16);
  put16(b, 10, internet_checksum(b));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

/// An ICMP message: type, code, 4 "rest" bytes, body; checksum filled in.
Bytes icmp_msg(std::uint8_t type, std::uint8_t code, std::uint32_t rest, const Bytes& body) {
  Bytes b(8, 0);
  b[0] = type;
  b[1] = code;
  put16(b, 4, static_cast<std::uint16_t>(rest >> 16));
  put16(b, 6, static_cast<std::uint16_t>(rest));
  b.insert(b.end(), body.begin(), body.end());
  put16(b, 2, internet_checksum(b));
  return b;
}

Bytes request_bytes(std::uint16_t id, std::uint16_t seq) {
  auto a = EchoRequest{id, seq, k_nonce}.encode();
  return Bytes(a.begin(), a.end());
}

Bytes echo_reply(const char* from, std::uint16_t id, std::uint16_t seq) {
  Bytes req = request_bytes(id, seq);
  req[0] = k_echo_reply;
  req[2] = req[3] = 0;
  put16(req, 2, internet_checksum(req));
  return ipv4(from, "10.0.0.1", req);
}

/// An ICMP error from reporter quoting our request to target (quote bytes of its ICMP part).
Bytes icmp_error(std::uint8_t type, std::uint8_t code, const char* reporter, const char* target,
                 std::size_t quote = EchoRequest::k_size, std::uint32_t rest = 0) {
  Bytes inner = ipv4("10.0.0.1", target, request_bytes(0x1234, 7));
  inner.resize(20 + quote);
  return ipv4(reporter, "10.0.0.1", icmp_msg(type, code, rest, inner));
}

TEST(InternetChecksum, MatchesRfc1071Example) {
  const Bytes b{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(internet_checksum(b), 0x220d);
}

TEST(InternetChecksum, PadsAnOddByte) {
  const Bytes b{0x00, 0x01, 0xf2};
  EXPECT_EQ(internet_checksum(b), static_cast<std::uint16_t>(~(0x0001 + 0xf200)));
}

TEST(EchoRequest, EncodesEveryField) {
  const auto b = EchoRequest{0x1234, 0xabcd, k_nonce}.encode();
  const Bytes expected_head{8, 0, 0, 0, 0x12, 0x34, 0xab, 0xcd, 1,   2,   3,   4,
                            5, 6, 7, 8, 'n',  's',  'c',  'h',  'e', 'c', 'k', 0};
  ASSERT_EQ(b.size(), 24u);
  for (std::size_t i = 0; i < b.size(); ++i)
    if (i != 2 && i != 3) {
      EXPECT_EQ(b[i], expected_head[i]) << "byte " << i;
    }
  // checksum: one's complement of the sum of the other 16-bit words
  Bytes zeroed(b.begin(), b.end());
  zeroed[2] = zeroed[3] = 0;
  const std::uint16_t sum = internet_checksum(zeroed);
  EXPECT_EQ(b[2], sum >> 8);
  EXPECT_EQ(b[3], sum & 0xff);
  EXPECT_EQ(internet_checksum(b), 0) << "a packet with its checksum sums to zero";
}

TEST(ParseIpv4, EchoReply) {
  auto m = parse_ipv4(echo_reply("192.0.2.7", 0x1234, 42));
  ASSERT_TRUE(m);
  auto* r = std::get_if<EchoReply>(&*m);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->source, addr("192.0.2.7"));
  EXPECT_EQ(r->ident.id, 0x1234);
  EXPECT_EQ(r->ident.seq, 42);
  EXPECT_EQ(r->ident.nonce, k_nonce);
}

TEST(ParseIpv4, EchoReplyWithIpOptions) {
  Bytes b = echo_reply("192.0.2.7", 1, 2);
  b.insert(b.begin() + 20, {1, 1, 1, 0});  // NOP NOP NOP EOL
  b[0] = 0x46;
  put16(b, 2, static_cast<std::uint16_t>(b.size()));
  auto m = parse_ipv4(b);
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<EchoReply>(*m).ident.seq, 2);
}

TEST(ParseIpv4, EchoReplyWithoutPayloadHasNoNonce) {
  auto m = parse_ipv4(ipv4("192.0.2.7", "10.0.0.1", icmp_msg(k_echo_reply, 0, 0x00050006, {})));
  ASSERT_TRUE(m);
  auto r = std::get<EchoReply>(*m);
  EXPECT_EQ(r.ident.id, 5);
  EXPECT_EQ(r.ident.seq, 6);
  EXPECT_FALSE(r.ident.nonce);
}

TEST(ParseIpv4, DestinationUnreachableEveryCode) {
  for (int code = 0; code < 16; ++code) {
    auto m = parse_ipv4(icmp_error(k_dest_unreachable, static_cast<std::uint8_t>(code), "192.0.2.254", "198.51.100.9"));
    ASSERT_TRUE(m) << code;
    auto* e = std::get_if<IcmpError>(&*m);
    ASSERT_NE(e, nullptr) << code;
    EXPECT_EQ(e->reporter, addr("192.0.2.254"));
    EXPECT_EQ(e->type, k_dest_unreachable);
    EXPECT_EQ(e->code, code);
    EXPECT_EQ(e->original_destination, addr("198.51.100.9"));
    ASSERT_TRUE(e->original);
    EXPECT_EQ(e->original->id, 0x1234);
    EXPECT_EQ(e->original->seq, 7);
    EXPECT_EQ(e->original->nonce, k_nonce);
  }
}

TEST(ParseIpv4, ReasonsOfUnreachableCodes) {
  EXPECT_EQ(reason_for_icmp4(3, 0), Reason::net_unreachable);
  EXPECT_EQ(reason_for_icmp4(3, 1), Reason::host_unreachable);
  EXPECT_EQ(reason_for_icmp4(3, 2), Reason::protocol_unreachable);
  EXPECT_EQ(reason_for_icmp4(3, 3), Reason::port_unreachable);
  EXPECT_EQ(reason_for_icmp4(3, 4), Reason::fragmentation_needed);
  for (int code : {9, 10, 13}) EXPECT_EQ(reason_for_icmp4(3, code), Reason::admin_prohibited);
  for (int code : {5, 6, 7, 8, 11, 12, 14, 15, 99}) EXPECT_EQ(reason_for_icmp4(3, code), Reason::other_unreachable);
  EXPECT_EQ(reason_for_icmp4(11, 0), Reason::ttl_exceeded);
  EXPECT_EQ(reason_for_icmp4(11, 1), Reason::other_unreachable);
  EXPECT_EQ(reason_for_icmp4(12, 0), Reason::other_unreachable);
}

TEST(ParseIpv4, Descriptions) {
  EXPECT_EQ(describe_icmp4(3, 0), "net unreachable (ICMP 3/0)");
  EXPECT_EQ(describe_icmp4(3, 13), "communication administratively prohibited (ICMP 3/13)");
  EXPECT_EQ(describe_icmp4(3, 4, 1400), "fragmentation needed (ICMP 3/4, next-hop MTU 1400)");
  EXPECT_EQ(describe_icmp4(11, 0), "ttl exceeded in transit (ICMP 11/0)");
  EXPECT_EQ(describe_icmp4(3, 77), "destination unreachable (ICMP 3/77)");
}

TEST(ParseIpv4, FragmentationNeededCarriesMtu) {
  auto m = parse_ipv4(icmp_error(k_dest_unreachable, 4, "192.0.2.254", "198.51.100.9", 8, 1400));
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<IcmpError>(*m).next_hop_mtu, 1400);
}

TEST(ParseIpv4, TimeExceeded) {
  auto m = parse_ipv4(icmp_error(k_time_exceeded, 0, "192.0.2.1", "198.51.100.9"));
  ASSERT_TRUE(m);
  auto e = std::get<IcmpError>(*m);
  EXPECT_EQ(e.type, k_time_exceeded);
  EXPECT_EQ(e.reporter, addr("192.0.2.1"));
  ASSERT_TRUE(e.original);
  EXPECT_EQ(e.original->seq, 7);
}

TEST(ParseIpv4, ParameterProblem) {
  auto m = parse_ipv4(icmp_error(k_parameter_problem, 0, "192.0.2.1", "198.51.100.9"));
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<IcmpError>(*m).type, k_parameter_problem);
}

TEST(ParseIpv4, Rfc792QuoteOfEightBytesHasNoNonce) {
  auto m = parse_ipv4(icmp_error(k_dest_unreachable, 1, "192.0.2.254", "198.51.100.9", 8));
  ASSERT_TRUE(m);
  auto e = std::get<IcmpError>(*m);
  ASSERT_TRUE(e.original);
  EXPECT_EQ(e.original->id, 0x1234);
  EXPECT_FALSE(e.original->nonce);
}

TEST(ParseIpv4, ErrorAboutOtherTrafficHasNoOriginal) {
  Bytes udp(8, 0);
  Bytes inner = ipv4("10.0.0.1", "198.51.100.9", udp, 17);
  auto m = parse_ipv4(ipv4("192.0.2.254", "10.0.0.1", icmp_msg(3, 3, 0, inner)));
  ASSERT_TRUE(m);
  auto e = std::get<IcmpError>(*m);
  EXPECT_EQ(e.original_destination, addr("198.51.100.9"));
  EXPECT_FALSE(e.original);
}

TEST(ParseIpv4, ErrorQuotingAnEchoReplyHasNoOriginal) {
  Bytes inner = ipv4("10.0.0.1", "198.51.100.9", icmp_msg(k_echo_reply, 0, 0x00010002, {}));
  auto m = parse_ipv4(ipv4("192.0.2.254", "10.0.0.1", icmp_msg(3, 1, 0, inner)));
  ASSERT_TRUE(m);
  EXPECT_FALSE(std::get<IcmpError>(*m).original);
}

TEST(ParseIpv4, IgnoresOtherTypesAndProtocols) {
  EXPECT_FALSE(parse_ipv4(ipv4("192.0.2.7", "10.0.0.1", icmp_msg(k_echo_request, 0, 0, {}))));
  EXPECT_FALSE(parse_ipv4(ipv4("192.0.2.7", "10.0.0.1", icmp_msg(5, 0, 0, {}))));  // redirect
  EXPECT_FALSE(parse_ipv4(ipv4("192.0.2.7", "10.0.0.1", icmp_msg(k_echo_reply, 0, 0, {}), 17)));
}

TEST(ParseIpv4, RejectsBadChecksum) {
  Bytes b = echo_reply("192.0.2.7", 1, 2);
  b.back() ^= 0xff;
  EXPECT_FALSE(parse_ipv4(b));
}

TEST(ParseIpv4, RejectsBrokenIpHeaders) {
  const Bytes good = echo_reply("192.0.2.7", 1, 2);
  Bytes v6 = good;
  v6[0] = 0x65;
  EXPECT_FALSE(parse_ipv4(v6));
  Bytes short_ihl = good;
  short_ihl[0] = 0x44;
  EXPECT_FALSE(parse_ipv4(short_ihl));
  Bytes long_ihl = good;
  long_ihl[0] = 0x4f;  // 60 bytes of header: more than the datagram holds
  EXPECT_FALSE(parse_ipv4(long_ihl));
  Bytes tiny_total = good;
  put16(tiny_total, 2, 10);
  EXPECT_FALSE(parse_ipv4(tiny_total));
  Bytes later_fragment = good;
  put16(later_fragment, 6, 0x0010);
  EXPECT_FALSE(parse_ipv4(later_fragment));
}

TEST(ParseIpv4, TotalLengthTrimsTrailingPadding) {
  Bytes b = echo_reply("192.0.2.7", 1, 2);
  b.insert(b.end(), {0xde, 0xad});  // link padding after the datagram must not break the checksum
  EXPECT_TRUE(parse_ipv4(b));
}

TEST(ParseIpv4, ErrorWithBrokenQuoteIsIgnored) {
  Bytes inner(12, 0);  // not even an IP header
  EXPECT_FALSE(parse_ipv4(ipv4("192.0.2.254", "10.0.0.1", icmp_msg(3, 1, 0, inner))));
}

TEST(ParseIpv4, EveryTruncationIsSafe) {
  for (const Bytes& full : {echo_reply("192.0.2.7", 1, 2), icmp_error(3, 13, "192.0.2.254", "198.51.100.9")}) {
    for (std::size_t n = 0; n < full.size(); ++n) {
      Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
      EXPECT_FALSE(parse_ipv4(cut)) << "length " << n;  // total length says more: checksum fails
    }
  }
}

TEST(ParseIpv4, RandomInputNeverCrashes) {
  std::mt19937 rng(12345);
  const Bytes seeds[] = {echo_reply("192.0.2.7", 1, 2), icmp_error(3, 1, "192.0.2.254", "198.51.100.9"),
                         icmp_error(11, 0, "192.0.2.254", "198.51.100.9", 8)};
  int parsed = 0;
  for (int i = 0; i < 200000; ++i) {
    Bytes b = seeds[i % 3];
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<std::uint8_t>(rng());
    b.resize(rng() % (b.size() + 8));
    if (parse_ipv4(b)) ++parsed;
  }
  for (int i = 0; i < 50000; ++i) {
    Bytes b(rng() % 100);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    if (!b.empty()) b[0] = static_cast<std::uint8_t>(0x40 | (b[0] & 0x0f));
    (void)parse_ipv4(b);
  }
  SUCCEED() << parsed << " mutated packets still parsed";
}

TEST(ReasonName, StableNames) {
  EXPECT_EQ(reason_name(Reason::reply), "reply");
  EXPECT_EQ(reason_name(Reason::timeout), "timeout");
  EXPECT_EQ(reason_name(Reason::net_unreachable), "net-unreachable");
  EXPECT_EQ(reason_name(Reason::host_unreachable), "host-unreachable");
  EXPECT_EQ(reason_name(Reason::protocol_unreachable), "protocol-unreachable");
  EXPECT_EQ(reason_name(Reason::port_unreachable), "port-unreachable");
  EXPECT_EQ(reason_name(Reason::fragmentation_needed), "fragmentation-needed");
  EXPECT_EQ(reason_name(Reason::admin_prohibited), "admin-prohibited");
  EXPECT_EQ(reason_name(Reason::other_unreachable), "unreachable");
  EXPECT_EQ(reason_name(Reason::ttl_exceeded), "ttl-exceeded");
  EXPECT_EQ(reason_name(Reason::local_no_route), "no-route");
  EXPECT_EQ(reason_name(Reason::local_host_unreachable), "local-host-unreachable");
  EXPECT_EQ(reason_name(Reason::local_prohibited), "local-prohibited");
  EXPECT_EQ(reason_name(Reason::local_blackhole), "blackhole");
  EXPECT_EQ(reason_name(Reason::local_message_too_big), "message-too-big");
  EXPECT_EQ(reason_name(Reason::harness_error), "harness-error");
}

}  // namespace
}  // namespace nscheck::probes::icmp
