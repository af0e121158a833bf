#include "run/kept_run.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "core/netns.hpp"
#include "scenario/loader.hpp"
#include "topology/keep.hpp"

namespace nscheck::run {

RunResult run_kept(const std::string& text, const std::function<void(const NodeFds&)>& inspect) {
  RunResult out;
  // CLONE_NEWNS (and the CLONE_FS it implies) may be unshared by one thread of a multithreaded
  // process; the threads and children the run starts from here inherit this mount namespace
  std::thread t([&] {
    if (::unshare(CLONE_NEWNS) != 0) return ADD_FAILURE() << "unshare(CLONE_NEWNS): " << std::strerror(errno), void();
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      return ADD_FAILURE() << "make / private: " << std::strerror(errno), void();
    if (::mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") != 0)
      return ADD_FAILURE() << "tmpfs on /run: " << std::strerror(errno), void();
    auto s = scenario::parse_scenario(text, "t.toml");
    if (!s) return ADD_FAILURE() << s.error().message, void();
    std::atomic<bool> stop{false};
    out = run_scenario(*s, {.keep = true}, stop);
    if (!out.kept) return ADD_FAILURE() << "nothing kept", void();
    std::map<std::string, UniqueFd> owned;
    NodeFds fds;
    for (std::size_t i = 0; i < out.kept->nodes.size(); ++i) {
      const std::string path = std::string(topology::k_netns_dir) + "/" + out.kept->names[i];
      UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd.valid()) return ADD_FAILURE() << "open " << path << ": " << std::strerror(errno), void();
      fds[out.kept->nodes[i]] = fd.get();
      owned.emplace(out.kept->nodes[i], std::move(fd));
    }
    inspect(fds);
    auto cleaned = topology::clean_kept(out.kept->run_id);
    EXPECT_TRUE(cleaned.ok()) << (cleaned.ok() ? "" : cleaned.error().message);
  });
  t.join();
  return out;
}

std::string read_sysctl(int ns_fd, const std::string& key) {
  std::string path = "/proc/sys/" + key, value;
  std::replace(path.begin(), path.end(), '.', '/');
  auto r = run_in_netns(ns_fd, [&]() -> Result<void> {
    std::ifstream in(path);
    if (!in) return Error{"cannot read " + path, errno, ErrorKind::environment};
    std::getline(in, value);
    return {};
  });
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return value;
}

int read_mtu(int ns_fd, const std::string& ifname) {
  int mtu = -1;
  auto r = run_in_netns(ns_fd, [&]() -> Result<void> {
    UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!s.valid()) return Error{"socket", errno, ErrorKind::environment};
    ifreq req{};
    std::strncpy(req.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
    if (::ioctl(s.get(), SIOCGIFMTU, &req) != 0) return Error{"SIOCGIFMTU " + ifname, errno, ErrorKind::environment};
    mtu = req.ifr_mtu;
    return {};
  });
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return mtu;
}

std::set<std::string> read_ipv4_addresses(int ns_fd) {
  std::set<std::string> out;
  auto r = run_in_netns(ns_fd, [&]() -> Result<void> {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return Error{"getifaddrs", errno, ErrorKind::environment};
    for (const ifaddrs* a = list; a; a = a->ifa_next) {
      if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
      char text[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr, text, sizeof text);
      out.insert(std::string(a->ifa_name) + " " + text);
    }
    ::freeifaddrs(list);
    return {};
  });
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return out;
}

}  // namespace nscheck::run
