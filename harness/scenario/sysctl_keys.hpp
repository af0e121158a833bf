#pragma once
// Static knowledge of the sysctl keys a node can set, so that typos are caught before anything
// is created. Keys of net.ipv4, net.ipv6, net.core and net.unix must be known (the list comes from
// a fresh namespace of a recent kernel, see gen_sysctl_keys.sh); other net.* families depend on
// loaded modules (netfilter, bridge, sctp...) and are left for the kernel to judge at run time.

#include <optional>
#include <string>
#include <vector>

namespace nscheck::scenario {

/// Checks a dotted net.* key for a node with these interfaces; the problem text, or nullopt.
std::optional<std::string> check_sysctl_key(const std::string& key, const std::vector<std::string>& ifnames);

}  // namespace nscheck::scenario
