// Scenario keys that only real namespaces prove: stage defaults, deadline_ms and count, "all NG"
// and "-" cells, route options (dev, src, metric, table), node sysctls in both forms, a veth with
// both ends in one node and link_mtu. Each test runs a whole scenario in-process and asserts the
// verdicts, reasons and report fields; where the kernel state itself is the point, the test reads
// it inside the run's own namespaces (kept_run.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "run/kept_run.hpp"
#include "run/runner.hpp"
#include "run/run_text.hpp"
#include "scenario/loader.hpp"

namespace nscheck::run {
namespace {

using report::CellStatus;

/// client (192.0.2.1) -- router -- server (198.51.100.1); both ends route by default through the
/// router. Extra node keys go right after each node's header.
std::string topology(const std::string& router_keys = "", const std::string& client_keys = "",
                     const std::string& server_keys = "") {
  return R"(name = "keys"
[nodes.client]
)" + client_keys + R"(
[nodes.router]
)" + router_keys + R"(
[nodes.server]
routes = ["default via 198.51.100.254"]
)" + server_keys + R"(
[[links]]
a = { node = "client", ifname = "c0", addresses = ["192.0.2.1/24"] }
b = { node = "router", ifname = "r0", addresses = ["192.0.2.254/24"] }
[[links]]
a = { node = "router", ifname = "r1", addresses = ["198.51.100.254/24"] }
b = { node = "server", ifname = "s0", addresses = ["198.51.100.1/24"] }
)";
}

const std::string k_client_default = "routes = [\"default via 192.0.2.254\"]\n";
const std::string k_forwarding = "sysctl = { \"net.ipv4.ip_forward\" = 1 }\n";

const report::Stage& stage(const RunResult& r, std::size_t i) {
  static const report::Stage none;
  if (i < r.report.stages.size()) return r.report.stages[i];
  ADD_FAILURE() << "no stage " << i;
  return none;
}

/// The cells of stage `i` from `source` for (probe, address).
std::vector<const report::Cell*> cells_of(const RunResult& r, std::size_t i, const std::string& source,
                                          const std::string& probe, const std::string& address) {
  std::vector<const report::Cell*> out;
  for (const auto& c : stage(r, i).cells)
    if (c.source == source && c.probe == probe && c.address == address) out.push_back(&c);
  return out;
}

/// The one cell of stage `i` from `source` for (probe, address); fails the test when there is
/// none or more than one.
const report::Cell& cell(const RunResult& r, std::size_t i, const std::string& source, const std::string& probe,
                         const std::string& address) {
  static const report::Cell none;
  const auto found = cells_of(r, i, source, probe, address);
  if (found.size() == 1) return *found.front();
  ADD_FAILURE() << found.size() << " cells " << source << " -> " << address << " " << probe << " in stage " << i;
  return none;
}

std::size_t count_probe(const report::Stage& st, const std::string& probe) {
  return static_cast<std::size_t>(
      std::count_if(st.cells.begin(), st.cells.end(), [&](const report::Cell& c) { return c.probe == probe; }));
}

void expect_all_pass(const RunResult& r) {
  for (std::size_t i = 0; i < r.report.stages.size(); ++i)
    for (const auto& c : r.report.stages[i].cells)
      EXPECT_EQ(c.status, CellStatus::pass) << "stage " << i << ": " << c.source << " -> " << c.address << " "
                                            << c.probe << ": expected " << c.expected << ", observed " << c.observed
                                            << " (" << c.detail << ")";
}

std::string check(const std::string& from, const std::string& to, const std::string& expect,
                  const std::string& extra = "") {
  return "[[stages.check]]\nfrom = \"" + from + "\"\nto = \"" + to + "\"\nexpect = \"" + expect + "\"\n" + extra + "\n";
}

/// The 1-based line of the first occurrence of `needle` in text.
int line_of(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

// ---- default -----------------------------------------------------------------------------------

// default = "OK" probes every node-to-node ICMP pair the checks leave out, the node itself
// included: 3 x 3 pairs, the router's two addresses probed one by one (3 + 6 + 3 = 12 cells).
// Forwarding is off: the two listed pairs keep their NG, and every defaulted pair is OK.
TEST(StageDefault, AStringJudgesEveryIcmpPairNotListed) {
  const std::string text = topology("", k_client_default) + "[[stages]]\ndeadline_ms = 200\ndefault = \"OK\"\n" +
                           check("client", "server", "NG") + check("server", "client", "NG");
  const auto r = run_text(text);
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  const auto& st = stage(r, 0);
  EXPECT_EQ(st.cells.size(), 12u);
  EXPECT_EQ(count_probe(st, "icmp"), 12u) << "a string default is for ICMP only";
  expect_all_pass(r);
  const auto& listed = cell(r, 0, "client", "icmp", "198.51.100.1");
  EXPECT_EQ(listed.expected, "NG");
  EXPECT_EQ(listed.reason, "timeout") << listed.detail;
  EXPECT_EQ(listed.line, line_of(text, "[[stages.check]]")) << "the check's own line, not the default's";
  const auto& defaulted = cell(r, 0, "client", "icmp", "198.51.100.254");
  EXPECT_EQ(defaulted.expected, "OK");
  EXPECT_EQ(defaulted.observed, "OK");
  EXPECT_EQ(defaulted.line, line_of(text, "default = "));
  for (const auto* c : cells_of(r, 0, "server", "icmp", "198.51.100.1")) EXPECT_EQ(c->expected, "OK");
}

// default."tcp/80" = "NG": every node pair not listed is probed on tcp/80 alone (no ICMP cell).
// Client and router close the port (services), so their cells are refused; the three pairs to
// the server are listed with OK and keep it.
TEST(StageDefault, ATableJudgesPerProbeKind) {
  const std::string tcp_ok = "probe = \"tcp/80\"\n";
  const std::string text = topology(k_forwarding + "services = [\"tcp/80\"]\n",
                                    k_client_default + "services = [\"tcp/80\"]\n") +
                           "[[stages]]\ndeadline_ms = 200\ndefault.\"tcp/80\" = \"NG\"\n" +
                           check("client", "server", "OK", tcp_ok) + check("router", "server", "OK", tcp_ok) +
                           check("server", "server", "OK", tcp_ok);
  const auto r = run_text(text);
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  const auto& st = stage(r, 0);
  // 6 default pairs to client (1 address) and router (2 addresses): 3 + 6 cells; 3 listed cells
  EXPECT_EQ(st.cells.size(), 12u);
  EXPECT_EQ(count_probe(st, "tcp/80"), 12u);
  EXPECT_EQ(count_probe(st, "icmp"), 0u) << "a table default names its probe kinds";
  expect_all_pass(r);
  for (const char* source : {"client", "router", "server"}) {
    for (const char* address : {"192.0.2.1", "192.0.2.254", "198.51.100.254"}) {
      const auto& c = cell(r, 0, source, "tcp/80", address);
      EXPECT_EQ(c.expected, "NG") << source << " -> " << address;
      EXPECT_EQ(c.reason, "refused") << source << " -> " << address << ": " << c.detail;
    }
    const auto& listed = cell(r, 0, source, "tcp/80", "198.51.100.1");
    EXPECT_EQ(listed.expected, "OK") << source;
    EXPECT_EQ(listed.answered_by, "server") << source << ": " << listed.detail;
  }
}

// ---- deadline_ms and count ---------------------------------------------------------------------

// [probe] sets every stage's deadline and count; a stage's own keys override each one alone. A
// silent drop (forwarding off) sends every request and says how many, within which deadline.
// Requests go out deadline / count apart: at least 100 ms, so a loaded machine still sends all.
TEST(StageProbe, DeadlineAndCountOverrideTheProbeTable) {
  const std::string ng_both = check("client", "server", "NG") + check("client", "server", "NG", "probe = \"tcp/80\"");
  std::string text = topology("", k_client_default);
  text.insert(text.find('\n') + 1, "[probe]\ndeadline_ms = 400\ncount = 3\n");
  const auto r = run_text(text +
                          "[[stages]]\nname = \"from probe\"\n" + ng_both +
                          "[[stages]]\nname = \"own\"\ndeadline_ms = 300\ncount = 2\n" + ng_both +
                          "[[stages]]\nname = \"count only\"\ncount = 4\n" + ng_both);
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  expect_all_pass(r);
  struct Want {
    int deadline_ms, count;
  };
  const Want want[] = {{400, 3}, {300, 2}, {400, 4}};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& st = stage(r, i);
    EXPECT_EQ(st.deadline_ms, want[i].deadline_ms) << st.name;
    EXPECT_EQ(st.count, want[i].count) << st.name;
    const auto& icmp = cell(r, i, "client", "icmp", "198.51.100.1");
    EXPECT_EQ(icmp.reason, "timeout") << st.name;
    EXPECT_EQ(icmp.sent, want[i].count) << st.name;
    EXPECT_EQ(icmp.detail, "no reply within " + std::to_string(want[i].deadline_ms) + " ms (" +
                               std::to_string(want[i].count) + " requests sent)");
    const auto& tcp = cell(r, i, "client", "tcp/80", "198.51.100.1");
    EXPECT_EQ(tcp.reason, "timeout") << st.name;
    EXPECT_EQ(tcp.sent, want[i].count) << st.name;
    EXPECT_EQ(tcp.detail, "no reply within " + std::to_string(want[i].deadline_ms) + " ms (" +
                              std::to_string(want[i].count) + " connection attempts sent)");
  }
}

// ---- "all NG" and "-" --------------------------------------------------------------------------

const std::string k_two_nodes = R"(name = "two"
[nodes.a]
[nodes.b]
[[links]]
a = { node = "a", ifname = "a0", addresses = ["192.0.2.1/24"] }
b = { node = "b", ifname = "b0", addresses = ["192.0.2.2/24"] }
)";

