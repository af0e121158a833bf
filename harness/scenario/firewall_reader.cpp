#include "scenario/firewall_reader.hpp"

#include "scenario/route_text.hpp"
#include "scenario/toml_util.hpp"

namespace nscheck::scenario {
namespace {

/// A valid example of each NAT short form, for messages (those of the README).
std::string nat_example(std::string_view key) {
  if (key == "dnat") return "{ in = \"wan0\", proto = \"tcp\", port = 8080, to = \"10.0.0.1\", to_port = 80 }";
  if (key == "snat") return "{ from = \"10.0.0.0/24\", out = \"wan0\", to = \"203.0.113.1\" }";
  return "{ from = \"192.168.50.0/24\", out = \"ens5\" }";
}

/// Calls fn for a table, or for each table of an array of tables.
template <typename Fn>
void for_each_table(const toml::node& n, const char* key, Diagnostics& diags, Fn fn) {
  if (const auto* t = n.as_table()) return fn(*t);
  const auto* arr = n.as_array();
  if (!arr)
    return diags.add(
        loc_of(n), std::string(key) + " must be a table or an array of tables, e.g. " + key + " = " + nat_example(key));
  for (const auto& item : *arr) {
    if (const auto* t = item.as_table())
      fn(*t);
    else
      diags.add(loc_of(item), std::string(key) + ": each entry must be a table, e.g. " + nat_example(key));
  }
}

NftRuleset inline_ruleset(const toml::node& n, std::string_view text) {
  NftRuleset r;
  r.text = n.as_string()->get();
  r.loc = loc_of(n);
  r.text_start = origin_of(text, r.loc).first;
  return r;
}

void read_rulesets(const toml::node& n, std::string_view text, std::vector<NftRuleset>& out, Diagnostics& diags) {
  if (n.is_string()) return out.push_back(inline_ruleset(n, text));
  const auto* arr = n.as_array();
  if (!arr) return diags.add(loc_of(n), "nft must be a string of nft rules, or an array of them");
  for (const auto& item : *arr) {
    if (item.is_string())
      out.push_back(inline_ruleset(item, text));
    else
      diags.add(loc_of(item), "nft: each entry must be a string of nft rules");
  }
}

void read_files(const toml::node& n, std::vector<NftRuleset>& out, Diagnostics& diags) {
  auto add = [&](const std::string& path, Loc loc) {
    if (path.empty()) return diags.add(loc, "nft_file must name a file, e.g. \"firewall.nft\"");
    NftRuleset r;
    r.path = path;
    r.loc = loc;
    out.push_back(r);
  };
  if (n.is_string()) return add(n.as_string()->get(), loc_of(n));
  if (!n.is_array())
    return diags.add(loc_of(n), "nft_file must be a file name or an array of them, e.g. \"firewall.nft\", not " +
                                    std::string(type_name(n)));
  for_each_string(n, "nft_file", diags, add);
}

std::optional<IpAddress> read_address(const toml::table& t, const char* key, const char* what, Diagnostics& diags) {
  auto text = optional_string(t, key, diags);
  if (!text) return std::nullopt;
  auto a = IpAddress::parse(*text);
  if (!a)
    diags.add(loc_of(*t.get(key)),
              std::string(what) + " " + key + " \"" + *text +
                  "\" is not an IP address; write one address, e.g. \"192.0.2.1\" or \"2001:db8::1\"");
  return a;
}

std::uint16_t read_port(const toml::table& t, const char* key, const char* what, Diagnostics& diags) {
  auto v = optional_int(t, key, diags);
  if (!v) return 0;
  if (*v < 1 || *v > 65535) {
    diags.add(loc_of(*t.get(key)), std::string(what) + " " + key + " must be a port from 1 to 65535");
    return 0;
  }
  return static_cast<std::uint16_t>(*v);
}

NatRule read_nat_rule(const toml::table& t, NatRule::Kind kind, const char* what, Diagnostics& diags) {
  NatRule r;
  r.kind = kind;
  r.loc = loc_of(t);
  if (kind == NatRule::Kind::dnat) {
    check_keys(t, {"in", "proto", "port", "to", "to_port"}, what, diags);
    r.in = optional_string(t, "in", diags).value_or("");
    r.proto = required_string(t, "proto", r.loc, diags, what);
    if (!r.proto.empty() && r.proto != "tcp" && r.proto != "udp")
      diags.add(loc_of(*t.get("proto")), std::string(what) + " proto must be \"tcp\" or \"udp\"");
    r.port = read_port(t, "port", what, diags);
    if (!t.get("port")) diags.add(r.loc, std::string(what) + " needs port = the destination port it rewrites");
    r.to_port = read_port(t, "to_port", what, diags);
  } else {
    check_keys(t, kind == NatRule::Kind::snat ? std::vector<std::string>{"from", "out", "to"}
                                              : std::vector<std::string>{"from", "out"},
               what, diags);
    r.out = optional_string(t, "out", diags).value_or("");
    if (auto from = optional_string(t, "from", diags)) {
      r.from = Prefix::parse(*from, /*require_length=*/false);
      if (!r.from) diags.add(loc_of(*t.get("from")), std::string(what) + " from \"" + *from + "\" is not a prefix");
    }
  }
  if (kind != NatRule::Kind::masquerade) {
    r.to = read_address(t, "to", what, diags);
    if (!t.get("to")) diags.add(r.loc, std::string(what) + " needs to = the address it rewrites to");
  }
  return r;
}

constexpr std::pair<const char*, NatRule::Kind> k_nat_keys[] = {
    {"masquerade", NatRule::Kind::masquerade}, {"snat", NatRule::Kind::snat}, {"dnat", NatRule::Kind::dnat}};

// --- stage changes ----------------------------------------------------------------------------

const std::vector<std::string> k_change_actions{"sysctl",  "route",       "route_del",  "nft",  "nft_file",
                                                "nft_replace", "nft_flush", "masquerade", "snat", "dnat",
                                                "link_up", "link_down", "link_mtu"};

std::optional<Route> read_change_route(const toml::table& t, const char* key, Diagnostics& diags) {
  auto text = optional_string(t, key, diags);
  if (!text) return std::nullopt;
  auto r = parse_route(*text);
  if (!r) {
    diags.add(loc_of(*t.get(key)), std::string(key) + " \"" + *text + "\": " + r.error().message);
    return std::nullopt;
  }
  r->loc = loc_of(*t.get(key));
  return *r;
}

/// Fills the change from its one action key.
void read_action(const toml::table& t, const std::string& key, std::string_view text, Change& c, Diagnostics& diags) {
  const toml::node& v = *t.get(key);
  if (key == "sysctl") {
    c.kind = Change::Kind::sysctl;
    if (const auto* y = v.as_table())
      flatten_sysctls(*y, "", c.sysctls, diags);
    else
      diags.add(loc_of(v), "sysctl must be a table of \"net.KEY\" = VALUE");
  } else if (key == "route" || key == "route_del") {
    c.kind = key == "route" ? Change::Kind::route_add : Change::Kind::route_del;
    c.route = read_change_route(t, key.c_str(), diags);
  } else if (key == "nft" || key == "nft_replace") {
    c.kind = key == "nft" ? Change::Kind::nft : Change::Kind::nft_replace;
    if (v.is_string())
      c.nft = inline_ruleset(v, text);
    else
      diags.add(loc_of(v),
                key + " must be a string of nft rules, not " + type_name(v) +
                    (v.is_array() ? "; a change applies one batch: give each its own [[stages.change]]" : ""));
  } else if (key == "nft_file") {
    c.kind = Change::Kind::nft;
    const auto* arr = v.as_array();
    if (!v.is_string() && !arr)
      return diags.add(loc_of(v), "nft_file must be a string naming one file, e.g. \"firewall.nft\", not " +
                                      std::string(type_name(v)));
    if (arr && arr->size() != 1)
      return diags.add(loc_of(v), "nft_file in a change names one file (this one has " + std::to_string(arr->size()) +
                                      "): give each file its own [[stages.change]]");
    std::vector<NftRuleset> files;
    read_files(v, files, diags);
    if (files.size() == 1) c.nft = files.front();
  } else if (key == "nft_flush") {
    c.kind = Change::Kind::nft_flush;
    if (!v.is_boolean())
      diags.add(loc_of(v), "nft_flush must be true, not " + std::string(type_name(v)) +
                               ": nft_flush = true removes every table of the node");
    else if (!v.as_boolean()->get())
      diags.add(loc_of(v),
                "nft_flush = false changes nothing; write nft_flush = true to remove every table of the "
                "node, or leave this change out");
  } else if (key == "link_mtu") {
    c.kind = Change::Kind::link_mtu;
    const auto* m = v.as_table();
    if (!m) return diags.add(loc_of(v), "link_mtu must be a table: { dev = \"IFNAME\", mtu = 1400 }");
    check_keys(*m, {"dev", "mtu"}, "link_mtu", diags);
    c.ifname = required_string(*m, "dev", loc_of(v), diags, "link_mtu: { dev = \"IFNAME\", mtu = 1400 }");
    c.ifname_loc = m->get("dev") ? loc_of(*m->get("dev")) : loc_of(v);
    if (!m->get("mtu")) return diags.add(loc_of(v), "link_mtu needs mtu = a number from 68 to 65535");
    const auto mtu = optional_int(*m, "mtu", diags);  // not an integer: reported
    if (mtu && (*mtu < 68 || *mtu > 65535))
      diags.add(loc_of(*m->get("mtu")), "link_mtu mtu must be between 68 and 65535, not " + std::to_string(*mtu));
    else if (mtu)
      c.mtu = static_cast<std::uint32_t>(*mtu);
  } else if (key == "link_up" || key == "link_down") {
    c.kind = key == "link_up" ? Change::Kind::link_up : Change::Kind::link_down;
    c.ifname_loc = loc_of(v);
    if (!v.is_string())
      return diags.add(loc_of(v), key + " must be a string naming an interface of the node, e.g. " + key +
                                      " = \"eth0\", not " + std::string(type_name(v)));
    c.ifname = v.as_string()->get();
    if (c.ifname.empty())
      diags.add(loc_of(v), key + " = \"\" names no interface: write one of the node's, e.g. " + key + " = \"eth0\"");
  } else {
    for (const auto& [name, kind] : k_nat_keys) {
      if (key != name) continue;
      c.kind = Change::Kind::nat;
      if (const auto* nt = v.as_table())
        c.nat = read_nat_rule(*nt, kind, name, diags);
      else
        diags.add(loc_of(v), key + " in a change must be one table, e.g. " + key + " = " + nat_example(key) +
                                 (v.is_array() ? "; give each rule its own [[stages.change]]" : ""));
    }
  }
}

/// TOML puts every key written after [[stages.change]] into that change: a stage key there is
/// a misplaced line, not a typo.
void check_change_keys(const toml::table& t, Diagnostics& diags) {
  auto allowed = k_change_actions;
  allowed.insert(allowed.begin(), "node");
  for (const char* stage_key : {"name", "expect", "default", "check", "deadline_ms", "count", "routes"}) {
    if (const auto* n = t.get(stage_key)) {
      diags.add(loc_of(*n), std::string("\"") + stage_key + "\" belongs to the stage, but TOML puts every key written "
                            "after [[stages.change]] into that change: write it before the stage's first "
                            "[[stages.change]]");
      allowed.emplace_back(stage_key);  // said once, here
    }
  }
  check_keys(t, allowed, "change", diags);
}

void read_change(const toml::table& t, std::string_view text, Stage& st, Diagnostics& diags) {
  Change c;
  c.loc = loc_of(t);
  check_change_keys(t, diags);
  c.node = required_string(t, "node", c.loc, diags, "[[stages.change]]");
  std::vector<std::string> actions;
  for (const auto& a : k_change_actions)  // NOLINT: one pass over a short list
    if (t.get(a)) actions.push_back(a);
  if (actions.size() != 1) {
    std::string list;
    for (const auto& a : k_change_actions) list += (list.empty() ? "" : ", ") + a;
    return diags.add(c.loc, "each [[stages.change]] needs node and exactly one of: " + list +
                                (actions.empty() ? "" : " (this one has " + std::to_string(actions.size()) + ")"));
  }
  read_action(t, actions.front(), text, c, diags);
  st.changes.push_back(std::move(c));
}

}  // namespace

void read_node_firewall(const toml::table& t, std::string_view text, Node& node, Diagnostics& diags) {
  if (const auto* n = t.get("nft")) read_rulesets(*n, text, node.nft, diags);
  if (const auto* n = t.get("nft_file")) read_files(*n, node.nft, diags);
  for (const auto& entry : k_nat_keys) {
    const char* key = entry.first;  // (clang 14 cannot capture structured bindings)
    const NatRule::Kind kind = entry.second;
    if (const auto* n = t.get(key))
      for_each_table(*n, key, diags, [&](const toml::table& r) { node.nat.push_back(read_nat_rule(r, kind, key, diags)); });
  }
}

void read_changes(const toml::node& n, std::string_view text, Stage& st, Diagnostics& diags) {
  const auto* arr = n.as_array();
  if (!arr) return diags.add(loc_of(n), "change must be an array of tables: [[stages.change]]");
  for (const auto& item : *arr) {
    if (const auto* t = item.as_table())
      read_change(*t, text, st, diags);
    else
      diags.add(loc_of(item), "each [[stages.change]] must be a table with node and one change");
  }
}

}  // namespace nscheck::scenario
