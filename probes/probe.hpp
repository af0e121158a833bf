#pragma once
// Probe requests and outcomes as plain data. No Asio types here: the engine hides them.

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/ip.hpp"

namespace nscheck::probes {

/// One echo probe from a source namespace to one destination address: ICMP echo for an IPv4
/// destination, ICMPv6 echo for an IPv6 one (a global address, or link-local with bind_device).
struct IcmpProbe {
  int ns_fd = -1;                         ///< the source node's namespace (borrowed)
  std::string bind_device;                ///< "" or an interface: SO_BINDTODEVICE (ping -I IF)
  std::optional<IpAddress> bind_address;  ///< source address to bind (ping -I ADDR)
  IpAddress destination;
};

/// OK: the destination answered. NG: the network did not deliver. Error: the harness or host
/// failed (a full kernel table, a socket error): never an NG.
enum class Outcome { ok, ng, error };

/// Why a probe ended as it did. Remote reasons come from an ICMP error (with its reporter);
/// local ones from the sender's own kernel refusing the send.
enum class Reason {
  reply,                  ///< echo reply from the destination
  timeout,                ///< nothing came back before the deadline
  net_unreachable,        ///< ICMP dest unreachable, code 0; ICMPv6 1/0 (no route, or an unreachable route)
  host_unreachable,       ///< code 1; ICMPv6 1/3 (address unreachable: neighbour discovery failed)
  protocol_unreachable,   ///< code 2
  port_unreachable,       ///< code 3; ICMPv6 1/4
  fragmentation_needed,   ///< code 4; ICMPv6 2 (packet too big)
  admin_prohibited,       ///< codes 9, 10, 13; ICMPv6 1/1, 1/5 (source policy), 1/6 (reject route)
  other_unreachable,      ///< any other code (ICMPv6: 1/2, 3/1, 4, ...)
  ttl_exceeded,           ///< ICMP time exceeded (11/0); ICMPv6 hop limit exceeded (3/0)
  local_no_route,         ///< send failed: ENETUNREACH
  local_host_unreachable, ///< send failed: EHOSTUNREACH
  local_prohibited,       ///< send failed: EACCES (prohibit route) or EPERM (local filter)
  local_blackhole,        ///< send failed: EINVAL (blackhole route; IPv6: confirmed by MSG_PROBE)
  local_message_too_big,  ///< send failed: EMSGSIZE (cached path MTU)
  harness_error,          ///< the probe could not be run (see ProbeResult::detail)
};

/// A short stable name: "reply", "timeout", "net-unreachable", ...
std::string_view reason_name(Reason reason);

/// What happened to one probe.
struct ProbeResult {
  Outcome outcome = Outcome::error;
  Reason reason = Reason::harness_error;
  std::optional<IpAddress> reporter;  ///< who sent the ICMP error (router or the destination)
  int icmp_type = -1;   ///< ICMPv4 or ICMPv6 (by the destination's family): 0 or 129 for a reply
  int icmp_code = -1;
  int send_errno = 0;   ///< errno of a failed send, if any
  int sent = 0;         ///< echo requests sent for this probe
  int answered = 0;     ///< how many of them got an answer (echo reply or ICMP error; a
                        ///< local send failure is counted in sent, not here)
  std::chrono::microseconds rtt{0};  ///< time to the first reply (OK only)
  std::string detail;   ///< human text: the full reason, with the fix for harness errors
  bool interrupted = false;  ///< the batch was stopped before this probe was decided: no verdict
};

/// Timing of one batch of probes.
struct ProbeOptions {
  /// How long a probe waits, from its first request. The batch ends when every probe is
  /// decided: a batch of silent drops costs one deadline (plus the time its burst took to send).
  std::chrono::milliseconds deadline{500};
  int count = 2;  ///< at most this many echo requests per probe (>= 2: an NG is confirmed)
  /// Polled while the batch runs (SIGINT/SIGTERM): when it turns true, the batch ends at once
  /// and every probe not yet decided comes back with `interrupted` set.
  const std::atomic<bool>* stop = nullptr;
};

}  // namespace nscheck::probes
