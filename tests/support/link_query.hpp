#pragma once
// For privileged tests that read a link's settings back from inside its namespace.
#include <gtest/gtest.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/netns.hpp"
#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace nscheck::test {

/// ifreq of `ifname` in namespace ns_fd after ioctl `request` (SIOCGIFMTU, SIOCGIFHWADDR,
/// SIOCGIFFLAGS); a failed ioctl fails the test.
inline ifreq query(int ns_fd, const char* ifname, unsigned long request) {
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  auto r = run_in_netns(ns_fd, [&]() -> Result<void> {
    UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (::ioctl(s.get(), request, &ifr) != 0) return errno_error(std::string("ioctl ") + ifname, errno);
    return {};
  });
  EXPECT_TRUE(r.ok()) << r.error().message;
  return ifr;
}

}  // namespace nscheck::test
