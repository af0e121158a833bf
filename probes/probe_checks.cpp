#include "probes/probe_checks.hpp"

#include <algorithm>
#include <array>
#include <cerrno>

namespace nscheck::probes {
namespace {

bool is_link_local_v6(const IpAddress& a) {
  return a.family == Family::v6 && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

bool is_v4_mapped(const IpAddress& a) {
  static constexpr std::array<std::uint8_t, 12> k_prefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return a.family == Family::v6 && std::equal(k_prefix.begin(), k_prefix.end(), a.bytes.begin());
}

}  // namespace

std::string probe_context(std::size_t i, const Probe& probe) {
  std::string what = probe.kind == ProbeKind::icmp ? "" : kind_text(probe.kind, probe.port) + " ";
  return "probe " + std::to_string(i) + " (namespace fd " + std::to_string(probe.ns_fd) + " to " + what +
         probe.destination.str() + ")";
}

std::optional<std::string> unsupported(const Probe& probe) {
  const IpAddress& to = probe.destination;
  if (is_v4_mapped(to))
    return "destination " + to.str() + " is an IPv4-mapped IPv6 address; probe the IPv4 address instead";
  // Without a scope the kernel would pick a link itself (the first fe80::/64 route).
  if (is_link_local_v6(to) && probe.bind_device.empty())
    return "link-local destination " + to.str() + " needs a device binding (its scope is one link)";
  if (probe.bind_address && probe.bind_address->family != probe.destination.family)
    return "source address " + probe.bind_address->str() + " and destination " + probe.destination.str() +
           " are of different families";
  if (probe.kind != ProbeKind::icmp && probe.port == 0)
    return std::string(kind_name(probe.kind)) + " probe to port 0: give a port from 1 to 65535";
  return std::nullopt;
}

Result<std::pair<dev_t, ino_t>> NamespaceIds::of(std::size_t i, const Probe& probe) {
  if (auto it = known_.find(probe.ns_fd); it != known_.end()) return it->second;
  struct stat st {};
  if (probe.ns_fd < 0 || ::fstat(probe.ns_fd, &st) != 0)
    return errno_error("fstat of the namespace fd", probe.ns_fd < 0 ? EBADF : errno)
        .with_context(probe_context(i, probe));
  return known_[probe.ns_fd] = {st.st_dev, st.st_ino};
}

}  // namespace nscheck::probes
