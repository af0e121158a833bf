// A stage's cell texts: the same texts as the pool gives, shared, found without re-hashing (pure).
#include "eval/cell_texts.hpp"

#include <gtest/gtest.h>

namespace nscheck::eval {
namespace {

scenario::Scenario two_nodes() {
  scenario::Scenario s;
  for (const char* name : {"ns1", "router"}) {
    scenario::Node n;
    n.name = name;
    s.nodes.push_back(n);
  }
  return s;
}

scenario::Target target(scenario::Target::Kind kind, const char* text) {
  scenario::Target t;
  t.kind = kind;
  t.text = text;
  return t;
}

bool same_text(const report::SharedText& a, const report::SharedText& b) {
  return a.view() == b.view() && a.view().data() == b.view().data();
}

TEST(CellTexts, GivesThePoolsSharedTexts) {
  const auto s = two_nodes();
  report::TextPool pool;
  CellTexts texts(s, pool);
  const IpAddress a = *IpAddress::parse("192.0.2.1");
  EXPECT_TRUE(same_text(texts.node(1), pool("router")));
  EXPECT_TRUE(same_text(texts.node(1), texts.node(1)));
  EXPECT_TRUE(same_text(texts.address(a), pool("192.0.2.1")));
  EXPECT_TRUE(same_text(texts.target(target(scenario::Target::Kind::node, "ns1"), a), pool("ns1")));
  EXPECT_TRUE(same_text(texts.target(target(scenario::Target::Kind::interface, "ns1:eth0"), a), pool("ns1:eth0")));
  EXPECT_TRUE(same_text(texts.probe({scenario::ProbeSpec::Kind::tcp, 80}), pool("tcp/80")));
  EXPECT_TRUE(same_text(texts.probe({scenario::ProbeSpec::Kind::icmp, 0}), pool("icmp")));
  EXPECT_TRUE(same_text(texts.probe({scenario::ProbeSpec::Kind::udp, 53}), pool("udp/53")));
  EXPECT_TRUE(same_text(texts.reason(probes::Reason::timeout), pool("timeout")));
  EXPECT_TRUE(same_text(texts.reason(probes::Reason::harness_error), pool(probes::reason_name(probes::Reason::harness_error))));
  EXPECT_TRUE(same_text(texts("no reply"), pool("no reply")));
  EXPECT_TRUE(texts.node(7).empty()) << "no such node";
}

TEST(CellTexts, AnAddressHeldTwiceKeepsEachTargetAsWritten) {
  const auto s = two_nodes();
  report::TextPool pool;
  CellTexts texts(s, pool);
  const IpAddress a = *IpAddress::parse("10.0.0.1");  // in two LANs, behind NAT
  const auto ns1 = target(scenario::Target::Kind::node, "ns1");
  const auto router = target(scenario::Target::Kind::node, "router");
  EXPECT_EQ(texts.target(ns1, a), "ns1");
  EXPECT_EQ(texts.target(router, a), "router");
  EXPECT_EQ(texts.target(ns1, a), "ns1");
}

TEST(CellTexts, AnAddressTargetKeepsItsWrittenForm) {
  const auto s = two_nodes();
  report::TextPool pool;
  CellTexts texts(s, pool);
  const IpAddress a = *IpAddress::parse("2001:db8::1");
  auto written = target(scenario::Target::Kind::address, "2001:0db8::1");
  written.address = a;
  EXPECT_EQ(texts.target(written, a), "2001:0db8::1");
  EXPECT_EQ(texts.address(a), "2001:db8::1");
}

}  // namespace
}  // namespace nscheck::eval
