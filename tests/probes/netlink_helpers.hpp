#pragma once
// Test-only topology helpers for the IPv6 probe tests, on the netlink layer (nscheck_netlink):
// addresses (IFA_F_NODAD: usable at once, no DAD wait), typed routes (local, unreachable,
// prohibit, blackhole: route_new knows only unicast), gateway routes and veth pairs. Each opens
// an rtnetlink socket inside the namespace it changes, and closes it before returning.

#include <string>

#include "core/ip.hpp"
#include "core/result.hpp"

namespace nscheck::test {

inline constexpr int k_lo = 1;

/// Adds prefix ("2001:db8::1/64") to interface ifindex in the namespace, and returns once the
/// kernel routes the address as local. Why wait: an IPv6 address becomes a local destination
/// only when its addrconf work runs (addrconf_dad_work: after the ACK, under the RTNL, even with
/// IFA_F_NODAD and on lo); until then packets to it leave through the prefix route and are lost,
/// and bind() to it fails. Busy namespaces elsewhere (RTNL contention) stretch that to 100s of ms.
Result<void> add_address(int ns_fd, int ifindex, const std::string& prefix);

/// Route types route_new() cannot build.
enum class RouteKind {
  local,        ///< every address of the prefix is local (AnyIP), through lo
  unreachable,  ///< `ip route add unreachable`
  prohibit,     ///< `ip route add prohibit`
  blackhole,    ///< `ip route add blackhole`
};

/// Adds a route of that kind for prefix to the main table of the namespace.
Result<void> add_route(int ns_fd, const std::string& prefix, RouteKind kind);

/// Adds a route to prefix via gateway (a unicast route: route_new).
Result<void> add_route_via(int ns_fd, const std::string& prefix, const std::string& gateway);

/// Creates a veth pair: name_a (ifindex_a) in ns_a, name_b (ifindex_b) in ns_b; both set up.
Result<void> add_veth(int ns_a, const std::string& name_a, int ifindex_a, int ns_b, const std::string& name_b,
                      int ifindex_b);

}  // namespace nscheck::test
