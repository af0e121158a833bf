#include "run/footprint.hpp"

#include <dirent.h>
#include <unistd.h>

#include <climits>
#include <fstream>
#include <set>

#include "support/proc.hpp"

namespace nscheck::test {
namespace {

/// readlink of every /proc/self/task/*/ns/net: the namespaces the test's threads are in.
void thread_namespaces(std::set<std::string>& out) {
  DIR* d = ::opendir("/proc/self/task");
  if (!d) return;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string link = std::string("/proc/self/task/") + e->d_name + "/ns/net";
    char target[PATH_MAX] = {};
    if (const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1); n > 0)
      out.emplace(target, static_cast<std::size_t>(n));
  }
  ::closedir(d);
}

std::size_t line_count(const std::string& path) {
  std::ifstream in(path);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

}  // namespace

Footprint footprint() {
  Footprint f;
  const auto fds = open_fds();
  f.fds = fds.size();
  std::set<std::string> namespaces;
  for (const auto& [fd, target] : fds)
    if (target.starts_with("net:[")) namespaces.insert(target);
  thread_namespaces(namespaces);
  f.net_namespaces = namespaces.size();
  f.netlink_sockets = line_count("/proc/self/net/netlink") - 1;  // minus the header
  f.threads = status_field("self", "Threads");
  f.rss_kib = status_field("self", "VmRSS");
  return f;
}

std::string describe(const Footprint& f) {
  return "fds " + std::to_string(f.fds) + ", net namespaces " + std::to_string(f.net_namespaces) +
         ", netlink sockets " + std::to_string(f.netlink_sockets) + ", threads " + std::to_string(f.threads) +
         ", RSS " + std::to_string(f.rss_kib) + " KiB";
}

std::string fd_difference(const std::map<int, std::string>& before, const std::map<int, std::string>& after) {
  std::string out;
  for (const auto& [fd, target] : before)
    if (auto it = after.find(fd); it == after.end() || it->second != target)
      out += "  closed: " + std::to_string(fd) + " -> " + target + "\n";
  for (const auto& [fd, target] : after)
    if (auto it = before.find(fd); it == before.end() || it->second != target)
      out += "  opened: " + std::to_string(fd) + " -> " + target + "\n";
  return out;
}

}  // namespace nscheck::test
