#include "scenario/loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

namespace nscheck::scenario {
namespace {

constexpr const char* k_router = R"(name = "router"

[nodes.ns1]
routes = ["default via 192.0.2.254"]
[nodes.router]
[nodes.ns2]
routes = ["default via 198.51.100.254"]

[[links]]
a = { node = "ns1",    ifname = "ns1-veth0", addresses = ["192.0.2.1/24"] }
b = { node = "router", ifname = "gw-veth0",  addresses = ["192.0.2.254/24"] }

[[links]]
a = { node = "router", ifname = "gw-veth1",  addresses = ["198.51.100.254/24"] }
b = { node = "ns2",    ifname = "ns2-veth0", addresses = ["198.51.100.1/24"] }

[[stages]]
name = "forwarding off"
sysctl.router = { "net.ipv4.ip_forward" = 0 }
expect = """
        ns1  router  ns2
ns1     OK   OK      NG
router  OK   OK      OK
ns2     NG   OK      OK
"""

[[stages]]
name = "forwarding on"
sysctl.router = { "net.ipv4.ip_forward" = 1 }
expect = "all OK"
)";

/// The error text for a scenario that must fail.
std::string error_of(const std::string& text) {
  auto r = parse_scenario(text, "t.toml");
  EXPECT_FALSE(r.ok()) << "expected an error";
  if (r.ok()) return "";
  EXPECT_EQ(r.error().kind, ErrorKind::input);
  return r.error().message;
}

/// A scenario with one more line appended to the first stage (or anywhere after k_router).
std::string router_with(const std::string& extra) { return std::string(k_router) + extra; }

TEST(Loader, ReadsTheRouterScenario) {
  auto r = parse_scenario(k_router, "router.toml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& s = *r;
  EXPECT_EQ(s.name, "router");
  ASSERT_EQ(s.nodes.size(), 3u);
  EXPECT_EQ(s.nodes[0].name, "ns1");  // order written, not sorted
  EXPECT_EQ(s.nodes[1].name, "router");
  EXPECT_EQ(s.nodes[2].name, "ns2");
  ASSERT_EQ(s.nodes[1].interfaces.size(), 2u);
  EXPECT_EQ(s.nodes[1].interfaces[1].name, "gw-veth1");
  EXPECT_EQ(s.nodes[1].interfaces[1].addresses[0].str(), "198.51.100.254/24");
  ASSERT_EQ(s.nodes[0].routes.size(), 1u);
  EXPECT_EQ(s.nodes[0].routes[0].gateway->str(), "192.0.2.254");
  EXPECT_EQ(s.nodes[0].routes[0].destination.length, 0);
  ASSERT_EQ(s.stages.size(), 2u);
  const auto& st = s.stages[0];
  EXPECT_EQ(st.name, "forwarding off");
  ASSERT_EQ(st.sysctls.size(), 1u);
  EXPECT_EQ(st.sysctls[0].node, "router");
  EXPECT_EQ(st.sysctls[0].sysctl.key, "net.ipv4.ip_forward");
  EXPECT_EQ(st.sysctls[0].sysctl.value, "0");
  ASSERT_EQ(st.expectations.size(), 9u);
  EXPECT_EQ(st.expectations[2].from, "ns1");
  EXPECT_EQ(st.expectations[2].to.node, "ns2");
  EXPECT_EQ(st.expectations[2].expect, Verdict::ng);
  EXPECT_EQ(st.expectations[2].loc.line, 22);  // the cell's own position in the file
  EXPECT_EQ(st.expectations[2].loc.column, 22);
  ASSERT_EQ(st.matrices.size(), 1u);
  EXPECT_EQ(st.matrices[0].rows, (std::vector<std::string>{"ns1", "router", "ns2"}));
  EXPECT_EQ(s.stages[1].expectations.size(), 9u);
  EXPECT_EQ(st.probe.deadline.count(), 500);
  EXPECT_EQ(st.probe.count, 2);
}

TEST(Loader, PerPairChecksAndDefault) {
  auto r = parse_scenario(router_with(R"(
[[stages]]
name = "pairs"
default = "NG"
deadline_ms = 200
count = 3
[[stages.check]]
from = "ns1"
to = "ns2:ns2-veth0"
source = "ns1-veth0"
expect = "OK"
[[stages.check]]
from = "ns1"
to = "198.51.100.254"
expect = "ok"
)"), "t.toml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& st = r->stages[2];
  EXPECT_EQ(st.probe.deadline.count(), 200);
  EXPECT_EQ(st.probe.count, 3);
  ASSERT_EQ(st.expectations.size(), 2u + 9u);
  EXPECT_EQ(st.expectations[0].to.kind, Target::Kind::interface);
  EXPECT_EQ(st.expectations[0].source, "ns1-veth0");
  EXPECT_EQ(st.expectations[1].to.kind, Target::Kind::address);
  EXPECT_EQ(st.expectations[2].expect, Verdict::ng);  // from the default
}

TEST(Loader, SyntaxErrorHasPosition) {
  auto e = error_of("name = \"x\"\n[nodes.a\n");
  EXPECT_NE(e.find("t.toml:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("TOML syntax error"), std::string::npos) << e;
}

TEST(Loader, EmptyAndBinaryFiles) {
  EXPECT_NE(error_of("").find("t.toml:1:1: the file is empty"), std::string::npos);
  EXPECT_NE(error_of(std::string("a = 1\n\0\x01", 8)).find("t.toml:2:1: the file contains a NUL byte"),
            std::string::npos);
}

TEST(Loader, UnknownKeyWithSuggestion) {
  auto e = error_of(router_with("\n[nodes.extra]\nroutez = []\n"));
  EXPECT_NE(e.find("t.toml:33:1: unknown key \"routez\" in node \"extra\", did you mean \"routes\"?"), std::string::npos) << e;
}

TEST(Loader, UnknownNodeInLink) {
  auto text = std::string(k_router);
  text.replace(text.find("node = \"ns2\","), 13, "node = \"ns3\",");
  auto e = error_of(text);
  EXPECT_NE(e.find("t.toml:15:5: unknown node \"ns3\" in link, did you mean \"ns1\"?; nodes are: ns1, router, ns2"),
            std::string::npos) << e;
}

TEST(Loader, InterfaceNameTooLong) {
  auto text = std::string(k_router);
  text.replace(text.find("\"ns1-veth0\""), 11, "\"a-very-long-ifname\"");
  auto e = error_of(text);
  EXPECT_NE(e.find("t.toml:10:5: interface name \"a-very-long-ifname\" is 18 characters; the kernel allows at most 15"),
            std::string::npos) << e;
}

TEST(Loader, MatrixErrorsPointAtCells) {
  auto text = std::string(k_router);
  text.replace(text.find("ns2     NG   OK      OK"), 23, "ns2     NG   OK      MAYBE");
  auto e = error_of(text);
  EXPECT_NE(e.find("t.toml:24:22: matrix cell \"MAYBE\" is not OK, NG or -"), std::string::npos) << e;
}

TEST(Loader, MatrixUnknownTarget) {
  auto text = std::string(k_router);
  text.replace(text.find("        ns1  router  ns2"), 24, "        ns1  routr   ns2");
  auto e = error_of(text);
  EXPECT_NE(e.find("unknown target node \"routr\", did you mean \"router\"?"), std::string::npos) << e;
}

constexpr const char* k_two_nodes = R"([nodes.n1]
[nodes.n2]
[[links]]
a = { node = "n1", ifname = "e1", addresses = ["10.0.0.1/24"] }
b = { node = "n2", ifname = "e1", addresses = ["10.0.0.2/24"] }
[[stages]]
)";

TEST(Loader, NameProblemsComeAfterReadingProblemsAtTheSamePosition) {
  // escapes place every word of the matrix at its start: the duplicates (found while reading)
  // come first, then the unknown row name (checked with the others), once for its two cells
  auto e = error_of(std::string(k_two_nodes) + R"(expect = "  n1 n2\nzz OK OK\nzz OK NG")");
  EXPECT_EQ(e,
            "t.toml:7:10: \"zz\" to \"n1\" is already expected at line 7; give each pair once\n"
            "t.toml:7:10: \"zz\" to \"n2\" is already expected at line 7; give each pair once\n"
            "t.toml:7:10: unknown source node \"zz\", did you mean \"n1\"?; nodes are: n1, n2");
}

TEST(Loader, AnUnknownNameIsReportedAtEachPlaceItIsWritten) {
  auto e = error_of(std::string(k_two_nodes) + R"(expect = """
   n1  n3
n1 OK  OK
n3 OK  -
n3 -   NG
"""
[[stages.check]]
from = "n1"
to = "n3"
expect = "OK"
probe = "tcp/80"
)");
  EXPECT_EQ(e,
            "t.toml:8:8: unknown target node \"n3\", did you mean \"n1\"?; nodes are: n1, n2\n"
            "t.toml:10:1: unknown source node \"n3\", did you mean \"n1\"?; nodes are: n1, n2\n"
            "t.toml:11:1: unknown source node \"n3\", did you mean \"n1\"?; nodes are: n1, n2\n"
            "t.toml:15:6: unknown target node \"n3\", did you mean \"n1\"?; nodes are: n1, n2");
}

TEST(Loader, GatewayNotOnConnectedSubnet) {
  auto text = std::string(k_router);
  text.replace(text.find("default via 192.0.2.254"), 23, "default via 10.9.9.9");
  auto e = error_of(text);
  EXPECT_NE(e.find("t.toml:4:11: route \"default via 10.9.9.9\" in node \"ns1\": next hop 10.9.9.9 is on no "
                   "connected subnet of the node"),
            std::string::npos) << e;
}

TEST(Loader, SysctlOutsideNet) {
  auto text = std::string(k_router);
  text.replace(text.find("\"net.ipv4.ip_forward\" = 0"), 25, "\"kernel.panic\" = 0");
  auto e = error_of(text);
  EXPECT_NE(e.find("sysctl \"kernel.panic\" in node \"router\": only net.* keys can be set"), std::string::npos) << e;
}

TEST(Loader, SysctlBooleanRefused) {
  auto text = std::string(k_router);
  text.replace(text.find("\"net.ipv4.ip_forward\" = 0"), 25, "\"net.ipv4.ip_forward\" = false");
  auto e = error_of(text);
  EXPECT_NE(e.find("must be an integer or a string, not a boolean (write 1 or 0)"), std::string::npos) << e;
}

TEST(Loader, DuplicateAddressAndInterface) {
  auto e = error_of(router_with(R"(
[[links]]
a = { node = "ns1", ifname = "ns1-veth0", addresses = ["192.0.2.254/24"] }
b = { node = "ns2", ifname = "x0", addresses = ["10.0.0.1/24"] }
)"));
  EXPECT_NE(e.find("node \"ns1\" already has an interface \"ns1-veth0\""), std::string::npos) << e;
  EXPECT_NE(e.find("t.toml:11:5: address 192.0.2.254 on router:gw-veth0 is already on ns1:ns1-veth0"), std::string::npos) << e;
}

TEST(Loader, AddressTargetMustBelongToTheScenario) {
  auto e = error_of(router_with(R"(
[[stages]]
name = "outside"
[[stages.check]]
from = "ns1"
to = "8.8.8.8"
expect = "NG"
)"));
  EXPECT_NE(e.find("target 8.8.8.8 is not an address of any node"), std::string::npos) << e;
}

TEST(Loader, DuplicateStageNamesAndEmptyStage) {
  auto e = error_of(router_with("\n[[stages]]\nname = \"forwarding on\"\n"));
  EXPECT_NE(e.find("stage name \"forwarding on\" is already used at line 27"), std::string::npos) << e;
  EXPECT_NE(e.find("expects nothing"), std::string::npos) << e;
}

TEST(Loader, ReportsAllProblemsAtOnce) {
  auto text = std::string(k_router);
  text.replace(text.find("MAYBE") == std::string::npos ? text.find("ns2     NG   OK      OK") : 0, 23,
               "ns2     NG   OK      XX");
  text.replace(text.find("default via 192.0.2.254"), 23, "default via 10.9.9.9");
  auto r = parse_scenario(text, "t.toml");
  ASSERT_FALSE(r.ok());
  // the matrix cell is a structural error: reported with the others found in the same pass
  EXPECT_NE(r.error().message.find("matrix cell \"XX\""), std::string::npos);
}

TEST(Loader, ProbeSettingsRanges) {
  auto e = error_of("[probe]\ndeadline_ms = 5\ncount = 1.5\n" + std::string(k_router).substr(15));
  EXPECT_NE(e.find("t.toml:2:15: deadline_ms must be between 10 and 60000"), std::string::npos) << e;
  EXPECT_NE(e.find("t.toml:3:9: \"count\" must be an integer, not a float"), std::string::npos) << e;
}

TEST(Loader, EveryShippedScenarioLoads) {
  namespace fs = std::filesystem;
  int n = 0;
  for (const auto& f : fs::directory_iterator(NSCHECK_SOURCE_DIR "/scenarios")) {
    if (f.path().extension() != ".toml") continue;
    auto r = load_scenario(f.path().string());
    EXPECT_TRUE(r.ok()) << f.path() << ": " << (r.ok() ? "" : r.error().message);
    ++n;
  }
  EXPECT_GE(n, 5);
}

}  // namespace
}  // namespace nscheck::scenario

namespace nscheck::scenario {
namespace {

std::string with_router_sysctl(const std::string& kv) {
  std::string text = k_router;
  text.replace(text.find("\"net.ipv4.ip_forward\" = 0"), 25, kv);
  return text;
}

TEST(Loader, UnknownSysctlKeyWithSuggestion) {
  auto e = error_of(with_router_sysctl("\"net.ipv4.ip_fowrard\" = 0"));
  EXPECT_NE(e.find("t.toml:19:19: sysctl \"net.ipv4.ip_fowrard\" in node \"router\": unknown sysctl key, did you mean "
                   "\"net.ipv4.ip_forward\"?"),
            std::string::npos) << e;
}

TEST(Loader, SysctlOfAnUnknownInterface) {
  auto e = error_of(with_router_sysctl("\"net.ipv4.conf.gw-veth9.forwarding\" = 0"));
  EXPECT_NE(e.find("the node has no interface \"gw-veth9\", did you mean \"gw-veth0\"?"), std::string::npos) << e;
  auto typo = error_of(with_router_sysctl("\"net.ipv4.conf.gw-veth1.forwardin\" = 0"));
  EXPECT_NE(typo.find("did you mean \"net.ipv4.conf.gw-veth1.forwarding\"?"), std::string::npos) << typo;
}

TEST(Loader, KnownAndModuleSysctlsAccepted) {
  for (const char* kv : {"\"net.ipv4.conf.gw-veth1.forwarding\" = 0", "\"net.ipv4.conf.all.rp_filter\" = 2",
                         "\"net.ipv6.conf.default.accept_dad\" = 0", "\"net.ipv4.neigh.default.gc_stale_time\" = 60",
                         "\"net.netfilter.nf_conntrack_tcp_loose\" = 0", "\"net.sctp.addip_enable\" = 1"}) {
    auto r = parse_scenario(with_router_sysctl(kv), "t.toml");
    EXPECT_TRUE(r.ok()) << kv << ": " << (r.ok() ? "" : r.error().message);
  }
}

}  // namespace
}  // namespace nscheck::scenario

namespace nscheck::scenario {
namespace {

TEST(Loader, ProbeKinds) {
  auto check = [](const std::string& kind) {
    return error_of(router_with("\n[[stages]]\nname = \"p\"\n[[stages.check]]\nfrom = \"ns1\"\nto = \"ns2\"\nexpect = \"OK\"\nprobe = \"" +
                                kind + "\"\n"));
  };
  EXPECT_NE(check("icmpv9").find("t.toml:38:9: unknown probe kind \"icmpv9\""), std::string::npos);
  EXPECT_NE(check("tcp/99999").find("the port must be a number from 1 to 65535"), std::string::npos);
  EXPECT_NE(check("udp/0").find("the port must be a number from 1 to 65535"), std::string::npos);
}

/// The scenario k_router with extra text appended; must load.
Scenario loaded(const std::string& extra) {
  auto r = parse_scenario(router_with(extra), "t.toml");
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : Scenario{};
}

TEST(Loader, TcpAndUdpChecks) {
  const auto s = loaded(R"(
[[stages]]
name = "p"
[[stages.check]]
from = "ns1"
to = "ns2"
probe = "tcp/22"
expect = "OK"
seen_from = "192.0.2.1"
answered_by = "ns2"
[[stages.check]]
from = "ns1"
to = "ns2"
probe = "udp/53"
expect = "NG"
)");
  ASSERT_EQ(s.stages.size(), 3u);
  const auto& st = s.stages[2];
  ASSERT_EQ(st.expectations.size(), 2u);
  EXPECT_EQ(st.expectations[0].probe, (ProbeSpec{ProbeSpec::Kind::tcp, 22}));
  EXPECT_EQ(st.expectations[0].seen_from, IpAddress::parse("192.0.2.1"));
  EXPECT_EQ(st.expectations[0].answered_by, "ns2");
  EXPECT_EQ(st.expectations[1].probe, (ProbeSpec{ProbeSpec::Kind::udp, 53}));
  ASSERT_EQ(st.matrices.size(), 2u);  // one per probe kind
  EXPECT_EQ(st.matrices[0].probe.text(), "tcp/22");
  EXPECT_EQ(st.matrices[1].probe.text(), "udp/53");
}

TEST(Loader, OneMatrixPerProbeKindInTheOrderWritten) {
  const auto s = loaded(R"(
[[stages]]
name = "kinds"
[stages.expect]
"udp/53" = "all NG"
icmp = "all OK"
"tcp/80" = """
     ns1  ns2
ns1  OK   NG
"""
[stages.default]
"tcp/80" = "NG"
)");
  const auto& st = s.stages[2];
  ASSERT_EQ(st.matrices.size(), 3u);
  EXPECT_EQ(st.matrices[0].probe.text(), "udp/53");
  EXPECT_EQ(st.matrices[1].probe.text(), "icmp");
  EXPECT_EQ(st.matrices[2].probe.text(), "tcp/80");
  // 9 udp + 9 icmp + 2 tcp from the matrix + 7 tcp from the default
  EXPECT_EQ(st.expectations.size(), 27u);
  EXPECT_EQ(st.matrices[2].rows, (std::vector<std::string>{"ns1", "router", "ns2"}));
}

TEST(Loader, ADefaultLeavesDashCellsUnprobed) {
  // "-" means not probed: a default fills only the pairs nothing mentions, of its own probe kind
  const auto s = loaded(R"(
[[stages]]
name = "dashes"
default = { icmp = "OK", "tcp/80" = "NG" }
[stages.expect]
icmp = """
        ns1  router  ns2
ns1     -    OK      NG
"""
"tcp/80" = """
        ns2
router  -
"""
)");
  const auto& st = s.stages.at(2);
  // icmp: 2 written + 6 defaulted (not ns1's row); tcp/80: 8 defaulted (not router to ns2)
  EXPECT_EQ(st.expectations.size(), 16u);
  auto find = [&](const std::string& from, const std::string& to, const std::string& probe) {
    return std::count_if(st.expectations.begin(), st.expectations.end(), [&](const Expectation& e) {
      return e.from == from && e.to.text == to && e.probe.text() == probe;
    });
  };
  EXPECT_EQ(find("ns1", "ns1", "icmp"), 0);
  EXPECT_EQ(find("router", "ns2", "tcp/80"), 0);
  EXPECT_EQ(find("ns1", "ns1", "tcp/80"), 1) << "a dash is of its own probe kind";
  EXPECT_EQ(find("router", "ns2", "icmp"), 1);
}

TEST(Loader, SeenAssertionsNeedTcpOrUdpAndOk) {
  auto stage = [](const std::string& probe, const std::string& expect, const std::string& extra) {
    return error_of(router_with("\n[[stages]]\nname = \"p\"\n[[stages.check]]\nfrom = \"ns1\"\nto = \"ns2\"\n"
                                "probe = \"" + probe + "\"\nexpect = \"" + expect + "\"\n" + extra + "\n"));
  };
  EXPECT_NE(stage("icmp", "OK", "seen_from = \"192.0.2.1\"").find("seen_from needs a tcp or udp probe"),
            std::string::npos);
  EXPECT_NE(stage("tcp/80", "NG", "answered_by = \"ns2\"").find("answered_by needs expect = \"OK\""),
            std::string::npos);
  EXPECT_NE(stage("tcp/80", "OK", "seen_from = \"ns1\"").find(":13: seen_from \"ns1\" is not an IP address"),
            std::string::npos);
  EXPECT_NE(stage("udp/53", "OK", "answered_by = \"nss2\"").find(":15: answered_by: unknown node \"nss2\", did you mean \"ns2\"?"),
            std::string::npos);
}

TEST(Loader, ListenAndServicesPorts) {
  auto with_node = [](const std::string& keys) {
    std::string text = k_router;
    text.replace(text.find("[nodes.router]"), 14, "[nodes.router]\n" + keys);
    return text;
  };
  auto r = parse_scenario(with_node("listen = [\"tcp/80\", \"udp/53\"]\nservices = [\"tcp/22\"]"), "t.toml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Node& router = r->nodes[1];
  ASSERT_EQ(router.listen.size(), 2u);
  EXPECT_EQ(router.listen[1].probe, (ProbeSpec{ProbeSpec::Kind::udp, 53}));
  ASSERT_EQ(router.services.size(), 1u);
  EXPECT_EQ(router.services[0].probe.text(), "tcp/22");
  EXPECT_NE(error_of(with_node("listen = [\"icmp\"]")).find("t.toml:6:11: listen: \"icmp\" is answered by the kernel"),
            std::string::npos);
  EXPECT_NE(error_of(with_node("listen = [\"tcp/80\"]\nservices = [\"tcp/80\"]"))
                .find("t.toml:7:13: node \"router\": tcp/80 is already declared at line 6"),
            std::string::npos);
  EXPECT_NE(error_of(with_node("services = [\"tcp/0\"]")).find("services: probe \"tcp/0\": the port must be"),
            std::string::npos);
}

TEST(Loader, ChangesDeletingRoutesAreCheckedLikeAddedOnes) {
  // routes that can exist in ns1 may be deleted: the connected one, one through a gateway
  auto good =
      parse_scenario(router_with("[[stages.change]]\nnode = \"ns1\"\nroute_del = \"192.0.2.0/24 dev ns1-veth0\"\n"
                                 "[[stages.change]]\nnode = \"ns1\"\nroute_del = \"default via 192.0.2.254\"\n"),
                     "t.toml");
  ASSERT_TRUE(good.ok()) << good.error().message;
  ASSERT_EQ(good->stages[1].changes.size(), 2u);
  EXPECT_EQ(good->stages[1].changes[0].kind, Change::Kind::route_del);
  // an unknown dev or table would be dropped by the builder, which would then delete another route
  const auto e =
      error_of(router_with("[[stages.change]]\nnode = \"ns1\"\nroute_del = \"default via 192.0.2.254 dev eth9\"\n"
                           "[[stages.change]]\nnode = \"ns1\"\nroute_del = \"default via 192.0.2.254 table isp9\"\n"));
  EXPECT_NE(
      e.find("t.toml:33:13: route_del \"default via 192.0.2.254 dev eth9\" in node \"ns1\": no interface \"eth9\"; "
             "the interfaces of node \"ns1\" are: ns1-veth0"),
      std::string::npos)
      << e;
  EXPECT_NE(e.find("t.toml:36:13: route_del \"default via 192.0.2.254 table isp9\" in node \"ns1\": no table \"isp9\""),
            std::string::npos)
      << e;
}

}  // namespace
}  // namespace nscheck::scenario
