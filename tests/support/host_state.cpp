#include "support/host_state.hpp"

#include <dirent.h>

#include <fstream>
#include <sstream>

#include "support/process.hpp"

namespace nscheck::test {
namespace {

/// Every readable file under dir, as "path=value" lines (the sysctl tree).
void read_tree(const std::string& dir, std::string& out) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir + "/" + name;
    if (e->d_type == DT_DIR) {
      read_tree(path, out);
      continue;
    }
    // per-boot random or ever-changing values, not settings
    if (name == "stable_secret" || name.ends_with("_count")) continue;
    std::ifstream in(path);
    std::stringstream v;
    v << in.rdbuf();
    out += path + "=" + v.str();
  }
  ::closedir(d);
}

}  // namespace

std::string host_state() {
  std::string s;
  for (auto argv : std::vector<std::vector<std::string>>{
           {"/usr/sbin/ip", "-d", "-o", "link", "show"},
           {"/usr/sbin/ip", "-o", "addr", "show"},
           {"/usr/sbin/ip", "route", "show", "table", "all"},
           {"/usr/sbin/ip", "-6", "route", "show", "table", "all"},
           {"/usr/sbin/ip", "rule", "show"},
           {"/usr/sbin/ip", "netns", "list"},
           {"/usr/sbin/nft", "list", "ruleset"}}) {
    s += "$";
    for (const auto& a : argv) s += " " + a;
    s += "\n" + capture(argv);
  }
  read_tree("/proc/sys/net", s);
  return s;
}

}  // namespace nscheck::test
