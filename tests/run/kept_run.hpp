#pragma once
// Test helpers that read the kernel state of a run's own namespaces after its last stage: the run
// is kept (--keep) inside a mount namespace of the test's own, so nothing reaches the host.

#include <functional>
#include <map>
#include <set>
#include <string>

#include "run/runner.hpp"

namespace nscheck::run {

/// The run's node namespaces by node name, pinned by --keep and opened again by their pinned names.
using NodeFds = std::map<std::string, int>;

/// Parses and runs the scenario text with --keep on a thread of its own that first enters a
/// private mount namespace with a fresh tmpfs on /run: the pins never reach the host's
/// /run/netns, and they die with that mount namespace whatever happens. inspect() gets the run's
/// node namespaces as they are after the last stage; then the kept run is cleaned.
RunResult run_kept(const std::string& text, const std::function<void(const NodeFds&)>& inspect);

/// /proc/sys/KEY (dots as slashes) as the namespace ns_fd sees it, without the final newline.
std::string read_sysctl(int ns_fd, const std::string& key);

/// The MTU of interface ifname inside the namespace ns_fd (SIOCGIFMTU), -1 when unknown.
int read_mtu(int ns_fd, const std::string& ifname);

/// Every IPv4 address of the namespace ns_fd as "IFNAME ADDRESS".
std::set<std::string> read_ipv4_addresses(int ns_fd);

}  // namespace nscheck::run
