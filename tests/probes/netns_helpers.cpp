#include "probes/netns_helpers.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "core/netns.hpp"
#include "probes/icmp_codec.hpp"

namespace nscheck::test {
namespace {

Result<void> bring_lo_up() {
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return errno_error("socket for SIOCSIFFLAGS", errno);
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0) return errno_error("SIOCGIFFLAGS lo", errno);
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(s.get(), SIOCSIFFLAGS, &ifr) != 0) return errno_error("SIOCSIFFLAGS lo up", errno);
  return {};
}

sockaddr ipv4_sockaddr(const char* text) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  ::inet_pton(AF_INET, text, &sa.sin_addr);
  sockaddr out{};
  std::memcpy(&out, &sa, sizeof sa);
  return out;
}

}  // namespace

/// Writes a /proc/sys file from the calling thread (inside the namespace it is in).
Result<void> write_here(const std::string& path, const std::string& value) {
  const std::string full = "/proc/sys/" + path;
  UniqueFd fd(::open(full.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + full, errno);
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
    return errno_error("write " + full, errno);
  return {};
}

Result<std::vector<UniqueFd>> make_lo_namespaces(std::size_t n) {
  return create_netns(n, [](std::size_t) -> Result<void> {
    // as nscheck does in every node: no DAD, or IPv6 neighbour discovery (which needs a
    // non-tentative link-local address) waits a second or more for the kernel's own fe80::
    for (const char* key : {"net/ipv6/conf/all/accept_dad", "net/ipv6/conf/default/accept_dad"})
      NS_CHECK(write_here(key, "0"));
    return bring_lo_up();
  });
}

Result<void> write_sysctl(int ns_fd, const std::string& path, const std::string& value) {
  return run_in_netns(ns_fd, [&]() { return write_here(path, value); });
}

Result<void> add_reject_route(int ns_fd, const char* network, const char* netmask) {
  return run_in_netns(ns_fd, [&]() -> Result<void> {
    UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!s.valid()) return errno_error("socket for SIOCADDRT", errno);
    rtentry rt{};
    rt.rt_dst = ipv4_sockaddr(network);
    rt.rt_genmask = ipv4_sockaddr(netmask);
    rt.rt_flags = RTF_UP | RTF_REJECT;
    char dev[] = "lo";
    rt.rt_dev = dev;
    if (::ioctl(s.get(), SIOCADDRT, &rt) != 0) return errno_error("SIOCADDRT reject", errno);
    return {};
  });
}

Result<std::unique_ptr<IcmpErrorResponder>> IcmpErrorResponder::start(int ns_fd, ResponderPolicy policy) {
  UniqueFd listen, send;
  NS_CHECK(run_in_netns(ns_fd, [&]() -> Result<void> {
    listen.reset(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
    if (!listen.valid()) return errno_error("responder socket(IPPROTO_ICMP)", errno);
    send.reset(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));  // IP_HDRINCL implied
    if (!send.valid()) return errno_error("responder socket(IPPROTO_RAW)", errno);
    return {};
  }));
  return std::unique_ptr<IcmpErrorResponder>(
      new IcmpErrorResponder(std::move(listen), std::move(send), std::move(policy)));
}

IcmpErrorResponder::IcmpErrorResponder(UniqueFd listen, UniqueFd send, ResponderPolicy policy)
    : listen_(std::move(listen)), send_(std::move(send)), policy_(std::move(policy)) {
  thread_ = std::thread([this] { loop(); });
}

IcmpErrorResponder::~IcmpErrorResponder() {
  stop_ = true;
  thread_.join();
}

void IcmpErrorResponder::loop() {
  std::uint8_t buf[2048];
  while (!stop_) {
    pollfd p{listen_.get(), POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    const ssize_t n = ::recv(listen_.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n < 20) continue;
    const std::size_t ihl = static_cast<std::size_t>(buf[0] & 0x0f) * 4;
    if (static_cast<std::size_t>(n) < ihl + 8 || buf[ihl] != probes::icmp::k_echo_request) continue;
    if (auto e = policy_(seen_++)) answer(buf, static_cast<std::size_t>(n), *e);
  }
}

void IcmpErrorResponder::answer(const std::uint8_t* request, std::size_t len, const ForgedError& e) {
  const std::size_t ihl = static_cast<std::size_t>(request[0] & 0x0f) * 4;
  const std::size_t quote = std::min(len, ihl + e.quoted_icmp_bytes);
  std::vector<std::uint8_t> icmp(8, 0);
  icmp[0] = e.type;
  icmp[1] = e.code;
  icmp.insert(icmp.end(), request, request + quote);
  const std::uint16_t sum = probes::icmp::internet_checksum(icmp);
  icmp[2] = static_cast<std::uint8_t>(sum >> 8);
  icmp[3] = static_cast<std::uint8_t>(sum);
  std::vector<std::uint8_t> packet(20, 0);
  packet[0] = 0x45;
  packet[8] = 64;
  packet[9] = IPPROTO_ICMP;
  std::memcpy(&packet[12], e.reporter.bytes.data(), 4);
  std::memcpy(&packet[16], request + 12, 4);              // back to the request's source
  packet.insert(packet.end(), icmp.begin(), icmp.end());  // the kernel fills length and checksum
  sockaddr_in to{};
  to.sin_family = AF_INET;
  std::memcpy(&to.sin_addr, request + 12, 4);
  ::sendto(send_.get(), packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
}

}  // namespace nscheck::test
