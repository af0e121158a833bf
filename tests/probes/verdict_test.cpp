#include "probes/verdict.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

namespace nscheck::probes {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr milliseconds k_deadline{500};

Attempt pending(int sent_us = 0) {
  Attempt a;
  a.sent_at = microseconds(sent_us);
  return a;
}

Attempt reply(int sent_us, int answered_us) {
  Attempt a = pending(sent_us);
  a.fate = AttemptFate::reply;
  a.answered_at = microseconds(answered_us);
  return a;
}

Attempt icmp_err(int type, int code, const char* reporter) {
  Attempt a;
  a.fate = AttemptFate::icmp_error;
  a.icmp_type = type;
  a.icmp_code = code;
  a.reporter = IpAddress::parse(reporter);
  return a;
}

Attempt send_err(int err) {
  Attempt a;
  a.fate = AttemptFate::send_error;
  a.send_errno = err;
  return a;
}

TEST(JudgeSendError, LocalRefusalsAreNg) {
  EXPECT_EQ(judge_send_error(ENETUNREACH).reason, Reason::local_no_route);
  EXPECT_EQ(judge_send_error(EHOSTUNREACH).reason, Reason::local_host_unreachable);
  EXPECT_EQ(judge_send_error(EACCES).reason, Reason::local_prohibited);
  EXPECT_EQ(judge_send_error(EPERM).reason, Reason::local_prohibited);
  EXPECT_EQ(judge_send_error(EINVAL).reason, Reason::local_blackhole);
  EXPECT_EQ(judge_send_error(EMSGSIZE).reason, Reason::local_message_too_big);
  for (int err : {ENETUNREACH, EHOSTUNREACH, EACCES, EPERM, EINVAL, EMSGSIZE})
    EXPECT_EQ(judge_send_error(err).outcome, Outcome::ng) << err;
  EXPECT_EQ(judge_send_error(ENETUNREACH).detail, "sendto: Network is unreachable (no route on the source)");
}

TEST(JudgeSendError, NeighbourTableFullIsAHarnessErrorWithTheFix) {
  auto v = judge_send_error(ENOBUFS);
  EXPECT_EQ(v.outcome, Outcome::error);
  EXPECT_EQ(v.reason, Reason::harness_error);
  EXPECT_NE(v.detail.find("gc_thresh3"), std::string::npos);
  EXPECT_NE(v.detail.find("smaller L2 domains"), std::string::npos);
}

TEST(JudgeSendError, UnexpectedErrnoIsAHarnessError) {
  auto v = judge_send_error(EBADF);
  EXPECT_EQ(v.outcome, Outcome::error);
  EXPECT_EQ(v.detail, "sendto: Bad file descriptor");
}

TEST(IsDecided, ReplyDecidesAtOnce) {
  std::vector<Attempt> a{reply(0, 10)};
  EXPECT_TRUE(is_decided(a, 2));
}

TEST(IsDecided, OneFailureIsNotConfirmed) {
  std::vector<Attempt> a{icmp_err(3, 0, "192.0.2.254")};
  EXPECT_FALSE(is_decided(a, 2));
  a.push_back(pending());
  EXPECT_FALSE(is_decided(a, 2));
  a.back() = send_err(ENETUNREACH);
  EXPECT_TRUE(is_decided(a, 2));
}

TEST(RetryAtOnce, OnlyForNgFailures) {
  EXPECT_TRUE(retry_at_once(icmp_err(3, 1, "192.0.2.1")));
  EXPECT_TRUE(retry_at_once(send_err(ENETUNREACH)));
  EXPECT_FALSE(retry_at_once(send_err(ENOBUFS)));
  EXPECT_FALSE(retry_at_once(pending()));
}

TEST(Summarize, ReplyIsOkWithRtt) {
  std::vector<Attempt> a{pending(0), reply(250000, 250400)};
  auto r = summarize(a, k_deadline);
  EXPECT_EQ(r.outcome, Outcome::ok);
  EXPECT_EQ(r.reason, Reason::reply);
  EXPECT_EQ(r.rtt, microseconds(400));
  EXPECT_EQ(r.sent, 2);
  EXPECT_EQ(r.answered, 1);
  EXPECT_EQ(r.icmp_type, 0);
  EXPECT_EQ(r.detail, "echo reply in 0.400 ms");
}

TEST(Summarize, ReplyWinsOverAnEarlierError) {
  std::vector<Attempt> a{icmp_err(3, 1, "192.0.2.1"), reply(100, 300)};
  EXPECT_EQ(summarize(a, k_deadline).outcome, Outcome::ok);
}

TEST(Summarize, SilenceIsAnHonestTimeout) {
  std::vector<Attempt> a{pending(), pending()};
  auto r = summarize(a, k_deadline);
  EXPECT_EQ(r.outcome, Outcome::ng);
  EXPECT_EQ(r.reason, Reason::timeout);
  EXPECT_EQ(r.answered, 0);
  EXPECT_EQ(r.detail, "no reply within 500 ms (2 requests sent)");
}

TEST(Summarize, ConfirmedIcmpError) {
  std::vector<Attempt> a{icmp_err(3, 0, "192.0.2.254"), icmp_err(3, 0, "192.0.2.254")};
  auto r = summarize(a, k_deadline);
  EXPECT_EQ(r.outcome, Outcome::ng);
  EXPECT_EQ(r.reason, Reason::net_unreachable);
  EXPECT_EQ(r.reporter, IpAddress::parse("192.0.2.254"));
  EXPECT_EQ(r.icmp_type, 3);
  EXPECT_EQ(r.icmp_code, 0);
  EXPECT_EQ(r.answered, 2);
  EXPECT_EQ(r.detail, "net unreachable (ICMP 3/0) from 192.0.2.254");
}

TEST(Summarize, ErrorThenSilenceKeepsTheErrorAndSaysSo) {
  std::vector<Attempt> a{icmp_err(3, 13, "192.0.2.254"), pending()};
  auto r = summarize(a, k_deadline);
  EXPECT_EQ(r.outcome, Outcome::ng);
  EXPECT_EQ(r.reason, Reason::admin_prohibited);
  EXPECT_EQ(r.detail,
            "communication administratively prohibited (ICMP 3/13) from 192.0.2.254; "
            "no answer to the other 1 request within 500 ms");
}

TEST(Summarize, DifferentErrorsAreAllTold) {
  std::vector<Attempt> a{icmp_err(3, 0, "192.0.2.254"), icmp_err(3, 0, "192.0.2.25")};
  auto r = summarize(a, k_deadline);
  EXPECT_EQ(r.detail, "net unreachable (ICMP 3/0) from 192.0.2.254; then net unreachable (ICMP 3/0) from 192.0.2.25");
}

TEST(Summarize, LocalNoRoute) {
  std::vector<Attempt> a{send_err(ENETUNREACH), send_err(ENETUNREACH)};
  auto r = summarize(a, k_deadline);
  EXPECT_EQ(r.outcome, Outcome::ng);
  EXPECT_EQ(r.reason, Reason::local_no_route);
  EXPECT_EQ(r.send_errno, ENETUNREACH);
  EXPECT_EQ(r.sent, 2);
  EXPECT_EQ(r.answered, 0);
  EXPECT_FALSE(r.reporter);
  EXPECT_EQ(r.detail, "sendto: Network is unreachable (no route on the source)");
}

TEST(Summarize, EnobufsIsNeverNg) {
  std::vector<Attempt> a{send_err(ENOBUFS), icmp_err(3, 0, "192.0.2.254")};
  auto r = summarize(a, k_deadline);
  EXPECT_EQ(r.outcome, Outcome::error);
  EXPECT_EQ(r.reason, Reason::harness_error);
  EXPECT_EQ(r.send_errno, ENOBUFS);
}

TEST(Summarize, NothingSentIsAHarnessError) {
  auto r = summarize({}, k_deadline);
  EXPECT_EQ(r.outcome, Outcome::error);
  EXPECT_EQ(r.sent, 0);
  EXPECT_NE(r.detail.find("send buffer"), std::string::npos);
}

// --- IPv6 ---------------------------------------------------------------------------------------

Attempt v6(Attempt a) {
  a.family = Family::v6;
  return a;
}

Attempt v6_einval(EinvalCause cause) {
  Attempt a = v6(send_err(EINVAL));
  a.einval_cause = cause;
  return a;
}

TEST(JudgeSendError, Ipv6EinvalIsABlackholeUnlessTheRouteIsUsable) {
  EXPECT_EQ(judge_send_error(EINVAL, Family::v6).reason, Reason::local_blackhole);
  EXPECT_EQ(judge_send_error(EINVAL, Family::v6, EinvalCause::blackhole_route).outcome, Outcome::ng);
  EXPECT_EQ(judge_send_error(EINVAL, Family::v6, EinvalCause::blackhole_route).reason, Reason::local_blackhole);
  auto v = judge_send_error(EINVAL, Family::v6, EinvalCause::neighbour_creation);
  EXPECT_EQ(v.outcome, Outcome::error);
  EXPECT_EQ(v.reason, Reason::harness_error);
  EXPECT_NE(v.detail.find("net.ipv6.neigh.default.gc_thresh3"), std::string::npos) << v.detail;
  EXPECT_NE(v.detail.find("route is usable"), std::string::npos) << v.detail;
}

TEST(JudgeSendError, NeighbourAdviceNamesTheFamilysSysctl) {
  EXPECT_NE(judge_send_error(ENOBUFS).detail.find("net.ipv4.neigh.default.gc_thresh3"), std::string::npos);
  EXPECT_NE(judge_send_error(ENOBUFS, Family::v6).detail.find("net.ipv6.neigh.default.gc_thresh3"), std::string::npos);
  EXPECT_EQ(judge_send_error(ENOBUFS).detail,
            "sendto: No buffer space available (the host's neighbour table is full: it is one table for all "
            "namespaces; use smaller L2 domains, or raise net.ipv4.neigh.default.gc_thresh3 on the host)");
}

TEST(Summarize, Ipv6ReplyIsType129) {
  std::vector<Attempt> a{v6(reply(100, 600))};
  auto r = summarize(a, k_deadline);
  EXPECT_EQ(r.outcome, Outcome::ok);
  EXPECT_EQ(r.icmp_type, 129);
  EXPECT_EQ(r.icmp_code, 0);
}

TEST(Summarize, Ipv6ErrorsReadAsIcmpv6) {
  // 1/0 is "no route" in ICMPv6 (net unreachable), though 3/0 would be the ICMPv4 spelling
  std::vector<Attempt> a{v6(icmp_err(1, 0, "2001:db8::fe")), v6(icmp_err(1, 0, "2001:db8::fe"))};
  auto r = summarize(a, k_deadline);
  EXPECT_EQ(r.outcome, Outcome::ng);
  EXPECT_EQ(r.reason, Reason::net_unreachable);
  EXPECT_EQ(r.icmp_type, 1);
  EXPECT_EQ(r.reporter, IpAddress::parse("2001:db8::fe"));
  EXPECT_EQ(r.detail, "no route to destination (ICMPv6 1/0) from 2001:db8::fe");
  std::vector<Attempt> b{v6(icmp_err(1, 3, "2001:db8::1")), v6(icmp_err(1, 1, "2001:db8::fe"))};
  auto rb = summarize(b, k_deadline);
  EXPECT_EQ(rb.reason, Reason::host_unreachable);
  EXPECT_EQ(rb.detail,
            "address unreachable (ICMPv6 1/3) from 2001:db8::1; then communication administratively prohibited "
            "(ICMPv6 1/1) from 2001:db8::fe");
}

TEST(Summarize, Ipv6NeighbourCreationFailureIsNeverNg) {
  std::vector<Attempt> a{v6_einval(EinvalCause::neighbour_creation), v6_einval(EinvalCause::neighbour_creation)};
  auto r = summarize(a, k_deadline);
  EXPECT_EQ(r.outcome, Outcome::error);
  EXPECT_EQ(r.send_errno, EINVAL);
  std::vector<Attempt> b{v6_einval(EinvalCause::blackhole_route), v6_einval(EinvalCause::blackhole_route)};
  auto rb = summarize(b, k_deadline);
  EXPECT_EQ(rb.outcome, Outcome::ng);
  EXPECT_EQ(rb.reason, Reason::local_blackhole);
  EXPECT_FALSE(retry_at_once(a[0])) << "a harness error waits its turn";
  EXPECT_TRUE(retry_at_once(b[0]));
}

}  // namespace
}  // namespace nscheck::probes