// "all NG" expects NG of every node to every node, itself included: with every node's output
// dropped all four cells pass as NG; once the rules are gone, the same pairs are OK.
TEST(StageExpect, AllNgIsEveryNodeToEveryNode) {
  const std::string drop = "nft = \"add table inet f\\nadd chain inet f out { type filter hook output priority 0; "
                           "policy drop; }\"\n";
  std::string text = k_two_nodes;
  text.replace(text.find("[nodes.a]\n") + 10, 0, drop);
  text.replace(text.find("[nodes.b]\n") + 10, 0, drop);
  const auto r = run_text(text + "[[stages]]\nname = \"dropped\"\ndeadline_ms = 200\nexpect = \"all NG\"\n" +
                          "[[stages]]\nname = \"flushed\"\ndeadline_ms = 200\nexpect = \"all OK\"\n" +
                          "[[stages.change]]\nnode = \"a\"\nnft_flush = true\n" +
                          "[[stages.change]]\nnode = \"b\"\nnft_flush = true\n");
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  expect_all_pass(r);
  for (std::size_t i = 0; i < 2; ++i) {
    ASSERT_EQ(stage(r, i).cells.size(), 4u) << "a, b to a, b";
    for (const char* source : {"a", "b"})
      for (const char* address : {"192.0.2.1", "192.0.2.2"}) {
        const auto& c = cell(r, i, source, "icmp", address);
        EXPECT_EQ(c.expected, i == 0 ? "NG" : "OK") << source << " -> " << address;
        if (i == 0) {
          EXPECT_EQ(c.reason, "local-prohibited") << "the output hook refuses the send: " << c.detail;
        }
      }
  }
}

