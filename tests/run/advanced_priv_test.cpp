// The less travelled scenario keys, run in-process on real namespaces: policy-rule selectors,
// NAT over IPv6, stage changes that load rules or delete one route among several, bridge link
// settings, and node rulesets given as arrays. Each verdict below depends on its key working.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <fstream>

#include "core/netns.hpp"
#include "run/runner.hpp"
#include "run/run_text.hpp"
#include "scenario/loader.hpp"
#include "support/files.hpp"
#include "support/link_query.hpp"
#include "topology/builder.hpp"

namespace nscheck::run {
namespace {

using report::CellStatus;

const std::string k_data = std::string(NSCHECK_SOURCE_DIR) + "/tests/run/data/";

/// What a topology is made of besides its fixed links: extra keys right after each node's
/// header, extra addresses of the router's server side, and extra text at the end.
struct Keys {
  std::string client, router, server, r1_extra, tail;
};

/// client (192.0.2.1, 2001:db8:1::1) -- router (forwarding both families) -- server
/// (198.51.100.1 and .2, 2001:db8:2::1 and ::2). Nobody has a route unless `keys` gives one.
std::string topology(const Keys& k) {
  return R"(name = "adv"
probe = { deadline_ms = 200 }
[nodes.client]
)" + k.client +
         R"(
[nodes.router]
sysctl = { "net.ipv4.ip_forward" = 1, "net.ipv6.conf.all.forwarding" = 1 }
)" + k.router +
         R"(
[nodes.server]
)" + k.server +
         R"(
[[links]]
a = { node = "client", ifname = "c0", addresses = ["192.0.2.1/24", "2001:db8:1::1/64"] }
b = { node = "router", ifname = "r0", addresses = ["192.0.2.254/24", "2001:db8:1::fe/64"] }
[[links]]
a = { node = "router", ifname = "r1", addresses = ["198.51.100.254/24", "2001:db8:2::fe/64")" +
         k.r1_extra + R"(] }
b = { node = "server", ifname = "s0", addresses = ["198.51.100.1/24", "198.51.100.2/24", "2001:db8:2::1/64", "2001:db8:2::2/64"] }
)" + k.tail;
}

const std::string k_server_back = "routes = [\"default via 198.51.100.254\", \"default via 2001:db8:2::fe\"]\n";

/// Runs a scenario written to a file first: the only way its nft_file keys are read.
RunResult run_as_file(const std::string& text) {
  const auto path = test::temp_path("adv", "scenario.toml");
  std::ofstream(path) << text;
  auto r = run_parsed(scenario::load_scenario(path));
  std::remove(path.c_str());
  return r;
}

/// The cell of stage `stage` from `source` (bound to `bind`, "" = unbound) for (probe, address).
const report::Cell& cell(const RunResult& r, std::size_t stage, const std::string& probe, const std::string& address,
                         const std::string& source = "client", const std::string& bind = "") {
  static const report::Cell none;
  if (stage >= r.report.stages.size()) {
    ADD_FAILURE() << "no stage " << stage;
    return none;
  }
  for (const auto& c : r.report.stages[stage].cells)
    if (c.probe == probe && c.address == address && c.source == source && c.source_bind == bind) return c;
  ADD_FAILURE() << "no cell " << source << " " << bind << " " << probe << " " << address << " in stage " << stage;
  return none;
}

std::string check(const std::string& probe, const std::string& to, const std::string& expect,
                  const std::string& extra = "", const std::string& from = "client") {
  return "[[stages.check]]\nfrom = \"" + from + "\"\nto = \"" + to + "\"\nprobe = \"" + probe + "\"\nexpect = \"" +
         expect + "\"\n" + extra + "\n";
}

/// Every cell of the run passed (observed what it expected, seen_from and answered_by included).
void expect_all_pass(const RunResult& r) {
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  ASSERT_FALSE(r.report.stages.empty());
  for (std::size_t st = 0; st < r.report.stages.size(); ++st)
    for (const auto& c : r.report.stages[st].cells)
      EXPECT_EQ(c.status, CellStatus::pass)
          << "stage " << st << ": " << c.source << " " << c.source_bind << " -> " << c.address << " " << c.probe << ": "
          << c.observed << " " << c.reason << ": " << c.detail;
}