namespace nscheck::probes {
namespace {

Attempt of_kind(Attempt a, ProbeKind kind) {
  a.kind = kind;
  return a;
}

TEST(SummarizeFlows, HandshakeAndDatagramOkSayWhatAnswered) {
  std::vector<Attempt> tcp{of_kind(reply(0, 250), ProbeKind::tcp)};
  const auto t = summarize(tcp, k_deadline);
  EXPECT_EQ(t.outcome, Outcome::ok);
  EXPECT_EQ(t.detail, "handshake completed in 0.250 ms");
  EXPECT_EQ(t.icmp_type, -1) << "no ICMP in a TCP answer";
  std::vector<Attempt> udp{of_kind(reply(0, 1000), ProbeKind::udp)};
  EXPECT_EQ(summarize(udp, k_deadline).detail, "datagram answered in 1.000 ms");
}

TEST(SummarizeFlows, ConfirmedRstIsRefused) {
  Attempt rst = of_kind(pending(), ProbeKind::tcp);
  rst.fate = AttemptFate::refused;
  EXPECT_TRUE(retry_at_once(rst)) << "a RST is an NG reason: confirm it at once";
  std::vector<Attempt> two{rst, rst};
  EXPECT_TRUE(is_decided(two, 2));
  const auto r = summarize(two, k_deadline);
  EXPECT_EQ(r.outcome, Outcome::ng);
  EXPECT_EQ(r.reason, Reason::refused);
  EXPECT_EQ(r.answered, 2);
  EXPECT_EQ(r.detail, "connection refused (TCP RST: nothing listens there)");
}

TEST(SummarizeFlows, LocalFailuresNameTheCall) {
  std::vector<Attempt> tcp{of_kind(send_err(ENETUNREACH), ProbeKind::tcp), of_kind(send_err(ENETUNREACH), ProbeKind::tcp)};
  EXPECT_EQ(summarize(tcp, k_deadline).detail, "connect: Network is unreachable (no route on the source)");
  std::vector<Attempt> udp{of_kind(send_err(EACCES), ProbeKind::udp), of_kind(send_err(EACCES), ProbeKind::udp)};
  EXPECT_EQ(summarize(udp, k_deadline).detail, "sendto: Permission denied (a prohibit route on the source)");
}

TEST(SummarizeFlows, TimeoutCountsTheKindsRequests) {
  std::vector<Attempt> tcp{of_kind(pending(), ProbeKind::tcp), of_kind(pending(), ProbeKind::tcp)};
  EXPECT_EQ(summarize(tcp, k_deadline).detail, "no reply within 500 ms (2 connection attempts sent)");
  std::vector<Attempt> udp{of_kind(icmp_err(3, 3, "192.0.2.1"), ProbeKind::udp), of_kind(pending(), ProbeKind::udp)};
  EXPECT_EQ(summarize(udp, k_deadline).detail,
            "port unreachable (ICMP 3/3) from 192.0.2.1; no answer to the other 1 datagram within 500 ms");
}

}  // namespace
}  // namespace nscheck::probes