// "-" is not probed: no cell at all, so the report holds only the cells written. A default
// fills the pairs that expect and check do not mention; a "-" mentions its pair, so it stays
// unprobed next to a default too (here NG, which these reachable pairs would fail).
TEST(StageExpect, DashCellsAreNotProbed) {
  const std::string matrix = "expect = \"\"\"\n   a   b\na  -   OK\nb  OK  -\n\"\"\"\n";
  const auto r = run_text(k_two_nodes + "[[stages]]\nname = \"dashes\"\ndeadline_ms = 200\n" + matrix +
                          "[[stages]]\nname = \"dashes and a default\"\ndeadline_ms = 200\ndefault = \"NG\"\n" + matrix);
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  expect_all_pass(r);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(stage(r, i).cells.size(), 2u) << stage(r, i).name;
    EXPECT_EQ(cells_of(r, i, "a", "icmp", "192.0.2.1").size(), 0u) << stage(r, i).name;
    EXPECT_EQ(cells_of(r, i, "b", "icmp", "192.0.2.2").size(), 0u) << stage(r, i).name;
    EXPECT_EQ(cell(r, i, "a", "icmp", "192.0.2.2").expected, "OK");
    EXPECT_EQ(cell(r, i, "b", "icmp", "192.0.2.1").expected, "OK");
  }
}

