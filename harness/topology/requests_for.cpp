#include "topology/requests_for.hpp"

#include <utility>

namespace nscheck::topology {

nl::Request veth_request(const PlannedVeth& v, int peer_ns_fd) {
  nl::VethSpec spec{v.name, v.ifindex, v.peer_name, v.peer_ifindex, peer_ns_fd};
  return {nl::link_new_veth(spec), "dev " + v.name + ": RTM_NEWLINK veth peer " + v.peer_name};
}

namespace {

nl::RouteType route_type(scenario::RouteType t) {
  switch (t) {
    case scenario::RouteType::blackhole: return nl::RouteType::blackhole;
    case scenario::RouteType::unreachable: return nl::RouteType::unreachable;
    case scenario::RouteType::prohibit: return nl::RouteType::prohibit;
    case scenario::RouteType::unicast: break;
  }
  return nl::RouteType::unicast;
}

}  // namespace

nl::RouteSpec route_spec(const PlannedRoute& r) {
  const auto& route = r.route;
  nl::RouteSpec spec{route.destination, route.gateway, r.oif, route.source, route.metric, route_type(route.type),
                     r.table,           route.onlink,  {}};
  for (std::size_t i = 0; i < route.nexthops.size(); ++i) {
    const auto& h = route.nexthops[i];
    spec.nexthops.push_back({h.gateway, r.nexthop_oifs[i], h.weight, h.onlink});
  }
  return spec;
}

nl::Request route_request(const PlannedRoute& r) {
  const auto spec = route_spec(r);
  return {nl::route_new(spec), "RTM_NEWROUTE " + r.route.text};
}

nl::Request rule_request(const PlannedRule& r) {
  const auto& rule = r.rule;
  const nl::RuleSpec spec{r.family,    rule.from, rule.to,  rule.priority, rule.fwmark,
                          rule.fwmask, rule.iif,  rule.oif, r.table};
  return {nl::rule_new(spec), std::string("RTM_NEWRULE ") + (r.family == Family::v4 ? "" : "-6 ") + rule.text};
}

std::vector<nl::Request> bridge_requests(const PlannedNode& n) {
  std::vector<nl::Request> out;
  for (const auto& i : n.ifaces)
    if (i.kind == scenario::IfaceKind::bridge)
      out.push_back({nl::link_new("bridge", i.name, i.ifindex), "dev " + i.name + ": RTM_NEWLINK bridge"});
  return out;
}

std::vector<nl::Request> configure_requests(const PlannedNode& n) {
  std::vector<nl::Request> out;
  for (const auto& i : n.ifaces)
    if (i.mtu || i.mac || i.master)
      out.push_back({nl::link_set({i.ifindex, i.mtu, i.mac, i.master}), "dev " + i.name + ": RTM_NEWLINK set"});
  for (const auto& i : n.ifaces)
    for (const auto& a : i.addresses)
      out.push_back({nl::addr_new(i.ifindex, a), "dev " + i.name + ": RTM_NEWADDR " + a.str()});
  out.push_back({nl::link_set_up(k_lo_ifindex), "dev lo: RTM_NEWLINK up"});
  for (const auto& i : n.ifaces)
    if (i.up && i.kind != scenario::IfaceKind::loopback)
      out.push_back({nl::link_set_up(i.ifindex), "dev " + i.name + ": RTM_NEWLINK up"});
  for (const auto& r : n.routes) out.push_back(route_request(r));
  for (const auto& r : n.rules) out.push_back(rule_request(r));
  return out;
}

}  // namespace nscheck::topology

namespace nscheck::topology {

std::vector<FeatureTrial> feature_trials(const Plan& plan) {
  std::vector<FeatureTrial> out;
  bool bridge = false, rule[2] = {false, false};
  for (const auto& n : plan.nodes) {
    for (const auto& i : n.ifaces) {
      if (i.kind != scenario::IfaceKind::bridge || std::exchange(bridge, true)) continue;
      out.push_back({"node " + n.name + ": dev " + i.name, "bridge devices (CONFIG_BRIDGE, module bridge)",
                     bridge_requests(n).front()});
    }
    for (const auto& r : n.rules) {
      const bool v6 = r.family == Family::v6;
      if (std::exchange(rule[v6], true)) continue;
      out.push_back(
          {"node " + n.name + ": rule " + r.rule.text,
           v6 ? "IPv6 policy routing (CONFIG_IPV6_MULTIPLE_TABLES)" : "policy routing (CONFIG_IP_MULTIPLE_TABLES)",
           rule_request(r)});
    }
  }
  return out;
}

}  // namespace nscheck::topology
