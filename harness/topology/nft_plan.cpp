#include "topology/nft_plan.hpp"

namespace nscheck::topology {
namespace {

const char* nat_key(scenario::NatRule::Kind k) {
  switch (k) {
    case scenario::NatRule::Kind::masquerade: return "masquerade";
    case scenario::NatRule::Kind::snat: return "snat";
    case scenario::NatRule::Kind::dnat: return "dnat";
  }
  return "masquerade";
}

std::string family_word(Family f) { return f == Family::v6 ? "ip6" : "ip"; }

/// "10.0.0.1", "10.0.0.1:80", "[2001:db8::1]:80".
std::string nat_target(const IpAddress& a, std::uint16_t port) {
  if (port == 0) return a.str();
  return (a.family == Family::v6 ? "[" + a.str() + "]" : a.str()) + ":" + std::to_string(port);
}

NftStep ruleset_step(const scenario::Scenario& s, std::size_t node, const scenario::NftRuleset& r,
                     const std::string& what) {
  NftStep step{node, r.text, s.path, r.text_start.line, r.text_start.column, what, true};
  if (!r.path.empty()) step = {node, r.text, r.path, 1, 1, "nft_file", true};
  if (step.line <= 0) step.line = r.loc.line;  // unknown origin: the key itself
  if (step.column <= 0) step.column = 1;
  return step;
}

}  // namespace

std::string nat_rules(const scenario::NatRule& r) {
  using Kind = scenario::NatRule::Kind;
  const std::string table = std::string("inet ") + k_nat_table;
  const bool pre = r.kind == Kind::dnat;
  const std::string chain = pre ? "prerouting" : "postrouting";
  std::string out = "add table " + table + "\n";
  out += "add chain " + table + " " + chain + " { type nat hook " + chain + " priority " + (pre ? "dstnat" : "srcnat") +
         "; policy accept; }\n";
  std::string rule;
  if (r.from) rule += family_word(r.from->address.family) + " saddr " + r.from->str() + " ";
  if (!r.out.empty()) rule += "oifname \"" + r.out + "\" ";
  if (!r.in.empty()) rule += "iifname \"" + r.in + "\" ";
  switch (r.kind) {
    case Kind::masquerade: rule += "masquerade"; break;
    case Kind::snat: rule += "snat " + family_word(r.to->family) + " to " + r.to->str(); break;
    case Kind::dnat:
      rule += r.proto + " dport " + std::to_string(r.port) + " dnat " + family_word(r.to->family) + " to " +
              nat_target(*r.to, r.to_port);
      break;
  }
  return out + "add rule " + table + " " + chain + " " + rule + "\n";
}

std::vector<NftStep> node_nft_steps(const scenario::Scenario& s, std::size_t node) {
  const auto& n = s.nodes[node];
  std::vector<NftStep> steps;
  for (const auto& r : n.nft) steps.push_back(ruleset_step(s, node, r, "nft"));
  if (!n.nat.empty()) {
    NftStep step{node, "", s.path, n.nat.front().loc.line, n.nat.front().loc.column, nat_key(n.nat.front().kind), false};
    for (const auto& r : n.nat) step.rules += nat_rules(r);
    steps.push_back(std::move(step));
  }
  return steps;
}

NftStep change_nft_step(const scenario::Scenario& s, std::size_t node, const scenario::Change& c) {
  using Kind = scenario::Change::Kind;
  switch (c.kind) {
    case Kind::nft_flush: return {node, "flush ruleset\n", s.path, c.loc.line, c.loc.column, "nft_flush", false};
    case Kind::nat: return {node, nat_rules(c.nat), s.path, c.nat.loc.line, c.nat.loc.column, nat_key(c.nat.kind), false};
    case Kind::nft_replace: {
      // one batch: the old ruleset never meets the new one, and nothing runs in between
      NftStep step = ruleset_step(s, node, c.nft, "nft_replace");
      step.rules = "flush ruleset\n" + step.rules;
      step.lines_before = 1;  // nft counts the added line; the user's first line keeps its column
      return step;
    }
    default: return ruleset_step(s, node, c.nft, c.nft.path.empty() ? "nft" : "nft_file");
  }
}

std::vector<bool> nodes_with_nft(const scenario::Scenario& s) {
  std::vector<bool> out(s.nodes.size(), false);
  for (std::size_t n = 0; n < s.nodes.size(); ++n) out[n] = !s.nodes[n].nft.empty() || !s.nodes[n].nat.empty();
  for (const auto& st : s.stages)
    for (const auto& c : st.changes)
      if (c.kind == scenario::Change::Kind::nft || c.kind == scenario::Change::Kind::nft_replace ||
          c.kind == scenario::Change::Kind::nat)
        if (auto it = s.node_index.find(c.node); it != s.node_index.end()) out[it->second] = true;
  return out;
}

namespace {

std::string indented(const std::string& text, const char* pad) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    const auto line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!line.empty()) out += pad + line + "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string change_text(const scenario::Scenario& s, std::size_t node, const scenario::Change& c) {
  using Kind = scenario::Change::Kind;
  std::string out = "  " + c.node + ": ";
  switch (c.kind) {
    case Kind::sysctl:
      for (const auto& y : c.sysctls) out += "sysctl " + y.key + " = " + y.value + "; ";
      return out + "\n";
    case Kind::route_add: return out + "route add " + c.route->text + "\n";
    case Kind::route_del: return out + "route del " + c.route->text + "\n";
    case Kind::link_up: return out + "link " + c.ifname + " up (then wait until operationally up)\n";
    case Kind::link_down: return out + "link " + c.ifname + " down\n";
    case Kind::link_mtu: return out + "link " + c.ifname + " mtu " + std::to_string(c.mtu) + "\n";
    default: {
      const auto step = change_nft_step(s, node, c);
      return out + "nft batch (" + step.what + ")\n" + indented(step.rules, "    ");
    }
  }
}

}  // namespace

std::string describe_firewalls_and_stages(const scenario::Scenario& s) {
  std::string out;
  for (std::size_t n = 0; n < s.nodes.size(); ++n)
    for (const auto& step : node_nft_steps(s, n))
      out += "nft " + s.nodes[n].name + " (" + step.what + ", one batch)\n" + indented(step.rules, "  ");
  const auto with_nft = nodes_with_nft(s);
  for (std::size_t i = 0; i < s.stages.size(); ++i) {
    const auto& st = s.stages[i];
    out += "stage \"" + st.name + "\"\n";
    if (i > 0)
      for (std::size_t n = 0; n < with_nft.size(); ++n)
        if (with_nft[n]) out += "  " + s.nodes[n].name + ": flush conntrack\n";
    for (const auto& y : st.sysctls) out += "  " + y.node + ": sysctl " + y.sysctl.key + " = " + y.sysctl.value + "\n";
    for (const auto& r : st.routes) out += "  " + r.node + ": route add " + r.route.text + "\n";
    for (const auto& c : st.changes) {
      const auto it = s.node_index.find(c.node);
      out += change_text(s, it == s.node_index.end() ? 0 : it->second, c);
    }
    out += "  probe " + std::to_string(st.expectations.size()) + " expectations, deadline " +
           std::to_string(st.probe.deadline.count()) + " ms\n";
  }
  return out;
}

}  // namespace nscheck::topology
