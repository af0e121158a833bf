#include "probes/socket_factory.hpp"

#include <linux/icmp.h>
#include <linux/if.h>  // IFNAMSIZ (not <net/if.h>: it clashes with <linux/icmp.h>)
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "core/netns.hpp"

namespace nscheck::probes {
namespace {

/// Everything but the four types the engine reads is dropped by the kernel before queueing:
/// a busy node's echo requests and redirects never reach our receive buffer.
Result<void> set_icmp_filter(int fd) {
  icmp_filter filter{};
  filter.data =
      ~((1U << ICMP_ECHOREPLY) | (1U << ICMP_DEST_UNREACH) | (1U << ICMP_TIME_EXCEEDED) | (1U << ICMP_PARAMETERPROB));
  if (::setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter) != 0)
    return errno_error("setsockopt(ICMP_FILTER)", errno);
  return {};
}

/// SO_*BUFFORCE passes net.core.[rw]mem_max (it needs CAP_NET_ADMIN); without it, take what
/// the plain option grants rather than fail.
Result<void> set_buffer(int fd, int force_option, int plain_option, const char* name) {
  const int bytes = k_socket_buffer_bytes;
  if (::setsockopt(fd, SOL_SOCKET, force_option, &bytes, sizeof bytes) == 0) return {};
  if (errno != EPERM) return errno_error(std::string("setsockopt(") + name + ")", errno);
  if (::setsockopt(fd, SOL_SOCKET, plain_option, &bytes, sizeof bytes) == 0) return {};
  return errno_error(std::string("setsockopt(") + name + " fallback)", errno);
}

/// Creates and configures the socket in the calling thread's namespace.
Result<UniqueFd> make_socket_here() {
  UniqueFd fd(::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP));
  if (!fd.valid()) {
    Error e = errno_error("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)", errno);
    if (e.errnum == EPERM || e.errnum == EACCES) e.message += " (raw ICMP sockets need root or CAP_NET_RAW)";
    return e;
  }
  NS_CHECK(set_icmp_filter(fd.get()));
  NS_CHECK(set_buffer(fd.get(), SO_RCVBUFFORCE, SO_RCVBUF, "SO_RCVBUFFORCE"));
  NS_CHECK(set_buffer(fd.get(), SO_SNDBUFFORCE, SO_SNDBUF, "SO_SNDBUFFORCE"));
  return fd;
}

Result<void> require_v4(Family family) {
  if (family == Family::v4) return {};
  return Error{"ICMPv6 probe sockets are not implemented yet (IPv4 only)", 0, ErrorKind::internal};
}

Result<void> bind_device(int fd, const std::string& device) {
  if (device.size() >= IFNAMSIZ)
    return input_error("bind to device \"" + device + "\": interface names have at most " +
                       std::to_string(IFNAMSIZ - 1) + " characters");
  if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), static_cast<socklen_t>(device.size() + 1)) == 0)
    return {};
  Error e = errno_error("bind to device \"" + device + "\" (SO_BINDTODEVICE)", errno);
  if (e.errnum == ENODEV) e.message += ": the source namespace has no interface of that name";
  return e;
}

Result<void> bind_address(int fd, const IpAddress& address) {
  if (address.family != Family::v4)
    return input_error("bind to " + address.str() + ": an IPv6 source address on an IPv4 probe");
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  std::memcpy(&sa.sin_addr, address.bytes.data(), 4);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0) return {};
  Error e = errno_error("bind to " + address.str(), errno);
  if (e.errnum == EADDRNOTAVAIL) e.message += ": " + address.str() + " is not an address of the source namespace";
  return e;
}

}  // namespace

Result<std::vector<UniqueFd>> open_icmp_sockets(std::span<const int> ns_fds, Family family) {
  NS_CHECK(require_v4(family));
  std::vector<UniqueFd> fds;
  fds.reserve(ns_fds.size());
  NS_CHECK(for_each_netns(ns_fds, [&](std::size_t) -> Result<void> {
    NS_TRY(fd, make_socket_here());
    fds.push_back(std::move(fd));
    return {};
  }));
  return fds;
}

Result<UniqueFd> open_icmp_socket(int ns_fd, Family family) {
  const int fds[] = {ns_fd};
  NS_TRY(opened, open_icmp_sockets(fds, family));
  return std::move(opened.front());
}

Result<void> bind_icmp_socket(const UniqueFd& fd, const SocketBinding& binding) {
  if (!binding.device.empty()) NS_CHECK(bind_device(fd.get(), binding.device));
  if (binding.address) NS_CHECK(bind_address(fd.get(), *binding.address));
  return {};
}

Result<UniqueFd> open_bound_icmp_socket(int ns_fd, const SocketBinding& binding, Family family) {
  NS_TRY(fd, open_icmp_socket(ns_fd, family));
  NS_CHECK(bind_icmp_socket(fd, binding));
  return fd;
}

}  // namespace nscheck::probes