/// True (and the test is skipped) when the kernel lacked what the run needs: nscheck skips such
/// cells with the reason, and so does the test.
bool kernel_lacks_it(const RunResult& r) {
  for (const auto& st : r.report.stages)
    for (const auto& c : st.cells)
      if (c.status == CellStatus::skipped) {
        std::printf("skipped: %s\n", std::string(c.detail).c_str());
        return true;
      }
  return false;
}

// --- policy-rule selectors ----------------------------------------------------------------------
// The client's main table has no route to the server; table isp (100) has the default routes of
// both families. Only a rule that selects the probe reaches the server, so every OK below needs
// its rule, and every NG shows what the rule did not select.

const std::string k_isp_routes = "\"default via 192.0.2.254 table isp\", \"default via 2001:db8:1::fe table isp\"";

std::string rules_client(const std::string& rules, const std::string& routes = "", const std::string& tables = "") {
  return "tables = { isp = 100" + tables + " }\nroutes = [" + k_isp_routes + routes + "]\nrules = [" + rules + "]\n";
}

TEST(PolicyRules, ToSelectsByDestination) {
  const auto r = run_text(
      topology({.client = rules_client("\"to 198.51.100.1/32 table isp\", \"to 2001:db8:2::1/128 lookup isp\""),
                .server = k_server_back}) +
      "[[stages]]\n" + check("icmp", "198.51.100.1", "OK") + check("icmp", "2001:db8:2::1", "OK") +
      check("icmp", "198.51.100.2", "NG") + check("icmp", "2001:db8:2::2", "NG"));
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "icmp", "198.51.100.2").reason, "no-route");
  EXPECT_EQ(cell(r, 0, "icmp", "2001:db8:2::2").reason, "no-route");
}

