#include "topology/plan.hpp"

#include <linux/rtnetlink.h>

#include <algorithm>

#include "scenario/route_text.hpp"

namespace nscheck::topology {
namespace {

using scenario::Scenario;

/// True for keys that name an interface: net.ipv4.conf.IF.x, net.ipv6.conf.IF.x, neigh.IF.x.
bool names_interface(const std::string& key, const std::vector<std::string>& ifnames) {
  for (const char* head : {"net.ipv4.conf.", "net.ipv6.conf.", "net.ipv4.neigh.", "net.ipv6.neigh."}) {
    if (!key.starts_with(head)) continue;
    const auto rest = key.substr(std::char_traits<char>::length(head));
    for (const auto& i : ifnames)
      if (rest.starts_with(i + ".")) return true;
  }
  return false;
}

std::vector<std::string> ifnames_of(const PlannedNode& n) {
  std::vector<std::string> v{"all", "default", "lo"};
  for (const auto& i : n.ifaces) v.push_back(i.name);
  return v;
}

std::vector<std::string> own_ifnames(const PlannedNode& n) {
  std::vector<std::string> v;
  for (const auto& i : n.ifaces) v.push_back(i.name);
  return v;
}

void plan_sysctls(const scenario::Node& src, PlannedNode& n) {
  for (auto d : default_sysctls()) {
    auto set_by_user =
        std::any_of(src.sysctls.begin(), src.sysctls.end(), [&](const scenario::Sysctl& y) { return y.key == d.key; });
    if (!set_by_user) n.early_sysctls.push_back(d);
  }
  const auto own = own_ifnames(n);
  for (const auto& y : src.sysctls) {
    auto w = plan_sysctl(n, y);
    (names_interface(y.key, own) ? n.late_sysctls : n.early_sysctls).push_back(w);
  }
}

/// A rule's family comes from its prefixes; without any it holds for IPv4 and IPv6 alike.
void plan_rules(const scenario::Node& src, PlannedNode& n) {
  for (const auto& r : src.rules) {
    const auto table = scenario::table_id(r.table, n.tables).value_or(RT_TABLE_MAIN);
    const auto& prefix = r.from ? r.from : r.to;
    if (prefix) {
      n.rules.push_back({r, prefix->address.family, table});
    } else {
      n.rules.push_back({r, Family::v4, table});
      n.rules.push_back({r, Family::v6, table});
    }
  }
}

PlannedNode plan_node(const scenario::Node& src, int& next_ifindex) {
  PlannedNode n;
  n.name = src.name;
  n.tables = src.tables;
  for (const auto& i : src.interfaces) {
    const bool lo = i.kind == scenario::IfaceKind::loopback;
    n.ifaces.push_back(
        {i.name, lo ? k_lo_ifindex : next_ifindex++, i.addresses, i.kind, i.up, i.up && !lo, 0, i.mtu, i.mac});
  }
  plan_sysctls(src, n);
  for (const auto& r : src.routes) n.routes.push_back(plan_route(n, r));
  plan_rules(src, n);
  return n;
}

PlannedIface* find_iface(PlannedNode& n, const std::string& name) {
  for (auto& i : n.ifaces)
    if (i.name == name) return &i;
  return nullptr;
}

/// A veth has carrier only when both ends are up; a bridge only when one of its ports has.
void plan_carrier(const Scenario& s, Plan& plan) {
  for (const auto& v : plan.veths) {
    auto* a = find_iface(plan.nodes[v.node], v.name);
    auto* b = find_iface(plan.nodes[v.peer_node], v.peer_name);
    const bool both = a->up && b->up;
    a->wait_up = b->wait_up = both;
  }
  for (std::size_t k = 0; k < s.nodes.size(); ++k) {
    for (const auto& br : s.nodes[k].interfaces) {
      if (br.kind != scenario::IfaceKind::bridge) continue;
      auto* planned = find_iface(plan.nodes[k], br.name);
      bool carrier = false;
      for (const auto& port : br.ports) {
        auto* p = find_iface(plan.nodes[k], port);
        p->master = planned->ifindex;
        carrier = carrier || p->wait_up;
      }
      planned->wait_up = planned->up && carrier;
    }
  }
}

std::size_t node_index(const Scenario& s, const std::string& name) {
  for (std::size_t i = 0; i < s.nodes.size(); ++i)
    if (s.nodes[i].name == name) return i;
  return s.nodes.size();
}

int ifindex_of(const PlannedNode& n, const std::string& ifname) {
  for (const auto& i : n.ifaces)
    if (i.name == ifname) return i.ifindex;
  return 0;
}

}  // namespace

std::vector<SysctlWrite> default_sysctls() {
  // ip_forward first: writing it resets forwarding in conf/all, conf/default and every device.
  std::vector<SysctlWrite> v = {
      {"net.ipv4.ip_forward", "", "0", false, {}},
      {"net.ipv4.conf.all.rp_filter", "", "0", false, {}},
      {"net.ipv4.conf.default.rp_filter", "", "0", false, {}},
      {"net.ipv4.icmp_ratelimit", "", "0", false, {}},
      {"net.ipv4.icmp_ratemask", "", "0", false, {}},
      {"net.ipv6.conf.all.forwarding", "", "0", true, {}},
      // IPv6 addresses are added with IFA_F_NODAD; no DAD for the kernel's own link-local ones
      {"net.ipv6.conf.all.accept_dad", "", "0", true, {}},
      {"net.ipv6.conf.default.accept_dad", "", "0", true, {}},
      // a link a stage sets down keeps its IPv6 addresses (as its IPv4 ones), for the stage that
      // sets it up again
      {"net.ipv6.conf.all.keep_addr_on_down", "", "1", true, {}},
      {"net.ipv6.icmp.ratelimit", "", "0", true, {}},
      {"net.ipv6.icmp.ratemask", "", "", true, {}},
  };
  for (auto& w : v) w.path = sysctl_path(w.key, {});
  return v;
}

std::string sysctl_path(const std::string& key, const std::vector<std::string>& ifnames) {
  std::string path = "/proc/sys/";
  std::size_t i = 0;
  while (i < key.size()) {
    bool matched = false;
    for (const auto& name : ifnames) {
      // an interface name is copied whole, dots included, when it is a full segment here
      const bool at_segment = i > 0 && key[i - 1] == '.';
      if (at_segment && key.compare(i, name.size(), name) == 0 && i + name.size() < key.size() &&
          key[i + name.size()] == '.' && name.find('.') != std::string::npos) {
        path += name;
        i += name.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    path += key[i] == '.' ? '/' : key[i];
    ++i;
  }
  return path;
}

PlannedRoute plan_route(const PlannedNode& node, const scenario::Route& r) {
  auto oif = [&](const std::string& dev) { return dev.empty() ? 0 : ifindex_of(node, dev); };
  PlannedRoute p{r, oif(r.device), {}, scenario::table_id(r.table, node.tables).value_or(RT_TABLE_MAIN)};
  for (const auto& h : r.nexthops) p.nexthop_oifs.push_back(oif(h.device));
  return p;
}

SysctlWrite plan_sysctl(const PlannedNode& node, const scenario::Sysctl& y) {
  return SysctlWrite{y.key, sysctl_path(y.key, ifnames_of(node)), y.value, false, y.loc};
}

Plan plan_topology(const Scenario& s) {
  Plan plan;
  // ifindexes are unique across the whole run, not per namespace: the kernel treats a veth
  // whose ifindex equals its peer's (iflink) as a non-urgent link event and delays its carrier
  // by up to a second (linkwatch_urgent_event), so equal indexes on both ends cost 1 s of set-up.
  int next_ifindex = k_first_ifindex;
  for (const auto& n : s.nodes) plan.nodes.push_back(plan_node(n, next_ifindex));
  for (const auto& l : s.links) {
    const auto a = node_index(s, l.a.node), b = node_index(s, l.b.node);
    plan.veths.push_back(
        {a, l.a.ifname, ifindex_of(plan.nodes[a], l.a.ifname), b, l.b.ifname, ifindex_of(plan.nodes[b], l.b.ifname)});
  }
  plan_carrier(s, plan);
  return plan;
}

namespace {

std::string fmt_hex_byte(std::uint8_t b) {
  constexpr const char* k_digits = "0123456789abcdef";
  return {k_digits[b >> 4], k_digits[b & 15]};
}

std::string mac_text(const scenario::Mac& mac) {
  std::string out;
  for (auto b : mac) out += fmt_hex_byte(b) + ":";
  out.pop_back();
  return out;
}

std::string settings_text(const PlannedNode& n, const PlannedIface& i) {
  std::string out;
  if (i.mtu) out += " mtu " + std::to_string(*i.mtu);
  if (i.mac) out += " address " + mac_text(*i.mac);
  for (const auto& br : n.ifaces)
    if (i.master != 0 && br.ifindex == i.master) out += " master " + br.name;
  return out;
}

}  // namespace

std::string describe(const Plan& plan) {
  std::string out;
  auto line = [&](const std::string& s) { out += s + "\n"; };
  for (const auto& n : plan.nodes) {
    line("netns " + n.name);
    for (const auto& y : n.early_sysctls) line("  sysctl " + y.key + " = " + (y.value.empty() ? "\"\"" : y.value));
  }
  for (const auto& v : plan.veths)
    line("veth " + plan.nodes[v.node].name + ":" + v.name + " <-> " + plan.nodes[v.peer_node].name + ":" + v.peer_name);
  for (const auto& n : plan.nodes)
    for (const auto& i : n.ifaces)
      if (i.kind == scenario::IfaceKind::bridge) line("bridge " + n.name + ":" + i.name);
  for (const auto& n : plan.nodes) {
    line("configure " + n.name);
    for (const auto& y : n.late_sysctls) line("  sysctl " + y.key + " = " + y.value);
    for (const auto& i : n.ifaces)
      if (auto s = settings_text(n, i); !s.empty()) line("  set " + i.name + s);
    for (const auto& i : n.ifaces)
      for (const auto& a : i.addresses) line("  addr " + a.str() + " dev " + i.name);
    line("  up lo");
    for (const auto& i : n.ifaces)
      if (i.up && i.kind != scenario::IfaceKind::loopback) line("  up " + i.name);
    for (const auto& r : n.routes) line("  route " + r.route.text);
    for (const auto& r : n.rules)
      line("  rule " + r.rule.text + (r.rule.from || r.rule.to ? "" : r.family == Family::v4 ? " (IPv4)" : " (IPv6)"));
  }
  line("wait until every veth is operationally up");
  return out;
}

}  // namespace nscheck::topology
