#include "scenario/validate.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include "scenario/route_text.hpp"
#include "scenario/sysctl_keys.hpp"

namespace nscheck::scenario {
namespace {

std::vector<std::string> node_names(const Scenario& s) {
  std::vector<std::string> v;
  for (const auto& n : s.nodes) v.push_back(n.name);
  return v;
}

std::vector<std::string> iface_names(const Node& n) {
  std::vector<std::string> v;
  for (const auto& i : n.interfaces) v.push_back(i.name);
  return v;
}

const Interface* find_iface(const Node& n, const std::string& name) {
  for (const auto& i : n.interfaces)
    if (i.name == name) return &i;
  return nullptr;
}

/// After "no interface X": a "did you mean", else the interfaces there are.
std::string iface_hint(const Node& n, const std::string& ifname) {
  const auto names = iface_names(n);
  if (auto m = did_you_mean(ifname, names); !m.empty()) return m;
  if (names.empty()) return "; node \"" + n.name + "\" has no interfaces: give it a link";
  return "; the interfaces of node \"" + n.name + "\" are: " + join(names);
}

bool valid_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

void check_node_name(const Node& n, Diagnostics& diags) {
  const bool ok = !n.name.empty() && n.name.size() <= 32 && std::all_of(n.name.begin(), n.name.end(), valid_name_char);
  if (!ok) diags.add(n.loc, "node name \"" + n.name + "\" must be 1 to 32 letters, digits, '-' or '_'");
}

void check_ifname(const std::string& name, Loc loc, Diagnostics& diags) {
  if (name.empty()) return;  // reported as missing already
  if (name.size() > k_max_ifname)
    diags.add(loc, "interface name \"" + name + "\" is " + std::to_string(name.size()) +
                       " characters; the kernel allows at most 15");
  // "all" and "default" are taken by net.ipv4.conf.{all,default}: the kernel refuses them (EINVAL)
  const bool bad =
      name == "." || name == ".." || name == "lo" || name == "all" || name == "default" ||
      std::any_of(name.begin(), name.end(), [](char c) { return c == '/' || c == ':' || c <= ' ' || c == 127; });
  if (bad)
    diags.add(
        loc, "interface name \"" + name + "\" is not allowed (no '/', ':', spaces, and not lo, all, default, . or ..)");
}

void check_link_end(const Scenario& s, const LinkEnd& e, Diagnostics& diags) {
  if (!e.node.empty() && !s.find_node(e.node))
    diags.add(e.loc, "unknown node \"" + e.node + "\" in link" + did_you_mean(e.node, node_names(s)) +
                         "; nodes are: " + join(node_names(s)));
  check_ifname(e.ifname, e.loc, diags);
}

/// A bridge's ports are veth ends of its node, each in one bridge, without addresses of their own.
void check_bridge(const Node& n, const Interface& br, std::map<std::string, std::string>& port_of, Diagnostics& diags) {
  check_ifname(br.name, br.loc, diags);
  for (const auto& p : br.ports) {
    const Interface* i = find_iface(n, p);
    if (!i || i->kind != IfaceKind::veth)
      diags.add(br.loc, "bridge \"" + br.name + "\" in node \"" + n.name + "\": port \"" + p +
                            "\" is not a link end of the node" + did_you_mean(p, iface_names(n)));
    else if (!i->addresses.empty())
      diags.add(br.loc, "bridge \"" + br.name + "\": port " + p +
                            " has addresses; a port only carries frames, "
                            "give the addresses to the bridge");
    if (auto [it, fresh] = port_of.emplace(p, br.name); !fresh)
      diags.add(br.loc,
                "bridge \"" + br.name + "\": port " + p + " is already a port of bridge \"" + it->second + "\"");
  }
}

void check_interfaces(const Node& n, Diagnostics& diags) {
  std::map<std::string, std::string> port_of;
  for (const auto& i : n.interfaces) {
    if (i.kind == IfaceKind::bridge) check_bridge(n, i, port_of, diags);
    const bool has_v6 = std::any_of(i.addresses.begin(), i.addresses.end(),
                                    [](const Prefix& p) { return p.address.family == Family::v6; });
    if (i.mtu && *i.mtu < 1280 && has_v6)
      diags.add(i.loc, "interface " + i.name + " of node \"" + n.name + "\" has IPv6 addresses and mtu " +
                           std::to_string(*i.mtu) + "; IPv6 needs an mtu of at least 1280");
  }
  std::map<std::string, Loc> seen;
  for (const auto& i : n.interfaces) {
    if (i.name.empty()) continue;
    if (auto [it, fresh] = seen.emplace(i.name, i.loc); !fresh)
      diags.add(i.loc, "node \"" + n.name + "\" already has an interface \"" + i.name + "\" (line " +
                           std::to_string(it->second.line) + "); interface names must be unique in a node");
  }
}

void check_addresses(const Scenario& s, Diagnostics& diags) {
  std::map<IpAddress, std::string> owner;
  for (const auto& n : s.nodes) {
    for (const auto& i : n.interfaces) {
      for (const auto& p : i.addresses) {
        const std::string here = n.name + ":" + i.name;
        if (auto [it, fresh] = owner.emplace(p.address, here); !fresh)
          diags.add(i.loc, "address " + p.address.str() + " on " + here + " is already on " + it->second +
                               "; every address must be unique in the scenario");
        if (p.address.is_loopback() && i.kind != IfaceKind::loopback)
          diags.add(i.loc, "address " + p.str() + " on " + here + " is a loopback address; use it only on lo");
      }
    }
  }
}

bool on_connected_subnet(const Node& n, const IpAddress& a, const std::string& dev) {
  for (const auto& i : n.interfaces) {
    if (!dev.empty() && i.name != dev) continue;
    for (const auto& p : i.addresses)
      if (p.contains(a)) return true;
  }
  return false;
}

bool is_node_address(const Node& n, const IpAddress& a) {
  for (const auto& i : n.interfaces)
    for (const auto& p : i.addresses)
      if (p.address == a) return true;
  return false;
}

/// One path of a route: its device exists, its gateway is on a connected subnet (unless onlink).
/// key: "route", or "route_del" for a change that deletes one.
void check_path(const Node& n, const Route& r, const NextHop& h, const char* key, Diagnostics& diags) {
  const std::string what = std::string(key) + " \"" + r.text + "\" in node \"" + n.name + "\"";
  if (!h.device.empty() && !find_iface(n, h.device))
    diags.add(r.loc, what + ": no interface \"" + h.device + "\"" + iface_hint(n, h.device));
  const bool dev_known = h.device.empty() || find_iface(n, h.device);  // an unknown dev is reported above
  if (h.gateway && dev_known && !h.onlink && !on_connected_subnet(n, *h.gateway, h.device))
    diags.add(r.loc, what + ": next hop " + h.gateway->str() + " is on no connected subnet of the node" +
                         (h.device.empty() ? "" : " through " + h.device) +
                         "; give the node an address in its subnet, or write \"dev IFNAME onlink\"");
}

std::vector<std::string> table_names(const Node& n) {
  std::vector<std::string> v{"main", "local", "default"};
  for (const auto& [name, id] : n.tables) v.push_back(name);
  return v;
}

/// "table T" names a table: main, local, default, a number from 1, or one of the node's tables.
void check_table(const Node& n, const std::string& table, const std::string& what, Loc loc, Diagnostics& diags) {
  if (table_id(table, n.tables)) return;
  if (std::isdigit(static_cast<unsigned char>(table[0])))
    diags.add(loc, what + ": table " + table + ": a table number is from 1 to 4294967295");
  else
    diags.add(loc, what + ": no table \"" + table + "\"" + did_you_mean(table, table_names(n)) +
                       "; name it in the node first: tables = { " + table + " = 100 }");
}

void check_route(const Node& n, const Route& r, Diagnostics& diags, const char* key = "route") {
  const std::string what = std::string(key) + " \"" + r.text + "\" in node \"" + n.name + "\"";
  check_path(n, r, NextHop{r.gateway, r.device, 1, r.onlink}, key, diags);
  for (const auto& h : r.nexthops) check_path(n, r, h, key, diags);
  if (r.source && !is_node_address(n, *r.source))
    diags.add(r.loc, what + ": src " + r.source->str() + " is not an address of node \"" + n.name + "\"");
  check_table(n, r.table, what, r.loc, diags);
}

void check_rule(const Node& n, const Rule& r, Diagnostics& diags) {
  const std::string what = "rule \"" + r.text + "\" in node \"" + n.name + "\"";
  for (const auto* dev : {&r.iif, &r.oif})
    if (!dev->empty() && *dev != "lo" && !find_iface(n, *dev))
      diags.add(r.loc, what + ": no interface \"" + *dev + "\"" + iface_hint(n, *dev));
  check_table(n, r.table, what, r.loc, diags);
}

void check_routes(const Node& n, const std::vector<const Route*>& routes, Diagnostics& diags) {
  std::map<std::tuple<std::uint32_t, Prefix, std::uint32_t>, Loc> seen;
  for (const auto* r : routes) {
    check_route(n, *r, diags);
    const auto table = table_id(r->table, n.tables);
    if (!table) continue;  // reported by check_route
    auto key = std::tuple(*table, r->destination, r->metric.value_or(0));
    if (auto [it, fresh] = seen.emplace(key, r->loc); !fresh)
      diags.add(r->loc, "route \"" + r->text + "\" in node \"" + n.name + "\": a route to " + r->destination.str() +
                            " with this metric" + (r->table.empty() ? "" : " and table") +
                            " is already given at line " + std::to_string(it->second.line));
  }
}

void check_sysctl(const Node* n, const std::string& node, const Sysctl& y, Diagnostics& diags) {
  const auto& k = y.key;
  const bool shape_ok =
      k.size() > 4 && k.find("..") == std::string::npos && k.back() != '.' && k.find('/') == std::string::npos;
  if (!k.starts_with("net."))
    diags.add(y.loc, "sysctl \"" + k + "\" in node \"" + node +
                         "\": only net.* keys can be set, they are private to the node's namespace");
  else if (!shape_ok)
    diags.add(y.loc, "sysctl \"" + k + "\" in node \"" + node + "\" is not a valid key");
  if (shape_ok && k.starts_with("net.")) {
    if (auto problem = check_sysctl_key(k, n ? iface_names(*n) : std::vector<std::string>{}))
      diags.add(y.loc, "sysctl \"" + k + "\" in node \"" + node + "\": " + *problem);
  }
  if (y.value.find_first_of("\n\r") != std::string::npos)
    diags.add(y.loc, "sysctl \"" + k + "\": the value must be one line");
}

void check_source(const Node& from, const Expectation& e, Diagnostics& diags) {
  if (e.source.empty()) return;
  if (auto a = IpAddress::parse(e.source)) {
    if (!is_node_address(from, *a))
      diags.add(e.loc, "source " + e.source + " is not an address of node \"" + from.name + "\"");
  } else if (!find_iface(from, e.source)) {
    diags.add(e.loc, "source \"" + e.source + "\" is not an interface of node \"" + from.name + "\"" +
                         did_you_mean(e.source, iface_names(from)));
  }
}

bool has_address(const Node& n) {
  for (const auto& i : n.interfaces)
    if (!i.addresses.empty()) return true;
  return false;
}

/// Where a name of e is written: 0:0 stands for the expectation itself.
Loc or_cell(Loc name, const Expectation& e) { return name.line == 0 ? e.loc : name; }

/// An interface a rule or change names must be one of the node's (or lo).
void check_iface_ref(const Node& n, const std::string& ifname, Loc loc, const std::string& what, Diagnostics& diags) {
  if (ifname.empty() || ifname == "lo" || find_iface(n, ifname)) return;
  diags.add(loc, what + ": node \"" + n.name + "\" has no interface \"" + ifname + "\"" + iface_hint(n, ifname));
}

void check_nat(const Node& n, const NatRule& r, Diagnostics& diags) {
  const char* what = r.kind == NatRule::Kind::masquerade ? "masquerade" : r.kind == NatRule::Kind::snat ? "snat" : "dnat";
  check_iface_ref(n, r.out, r.loc, what, diags);
  check_iface_ref(n, r.in, r.loc, what, diags);
  if (r.from && r.to && r.from->address.family != r.to->family)
    diags.add(r.loc, std::string(what) + ": from " + r.from->str() + " and to " + r.to->str() +
                         " are of different families");
}

/// Below 1280 the kernel takes IPv6 off the interface, addresses and routes with it: refused, as
/// for a link end's own mtu.
void check_link_mtu_v6(const Node& n, const Change& c, Diagnostics& diags) {
  const auto* i = find_iface(n, c.ifname);
  if (!i || c.mtu == 0 || c.mtu >= 1280) return;
  for (const auto& p : i->addresses)
    if (p.address.family == Family::v6)
      return diags.add(c.ifname_loc, "link_mtu " + std::to_string(c.mtu) + " on " + c.ifname + " of node \"" + n.name +
                                         "\", which has IPv6 address " + p.str() +
                                         ": IPv6 needs an mtu of at least 1280 (the kernel would remove its IPv6 "
                                         "addresses)");
}

/// The kernel matches an IPv6 deletion by destination, gateway, device, metric and table, not by
/// type: `route_del = "prohibit P"` deletes the first route to P, whatever its type. With the
/// metric, the route is the one the user means.
void check_v6_typed_delete(const Node& n, const Route& r, Diagnostics& diags) {
  if (r.destination.address.family != Family::v6 || r.type == RouteType::unicast || r.metric) return;
  diags.add(r.loc, "route_del \"" + r.text + "\" in node \"" + n.name +
                       "\": the kernel does not match an IPv6 deletion by its type and could delete another route to " +
                       r.destination.str() + "; add the route's metric (1024 unless its route gave one), e.g. \"" +
                       r.text + " metric 1024\"");
}

void check_change(const Scenario& s, const Stage& st, const Change& c, Diagnostics& diags) {
  const Node* n = s.find_node(c.node);
  if (!n) {
    if (!c.node.empty())
      diags.add(c.loc, "stage \"" + st.name + "\": unknown node \"" + c.node + "\" in change" +
                           did_you_mean(c.node, node_names(s)));
    return;
  }
  for (const auto& y : c.sysctls) check_sysctl(n, n->name, y, diags);
  // a route to delete is checked too: the builder would drop an unknown dev or table and delete another route
  if (c.route) check_route(*n, *c.route, diags, c.kind == Change::Kind::route_add ? "route" : "route_del");
  if (c.route && c.kind == Change::Kind::route_del) check_v6_typed_delete(*n, *c.route, diags);
  if (c.kind == Change::Kind::nat) check_nat(*n, c.nat, diags);
  if (c.kind == Change::Kind::link_mtu && !c.ifname.empty()) {
    check_iface_ref(*n, c.ifname, c.ifname_loc, "link_mtu", diags);
    check_link_mtu_v6(*n, c, diags);
  }
  // an empty or non-string name was reported by the reader
  if ((c.kind == Change::Kind::link_up || c.kind == Change::Kind::link_down) && !c.ifname.empty())
    check_iface_ref(*n, c.ifname, c.ifname_loc, c.kind == Change::Kind::link_up ? "link_up" : "link_down", diags);
}

void check_stage(const Scenario& s, const Stage& st, Diagnostics& diags) {
  for (const auto& y : st.sysctls) {
    if (!s.find_node(y.node))
      diags.add(y.sysctl.loc, "stage \"" + st.name + "\": unknown node \"" + y.node + "\" in sysctl" +
                                  did_you_mean(y.node, node_names(s)));
    check_sysctl(s.find_node(y.node), y.node, y.sysctl, diags);
  }
  for (const auto& r : st.routes) {
    if (!s.find_node(r.node))
      diags.add(r.route.loc, "stage \"" + st.name + "\": unknown node \"" + r.node + "\" in routes" +
                                 did_you_mean(r.node, node_names(s)));
  }
  for (const auto& c : st.changes) check_change(s, st, c, diags);
}

/// Node routes plus every route a stage adds to the node: all must coexist in the kernel.
std::vector<const Route*> all_routes(const Scenario& s, const Node& n) {
  std::vector<const Route*> v;
  for (const auto& r : n.routes) v.push_back(&r);
  for (const auto& st : s.stages)
    for (const auto& r : st.routes)
      if (r.node == n.name) v.push_back(&r.route);
  return v;
}

void check_stage_names(const Scenario& s, Diagnostics& diags) {
  std::map<std::string, Loc> seen;
  for (const auto& st : s.stages)
    if (auto [it, fresh] = seen.emplace(st.name, st.loc); !fresh)
      diags.add(st.loc, "stage name \"" + st.name + "\" is already used at line " + std::to_string(it->second.line));
}

}  // namespace

void validate(const Scenario& s, Diagnostics& diags) {
  for (const auto& n : s.nodes) {
    check_node_name(n, diags);
    check_interfaces(n, diags);
    check_routes(n, all_routes(s, n), diags);
    for (const auto& r : n.rules) check_rule(n, r, diags);
    for (const auto& y : n.sysctls) check_sysctl(&n, n.name, y, diags);
    for (const auto& r : n.nat) check_nat(n, r, diags);
  }
  for (const auto& l : s.links) {
    check_link_end(s, l.a, diags);
    check_link_end(s, l.b, diags);
  }
  check_addresses(s, diags);
  check_stage_names(s, diags);
  for (const auto& st : s.stages) check_stage(s, st, diags);
}

void check_expectation_source(const Scenario& s, const Expectation& e, Loc from_loc, Diagnostics& diags) {
  const Node* from = s.find_node(e.from);
  if (!from)
    diags.add(or_cell(from_loc, e), "unknown source node \"" + e.from + "\"" + did_you_mean(e.from, node_names(s)) +
                                        "; nodes are: " + join(node_names(s)));
  else
    check_source(*from, e, diags);
}

void check_expectation_target(const Scenario& s, const Expectation& e, Loc to_loc, Diagnostics& diags) {
  const auto& t = e.to;
  const Loc at = or_cell(to_loc, e);
  if (t.kind == Target::Kind::address) {
    bool owned =
        std::any_of(s.nodes.begin(), s.nodes.end(), [&](const Node& n) { return is_node_address(n, t.address); });
    if (!owned)
      diags.add(at, "target " + t.text +
                        " is not an address of any node; nscheck only probes its own "
                        "nodes (to model a remote host, add a node that holds " +
                        t.text + ")");
    return;
  }
  const Node* n = s.find_node(t.node);
  if (!n) {
    diags.add(at, "unknown target node \"" + t.node + "\"" + did_you_mean(t.node, node_names(s)) +
                      "; nodes are: " + join(node_names(s)));
    return;
  }
  if (t.kind == Target::Kind::node && !has_address(*n))
    diags.add(at, "target node \"" + t.node + "\" has no address to probe; give one of its links an address");
  if (t.kind == Target::Kind::interface) {
    const Interface* i = find_iface(*n, t.ifname);
    if (!i)
      diags.add(at, "node \"" + t.node + "\" has no interface \"" + t.ifname + "\"" +
                        did_you_mean(t.ifname, iface_names(*n)));
    else if (i->addresses.empty())
      diags.add(at, "target " + t.text + " has no address to probe");
  }
}

void check_expectation(const Scenario& s, const Expectation& e, const ExpectationLocs& at, Diagnostics& diags) {
  check_expectation_source(s, e, at.from, diags);
  check_expectation_target(s, e, at.to, diags);
  if (!e.answered_by.empty() && !s.find_node(e.answered_by))
    diags.add(at.answered, "answered_by: unknown node \"" + e.answered_by + "\"" +
                               did_you_mean(e.answered_by, node_names(s)) + "; nodes are: " + join(node_names(s)));
}

}  // namespace nscheck::scenario
