#include "scenario/toml_reader.hpp"

#include <algorithm>
#include <map>
#include <charconv>

#include "scenario/expect.hpp"
#include "scenario/firewall_reader.hpp"
#include "scenario/loader.hpp"
#include "scenario/route_text.hpp"
#include "scenario/rule_text.hpp"
#include "scenario/toml_util.hpp"

namespace nscheck::scenario {
namespace {

void read_addresses(const toml::node& n, std::vector<Prefix>& out, Diagnostics& diags);
void read_link_settings(const toml::table& t, Interface& iface, Diagnostics& diags);

void read_sysctls(const toml::node& n, std::vector<Sysctl>& out, Diagnostics& diags) {
  const auto* t = n.as_table();
  if (!t) return diags.add(loc_of(n), "sysctl must be a table of \"net.KEY\" = VALUE");
  flatten_sysctls(*t, "", out, diags);
}

/// An array of one-line texts (routes, rules), each parsed by `parse`, positioned at its string.
template <class T>
void read_texts(const toml::node& n, const char* key, const char* what, Result<T> (*parse)(std::string_view),
                std::vector<T>& out, Diagnostics& diags) {
  for_each_string(n, key, diags, [&](const std::string& text, Loc loc) {
    auto r = parse(text);
    if (!r) return diags.add(loc, std::string(what) + " \"" + text + "\": " + r.error().message);
    r->loc = loc;
    out.push_back(*r);
  });
}

/// listen = ["tcp/80", ...] or services = [...]: TCP and UDP ports, each once per node.
void read_ports(const toml::node& n, const char* key, std::vector<PortDecl>& out, Diagnostics& diags) {
  for_each_string(n, key, diags, [&](const std::string& text, Loc loc) {
    auto probe = parse_probe_spec(text);
    if (!probe) return diags.add(loc, std::string(key) + ": " + probe.error().message);
    if (probe->kind == ProbeSpec::Kind::icmp)
      return diags.add(loc, std::string(key) + ": \"icmp\" is answered by the kernel itself; give \"tcp/PORT\" or "
                                               "\"udp/PORT\"");
    out.push_back({*probe, loc});
  });
}

/// A port in both listen and services, or twice in one, is refused: which one would answer?
void check_ports(const Node& node, Diagnostics& diags) {
  std::map<ProbeSpec, Loc> seen;
  for (const auto* list : {&node.listen, &node.services})
    for (const auto& p : *list)
      if (auto [it, added] = seen.emplace(p.probe, p.loc); !added)
        diags.add(p.loc, "node \"" + node.name + "\": " + p.probe.text() + " is already declared at line " +
                             std::to_string(it->second.line) + "; a port is either listen (built-in listener) or "
                             "services (the user's own), once");
}

void read_routes(const toml::node& n, std::vector<Route>& out, Diagnostics& diags) {
  read_texts(n, "routes", "route", parse_route, out, diags);
}

/// tables = { isp1 = 100 }: names for route table ids, usable in "table NAME".
void read_tables(const toml::node& n, std::map<std::string, std::uint32_t>& out, Diagnostics& diags) {
  const auto* t = n.as_table();
  if (!t) return diags.add(loc_of(n), "tables must be a table of names and ids, e.g. tables = { isp1 = 100 }");
  for (const auto& [key, v] : *t) {
    const std::string name(key.str());
    const auto id = v.is_integer() ? std::optional(v.as_integer()->get()) : std::nullopt;
    if (!id || *id < 1 || *id > 0xffffffffLL || table_id(name, {}))  // a number, main, local, default, ""
      diags.add(loc_of(v),
                "tables: write NAME = ID, with a NAME that is not a number, main, local or default "
                "and an ID from 1 to 4294967295 (\"" +
                    name + "\" is not)");
    else
      out.emplace(name, static_cast<std::uint32_t>(*id));
  }
}

/// bridges = [{ name = "br0", ports = ["eth1"], addresses = [...], mtu, mac, up }]
void read_bridge(const toml::node& n, Node& node, Diagnostics& diags) {
  const auto* t = n.as_table();
  if (!t) return diags.add(loc_of(n), "each bridge must be a table: { name = \"br0\", ports = [\"IFNAME\", ...] }");
  check_keys(*t, {"name", "ports", "addresses", "mtu", "mac", "up"}, "bridge", diags);
  Interface br;
  br.kind = IfaceKind::bridge;
  br.loc = loc_of(n);
  br.name = required_string(*t, "name", br.loc, diags, "bridge");
  if (const auto* a = t->get("addresses")) read_addresses(*a, br.addresses, diags);
  if (const auto* p = t->get("ports"))
    for_each_string(*p, "ports", diags, [&](const std::string& port, Loc) { br.ports.push_back(port); });
  read_link_settings(*t, br, diags);
  node.interfaces.push_back(std::move(br));
}

/// loopback = [...] (addresses on lo), bridges = [...], switch = true.
void read_node_devices(const toml::table& t, Node& node, Diagnostics& diags) {
  if (const auto* lo = t.get("loopback")) {
    Interface i{.name = "lo", .kind = IfaceKind::loopback, .loc = loc_of(*lo)};
    read_addresses(*lo, i.addresses, diags);
    node.interfaces.push_back(std::move(i));
  }
  if (const auto* b = t.get("bridges")) {
    if (const auto* arr = b->as_array())
      for (const auto& item : *arr) read_bridge(item, node, diags);
    else
      diags.add(loc_of(*b), "bridges must be an array of tables: bridges = [{ name = \"br0\", ports = [...] }]");
  }
  if (const auto* sw = t.get("switch")) {
    if (!sw->is_boolean()) return diags.add(loc_of(*sw), "\"switch\" must be true or false");
    node.is_switch = sw->as_boolean()->get();
    if (node.is_switch) node.interfaces.push_back({.name = "br0", .kind = IfaceKind::bridge, .loc = loc_of(*sw)});
  }
}

void read_node(const std::string& name, const toml::node& n, std::string_view text, Scenario& s,
               Diagnostics& diags) {
  Node node;
  node.name = name;
  node.loc = loc_of(n);
  const auto* t = n.as_table();
  if (!t) {
    diags.add(node.loc, "node \"" + name + "\" must be a table, e.g. [nodes." + name + "]");
  } else {
    std::vector<std::string> keys{"routes", "rules", "sysctl", "tables", "loopback", "bridges", "switch", "listen",
                                  "services"};
    keys.insert(keys.end(), k_firewall_node_keys.begin(), k_firewall_node_keys.end());
    check_keys(*t, keys, "node \"" + name + "\"", diags);
    read_node_devices(*t, node, diags);
    if (const auto* r = t->get("rules")) read_texts(*r, "rules", "rule", parse_rule, node.rules, diags);
    if (const auto* r = t->get("routes")) read_routes(*r, node.routes, diags);
    if (const auto* tb = t->get("tables")) read_tables(*tb, node.tables, diags);
    if (const auto* y = t->get("sysctl")) read_sysctls(*y, node.sysctls, diags);
    if (const auto* l = t->get("listen")) read_ports(*l, "listen", node.listen, diags);
    if (const auto* v = t->get("services")) read_ports(*v, "services", node.services, diags);
    check_ports(node, diags);
    read_node_firewall(*t, text, node, diags);
  }
  s.nodes.push_back(std::move(node));
}

void read_addresses(const toml::node& n, std::vector<Prefix>& out, Diagnostics& diags) {
  for_each_string(n, "addresses", diags, [&](const std::string& text, Loc loc) {
    auto p = Prefix::parse(text);
    if (!p) {
      // "192.0.2.1/33" has a prefix length: say what is wrong with it
      const auto slash = text.find('/');
      const auto a = IpAddress::parse(std::string_view(text).substr(0, slash));
      if (a && slash != std::string::npos)
        diags.add(loc, "\"" + text + "\": the prefix length must be a number from 0 to " +
                           (a->family == Family::v4 ? "32" : "128"));
      else if (a)
        diags.add(loc, "\"" + text + "\" lacks a prefix length, e.g. \"" + text + "/24\"");
      else
        diags.add(loc, "\"" + text + "\" is not an address with a prefix length, e.g. \"192.0.2.1/24\"");
      return;
    }
    out.push_back(*p);
    if (p->address.family == Family::v6 && p->address.bytes[0] == 0xfe && (p->address.bytes[1] & 0xc0) == 0x80)
      diags.add(loc, "IPv6 address \"" + text +
                         "\" is link-local; the kernel gives every interface its own "
                     "fe80:: address: use a global or unique-local address (2001:db8::/32, fd00::/8)");
  });
}

std::optional<Mac> parse_mac(const std::string& text) {
  Mac mac{};
  if (text.size() != 17) return std::nullopt;
  for (std::size_t i = 0; i < mac.size(); ++i) {
    const char* p = text.data() + i * 3;
    if (i > 0 && p[-1] != ':') return std::nullopt;
    auto [end, ec] = std::from_chars(p, p + 2, mac[i], 16);
    if (ec != std::errc{} || end != p + 2) return std::nullopt;
  }
  return mac;
}

/// mtu, mac and up of a link end or a bridge (ip link set IF mtu N address MAC up|down).
void read_link_settings(const toml::table& t, Interface& iface, Diagnostics& diags) {
  if (auto mtu = optional_int(t, "mtu", diags)) {
    if (*mtu < 68 || *mtu > 65535)
      diags.add(loc_of(*t.get("mtu")), "mtu must be between 68 and 65535 (IPv6 needs at least 1280)");
    else
      iface.mtu = static_cast<std::uint32_t>(*mtu);
  }
  if (auto mac = optional_string(t, "mac", diags)) {
    iface.mac = parse_mac(*mac);
    if (!iface.mac || ((*iface.mac)[0] & 1) != 0 || *iface.mac == Mac{})
      diags.add(loc_of(*t.get("mac")), "mac \"" + *mac + "\" must be a unicast MAC address like 02:00:00:00:00:01");
  }
  if (const auto* up = t.get("up")) {
    if (!up->is_boolean())
      diags.add(loc_of(*up), "\"up\" must be true or false");
    else
      iface.up = up->as_boolean()->get();
  }
}

/// Reads one link end; its addresses go to a new Interface appended to `ifaces`.
LinkEnd read_end(const toml::table& link, const char* side, std::vector<std::pair<LinkEnd, Interface>>& ends,
                 Diagnostics& diags) {
  LinkEnd end;
  const auto* n = link.get(side);
  end.loc = loc_of(link);
  if (!n || !n->as_table()) {
    diags.add(n ? loc_of(*n) : end.loc,
              std::string("link needs ") + side + " = { node = \"NAME\", ifname = \"IFNAME\", addresses = [...] }");
    return end;
  }
  const auto& t = *n->as_table();
  end.loc = loc_of(*n);
  check_keys(t, {"node", "ifname", "addresses", "mtu", "mac", "up"}, std::string("link end ") + side, diags);
  end.node = required_string(t, "node", end.loc, diags, std::string("link end ") + side);
  end.ifname = required_string(t, "ifname", end.loc, diags, std::string("link end ") + side);
  Interface iface;
  iface.name = end.ifname;
  iface.loc = end.loc;
  if (const auto* a = t.get("addresses")) read_addresses(*a, iface.addresses, diags);
  read_link_settings(t, iface, diags);
  ends.emplace_back(end, std::move(iface));
  return end;
}

/// Attaches each link end's interface to its node (unknown nodes are reported by validate).
void attach_interfaces(Scenario& s, std::vector<std::pair<LinkEnd, Interface>>& ends) {
  for (auto& [end, iface] : ends)
    if (auto it = s.node_index.find(end.node); it != s.node_index.end())
      s.nodes[it->second].interfaces.push_back(std::move(iface));
}

void read_links(const toml::node& n, Scenario& s, Diagnostics& diags) {
  const auto* arr = n.as_array();
  if (!arr) return diags.add(loc_of(n), "links must be an array of tables: [[links]]");
  std::vector<std::pair<LinkEnd, Interface>> ends;
  ends.reserve(2 * arr->size());
  s.links.reserve(arr->size());
  for (const auto& item : *arr) {
    const auto* t = item.as_table();
    if (!t) {
      diags.add(loc_of(item), "each [[links]] entry must be a table with a and b");
      continue;
    }
    check_keys(*t, {"a", "b"}, "link", diags);
    Link link;
    link.loc = loc_of(item);
    link.a = read_end(*t, "a", ends, diags);
    link.b = read_end(*t, "b", ends, diags);
    // peers, for messages and reports
    if (ends.size() >= 2) {
      auto& ia = ends[ends.size() - 2].second;
      auto& ib = ends.back().second;
      ia.link_peer = link.b.node + ":" + link.b.ifname;
      ib.link_peer = link.a.node + ":" + link.a.ifname;
    }
    s.links.push_back(std::move(link));
  }
  attach_interfaces(s, ends);
  for (auto& node : s.nodes) {  // a switch's bridge takes every veth end of the node as a port
    if (!node.is_switch) continue;
    auto& br = *std::find_if(node.interfaces.begin(), node.interfaces.end(),
                             [](const Interface& i) { return i.kind == IfaceKind::bridge && i.name == "br0"; });
    for (const auto& i : node.interfaces)
      if (i.kind == IfaceKind::veth) br.ports.push_back(i.name);
  }
}

ProbeSettings read_probe_settings(const toml::table& t, ProbeSettings base, Diagnostics& diags) {
  if (auto v = optional_int(t, "deadline_ms", diags)) {
    if (*v < 10 || *v > 60000)
      diags.add(loc_of(*t.get("deadline_ms")), "deadline_ms must be between 10 and 60000 (milliseconds)");
    else
      base.deadline = std::chrono::milliseconds(*v);
  }
  if (auto v = optional_int(t, "count", diags)) {
    if (*v < 2 || *v > 100)
      diags.add(loc_of(*t.get("count")),
                "count must be between 2 and 100: an NG is always confirmed by a second request");
    else
      base.count = static_cast<int>(*v);
  }
  return base;
}

void read_stage_sysctls(const toml::node& n, Stage& st, Diagnostics& diags) {
  const auto* t = n.as_table();
  if (!t) return diags.add(loc_of(n), "stage sysctl must be a table: sysctl.NODE = { \"net.KEY\" = VALUE }");
  for (const auto& [node, v] : *t) {
    std::vector<Sysctl> list;
    read_sysctls(v, list, diags);
    for (auto& y : list) st.sysctls.push_back({std::string(node.str()), std::move(y)});
  }
}

void read_stage_routes(const toml::node& n, Stage& st, Diagnostics& diags) {
  const auto* t = n.as_table();
  if (!t) return diags.add(loc_of(n), "stage routes must be a table: routes.NODE = [\"default via ADDR\"]");
  for (const auto& [node, v] : *t) {
    std::vector<Route> list;
    read_routes(v, list, diags);
    for (auto& r : list) st.routes.push_back({std::string(node.str()), std::move(r)});
  }
}

void read_stage(const toml::node& item, std::size_t index, const Scenario& s, ProbeSettings defaults,
                std::string_view text, Stage& st, std::size_t& cells_left, Diagnostics& diags,
                Diagnostics& checks) {
  st.loc = loc_of(item);
  const auto* t = item.as_table();
  if (!t) return diags.add(st.loc, "each [[stages]] entry must be a table");
  check_keys(*t, {"name", "sysctl", "routes", "change", "expect", "default", "check", "deadline_ms", "count"},
             "stage", diags);
  st.name = optional_string(*t, "name", diags).value_or("stage " + std::to_string(index + 1));
  st.probe = read_probe_settings(*t, defaults, diags);
  if (const auto* y = t->get("sysctl")) read_stage_sysctls(*y, st, diags);
  if (const auto* r = t->get("routes")) read_stage_routes(*r, st, diags);
  if (const auto* c = t->get("change")) read_changes(*c, text, st, diags);
  read_expectations(*t, s, text, st, cells_left, diags, checks);
}

void read_stages(const toml::node& n, Scenario& s, ProbeSettings defaults, std::string_view text, Diagnostics& diags,
                 Diagnostics& checks) {
  const auto* arr = n.as_array();
  if (!arr) return diags.add(loc_of(n), "stages must be an array of tables: [[stages]]");
  if (arr->empty())
    return diags.add(loc_of(n), "the scenario has no stages; add a [[stages]] table with an expect matrix");
  std::size_t cells_left = k_max_cells;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    Stage st;
    read_stage((*arr)[i], i, s, defaults, text, st, cells_left, diags, checks);
    s.stages.push_back(std::move(st));
  }
}

}  // namespace

