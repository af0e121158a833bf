#pragma once
// Test helper: what a process holds that a run of nscheck could leave behind.

#include <cstddef>
#include <map>
#include <string>

namespace nscheck::test {

/// The calling process's resources, as counted from /proc/self.
struct Footprint {
  std::size_t fds = 0;              ///< entries of /proc/self/fd
  std::size_t net_namespaces = 0;   ///< distinct net:[...] in /proc/self/fd and /proc/self/task/*/ns/net
  std::size_t netlink_sockets = 0;  ///< lines of /proc/self/net/netlink (the test's own namespace)
  long threads = 0;                 ///< Threads of /proc/self/status
  long rss_kib = 0;                 ///< VmRSS of /proc/self/status

  bool operator==(const Footprint&) const = default;
};

/// Counts the calling process's resources now.
Footprint footprint();

/// "fds 9, net namespaces 1, netlink sockets 3, threads 1, RSS 5120 KiB"
std::string describe(const Footprint& f);

/// The fds present in only one of two open_fds() listings, with their targets.
std::string fd_difference(const std::map<int, std::string>& before, const std::map<int, std::string>& after);

}  // namespace nscheck::test
