#pragma once
// The live topology: one anonymous namespace per node, held by an fd, with its own rtnetlink
// socket. Building executes a Plan; destroying the object (or the process dying) frees it all.

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "netlink/socket.hpp"
#include "topology/plan.hpp"
#include "topology/requests_for.hpp"

namespace nscheck::topology {

/// Time spent in each phase of the build, for --verbose and benchmarks.
struct BuildTimings {
  double namespaces_s = 0;
  double links_s = 0;
  double configure_s = 0;
  double wait_up_s = 0;  ///< links operationally up, IPv6 addresses usable
};

/// How long links may take to become operationally up before the build fails.
inline constexpr std::chrono::milliseconds k_oper_up_timeout{10000};

/// A built topology. Move-only; every fd has this one owner.
class Topology {
 public:
  /// Builds the plan; on failure, everything created so far is freed when the result dies.
  static Result<Topology> build(const Plan& plan, BuildTimings* timings = nullptr);

  [[nodiscard]] const Plan& plan() const { return plan_; }
  /// The namespace fd of node i (borrowed).
  [[nodiscard]] int ns_fd(std::size_t node) const { return nodes_[node]->ns.get(); }
  /// Every node's namespace fd, in plan order.
  [[nodiscard]] std::vector<int> ns_fds() const;

  /// Writes sysctls in node i, in order.
  Result<void> write_sysctls(std::size_t node, const std::vector<SysctlWrite>& writes);
  /// Adds routes in node i, in order.
  Result<void> add_routes(std::size_t node, const std::vector<PlannedRoute>& routes);

  /// Deletes a route in node i (ip route del).
  Result<void> delete_route(std::size_t node, const PlannedRoute& route);

  /// Sets a link of node i administratively up or down (ip link set IF up|down). Up returns
  /// once it and its veth peer are operationally up again (a veth sends nothing before).
  Result<void> set_link(std::size_t node, const std::string& ifname, bool up);

  /// Sets the MTU of a link of node i (ip link set IF mtu N).
  Result<void> set_mtu(std::size_t node, const std::string& ifname, std::uint32_t mtu);

  /// Flushes node i's conntrack table, so no flow of an earlier stage decides a later one. A
  /// namespace without conntrack (the module is not loaded) has nothing to flush.
  Result<void> flush_conntrack(std::size_t node);

  /// Closes every socket and namespace fd; the kernel frees the namespaces.
  void close();

 private:
  struct Node {
    UniqueFd ns;
    std::optional<nl::Socket> sock;  ///< opened inside the namespace
    std::vector<int> up;          ///< ifindexes seen operationally up
    std::vector<int> admin_down;  ///< ifindexes a stage set down: not waited for
    bool track_down = false;      ///< a stage changed link states: "not up" messages count too
  };
  Result<void> create_namespaces();
  Result<void> create_veths();
  Result<void> configure();
  Result<void> wait_oper_up();
  Result<void> wait_links_up();
  Result<void> wait_ipv6_ready();
  Error node_error(std::size_t node, const Error& e) const;
  [[nodiscard]] bool awaited(std::size_t node, int ifindex) const;
  [[nodiscard]] Result<int> ifindex_of(std::size_t node, const std::string& ifname) const;

  Plan plan_;
  std::vector<std::unique_ptr<Node>> nodes_;  ///< stable addresses: socket handlers point here
};

/// Tries each feature in a scratch namespace; the first one refused is an environment error
/// naming the node, the device or rule, and the missing kernel feature.
Result<void> check_kernel_features(const std::vector<FeatureTrial>& trials);

/// Writes sysctls from the calling thread (which must already be in the node's namespace).
Result<void> write_sysctls_here(const std::vector<SysctlWrite>& writes);

}  // namespace nscheck::topology
