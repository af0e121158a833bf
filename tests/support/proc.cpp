#include "support/proc.hpp"

#include <dirent.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>

namespace nscheck::test {

std::map<int, std::string> open_fds(const std::string& pid) {
  std::map<int, std::string> out;
  const std::string dir = "/proc/" + pid + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const int fd = std::atoi(e->d_name);
    if (pid == "self" && fd == ::dirfd(d)) continue;  // the listing's own fd
    char target[PATH_MAX] = {};
    const ssize_t n = ::readlink((dir + "/" + e->d_name).c_str(), target, sizeof target - 1);
    out[fd] = n > 0 ? std::string(target, static_cast<std::size_t>(n)) : std::string("?");
  }
  ::closedir(d);
  return out;
}

namespace {

/// The text after "key:" in /proc/PID/status, or "" if absent.
std::string status_text(const std::string& pid, const std::string& key) {
  std::ifstream in("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(key + ":")) return line.substr(key.size() + 1);
  return "";
}

}  // namespace

std::uint64_t caught_signals(int pid) {
  const std::string hex = status_text(std::to_string(pid), "SigCgt");
  return hex.empty() ? 0 : std::strtoull(hex.c_str(), nullptr, 16);
}

long status_field(const std::string& pid, const std::string& key) {
  const std::string text = status_text(pid, key);
  return text.empty() ? -1 : std::strtol(text.c_str(), nullptr, 10);
}

}  // namespace nscheck::test
