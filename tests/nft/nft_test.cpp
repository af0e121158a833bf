// Pure parts of the nftables layer: errors pointed into the scenario, missing-feature texts, and
// the short forms compiled to nft.
#include <gtest/gtest.h>

#include "nft/apply.hpp"
#include "topology/nft_plan.hpp"

namespace nscheck {
namespace {

TEST(PlaceError, NftPositionsMoveIntoTheScenario) {
  const nft::TextPlace place{"fw.toml", 12, 7, "node host: nft", true};
  const std::string e =
      "/proc/self/fd/5:3:23-27: Error: syntax error, unexpected newline\n    tcp dport 22 dropp\n"
      "                      ^\n";
  EXPECT_EQ(nft::place_error(e, "/proc/self/fd/5", place),
            "fw.toml:14:23: node host: nft: syntax error, unexpected newline\n    tcp dport 22 dropp\n"
            "                      ^");
  // on the first line of the text, columns count from where the string starts
  EXPECT_EQ(nft::place_error("/proc/self/fd/5:1:5-9: Error: x\n", "/proc/self/fd/5", place),
            "fw.toml:12:11: node host: nft: x");
}

TEST(PlaceError, LinesNscheckAddedAheadAreNotTheUsers) {
  // nft_replace = "add tabel inet f" at line 40, column 15: nft sees "flush ruleset" first
  const nft::TextPlace place{"s.toml", 40, 15, "node r: nft_replace", true, 1};
  EXPECT_EQ(nft::place_error("/proc/self/fd/5:2:5-9: Error: syntax error\n", "/proc/self/fd/5", place),
            "s.toml:40:19: node r: nft_replace: syntax error")
      << "the user's first line: its columns count from where the string starts";
  EXPECT_EQ(nft::place_error("/proc/self/fd/5:3:2-4: Error: x\n", "/proc/self/fd/5", place), "s.toml:41:2: node r: nft_replace: x");
  EXPECT_EQ(nft::place_error("/proc/self/fd/5:1:1-5: Error: y\n", "/proc/self/fd/5", place), "s.toml:40:15: node r: nft_replace: y")
      << "an error in the added line points at the key";
}

TEST(PlaceError, GeneratedTextPointsAtTheKey) {
  const nft::TextPlace place{"s.toml", 30, 14, "node host: masquerade", false};
  EXPECT_EQ(nft::place_error("/proc/self/fd/5:3:1-3: Error: Could not process rule: No such file or directory\nadd x\n^^^\n",
                             "/proc/self/fd/5", place),
            "s.toml:30:14: node host: masquerade: Could not process rule: No such file or directory\nadd x\n^^^");
  EXPECT_EQ(nft::place_error("Error: something\n", "/proc/self/fd/5", place), "s.toml:30:14: node host: masquerade: something");
}

TEST(UsesNat, NatChainsAndStatementsNeedTheKernelsNat) {
  EXPECT_TRUE(nft::uses_nat("add chain inet t p { type nat hook postrouting priority srcnat; }"));
  EXPECT_TRUE(nft::uses_nat("ip saddr 10.0.0.0/8 masquerade"));
  EXPECT_TRUE(nft::uses_nat("tcp dport 80 dnat ip to 10.0.0.1"));
  EXPECT_FALSE(nft::uses_nat("table inet f { chain c { type filter hook input priority 0; tcp dport 22 drop; } }"));
}

scenario::NatRule nat(scenario::NatRule::Kind kind) {
  scenario::NatRule r;
  r.kind = kind;
  return r;
}

TEST(NatRules, MasqueradeIsTheIptablesLine) {
  auto r = nat(scenario::NatRule::Kind::masquerade);
  r.from = Prefix::parse("192.168.50.0/24");
  r.out = "ens5";
  EXPECT_EQ(topology::nat_rules(r),
            "add table inet nscheck_nat\n"
            "add chain inet nscheck_nat postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
            "add rule inet nscheck_nat postrouting ip saddr 192.168.50.0/24 oifname \"ens5\" masquerade\n");
  r.from.reset();
  r.out.clear();
  EXPECT_NE(topology::nat_rules(r).find("postrouting masquerade\n"), std::string::npos) << "any source, any way out";
}

TEST(NatRules, SnatAndDnatBothFamilies) {
  auto s = nat(scenario::NatRule::Kind::snat);
  s.from = Prefix::parse("2001:db8:1::/64");
  s.to = IpAddress::parse("2001:db8:ff::1");
  EXPECT_NE(topology::nat_rules(s).find("postrouting ip6 saddr 2001:db8:1::/64 snat ip6 to 2001:db8:ff::1\n"),
            std::string::npos)
      << topology::nat_rules(s);
  auto d = nat(scenario::NatRule::Kind::dnat);
  d.in = "wan0";
  d.proto = "tcp";
  d.port = 8080;
  d.to = IpAddress::parse("10.0.0.1");
  d.to_port = 80;
  const auto text = topology::nat_rules(d);
  EXPECT_NE(text.find("add chain inet nscheck_nat prerouting { type nat hook prerouting priority dstnat; policy accept; }"),
            std::string::npos);
  EXPECT_NE(text.find("prerouting iifname \"wan0\" tcp dport 8080 dnat ip to 10.0.0.1:80\n"), std::string::npos) << text;
  d.to = IpAddress::parse("2001:db8::1");
  d.proto = "udp";
  EXPECT_NE(topology::nat_rules(d).find("udp dport 8080 dnat ip6 to [2001:db8::1]:80\n"), std::string::npos);
}

}  // namespace
}  // namespace nscheck
