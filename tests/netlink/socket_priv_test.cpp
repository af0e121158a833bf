// The rtnetlink Socket against the real kernel. priv_main has already moved this process into a
// private namespace; every test builds two more, anonymous ones below it (they die with their
// fds and sockets), so nothing here can reach the host's interfaces.
#include <gtest/gtest.h>
#include <linux/if.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/netns.hpp"
#include "netlink/socket.hpp"

namespace nscheck::nl {
namespace {

using namespace std::chrono_literals;

constexpr int k_lo = 1;
constexpr int k_a0 = 100;  // veth end in namespace A
constexpr int k_b0 = 101;  // its peer, in namespace B
constexpr std::uint8_t k_oper_up = IF_OPER_UP;

Prefix prefix(const char* text) { return *Prefix::parse(text); }
IpAddress address(const char* text) { return *IpAddress::parse(text); }

Request add_address(int ifindex, const char* text) {
  return {addr_new(ifindex, prefix(text)), std::string("RTM_NEWADDR ") + text};
}

/// "<what>: <strerror>" — the start of every refusal message.
std::string refusal_prefix(const std::string& what, int errnum) {
  return what + ": " + std::strerror(errnum);
}

class SocketPriv : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ns = create_netns(2, [this](std::size_t i) -> Result<void> {
      NS_TRY(socket, Socket::open(true));
      sockets_[i].emplace(std::move(socket));
      return {};
    });
    ASSERT_TRUE(ns.ok()) << ns.error().message;
    ns_ = std::move(*ns);
    for (std::size_t i = 0; i < 2; ++i)
      sockets_[i]->set_link_handler([this, i](const LinkState& s) { links_[i][s.ifindex] = s; });
  }

  Socket& a() { return *sockets_[0]; }
  Socket& b() { return *sockets_[1]; }

  /// A: a0 (10.0.0.1/24, 2001:db8::1/64) with a route to 192.0.2.0/24 via B;
  /// B: b0 (10.0.0.2/24) with a default route via A. lo up in both.
  void build_pair() {
    const VethSpec veth{.name = "a0",
                        .ifindex = k_a0,
                        .peer_name = "b0",
                        .peer_ifindex = k_b0,
                        .peer_ns_fd = ns_[1].get()};
    const RouteSpec to_b{.destination = prefix("192.0.2.0/24"),
                         .gateway = address("10.0.0.2"),
                         .oif = k_a0,
                         .prefsrc = address("10.0.0.1"),
                         .metric = 10};
    const std::vector<Request> batch_a = {
        {link_new_veth(veth), "RTM_NEWLINK veth a0"},
        add_address(k_a0, "10.0.0.1/24"),
        add_address(k_a0, "2001:db8::1/64"),
        {link_set_up(k_a0), "RTM_NEWLINK a0 up"},
        {link_set_up(k_lo), "RTM_NEWLINK lo up"},
        {route_new(to_b), "RTM_NEWROUTE 192.0.2.0/24 via 10.0.0.2"},
    };
    auto built_a = a().transact(batch_a);
    ASSERT_TRUE(built_a.ok()) << built_a.error().message;

    const RouteSpec default_via_a{.destination = prefix("0.0.0.0/0"),
                                  .gateway = address("10.0.0.1")};
    const std::vector<Request> batch_b = {
        add_address(k_b0, "10.0.0.2/24"),
        {link_set_up(k_b0), "RTM_NEWLINK b0 up"},
        {link_set_up(k_lo), "RTM_NEWLINK lo up"},
        {route_new(default_via_a), "RTM_NEWROUTE default via 10.0.0.1"},
    };
    auto built_b = b().transact(batch_b);
    ASSERT_TRUE(built_b.ok()) << built_b.error().message;
  }

  [[nodiscard]] bool oper_up(std::size_t side, int ifindex) const {
    auto it = links_[side].find(ifindex);
    return it != links_[side].end() && !it->second.removed && it->second.operstate == k_oper_up;
  }