// An nft rule in the client marks what goes to the server's first addresses; "fwmark" (no from
// or to: both families) sends the marked packets to table isp. The main table's on-link routes
// only let the packets reach the output hook: through them nobody answers.
TEST(PolicyRules, FwmarkSetByNftSelects) {
  const std::string mark = R"(nft = """
table inet marks {
  chain out {
    type route hook output priority mangle; policy accept;
    ip daddr 198.51.100.1 meta mark set 0x1
    ip6 daddr 2001:db8:2::1 meta mark set 0x1
  }
}
"""
)";
  const auto r = run_text(topology({.client = rules_client("\"fwmark 0x1/0xff table isp\"",
                                                           ", \"198.51.100.0/24 dev c0\", \"2001:db8:2::/64 dev c0\"") +
                                              mark,
                                    .server = k_server_back}) +
                          "[[stages]]\n" + check("icmp", "198.51.100.1", "OK") + check("icmp", "2001:db8:2::1", "OK") +
                          check("tcp/80", "198.51.100.1", "OK", "answered_by = \"server\"") +
                          check("icmp", "198.51.100.2", "NG") + check("icmp", "2001:db8:2::2", "NG"));
  if (kernel_lacks_it(r)) GTEST_SKIP() << "the kernel lacks nf_tables";
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "icmp", "198.51.100.2").reason, "timeout") << "unmarked: on-link, nobody answers";
}

// "oif c0" selects sockets bound to c0: the bound probe reaches the server, the unbound one finds
// no route. Bound without the rule, the kernel would take the server for on-link (a timeout).
TEST(PolicyRules, OifSelectsSocketsBoundToTheInterface) {
  const auto r = run_text(topology({.client = rules_client("\"oif c0 table isp\""), .server = k_server_back}) +
                          "[[stages]]\n" + check("icmp", "198.51.100.1", "OK", "source = \"c0\"") +
                          check("icmp", "2001:db8:2::1", "OK", "source = \"c0\"") +
                          check("icmp", "198.51.100.1", "NG") + check("icmp", "2001:db8:2::1", "NG"));
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "icmp", "198.51.100.1").reason, "no-route");
  EXPECT_EQ(cell(r, 0, "icmp", "2001:db8:2::1").reason, "no-route");
}

// "iif lo" selects what the node sends itself: the client's own probes reach the server through
// table isp; on the router, "iif lo" sends its own probes into an unreachable route, while what
// it forwards (in on r0) still follows the main table.
TEST(PolicyRules, IifLoSelectsWhatTheNodeSendsItself) {
  const auto r = run_text(
      topology({.client = rules_client("\"iif lo table isp\""),
                .router = "tables = { blk = 100 }\nroutes = [\"unreachable 198.51.100.0/24 table blk\", "
                          "\"unreachable 2001:db8:2::/64 table blk\"]\nrules = [\"iif lo table blk pref 100\"]\n",
                .server = k_server_back}) +
      "[[stages]]\n" + check("icmp", "198.51.100.1", "OK") + check("icmp", "2001:db8:2::1", "OK") +
      check("icmp", "198.51.100.1", "NG", "", "router") + check("icmp", "2001:db8:2::1", "NG", "", "router"));
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "icmp", "198.51.100.1", "router").reason, "local-host-unreachable");
  EXPECT_EQ(cell(r, 0, "icmp", "2001:db8:2::1", "router").reason, "local-host-unreachable");
}

// Two rules for the server: one to table isp, one to table blk (unreachable). The lower
// preference wins. The winner is written first: without preferences the kernel puts each new
// rule above the ones before it, and the other table would win.
TEST(PolicyRules, TheLowerPreferenceWinsWhateverItsKeyword) {
  const struct {
    const char* keyword;
    bool isp_first;
  } cases[] = {{"priority", false}, {"pref", true}, {"preference", false}, {"order", true}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.keyword);
    const std::string kw = c.keyword;
    const std::string isp = "\"to 198.51.100.0/24 table isp " + kw + " " + (c.isp_first ? "100" : "200") + "\"";
    const std::string blk = "\"to 198.51.100.0/24 table blk " + kw + " " + (c.isp_first ? "200" : "100") + "\"";
    const auto r =
        run_text(topology({.client = rules_client(c.isp_first ? isp + ", " + blk : blk + ", " + isp,
                                                  ", \"unreachable 198.51.100.0/24 table blk\"", ", blk = 200"),
                           .server = k_server_back}) +
                 "[[stages]]\n" + check("icmp", "198.51.100.1", c.isp_first ? "OK" : "NG"));
    expect_all_pass(r);
    if (!c.isp_first) {
      EXPECT_EQ(cell(r, 0, "icmp", "198.51.100.1").reason, "local-host-unreachable");
    }
  }
}

// "from all" and "to all" select everything, and a rule without a prefix is added for both
// families.
TEST(PolicyRules, AllSelectsEverythingOfBothFamilies) {
  for (const char* rule : {"\"from all lookup isp\"", "\"to all table isp\""}) {
    SCOPED_TRACE(rule);
    const auto r = run_text(topology({.client = rules_client(rule), .server = k_server_back}) + "[[stages]]\n" +
                            check("icmp", "198.51.100.1", "OK") + check("icmp", "2001:db8:2::1", "OK") +
                            check("tcp/80", "2001:db8:2::2", "OK"));
    expect_all_pass(r);
  }
}

// --- NAT over IPv6 --------------------------------------------------------------------------------
// The server has no route back to the client: only a translated source lets the answer return.

const std::string k_client_v6 = "routes = [\"default via 2001:db8:1::fe\"]\n";

TEST(Nat6, MasqueradeMakesTheServerSeeTheRouter) {
  const auto r = run_text(
      topology({.client = k_client_v6, .router = "masquerade = { from = \"2001:db8:1::/64\", out = \"r1\" }\n"}) +
      "[[stages]]\n" + check("tcp/80", "2001:db8:2::1", "OK", "seen_from = \"2001:db8:2::fe\"") +
      check("udp/53", "2001:db8:2::1", "OK", "seen_from = \"2001:db8:2::fe\""));
  if (kernel_lacks_it(r)) GTEST_SKIP() << "the kernel lacks IPv6 NAT";
  expect_all_pass(r);
  for (const char* probe : {"tcp/80", "udp/53"}) {
    const auto& c = cell(r, 0, probe, "2001:db8:2::1");
    EXPECT_EQ(c.seen_from.substr(0, 17), "[2001:db8:2::fe]:") << probe << ": " << c.seen_from;
    EXPECT_EQ(c.answered_by, "server") << probe;
  }
}

TEST(Nat6, SnatRewritesToTheGivenAddress) {
  const auto r =
      run_text(topology({.client = k_client_v6,
                         .router = "snat = { from = \"2001:db8:1::/64\", out = \"r1\", to = \"2001:db8:2::77\" }\n",
                         .r1_extra = ", \"2001:db8:2::77/64\""}) +
               "[[stages]]\n" + check("tcp/80", "2001:db8:2::1", "OK", "seen_from = \"2001:db8:2::77\"") +
               check("udp/53", "2001:db8:2::1", "OK", "seen_from = \"2001:db8:2::77\""));
  if (kernel_lacks_it(r)) GTEST_SKIP() << "the kernel lacks IPv6 NAT";
  expect_all_pass(r);
  for (const char* probe : {"tcp/80", "udp/53"})
    EXPECT_EQ(cell(r, 0, probe, "2001:db8:2::1").seen_from.substr(0, 17), "[2001:db8:2::77]:") << probe;
}

// A DNAT without `in` catches what comes in on any interface (the client's r0 and the peer's r2);
// without `to_port` the port stays (the server listens on 8080 itself). The router listens on
// 8080 too (it is the target): a DNAT that did not happen is an answered-by mismatch.
TEST(Nat6, DnatWithoutInOrToPortOnAnyInterfaceKeepsThePort) {
  const std::string peer = R"(
[nodes.peer]
routes = ["default via 2001:db8:3::fe"]
[[links]]
a = { node = "router", ifname = "r2", addresses = ["2001:db8:3::fe/64"] }
b = { node = "peer", ifname = "p0", addresses = ["2001:db8:3::1/64"] }
)";
  const auto r = run_text(
      topology({.client = k_client_v6,
                .router = "dnat = [{ proto = \"tcp\", port = 8080, to = \"2001:db8:2::1\" },\n"
                          "        { proto = \"udp\", port = 5353, to = \"2001:db8:2::1\", to_port = 53 }]\n",
                .server = k_server_back + "listen = [\"tcp/8080\", \"udp/53\"]\n",
                .tail = peer}) +
      "[[stages]]\n" +
      check("tcp/8080", "2001:db8:1::fe", "OK", "answered_by = \"server\"\nseen_from = \"2001:db8:1::1\"") +
      check("udp/5353", "2001:db8:1::fe", "OK", "answered_by = \"server\"") +
      check("tcp/8080", "2001:db8:3::fe", "OK", "answered_by = \"server\"\nseen_from = \"2001:db8:3::1\"", "peer") +
      check("udp/5353", "2001:db8:3::fe", "OK", "answered_by = \"server\"", "peer"));
  if (kernel_lacks_it(r)) GTEST_SKIP() << "the kernel lacks IPv6 NAT";
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "tcp/8080", "2001:db8:1::fe").answered_by, "server");
  EXPECT_EQ(cell(r, 0, "tcp/8080", "2001:db8:3::fe", "peer").answered_by, "server");
  EXPECT_NE(cell(r, 0, "tcp/8080", "2001:db8:3::fe", "peer").detail.find("at [2001:db8:2::1]:8080"), std::string::npos)
      << "the server got it on the port probed";
}

// --- stage changes that load rules ---------------------------------------------------------------

const std::string k_client_v4 = "routes = [\"default via 192.0.2.254\"]\n";

TEST(StageChanges, NftFileTakesEffectFromItsStage) {
  const auto r = run_as_file(topology({.client = k_client_v4, .server = k_server_back}) +
                             "[[stages]]\nname = \"open\"\n" + check("tcp/80", "198.51.100.1", "OK") +
                             check("tcp/22", "198.51.100.1", "OK") + "[[stages]]\nname = \"firewall\"\n" +
                             check("tcp/80", "198.51.100.1", "OK") + check("tcp/22", "198.51.100.1", "NG") +
                             "[[stages.change]]\nnode = \"router\"\nnft_file = \"" + k_data + "firewall.nft\"\n");
  if (kernel_lacks_it(r)) GTEST_SKIP() << "the kernel lacks nf_tables";
  expect_all_pass(r);
  const auto& dropped = cell(r, 1, "tcp/22", "198.51.100.1");
  EXPECT_EQ(dropped.reason, "timeout");
  EXPECT_EQ(dropped.previous, "OK");
  EXPECT_EQ(dropped.flip, report::Flip::expected);
}

TEST(StageChanges, SnatTakesEffectFromItsStage) {
  const auto r = run_text(
      topology({.client = k_client_v4, .r1_extra = ", \"198.51.100.77/24\""}) + "[[stages]]\nname = \"no nat\"\n" +
      check("tcp/80", "198.51.100.1", "NG") + "[[stages]]\nname = \"snat\"\n" +
      check("tcp/80", "198.51.100.1", "OK", "seen_from = \"198.51.100.77\"") +
      "[[stages.change]]\nnode = \"router\"\nsnat = { from = \"192.0.2.0/24\", to = \"198.51.100.77\" }\n");
  if (kernel_lacks_it(r)) GTEST_SKIP() << "the kernel lacks NAT";
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "tcp/80", "198.51.100.1").reason, "timeout") << "no route back without NAT";
  const auto& c = cell(r, 1, "tcp/80", "198.51.100.1");
  EXPECT_EQ(c.seen_from.substr(0, 14), "198.51.100.77:") << c.seen_from;
  EXPECT_EQ(c.flip, report::Flip::expected);
}

// Before the change the router's own listener answers 192.0.2.254:8080; from the change on the
// server's does.
TEST(StageChanges, DnatTakesEffectFromItsStage) {
  const auto r =
      run_text(topology({.client = k_client_v4, .server = k_server_back + "listen = [\"tcp/80\"]\n"}) +
               "[[stages]]\nname = \"router\"\n" + check("tcp/8080", "192.0.2.254", "OK", "answered_by = \"router\"") +
               "[[stages]]\nname = \"dnat\"\n" + check("tcp/8080", "192.0.2.254", "OK", "answered_by = \"server\"") +
               "[[stages.change]]\nnode = \"router\"\ndnat = { in = \"r0\", proto = \"tcp\", port = 8080, to = "
               "\"198.51.100.1\", "
               "to_port = 80 }\n");
  if (kernel_lacks_it(r)) GTEST_SKIP() << "the kernel lacks NAT";
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "tcp/8080", "192.0.2.254").answered_by, "router");
  const auto& c = cell(r, 1, "tcp/8080", "192.0.2.254");
  EXPECT_EQ(c.answered_by, "server");
  EXPECT_EQ(c.seen_from.substr(0, 10), "192.0.2.1:") << c.seen_from;
}

// --- route_del among several routes to one destination ------------------------------------------

// prohibit (metric 10) shadows blackhole (20), which shadows the way through the router (30).
// Deleting the blackhole by its type leaves the prohibit in front; had the type been ignored, the
// first route (the prohibit) would have gone and the blackhole would answer.
TEST(RouteDel, TheTypeSelectsTheRoute) {
  const auto r = run_text(
      topology({.client = "routes = [\"prohibit 198.51.100.0/24 metric 10\", \"blackhole 198.51.100.0/24 metric 20\", "
                          "\"198.51.100.0/24 via 192.0.2.254 metric 30\"]\n",
                .server = k_server_back}) +
      "[[stages]]\nname = \"all three\"\n" + check("icmp", "198.51.100.1", "NG") +
      "[[stages]]\nname = \"blackhole gone\"\n" + check("icmp", "198.51.100.1", "NG") +
      "[[stages.change]]\nnode = \"client\"\nroute_del = \"blackhole 198.51.100.0/24\"\n" +
      "[[stages]]\nname = \"prohibit gone\"\n" + check("icmp", "198.51.100.1", "OK") +
      "[[stages.change]]\nnode = \"client\"\nroute_del = \"prohibit 198.51.100.0/24\"\n");
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "icmp", "198.51.100.1").reason, "local-prohibited");
  EXPECT_EQ(cell(r, 1, "icmp", "198.51.100.1").reason, "local-prohibited");
}

// IPv6 deletes by metric (the kernel ignores the type there): deleting metric 20 must leave the
// unreachable route of metric 10 in front.
TEST(RouteDel, TheMetricSelectsTheRoute) {
  const auto r = run_text(
      topology({.client =
                    "routes = [\"unreachable 2001:db8:2::/64 metric 10\", \"prohibit 2001:db8:2::/64 metric 20\", "
                    "\"2001:db8:2::/64 via 2001:db8:1::fe metric 30\"]\n",
                .server = k_server_back}) +
      "[[stages]]\nname = \"all three\"\n" + check("icmp", "2001:db8:2::1", "NG") +
      "[[stages]]\nname = \"metric 20 gone\"\n" + check("icmp", "2001:db8:2::1", "NG") +
      "[[stages.change]]\nnode = \"client\"\nroute_del = \"prohibit 2001:db8:2::/64 metric 20\"\n" +
      "[[stages]]\nname = \"metric 10 gone\"\n" + check("icmp", "2001:db8:2::1", "OK") +
      "[[stages.change]]\nnode = \"client\"\nroute_del = \"unreachable 2001:db8:2::/64 metric 10\"\n");
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "icmp", "2001:db8:2::1").reason, "local-host-unreachable");
  EXPECT_EQ(cell(r, 1, "icmp", "2001:db8:2::1").reason, "local-host-unreachable");
}

// The same unreachable route in tables t1 and t2; a rule sends the server's first address to t1,
// its second to t2. Deleting t2's (by number) frees the second address only.
TEST(RouteDel, TheTableSelectsTheRoute) {
  const auto r = run_text(
      topology({.client =
                    "tables = { t1 = 100, t2 = 200 }\nroutes = [\"unreachable 198.51.100.0/24 table t1\", "
                    "\"unreachable 198.51.100.0/24 table t2\", \"198.51.100.0/24 via 192.0.2.254\"]\n"
                    "rules = [\"to 198.51.100.1/32 table t1 pref 100\", \"to 198.51.100.2/32 table t2 pref 200\"]\n",
                .server = k_server_back}) +
      "[[stages]]\nname = \"both\"\n" + check("icmp", "198.51.100.1", "NG") + check("icmp", "198.51.100.2", "NG") +
      "[[stages]]\nname = \"t2 gone\"\n" + check("icmp", "198.51.100.1", "NG") + check("icmp", "198.51.100.2", "OK") +
      "[[stages.change]]\nnode = \"client\"\nroute_del = \"unreachable 198.51.100.0/24 table 200\"\n");
  expect_all_pass(r);
  for (std::size_t st = 0; st < 2; ++st)
    EXPECT_EQ(cell(r, st, "icmp", "198.51.100.1").reason, "local-host-unreachable") << "stage " << st;
  EXPECT_EQ(cell(r, 1, "icmp", "198.51.100.2").flip, report::Flip::expected);
}

// --- bridges --------------------------------------------------------------------------------------

// br0 has its own MTU (below its port's 1500, which the bridge would otherwise take) and MAC; br1
// is left down, so its address does not answer.
constexpr const char* k_bridges = R"(
probe = { deadline_ms = 200 }
[nodes.r]
bridges = [{ name = "br0", ports = ["r-p1"], addresses = ["192.0.2.254/24"], mtu = 1400, mac = "02:00:00:00:00:aa" },
           { name = "br1", ports = ["r-p2"], addresses = ["198.51.100.254/24"], up = false }]
[nodes.h1]
[nodes.h2]
[[links]]
a = { node = "r", ifname = "r-p1" }
b = { node = "h1", ifname = "h1-0", addresses = ["192.0.2.1/24"] }
[[links]]
a = { node = "r", ifname = "r-p2" }
b = { node = "h2", ifname = "h2-0", addresses = ["198.51.100.1/24"] }
[[stages]]
expect = """
    192.0.2.254  198.51.100.254
h1  OK           -
h2  -            NG
"""
)";

// A nexthop clause with `onlink` (and a weight): the gateway 10.9.9.1 is in none of src's
// subnets, so the kernel refuses the route unless RTNH_F_ONLINK reaches it; src then ARPs for
// the gateway on s1, and r1, which holds it, answers. The second route names its table `main`
// (a name every node has) and writes weight before onlink.
TEST(Nexthops, OnlinkAndWeightInANexthopClause) {
  const auto r = run_text(R"(name = "nexthop onlink"
probe = { deadline_ms = 200 }
[nodes.src]
routes = ["10.1.0.0/16 nexthop via 10.9.9.1 dev s1 onlink weight 5",
          "10.2.0.0/16 table main nexthop via 10.9.9.1 dev s1 weight 2 onlink"]
[nodes.r1]
[[links]]
a = { node = "src", ifname = "s1", addresses = ["192.0.2.2/24"] }
b = { node = "r1", ifname = "r1a", addresses = ["192.0.2.1/24", "10.9.9.1/32", "10.1.0.1/32", "10.2.0.1/32"] }
[[stages]]
[[stages.check]]
from = "src"
to = "10.1.0.1"
expect = "OK"
[[stages.check]]
from = "src"
to = "10.2.0.1"
expect = "OK"
)");
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "icmp", "10.1.0.1", "src").observed, report::Verdict::ok);
  EXPECT_EQ(cell(r, 0, "icmp", "10.2.0.1", "src").observed, report::Verdict::ok);
}

TEST(Bridges, MtuMacAndUpAreApplied) {
  auto s = scenario::parse_scenario(k_bridges, "t.toml");
  ASSERT_TRUE(s.ok()) << s.error().message;
  {
    auto topo = topology::Topology::build(topology::plan_topology(*s));
    ASSERT_TRUE(topo.ok()) << topo.error().message;
    EXPECT_EQ(test::query(topo->ns_fd(0), "br0", SIOCGIFMTU).ifr_mtu, 1400);
    EXPECT_EQ(test::query(topo->ns_fd(0), "r-p1", SIOCGIFMTU).ifr_mtu, 1500);
    const auto mac = test::query(topo->ns_fd(0), "br0", SIOCGIFHWADDR);
    EXPECT_EQ(std::memcmp(mac.ifr_hwaddr.sa_data, "\x02\x00\x00\x00\x00\xaa", 6), 0);
    EXPECT_TRUE(test::query(topo->ns_fd(0), "br0", SIOCGIFFLAGS).ifr_flags & IFF_UP);
    EXPECT_FALSE(test::query(topo->ns_fd(0), "br1", SIOCGIFFLAGS).ifr_flags & IFF_UP);
  }
  const auto r = run_parsed(s);
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "icmp", "198.51.100.254", "h2").reason, "timeout");
}

// --- node rulesets as arrays ------------------------------------------------------------------------
// The first batch makes the router drop what it forwards (but answers); the second lets web
// traffic through. tcp/80 passes only if both were loaded, tcp/22 and ICMP stop only if the first
// was.

std::string array_stage() {
  return "[[stages]]\n" + check("tcp/80", "198.51.100.1", "OK") + check("tcp/22", "198.51.100.1", "NG") +
         check("icmp", "198.51.100.1", "NG");
}

TEST(NodeRulesets, NftArrayLoadsEveryBatch) {
  const std::string nft =
      "nft = [\"add table inet f\\nadd chain inet f through { type filter hook forward priority 0; policy drop; }\\n"
      "add rule inet f through ct state established,related accept\",\n"
      "       \"add rule inet f through tcp dport 80 accept\"]\n";
  const auto r = run_text(topology({.client = k_client_v4, .router = nft, .server = k_server_back}) + array_stage());
  if (kernel_lacks_it(r)) GTEST_SKIP() << "the kernel lacks nf_tables";
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "tcp/22", "198.51.100.1").reason, "timeout");
}

TEST(NodeRulesets, NftFileArrayLoadsEveryFile) {
  const std::string files = "nft_file = [\"" + k_data + "forward_drop.nft\", \"" + k_data + "forward_web.nft\"]\n";
  const auto r =
      run_as_file(topology({.client = k_client_v4, .router = files, .server = k_server_back}) + array_stage());
  if (kernel_lacks_it(r)) GTEST_SKIP() << "the kernel lacks nf_tables";
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "tcp/22", "198.51.100.1").reason, "timeout");
}

}  // namespace
}  // namespace nscheck::run
