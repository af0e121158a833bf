// A batch's packed requests and its due-time queue (pure).
#include "probes/attempt_record.hpp"
#include "probes/due_queue.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

namespace nscheck::probes {
namespace {

using std::chrono::microseconds;

TEST(AttemptRecord, IsSmallerThanAnAttempt) {
  EXPECT_LE(sizeof(AttemptRecord), 20u);
  EXPECT_LT(sizeof(AttemptRecord) * 2, sizeof(Attempt));
}

TEST(AttemptRecord, TimesAreKeptToTheMicrosecondAndSaturate) {
  EXPECT_EQ(packed_micros(microseconds(0)), 0u);
  EXPECT_EQ(packed_micros(microseconds(-5)), 0u);
  EXPECT_EQ(packed_micros(microseconds(123'456)), 123'456u);
  EXPECT_EQ(packed_micros(microseconds(4'294'967'294)), 4'294'967'294u);
  EXPECT_EQ(packed_micros(microseconds(4'294'967'295)), UINT32_MAX);
  EXPECT_EQ(packed_micros(microseconds(10'000'000'000)), UINT32_MAX);
}

TEST(AttemptRecord, AReplyUnpacksWithItsTimesAndNoIcmpError) {
  AttemptRecord r;
  r.sent_us = 1'000;
  r.answered_us = 1'250;
  r.fate = AttemptFate::reply;
  const Attempt a = unpack(r, Family::v6, {});
  EXPECT_EQ(a.family, Family::v6);
  EXPECT_EQ(a.kind, ProbeKind::icmp);
  EXPECT_EQ(a.fate, AttemptFate::reply);
  EXPECT_EQ(a.sent_at, microseconds(1'000));
  EXPECT_EQ(a.answered_at, microseconds(1'250));
  EXPECT_EQ(a.icmp_type, -1);
  EXPECT_EQ(a.icmp_code, -1);
  EXPECT_FALSE(a.reporter);
}

TEST(AttemptRecord, AnIcmpErrorUnpacksWithTypeCodeMtuAndReporter) {
  const std::vector<IpAddress> reporters{*IpAddress::parse("192.0.2.254"), *IpAddress::parse("198.51.100.254")};
  AttemptRecord r;
  r.fate = AttemptFate::icmp_error;
  r.icmp_type = 3;
  r.icmp_code = 4;
  r.next_hop_mtu = 1400;
  r.reporter = 1;
  const Attempt a = unpack(r, Family::v4, reporters);
  EXPECT_EQ(a.icmp_type, 3);
  EXPECT_EQ(a.icmp_code, 4);
  EXPECT_EQ(a.next_hop_mtu, 1400);
  ASSERT_TRUE(a.reporter);
  EXPECT_EQ(a.reporter->str(), "198.51.100.254");
}

TEST(AttemptRecord, ASendErrorUnpacksWithItsErrnoAndCause) {
  AttemptRecord r;
  r.fate = AttemptFate::send_error;
  r.send_errno = EINVAL;
  r.einval_cause = EinvalCause::neighbour_creation;
  r.icmp_type = 3;  // left over: only an ICMP error's type counts
  const Attempt a = unpack(r, Family::v6, {});
  EXPECT_EQ(a.send_errno, EINVAL);
  EXPECT_EQ(a.einval_cause, EinvalCause::neighbour_creation);
  EXPECT_EQ(a.icmp_type, -1);
  EXPECT_FALSE(a.reporter);
}

TEST(AttemptRecord, AReporterIndexOutOfRangeIsNoReporter) {
  AttemptRecord r;
  r.fate = AttemptFate::icmp_error;
  r.reporter = 2;
  EXPECT_FALSE(unpack(r, Family::v4, {*IpAddress::parse("192.0.2.1")}).reporter);
}

Due due(std::int64_t at, std::uint32_t index) { return {microseconds(at), index, 0}; }

std::vector<std::uint32_t> indices(const DueQueue& q) {
  std::vector<std::uint32_t> out;
  for (const Due& d : q) out.push_back(d.index);
  return out;
}

TEST(DueQueue, PopsInTheOrderPushed) {
  DueQueue q;
  EXPECT_TRUE(q.empty());
  for (std::uint32_t i = 0; i < 5; ++i) q.push(due(10 * i, i));
  EXPECT_EQ(q.size(), 5u);
  EXPECT_EQ(indices(q), (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
  for (std::uint32_t i = 0; i < 5; ++i) {
    ASSERT_FALSE(q.empty());
    EXPECT_EQ(q.front().index, i);
    EXPECT_EQ(q.front().at, microseconds(10 * i));
    q.pop();
  }
  EXPECT_TRUE(q.empty());
}

TEST(DueQueue, KeepsOrderAcrossCompactionAndInterleavedUse) {
  DueQueue q;
  q.reserve(4);
  std::uint32_t pushed = 0, popped = 0;
  for (int round = 0; round < 1000; ++round) {
    q.push(due(pushed, pushed));
    ++pushed;
    q.push(due(pushed, pushed));
    ++pushed;
    ASSERT_EQ(q.front().index, popped);
    q.pop();
    ++popped;
  }
  EXPECT_EQ(q.size(), pushed - popped);
  std::vector<std::uint32_t> expected;
  for (std::uint32_t i = popped; i < pushed; ++i) expected.push_back(i);
  EXPECT_EQ(indices(q), expected);
}

TEST(DueQueue, ADrainedQueueStartsOver) {
  DueQueue q;
  q.push(due(1, 7));
  q.pop();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  q.push(due(2, 8));
  EXPECT_EQ(q.front().index, 8u);
  EXPECT_EQ(indices(q), (std::vector<std::uint32_t>{8}));
}

}  // namespace
}  // namespace nscheck::probes