Scenario read_scenario(const toml::table& root, std::string_view text, Diagnostics& diags, Diagnostics& checks) {
  Scenario s;
  check_keys(root, {"name", "probe", "nodes", "links", "stages"}, "top level", diags);
  s.name = optional_string(root, "name", diags).value_or("");
  ProbeSettings defaults;
  if (const auto* p = root.get("probe")) {
    if (const auto* pt = p->as_table()) {
      check_keys(*pt, {"deadline_ms", "count"}, "[probe]", diags);
      defaults = read_probe_settings(*pt, defaults, diags);
    } else {
      diags.add(loc_of(*p), "probe must be a table: [probe] with deadline_ms and count");
    }
  }
  if (const auto* n = root.get("nodes"); n && n->as_table() && !n->as_table()->empty()) {
    s.nodes.reserve(n->as_table()->size());
    for (const auto& [name, v] : *n->as_table()) read_node(std::string(name.str()), v, text, s, diags);
    // TOML tables iterate sorted by key: keep the order written (rows, columns, "all OK")
    std::stable_sort(s.nodes.begin(), s.nodes.end(), [](const Node& x, const Node& y) {
      return std::pair(x.loc.line, x.loc.column) < std::pair(y.loc.line, y.loc.column);
    });
    if (s.nodes.size() > k_max_nodes) {  // the rest would cost n x n: stop here
      diags.add(s.nodes[k_max_nodes].loc, "the scenario has " + std::to_string(s.nodes.size()) +
                                              " nodes; a scenario may have at most " + std::to_string(k_max_nodes));
      return s;
    }
    for (std::size_t i = 0; i < s.nodes.size(); ++i) s.node_index.emplace(s.nodes[i].name, i);  // final order
  } else if (n && !n->as_table()) {
    diags.add(loc_of(*n), "nodes must be a table of tables: declare each node as [nodes.NAME]");
  } else {
    diags.add(n ? loc_of(*n) : Loc{1, 1}, "the scenario has no nodes; declare them as [nodes.NAME]");
  }
  if (const auto* l = root.get("links")) read_links(*l, s, diags);
  if (const auto* st = root.get("stages"))
    read_stages(*st, s, defaults, text, diags, checks);
  else
    diags.add(Loc{1, 1}, "the scenario has no stages; add a [[stages]] table with an expect matrix");
  return s;
}

}  // namespace nscheck::scenario
