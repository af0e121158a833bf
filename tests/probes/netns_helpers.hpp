#pragma once
// Test-only helpers for the probe engine's privileged tests: namespaces with lo up (no netlink
// layer in reach: ioctl does), sysctls, a reject route, and a fake router that answers echo
// requests with forged ICMP errors. Everything stays inside namespaces the test created.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/ip.hpp"
#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace nscheck::test {

/// Creates n anonymous namespaces, each with lo up (so 127.0.0.0/8 answers).
Result<std::vector<UniqueFd>> make_lo_namespaces(std::size_t n);  // lo up, IPv6 DAD off

/// Writes value to /proc/sys/<path> inside the namespace (e.g. "net/ipv4/icmp_echo_ignore_all").
Result<void> write_sysctl(int ns_fd, const std::string& path, const std::string& value);

/// Adds an unreachable ("reject") route to prefix/mask via lo inside the namespace (SIOCADDRT).
Result<void> add_reject_route(int ns_fd, const char* network, const char* netmask);

/// An ICMP error the responder forges in answer to an echo request.
struct ForgedError {
  std::uint8_t type = 3;
  std::uint8_t code = 13;
  IpAddress reporter;                  ///< outer source address of the error
  std::size_t quoted_icmp_bytes = 64;  ///< how much of the request's ICMP part to quote (8: RFC 792)
};

/// Chooses the answer to the n-th echo request seen (0-based); nullopt: stay silent.
using ResponderPolicy = std::function<std::optional<ForgedError>(int n)>;

/// A fake router inside a namespace: reads every echo request there (set
/// icmp_echo_ignore_all=1 so the kernel stays silent) and answers as the policy says.
class IcmpErrorResponder {
 public:
  /// Opens its sockets in the namespace and starts its thread.
  static Result<std::unique_ptr<IcmpErrorResponder>> start(int ns_fd, ResponderPolicy policy);
  ~IcmpErrorResponder();
  IcmpErrorResponder(const IcmpErrorResponder&) = delete;
  IcmpErrorResponder& operator=(const IcmpErrorResponder&) = delete;

  /// Echo requests seen so far.
  [[nodiscard]] int seen() const { return seen_.load(); }

 private:
  IcmpErrorResponder(UniqueFd listen, UniqueFd send, ResponderPolicy policy);
  void loop();
  void answer(const std::uint8_t* request, std::size_t len, const ForgedError& e);

  UniqueFd listen_;
  UniqueFd send_;
  ResponderPolicy policy_;
  std::atomic<bool> stop_{false};
  std::atomic<int> seen_{0};
  std::thread thread_;
};

}  // namespace nscheck::test
