#pragma once
// Probe requests and outcomes as plain data. No Asio types here: the engine hides them.

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/ip.hpp"

namespace nscheck::probes {

/// One ICMP echo probe: from a source namespace to one destination address.
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
  net_unreachable,        ///< ICMP dest unreachable, code 0
  host_unreachable,       ///< code 1
  protocol_unreachable,   ///< code 2
  port_unreachable,       ///< code 3
  fragmentation_needed,   ///< code 4
  admin_prohibited,       ///< codes 9, 10, 13
  other_unreachable,      ///< any other code
  ttl_exceeded,           ///< ICMP time exceeded
  local_no_route,         ///< send failed: ENETUNREACH
  local_host_unreachable, ///< send failed: EHOSTUNREACH
  local_prohibited,       ///< send failed: EACCES (prohibit route) or EPERM (local filter)
  local_blackhole,        ///< send failed: EINVAL (blackhole route)
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
  int icmp_type = -1;
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
