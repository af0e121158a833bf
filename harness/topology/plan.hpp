#pragma once
// The topology plan: what the builder will do, in order, as plain data. Planning is pure
// (scenario in, plan out) so that it is unit-tested without root and printed by --dry-run.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ip.hpp"
#include "scenario/model.hpp"

namespace nscheck::topology {

/// ifindex of lo in every namespace.
inline constexpr int k_lo_ifindex = 1;
/// First ifindex nscheck assigns to its own interfaces. Fallback tunnel devices (sit0, gre0...)
/// that some kernels create in every new namespace take low indexes, so start well above them.
inline constexpr int k_first_ifindex = 100;

/// A sysctl write: the key as written and its /proc/sys path.
struct SysctlWrite {
  std::string key;
  std::string path;   ///< "/proc/sys/net/ipv4/ip_forward"
  std::string value;
  bool optional = false;  ///< a default whose absence (no IPv6 in the kernel) is not an error
  scenario::Loc loc;      ///< where the scenario set it (0:0 for nscheck's own defaults)
};

/// An interface of a node: a veth end or a bridge to create, or lo.
struct PlannedIface {
  std::string name;
  int ifindex = 0;
  std::vector<Prefix> addresses;
  scenario::IfaceKind kind = scenario::IfaceKind::veth;
  bool up = true;       ///< set IFF_UP
  bool wait_up = true;  ///< wait for IF_OPER_UP: up, with carrier (a veth whose peer is up too)
  int master = 0;       ///< the bridge's ifindex for a port
  std::optional<std::uint32_t> mtu;
  std::optional<scenario::Mac> mac;
};

/// A veth pair: created from `node`'s socket, its peer placed straight into `peer_node`.
struct PlannedVeth {
  std::size_t node = 0;
  std::string name;
  int ifindex = 0;
  std::size_t peer_node = 0;
  std::string peer_name;
  int peer_ifindex = 0;
};

/// A route, resolved to output ifindexes where devices were named and to a table id.
struct PlannedRoute {
  scenario::Route route;
  int oif = 0;
  std::vector<int> nexthop_oifs;  ///< one per route.nexthops (0 = no dev)
  std::uint32_t table = 254;      ///< main unless "table T"
};

/// A rule in one family: a rule without from/to is planned once per family.
struct PlannedRule {
  scenario::Rule rule;
  Family family = Family::v4;
  std::uint32_t table = 254;
};

/// Everything about one node.
struct PlannedNode {
  std::string name;
  std::vector<PlannedIface> ifaces;
  std::vector<SysctlWrite> early_sysctls;  ///< before any interface exists: defaults, global keys
  std::vector<SysctlWrite> late_sysctls;   ///< keys of an interface, once it exists
  std::vector<PlannedRoute> routes;
  std::vector<PlannedRule> rules;               ///< after the routes
  std::map<std::string, std::uint32_t> tables;  ///< the node's table names
};

/// The whole plan.
struct Plan {
  std::vector<PlannedNode> nodes;
  std::vector<PlannedVeth> veths;
};

/// The sysctls nscheck sets in every node unless the scenario sets the same key.
std::vector<SysctlWrite> default_sysctls();

/// Plans the topology of a validated scenario.
Plan plan_topology(const scenario::Scenario& s);

/// The /proc/sys path of a dotted key; interface names may contain dots ("eth0.100"), so the
/// node's interface names are used to split "net.ipv4.conf.IF.key" correctly.
std::string sysctl_path(const std::string& key, const std::vector<std::string>& ifnames);

/// Resolves a route of node `node` (device name -> ifindex).
PlannedRoute plan_route(const PlannedNode& node, const scenario::Route& r);

/// Plans the sysctl writes of node `node` (for stage changes).
SysctlWrite plan_sysctl(const PlannedNode& node, const scenario::Sysctl& y);

/// The plan as text, one step per line, in execution order (for --dry-run and tests).
std::string describe(const Plan& plan);

}  // namespace nscheck::topology