// ---- routes ------------------------------------------------------------------------------------

// Two subnets on one wire: "PREFIX dev IF" (no via) makes the other side reachable on-link, one
// route each way; without them the sender has no route.
TEST(Routes, DevWithoutViaIsOnLink) {
  const auto r = run_text(R"(name = "onlink"
[nodes.a]
[nodes.b]
[[links]]
a = { node = "a", ifname = "a0", addresses = ["10.1.0.1/24"] }
b = { node = "b", ifname = "b0", addresses = ["10.2.0.2/24"] }
[[stages]]
name = "no route"
deadline_ms = 200
)" + check("a", "b", "NG") + R"([[stages]]
name = "on-link"
deadline_ms = 200
routes.a = ["10.2.0.0/24 dev a0"]
routes.b = ["10.1.0.0/24 dev b0"]
)" + check("a", "b", "OK") + check("b", "a", "OK"));
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "a", "icmp", "10.2.0.2").reason, "no-route");
  EXPECT_EQ(cell(r, 1, "a", "icmp", "10.2.0.2").observed, "OK");
  EXPECT_EQ(cell(r, 1, "b", "icmp", "10.1.0.1").observed, "OK");
}

// "src ADDR" picks the source of what the route carries: the server's listener sees the second
// address of c0 through that route, and the primary one on the connected route.
TEST(Routes, SrcIsTheSourceTheDestinationSees) {
  const std::string tcp = "probe = \"tcp/80\"\n";
  const auto r = run_text(R"(name = "src"
[nodes.client]
routes = ["203.0.113.2/32 via 192.0.2.2 src 192.0.2.9"]
[nodes.server]
loopback = ["203.0.113.2/32"]
[[links]]
a = { node = "client", ifname = "c0", addresses = ["192.0.2.1/24", "192.0.2.9/24"] }
b = { node = "server", ifname = "s0", addresses = ["192.0.2.2/24"] }
[[stages]]
deadline_ms = 200
)" + check("client", "203.0.113.2", "OK", tcp + "seen_from = \"192.0.2.9\"\nanswered_by = \"server\"") +
                          check("client", "192.0.2.2", "OK", tcp + "seen_from = \"192.0.2.1\""));
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  expect_all_pass(r);
  const auto& via_src = cell(r, 0, "client", "tcp/80", "203.0.113.2");
  EXPECT_EQ(via_src.seen_from.substr(0, 10), "192.0.2.9:") << via_src.seen_from;
  EXPECT_EQ(via_src.answered_by, "server");
  const auto& connected = cell(r, 0, "client", "tcp/80", "192.0.2.2");
  EXPECT_EQ(connected.seen_from.substr(0, 10), "192.0.2.1:") << connected.seen_from;
}