  /// Dumps once, then follows notifications until both veth ends are operationally up.
  void wait_both_up() {
    ASSERT_TRUE(a().dump_links().ok());
    ASSERT_TRUE(b().dump_links().ok());
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!(oper_up(0, k_a0) && oper_up(1, k_b0))) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "veth ends not IF_OPER_UP in 10 s";
      ASSERT_TRUE(a().read_notifications(50ms).ok());
      ASSERT_TRUE(b().read_notifications(50ms).ok());
    }
  }

  std::vector<UniqueFd> ns_;
  std::array<std::optional<Socket>, 2> sockets_;
  std::array<std::map<int, LinkState>, 2> links_;
};

TEST_F(SocketPriv, BuildsAVethPairAcrossNamespacesAndSeesItOperUp) {
  ASSERT_NO_FATAL_FAILURE(build_pair());
  ASSERT_NO_FATAL_FAILURE(wait_both_up());
  EXPECT_EQ(links_[0][k_a0].name, "a0");
  EXPECT_EQ(links_[1][k_b0].name, "b0");
  EXPECT_NE(links_[0][k_a0].flags & IFF_UP, 0U);
  EXPECT_EQ(links_[0].count(k_b0), 0U) << "the peer must exist only in namespace B";
  EXPECT_EQ(links_[1].count(k_a0), 0U) << "the local end must exist only in namespace A";
  EXPECT_EQ(links_[1][k_lo].name, "lo");
}

TEST_F(SocketPriv, DuplicateAddressFailsWithEexistNamingTheRequest) {
  ASSERT_NO_FATAL_FAILURE(build_pair());
  const Request again = add_address(k_a0, "10.0.0.1/24");
  auto result = a().transact({&again, 1});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().errnum, EEXIST);
  EXPECT_EQ(result.error().kind, ErrorKind::environment);
  EXPECT_EQ(result.error().message.rfind(refusal_prefix(again.what, EEXIST), 0), 0U)
      << result.error().message;
}

TEST_F(SocketPriv, RouteViaUnreachableGatewayCarriesTheKernelsText) {
  ASSERT_NO_FATAL_FAILURE(build_pair());
  const RouteSpec spec{.destination = prefix("198.51.100.0/24"), .gateway = address("203.0.113.1")};
  const Request route{route_new(spec), "RTM_NEWROUTE 198.51.100.0/24 via 203.0.113.1"};
  auto result = a().transact({&route, 1});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().errnum, ENETUNREACH);
  const std::string& message = result.error().message;
  EXPECT_EQ(message.rfind(refusal_prefix(route.what, ENETUNREACH) + " (kernel: \"", 0), 0U)
      << message;
  EXPECT_EQ(message.substr(message.size() - 2), "\")") << message;
}

TEST_F(SocketPriv, ThirdOfFourFailingReportsTheThirdAndTheFourthStillRuns) {
  const Request first = add_address(k_lo, "10.9.0.3/32");
  ASSERT_TRUE(a().transact({&first, 1}).ok());
  const std::vector<Request> batch = {
      add_address(k_lo, "10.9.0.1/32"),
      add_address(k_lo, "10.9.0.2/32"),
      add_address(k_lo, "10.9.0.3/32"),  // already there
      add_address(k_lo, "10.9.0.4/32"),
  };
  auto result = a().transact(batch);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().errnum, EEXIST);
  EXPECT_EQ(result.error().message.rfind(refusal_prefix(batch[2].what, EEXIST), 0), 0U)
      << result.error().message;
  // The kernel went on after the refusal: the 4th address exists now.
  auto fourth_again = a().transact({&batch[3], 1});
  ASSERT_FALSE(fourth_again.ok());
  EXPECT_EQ(fourth_again.error().errnum, EEXIST);
}

