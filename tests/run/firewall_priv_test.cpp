// nftables in nodes, NAT short forms and stage changes, run in-process on real namespaces: the
// verdicts, their reasons and what the destination saw.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "core/netns.hpp"
#include "run/runner.hpp"
#include "run/run_text.hpp"
#include "topology/builder.hpp"
#include "scenario/loader.hpp"

namespace nscheck::run {
namespace {

const std::string k_src = NSCHECK_SOURCE_DIR;

/// client (192.0.2.1) -- router (forwarding) -- server (198.51.100.1, no route back to the
/// client's subnet unless `server_routes` gives one). Extra node keys go right after each
/// node's header.
std::string topology(const std::string& router_keys = "", const std::string& server_keys = "") {
  return R"(name = "fw"
[nodes.client]
routes = ["default via 192.0.2.254"]
[nodes.router]
sysctl = { "net.ipv4.ip_forward" = 1 }
)" + router_keys + R"(
[nodes.server]
)" + server_keys + R"(
[[links]]
a = { node = "client", ifname = "c0", addresses = ["192.0.2.1/24"] }
b = { node = "router", ifname = "r0", addresses = ["192.0.2.254/24"] }
[[links]]
a = { node = "router", ifname = "r1", addresses = ["198.51.100.254/24", "198.51.100.77/24"] }
b = { node = "server", ifname = "s0", addresses = ["198.51.100.1/24"] }
)";
}

/// The cell of stage `stage` for (probe, target address); fails the test when missing.
const report::Cell& cell(const RunResult& r, std::size_t stage, const std::string& probe, const std::string& address) {
  static const report::Cell none;
  if (stage >= r.report.stages.size()) {
    ADD_FAILURE() << "no stage " << stage;
    return none;
  }
  for (const auto& c : r.report.stages[stage].cells)
    if (c.probe == probe && c.address == address) return c;
  ADD_FAILURE() << "no cell " << probe << " " << address << " in stage " << stage;
  return none;
}

std::string check(const std::string& probe, const std::string& to, const std::string& expect,
                  const std::string& extra = "") {
  return "[[stages.check]]\nfrom = \"client\"\nto = \"" + to + "\"\nprobe = \"" + probe + "\"\nexpect = \"" + expect +
         "\"\n" + extra + "\n";
}

TEST(Firewall, MasqueradeMakesTheServerSeeTheRouter) {
  const auto r = run_text(topology() + "[[stages]]\nname = \"no nat\"\n" + check("tcp/80", "server", "NG") +
                          check("udp/53", "server", "NG") + "[[stages]]\nname = \"masquerade\"\n" +
                          check("tcp/80", "server", "OK", "seen_from = \"198.51.100.254\"\nanswered_by = \"server\"") +
                          check("udp/53", "server", "OK", "seen_from = \"198.51.100.254\"") +
                          "[[stages.change]]\nnode = \"router\"\nmasquerade = { from = \"192.0.2.0/24\", out = \"r1\" }\n");
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  EXPECT_EQ(cell(r, 0, "tcp/80", "198.51.100.1").reason, "timeout") << "no route back without NAT";
  for (const char* probe : {"tcp/80", "udp/53"}) {
    const auto& c = cell(r, 1, probe, "198.51.100.1");
    EXPECT_EQ(c.status, report::CellStatus::pass) << probe << ": " << c.detail;
    EXPECT_EQ(c.seen_from.substr(0, 15), "198.51.100.254:") << c.seen_from;
  }
}

TEST(Firewall, SnatRewritesToTheGivenAddress) {
  const auto r = run_text(topology("snat = { from = \"192.0.2.0/24\", out = \"r1\", to = \"198.51.100.77\" }\n") +
                          "[[stages]]\n" + check("tcp/80", "server", "OK", "seen_from = \"198.51.100.77\""));
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  const auto& c = cell(r, 0, "tcp/80", "198.51.100.1");
  EXPECT_EQ(c.status, report::CellStatus::pass) << c.detail;
}

TEST(Firewall, DnatPortForwardIsAnsweredBehindTheRouter) {
  const auto r = run_text(
      topology("dnat = [{ in = \"r0\", proto = \"tcp\", port = 8080, to = \"198.51.100.1\", to_port = 80 },\n"
               "        { in = \"r0\", proto = \"udp\", port = 5353, to = \"198.51.100.1\", to_port = 53 }]\n",
               "routes = [\"default via 198.51.100.254\"]\nlisten = [\"tcp/80\", \"udp/53\"]\n") +
      "[[stages]]\n" + check("tcp/8080", "192.0.2.254", "OK", "answered_by = \"server\"\nseen_from = \"192.0.2.1\"") +
      check("udp/5353", "192.0.2.254", "OK", "answered_by = \"server\"") +
      check("tcp/8081", "192.0.2.254", "OK", "answered_by = \"server\""));
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  for (const char* probe : {"tcp/8080", "udp/5353"}) {
    const auto& c = cell(r, 0, probe, "192.0.2.254");
    EXPECT_EQ(c.status, report::CellStatus::pass) << probe << ": " << c.detail;
    EXPECT_EQ(c.answered_by, "server");
  }
  // no DNAT for 8081: the router's own listener answers, and the assertion catches it
  const auto& wrong = cell(r, 0, "tcp/8081", "192.0.2.254");
  EXPECT_EQ(wrong.status, report::CellStatus::fail);
  EXPECT_EQ(wrong.reason, "answered-by-mismatch") << wrong.detail;
  EXPECT_EQ(wrong.answered_by, "router");
}

TEST(Firewall, DropAndRejectGiveTypedReasons) {
  const std::string rules = R"(nft = """
table inet filter {
  chain forward {
    type filter hook forward priority 0; policy accept;
    tcp dport 22 drop
    tcp dport 23 reject with tcp reset
    udp dport 53 reject
    tcp dport 24 reject with icmp type admin-prohibited
  }
}
"""
)";
  const auto r = run_text(topology(rules, "routes = [\"default via 198.51.100.254\"]\n") + "[[stages]]\n" +
                          check("tcp/22", "server", "NG") + check("tcp/23", "server", "NG") +
                          check("udp/53", "server", "NG") + check("tcp/24", "server", "NG") +
                          check("tcp/25", "server", "OK"));
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  EXPECT_EQ(cell(r, 0, "tcp/22", "198.51.100.1").reason, "timeout");
  EXPECT_EQ(cell(r, 0, "tcp/23", "198.51.100.1").reason, "refused");
  EXPECT_EQ(cell(r, 0, "udp/53", "198.51.100.1").reason, "port-unreachable");
  const auto& prohibited = cell(r, 0, "tcp/24", "198.51.100.1");
  EXPECT_EQ(prohibited.reason, "admin-prohibited");
  EXPECT_NE(prohibited.detail.find("from 192.0.2.254"), std::string::npos) << "the rejecting router: " << prohibited.detail;
  EXPECT_EQ(cell(r, 0, "tcp/25", "198.51.100.1").status, report::CellStatus::pass);
}

TEST(Firewall, ChangesApplyInTheOrderWritten) {
  const std::string drop = "nft = \"add table inet f\\nadd chain inet f through { type filter hook forward priority 0; }"
                           "\\nadd rule inet f through drop\"\n";
  const auto r = run_text(topology("", "routes = [\"default via 198.51.100.254\"]\n") +
                          "[[stages]]\nname = \"drop then flush\"\n" + check("tcp/80", "server", "OK") +
                          "[[stages.change]]\nnode = \"router\"\n" + drop +
                          "[[stages.change]]\nnode = \"router\"\nnft_flush = true\n" +
                          "[[stages]]\nname = \"flush then drop\"\n" + check("tcp/80", "server", "NG") +
                          "[[stages.change]]\nnode = \"router\"\nnft_flush = true\n" + "[[stages.change]]\nnode = \"router\"\n" +
                          drop);
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  EXPECT_EQ(cell(r, 0, "tcp/80", "198.51.100.1").status, report::CellStatus::pass);
  const auto& dropped = cell(r, 1, "tcp/80", "198.51.100.1");
  EXPECT_EQ(dropped.status, report::CellStatus::pass);
  EXPECT_EQ(dropped.reason, "timeout");
}

// Stage 1 masquerades and its flows succeed (conntrack records their NAT bindings); stage 2
// removes the masquerade. A probe reusing a stage-1 flow would still be translated and pass:
// every stage's probes use fresh flows and the router's conntrack table is flushed, so it must
// not.
TEST(Firewall, StaleConntrackNeverDecidesALaterStage) {
  const auto r = run_text(topology("masquerade = { from = \"192.0.2.0/24\", out = \"r1\" }\n") +
                          "[[stages]]\nname = \"masquerade\"\n" + check("tcp/80", "server", "OK") +
                          check("udp/53", "server", "OK") + check("icmp", "server", "OK") +
                          "[[stages]]\nname = \"no masquerade\"\n" + check("tcp/80", "server", "NG") +
                          check("udp/53", "server", "NG") + check("icmp", "server", "NG") +
                          "[[stages.change]]\nnode = \"router\"\nnft_flush = true\n");
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  for (const char* probe : {"tcp/80", "udp/53", "icmp"}) {
    EXPECT_EQ(cell(r, 0, probe, "198.51.100.1").status, report::CellStatus::pass) << probe;
    const auto& after = cell(r, 1, probe, "198.51.100.1");
    EXPECT_EQ(after.status, report::CellStatus::pass) << probe << ": " << after.detail;
    EXPECT_EQ(after.observed, "NG") << probe;
  }
}

TEST(StageChanges, RouteDeleteAndAddAgain) {
  const auto r = run_text(topology("", "routes = [\"default via 198.51.100.254\"]\n") + "[[stages]]\nname = \"del\"\n" +
                          check("icmp", "server", "NG") + "[[stages.change]]\nnode = \"client\"\nroute_del = \"default via 192.0.2.254\"\n" +
                          "[[stages]]\nname = \"add\"\n" + check("icmp", "server", "OK") +
                          "[[stages.change]]\nnode = \"client\"\nroute = \"default via 192.0.2.254\"\n");
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  EXPECT_EQ(cell(r, 0, "icmp", "198.51.100.1").reason, "no-route");
  EXPECT_EQ(cell(r, 1, "icmp", "198.51.100.1").status, report::CellStatus::pass);
}

TEST(StageChanges, LinkMtuIsSetInTheKernel) {
  auto s = scenario::parse_scenario(topology() + "[[stages]]\n" + check("icmp", "server", "NG") +
                                        "[[stages.change]]\nnode = \"router\"\nlink_mtu = { dev = \"r1\", mtu = 1280 }\n",
                                    "t.toml");
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::atomic<bool> stop{false};
  const auto r = run_scenario(*s, {}, stop);  // the change itself, through a stage
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  EXPECT_EQ(r.report.stages.at(0).cells.at(0).status, report::CellStatus::pass);
  auto topo = topology::Topology::build(topology::plan_topology(*s));
  ASSERT_TRUE(topo.ok()) << topo.error().message;
  ASSERT_TRUE(topo->set_mtu(1, "r1", 1280).ok());
  // the IPv6 settings of a device follow its MTU, and /proc/sys/net is the reading thread's namespace
  std::string mtu;
  auto read = run_in_netns(topo->ns_fd(1), [&]() -> Result<void> {
    std::ifstream in("/proc/sys/net/ipv6/conf/r1/mtu");
    in >> mtu;
    return {};
  });
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(mtu, "1280");
}

// net.netfilter.* keys come and go with modules, so the loader accepts any; this one exists in
// no kernel: the stage that needs it is skipped with the reason, the next one runs.
TEST(StageChanges, ASysctlTheKernelLacksSkipsTheStage) {
  const auto r = run_text(topology("", "routes = [\"default via 198.51.100.254\"]\n") +
                          "[[stages]]\nname = \"needs it\"\n" + check("icmp", "server", "OK") +
                          "[[stages.change]]\nnode = \"router\"\nsysctl = { \"net.netfilter.nscheck_no_such_key\" = 1 }\n" +
                          "[[stages]]\nname = \"after\"\n" + check("icmp", "server", "OK"));
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  const auto& skipped = cell(r, 0, "icmp", "198.51.100.1");
  EXPECT_EQ(skipped.status, report::CellStatus::skipped);
  EXPECT_NE(skipped.detail.find("the running kernel lacks this sysctl"), std::string::npos) << skipped.detail;
  EXPECT_EQ(cell(r, 1, "icmp", "198.51.100.1").status, report::CellStatus::pass);
}

TEST(StageChanges, LinkDownThenUpAgain) {
  const auto r = run_text(topology("", "routes = [\"default via 198.51.100.254\"]\n") +
                          "[[stages]]\nname = \"down\"\n" + check("icmp", "server", "NG") + check("tcp/80", "server", "NG") +
                          "[[stages.change]]\nnode = \"router\"\nlink_down = \"r1\"\n" + "[[stages]]\nname = \"up\"\n" +
                          check("icmp", "server", "OK") + check("tcp/80", "server", "OK") +
                          "[[stages.change]]\nnode = \"router\"\nlink_up = \"r1\"\n");
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  const auto& down = cell(r, 0, "icmp", "198.51.100.1");
  EXPECT_EQ(down.status, report::CellStatus::pass) << down.detail;
  EXPECT_EQ(down.reason, "net-unreachable") << "the router lost its connected route: " << down.detail;
  for (const char* probe : {"icmp", "tcp/80"}) {
    const auto& up = cell(r, 1, probe, "198.51.100.1");
    EXPECT_EQ(up.status, report::CellStatus::pass) << probe << ": " << up.detail;
  }
}

TEST(Firewall, BrokenRulesetIsAnInputErrorPointingIntoTheScenario) {
  const auto r = run_text(topology("nft = \"\"\"\ntable inet f {\n  chain c {\n    tcp dport 22 dropp\n  }\n}\n\"\"\"\n") +
                          "[[stages]]\n" + check("icmp", "server", "OK"));
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->kind, ErrorKind::input);
  EXPECT_EQ(r.error->message.substr(0, 63), "t.toml:9:23: node router: nft: syntax error, unexpected newline")
      << r.error->message;
  EXPECT_NE(r.error->message.find("tcp dport 22 dropp"), std::string::npos) << "nft's own pointer into the rule";
  ASSERT_EQ(r.report.stages.size(), 1u);
  for (const auto& c : r.report.stages[0].cells) EXPECT_EQ(c.status, report::CellStatus::not_run);
}

// nft_replace swaps the router's whole ruleset in one batch: the node's own drop table is gone
// (not just joined by an accept), and a stage after it sees only the new rules.
TEST(Firewall, ReplaceSwapsTheWholeRuleset) {
  const auto r = run_text(
      topology("nft = \"add table inet old\\nadd chain inet old f { type filter hook forward priority 0; }"
               "\\nadd rule inet old f tcp dport 80 drop\"\n",
               "routes = [\"default via 198.51.100.254\"]\n") +
      "[[stages]]\nname = \"the node's drop\"\n" + check("tcp/80", "server", "NG") + check("tcp/81", "server", "OK") +
      "[[stages]]\nname = \"replaced\"\n" + check("tcp/80", "server", "OK") + check("tcp/81", "server", "NG") +
      "[[stages.change]]\nnode = \"router\"\nnft_replace = \"add table inet new\\nadd chain inet new f { type "
      "filter hook forward priority 0; }\\nadd rule inet new f tcp dport 81 drop\"\n");
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  for (std::size_t st = 0; st < 2; ++st)
    for (const auto& c : r.report.stages.at(st).cells)
      EXPECT_EQ(c.status, report::CellStatus::pass) << "stage " << st << " " << c.probe << " " << c.detail;
  EXPECT_EQ(cell(r, 1, "tcp/81", "198.51.100.1").reason, "timeout");
}

// nft sees "flush ruleset" ahead of the user's text: its positions still land on the user's
// line and column, the first line's columns counted from where the string starts.
TEST(Firewall, ReplaceErrorsPointIntoTheScenario) {
  const std::string text = topology() + "[[stages]]\n" + check("icmp", "server", "OK") +
                           "[[stages.change]]\nnode = \"router\"\nnft_replace = \"add tabel inet f\"\n";
  const auto r = run_text(text);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->kind, ErrorKind::input) << r.error->message;
  // the key is on the text's last line; its string starts at column 16, after `nft_replace = "`,
  // and nft stops at "inet" (the 11th character of the string): column 26, not nft's 11
  const auto lines = std::count(text.begin(), text.end(), '\n');
  const std::string where = "t.toml:" + std::to_string(lines) + ":26: node router: nft_replace: ";
  EXPECT_EQ(r.error->message.substr(0, where.size()), where) << r.error->message;
}

// The kernel says EOPNOTSUPP for synproxy outside input/forward: a rule in the wrong place, not
// a missing feature (nf_tables itself answers), so an input error rather than a skip.
TEST(Firewall, AKernelRefusalOfTheRulesIsNotASkip) {
  const auto r = run_text(topology("nft = \"add table inet t\\nadd chain inet t c { type filter hook prerouting "
                                   "priority 0; }\\nadd rule inet t c synproxy mss 1460\"\n") +
                          "[[stages]]\n" + check("icmp", "server", "OK"));
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->kind, ErrorKind::input) << r.error->message;
  EXPECT_NE(r.error->message.find("Operation not supported"), std::string::npos) << r.error->message;
  for (const auto& c : r.report.stages.at(0).cells) EXPECT_EQ(c.status, report::CellStatus::not_run);
}

TEST(Firewall, RulesetFromAFileNextToTheScenario) {
  auto s = scenario::load_scenario(k_src + "/tests/run/data/firewall_file.toml");
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::atomic<bool> stop{false};
  const auto r = run_scenario(*s, {}, stop);
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  for (const auto& st : r.report.stages)
    for (const auto& c : st.cells) EXPECT_EQ(c.status, report::CellStatus::pass) << c.probe << " " << c.detail;
}

}  // namespace
}  // namespace nscheck::run