// Two routes to one prefix: the lower metric wins, whatever the order written. The other one
// leads to a gateway nobody holds, so the verdict says which route the kernel took.
TEST(Routes, TheLowerMetricWins) {
  const auto r = run_text(
      topology(k_forwarding,
               "routes = [\"198.51.100.0/24 via 192.0.2.253 metric 20\", \"198.51.100.0/24 via 192.0.2.254 metric "
               "10\"]\n") +
      "[[stages]]\nname = \"router first\"\ndeadline_ms = 200\n" + check("client", "server", "OK") +
      "[[stages]]\nname = \"nowhere first\"\ndeadline_ms = 200\n" + check("client", "server", "NG") +
      "[[stages.change]]\nnode = \"client\"\nroute_del = \"198.51.100.0/24 via 192.0.2.254 metric 10\"\n" +
      "[[stages.change]]\nnode = \"client\"\nroute = \"198.51.100.0/24 via 192.0.2.254 metric 30\"\n");
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "client", "icmp", "198.51.100.1").observed, "OK");
  EXPECT_EQ(cell(r, 1, "client", "icmp", "198.51.100.1").reason, "timeout") << "no neighbour at 192.0.2.253";
}

// A route in table 100, chosen by a rule: it beats the main table's route to nowhere; once it is
// deleted, the main table's route decides.
TEST(Routes, TableWithAPolicyRule) {
  const auto r = run_text(
      topology(k_forwarding, "routes = [\"198.51.100.0/24 via 192.0.2.253\", \"198.51.100.0/24 via 192.0.2.254 table "
                             "100\"]\nrules = [\"to 198.51.100.0/24 table 100\"]\n") +
      "[[stages]]\nname = \"table 100\"\ndeadline_ms = 200\n" + check("client", "server", "OK") +
      "[[stages]]\nname = \"main\"\ndeadline_ms = 200\n" + check("client", "server", "NG") +
      "[[stages.change]]\nnode = \"client\"\nroute_del = \"198.51.100.0/24 via 192.0.2.254 table 100\"\n");
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "client", "icmp", "198.51.100.1").observed, "OK");
  EXPECT_EQ(cell(r, 1, "client", "icmp", "198.51.100.1").reason, "timeout") << "the main table's dead gateway";
}

// ---- sysctl ------------------------------------------------------------------------------------

// The router's sysctls as strings, the server's as nested TOML; a stage's string sysctl later.
// Their effects decide verdicts, and the values are read back inside the run's own namespaces.
TEST(NodeSysctl, StringAndNestedFormsReachTheKernel) {
  const std::string tcp = "probe = \"tcp/80\"\n";
  const std::string text =
      topology("sysctl = { \"net.ipv4.ip_forward\" = \"1\", \"net.ipv4.ping_group_range\" = \"0 2147483647\" }\n",
               k_client_default, "sysctl.net.ipv4.icmp_echo_ignore_all = 1\nsysctl.net.ipv4.tcp_syn_retries = 4\n") +
      "[[stages]]\nname = \"forwarding\"\ndeadline_ms = 200\n" + check("client", "server", "OK", tcp) +
      check("client", "server", "NG") + check("client", "router", "OK") +
      "[[stages]]\nname = \"no forwarding\"\ndeadline_ms = 200\nsysctl.router = { \"net.ipv4.ip_forward\" = \"0\" }\n" +
      check("client", "server", "NG", tcp);
  std::map<std::string, std::string> seen;
  const auto r = run_kept(text, [&](const NodeFds& fds) {
    seen["router ip_forward"] = read_sysctl(fds.at("router"), "net.ipv4.ip_forward");
    seen["router ping_group_range"] = read_sysctl(fds.at("router"), "net.ipv4.ping_group_range");
    seen["server icmp_echo_ignore_all"] = read_sysctl(fds.at("server"), "net.ipv4.icmp_echo_ignore_all");
    seen["server tcp_syn_retries"] = read_sysctl(fds.at("server"), "net.ipv4.tcp_syn_retries");
    seen["client icmp_echo_ignore_all"] = read_sysctl(fds.at("client"), "net.ipv4.icmp_echo_ignore_all");
  });
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  expect_all_pass(r);
  EXPECT_EQ(cell(r, 0, "client", "icmp", "198.51.100.1").reason, "timeout") << "the server ignores echo requests";
  EXPECT_EQ(cell(r, 1, "client", "tcp/80", "198.51.100.1").reason, "timeout") << "forwarding off again";
  EXPECT_EQ(seen["router ip_forward"], "0") << "the stage's string value, last";
  EXPECT_EQ(seen["router ping_group_range"], "0\t2147483647");
  EXPECT_EQ(seen["server icmp_echo_ignore_all"], "1");
  EXPECT_EQ(seen["server tcp_syn_retries"], "4");
  EXPECT_EQ(seen["client icmp_echo_ignore_all"], "0") << "another node's namespace is untouched";
}

