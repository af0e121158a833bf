#include "topology/requests_for.hpp"

namespace nscheck::topology {

nl::Request veth_request(const PlannedVeth& v, int peer_ns_fd) {
  nl::VethSpec spec{v.name, v.ifindex, v.peer_name, v.peer_ifindex, peer_ns_fd};
  return {nl::link_new_veth(spec), "dev " + v.name + ": RTM_NEWLINK veth peer " + v.peer_name};
}

nl::Request route_request(const PlannedRoute& r) {
  nl::RouteSpec spec{r.route.destination, r.route.gateway, r.oif, r.route.source, r.route.metric};
  return {nl::route_new(spec), "RTM_NEWROUTE " + r.route.text};
}

std::vector<nl::Request> configure_requests(const PlannedNode& n) {
  std::vector<nl::Request> out;
  for (const auto& i : n.ifaces)
    for (const auto& a : i.addresses)
      out.push_back({nl::addr_new(i.ifindex, a), "dev " + i.name + ": RTM_NEWADDR " + a.str()});
  out.push_back({nl::link_set_up(k_lo_ifindex), "dev lo: RTM_NEWLINK up"});
  for (const auto& i : n.ifaces) out.push_back({nl::link_set_up(i.ifindex), "dev " + i.name + ": RTM_NEWLINK up"});
  for (const auto& r : n.routes) out.push_back(route_request(r));
  return out;
}

}  // namespace nscheck::topology
