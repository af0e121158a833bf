#include "probes/flow_codec.hpp"

#include <gtest/gtest.h>
#include <linux/errqueue.h>

#include <cstring>
#include <vector>

namespace nscheck::probes::flow {
namespace {

TEST(Token, RoundTripsBigEndian) {
  const Token t{0x0102030405060708ULL, 0x0a0b0c0d, 7};
  const auto bytes = encode(t);
  EXPECT_EQ(bytes[0], 0x01);
  EXPECT_EQ(bytes[7], 0x08);
  EXPECT_EQ(bytes[8], 0x0a);
  EXPECT_EQ(bytes[15], 7);
  EXPECT_EQ(decode(bytes), t);
  EXPECT_EQ(t.slot(), 0x0a0b0c0d00000007ULL);
}

TEST(Token, ShortPayloadIsNoToken) {
  const std::vector<std::uint8_t> eight(8, 0);  // what an RFC 792 router quotes after the UDP header
  EXPECT_FALSE(decode(eight).has_value());
}

TEST(SockAddr, RoundTripsBothFamilies) {
  for (const char* text : {"192.0.2.1", "2001:db8::1"}) {
    const Endpoint e{*IpAddress::parse(text), 8080};
    const auto sa = to_sockaddr(e);
    EXPECT_EQ(sa.length, e.address.family == Family::v6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
    EXPECT_EQ(from_sockaddr(sa.storage), e);
  }
  sockaddr_storage unix_addr{};
  unix_addr.ss_family = AF_UNIX;
  EXPECT_FALSE(from_sockaddr(unix_addr).has_value());
}

/// A msghdr holding one IP_RECVERR control message as the kernel writes it.
struct ErrQueueMessage {
  alignas(cmsghdr) std::uint8_t control[256]{};
  msghdr m{};

  ErrQueueMessage(int level, int type, std::uint8_t origin, std::uint8_t icmp_type, std::uint8_t code,
                  const char* offender) {
    sock_extended_err ee{};
    ee.ee_errno = EHOSTUNREACH;
    ee.ee_origin = origin;
    ee.ee_type = icmp_type;
    ee.ee_code = code;
    ee.ee_info = 1400;
    const auto off = to_sockaddr({*IpAddress::parse(offender), 0});
    m.msg_control = control;
    m.msg_controllen = CMSG_SPACE(sizeof ee + off.length);
    cmsghdr* c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = level;
    c->cmsg_type = type;
    c->cmsg_len = CMSG_LEN(sizeof ee + off.length);
    std::memcpy(CMSG_DATA(c), &ee, sizeof ee);
    std::memcpy(CMSG_DATA(c) + sizeof ee, &off.storage, off.length);
  }
};

TEST(QueuedIcmp, ReadsTypeCodeAndReporter) {
  ErrQueueMessage v4(SOL_IP, IP_RECVERR, SO_EE_ORIGIN_ICMP, 3, 13, "198.51.100.254");
  const auto e = parse_queued_icmp(v4.m);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->type, 3);
  EXPECT_EQ(e->code, 13);
  EXPECT_EQ(e->info, 1400u);
  EXPECT_EQ(e->error, EHOSTUNREACH);
  EXPECT_EQ(e->reporter, IpAddress::parse("198.51.100.254"));
  ErrQueueMessage v6(SOL_IPV6, IPV6_RECVERR, SO_EE_ORIGIN_ICMP6, 1, 4, "2001:db8::1");
  const auto e6 = parse_queued_icmp(v6.m);
  ASSERT_TRUE(e6.has_value());
  EXPECT_EQ(e6->type, 1);
  EXPECT_EQ(e6->code, 4);
  EXPECT_EQ(e6->reporter, IpAddress::parse("2001:db8::1"));
}

TEST(QueuedIcmp, LocalErrorsAreNotIcmp) {
  ErrQueueMessage local(SOL_IP, IP_RECVERR, SO_EE_ORIGIN_LOCAL, 0, 0, "192.0.2.1");
  EXPECT_FALSE(parse_queued_icmp(local.m).has_value()) << "the failed call reported it already";
  ErrQueueMessage other(SOL_SOCKET, SO_TIMESTAMP, SO_EE_ORIGIN_ICMP, 3, 1, "192.0.2.1");
  EXPECT_FALSE(parse_queued_icmp(other.m).has_value());
}

}  // namespace
}  // namespace nscheck::probes::flow

#include "probes/neighbour_table.hpp"

namespace nscheck::probes {
namespace {

TEST(NeighbourTable, SumsTableFullsOverCpus) {
  const char* text =
      "entries  allocs   destroys hash_grows lookups  hits     res_failed rcv_probes_mcast rcv_probes_ucast "
      "periodic_gc_runs forced_gc_runs unresolved_discards table_fulls\n"
      "00000001 0001a8e6 00019d9d 00000001   00044c63 0000b099 00000000   00000000         00000000         "
      "00000413         000003d1       00000000            000003ce\n"
      "00000001 00019658 0001a1a0 00000007   00042ebb 0000a886 00000000   00000000         00000000         "
      "00000000         0000079f       00000000            0000079c\n";
  EXPECT_EQ(sum_stat_column(text, "table_fulls"), 0x3ceu + 0x79cu);
  EXPECT_EQ(sum_stat_column(text, "no_such_column"), 0u);
  EXPECT_EQ(sum_stat_column("", "table_fulls"), 0u);
}

}  // namespace
}  // namespace nscheck::probes
