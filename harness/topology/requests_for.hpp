#pragma once
// Pure: the rtnetlink requests that realise a plan, each with its description for errors.

#include <vector>

#include "netlink/socket.hpp"
#include "topology/plan.hpp"

namespace nscheck::topology {

/// The RTM_NEWLINK creating a veth; peer_ns_fd is the live fd of the peer's namespace.
nl::Request veth_request(const PlannedVeth& v, int peer_ns_fd);

/// The bridges of one node (created with the veths, before the sysctls of their interfaces).
std::vector<nl::Request> bridge_requests(const PlannedNode& n);

/// Link settings (mtu, address, master), addresses, link up (lo first) and routes of one node, in the order they must
/// run.
std::vector<nl::Request> configure_requests(const PlannedNode& n);

/// What the netlink factory needs of a planned route.
nl::RouteSpec route_spec(const PlannedRoute& r);

/// One rule, in its family.
nl::Request rule_request(const PlannedRule& r);

/// A kernel feature the plan needs, tried in a scratch namespace before anything is built.
struct FeatureTrial {
  std::string where;    ///< "node sw: dev br0"
  std::string feature;  ///< "bridge devices (CONFIG_BRIDGE, module bridge)"
  nl::Request request;  ///< the first request of the plan that needs it
};

/// The trials of a plan: its first bridge, its first rule of each family.
std::vector<FeatureTrial> feature_trials(const Plan& plan);

/// One route.
nl::Request route_request(const PlannedRoute& r);

}  // namespace nscheck::topology