TEST_F(SocketPriv, HundredsOfRequestsInOneBatchReportTheOneThatFailed) {
  std::vector<Request> batch;
  for (int i = 0; i < 1500; ++i) {
    const std::string text =
        "10.10." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + "/32";
    batch.push_back(add_address(k_lo, text.c_str()));
  }
  batch.insert(batch.begin() + 1200, add_address(k_lo, "10.10.0.7/32"));  // a duplicate
  auto result = a().transact(batch);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().errnum, EEXIST);
  EXPECT_EQ(result.error().message.rfind(refusal_prefix(batch[1200].what, EEXIST), 0), 0U)
      << result.error().message;
  // Every ACK was read: the next transaction starts clean.
  const Request next = add_address(k_lo, "10.11.0.1/32");
  auto after = a().transact({&next, 1});
  EXPECT_TRUE(after.ok()) << after.error().message;
}

TEST_F(SocketPriv, AnOverflowedRequestIsRefusedBeforeAnythingIsSent) {
  const std::vector<Request> batch = {
      add_address(k_lo, "10.12.0.1/32"),
      {link_new_veth({.name = std::string(2000, 'x')}), "RTM_NEWLINK veth xxx"},
  };
  auto result = a().transact(batch);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::internal);
  EXPECT_EQ(result.error().message.rfind("RTM_NEWLINK veth xxx: ", 0), 0U);
  auto first_again = a().transact({&batch[0], 1});
  EXPECT_TRUE(first_again.ok()) << "nothing of the refused batch may have been sent";
}

TEST_F(SocketPriv, ClosingTheOtherNamespaceRemovesTheVeth) {
  ASSERT_NO_FATAL_FAILURE(build_pair());
  ASSERT_TRUE(a().dump_links().ok());
  ASSERT_EQ(links_[0].count(k_a0), 1U);
  sockets_[1].reset();
  ns_[1].reset();  // namespace B dies, and the veth pair with it
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!links_[0][k_a0].removed) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no RTM_DELLINK for a0 in 10 s";
    ASSERT_TRUE(a().read_notifications(100ms).ok());
  }
}

TEST_F(SocketPriv, LostNotificationsAreReplacedByAFreshDump) {
  ASSERT_NO_FATAL_FAILURE(build_pair());
  // A second socket in A makes the changes, so that A's listener can overflow without losing
  // ACKs; the listener's buffer shrinks to the kernel's minimum.
  std::optional<Socket> control;
  auto opened = run_in_netns(ns_[0].get(), [&]() -> Result<void> {
    NS_TRY(socket, Socket::open());
    control.emplace(std::move(socket));
    return {};
  });
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  int tiny = 0;
  ASSERT_EQ(::setsockopt(a().fd(), SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny), 0);
  std::vector<Request> flaps;
  for (int i = 0; i < 20; ++i) {
    flaps.push_back({link_set_up(k_a0, false), "RTM_NEWLINK a0 down"});
    flaps.push_back({link_set_up(k_a0, true), "RTM_NEWLINK a0 up"});
  }
  ASSERT_TRUE(control->transact(flaps).ok());
  links_[0].clear();
  ASSERT_TRUE(a().read_notifications(1s).ok());
  // Only a dump reports lo: the notifications were all about a0.
  EXPECT_EQ(links_[0].count(k_lo), 1U) << "ENOBUFS did not lead to a fresh dump";
  EXPECT_NE(links_[0][k_a0].flags & IFF_UP, 0U);
}

TEST(SocketPrivHost, TheTestsOwnNamespaceHoldsOnlyLoopback) {
  auto socket = Socket::open();
  ASSERT_TRUE(socket.ok()) << socket.error().message;
  std::map<int, LinkState> links;
  socket->set_link_handler([&](const LinkState& s) { links[s.ifindex] = s; });
  ASSERT_TRUE(socket->dump_links().ok());
  ASSERT_EQ(links.size(), 1U);
  EXPECT_EQ(links.begin()->second.name, "lo");
}

}  // namespace
}  // namespace nscheck::nl