// ---- links -------------------------------------------------------------------------------------

// A veth with both ends in node a: it builds, each end holds its own address, and b reaches both
// through a.
TEST(Links, BothEndsInOneNode) {
  const std::string text = R"(name = "loop"
[nodes.a]
[nodes.b]
routes = ["default via 192.0.2.254"]
[[links]]
a = { node = "a", ifname = "a0", addresses = ["10.0.1.1/24"] }
b = { node = "a", ifname = "a1", addresses = ["10.0.2.1/24"] }
[[links]]
a = { node = "a", ifname = "a2", addresses = ["192.0.2.254/24"] }
b = { node = "b", ifname = "b0", addresses = ["192.0.2.1/24"] }
[[stages]]
deadline_ms = 200
expect = """
   a:a0  a:a1
a  OK    OK
b  OK    OK
"""
)";
  std::set<std::string> addresses;
  const auto r = run_kept(text, [&](const NodeFds& fds) { addresses = read_ipv4_addresses(fds.at("a")); });
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  expect_all_pass(r);
  EXPECT_EQ(stage(r, 0).cells.size(), 4u);
  EXPECT_EQ(cell(r, 0, "b", "icmp", "10.0.2.1").observed, "OK");
  EXPECT_EQ(addresses, (std::set<std::string>{"lo 127.0.0.1", "a0 10.0.1.1", "a1 10.0.2.1", "a2 192.0.2.254"}));
}

// link_mtu in a later stage changes that interface in the run's own topology, and only it.
TEST(Links, StageLinkMtuChangesTheRunsOwnLink) {
  const std::string text = topology(k_forwarding, k_client_default) +
                           "[[stages]]\nname = \"before\"\ndeadline_ms = 200\n" + check("client", "server", "OK") +
                           "[[stages]]\nname = \"mtu\"\ndeadline_ms = 200\n" + check("client", "server", "OK") +
                           "[[stages.change]]\nnode = \"router\"\nlink_mtu = { dev = \"r1\", mtu = 1280 }\n";
  std::map<std::string, int> mtu;
  const auto r = run_kept(text, [&](const NodeFds& fds) {
    mtu["router r1"] = read_mtu(fds.at("router"), "r1");
    mtu["router r0"] = read_mtu(fds.at("router"), "r0");
    mtu["server s0"] = read_mtu(fds.at("server"), "s0");
  });
  ASSERT_FALSE(r.error.has_value()) << r.error->message;
  expect_all_pass(r);
  EXPECT_EQ(mtu["router r1"], 1280);
  EXPECT_EQ(mtu["router r0"], 1500);
  EXPECT_EQ(mtu["server s0"], 1500) << "the veth peer keeps its own MTU";
}

}  // namespace
}  // namespace nscheck::run
