#pragma once
// Probe requests and outcomes as plain data. No Asio types here: the engine hides them.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ip.hpp"

namespace nscheck::probes {

/// What a probe sends.
enum class ProbeKind : std::uint8_t {
  icmp,  ///< ICMP echo (IPv4) or ICMPv6 echo (IPv6) over a raw socket
  tcp,   ///< a TCP handshake to a port, then a token echoed by the built-in listener
  udp,   ///< a datagram carrying a token, echoed by the built-in responder
};

/// "icmp", "tcp" or "udp".
std::string_view kind_name(ProbeKind kind);

/// One probe from a source namespace to one destination address (a global address, or a
/// link-local one with bind_device).
struct Probe {
  int ns_fd = -1;                         ///< the source node's namespace (borrowed)
  std::string bind_device;                ///< "" or an interface: SO_BINDTODEVICE (ping -I IF)
  std::optional<IpAddress> bind_address;  ///< source address to bind (ping -I ADDR)
  IpAddress destination;
  ProbeKind kind = ProbeKind::icmp;
  std::uint16_t port = 0;  ///< tcp and udp: the destination port
  /// tcp and udp: the built-in listener (index into the batch's listeners) that should answer.
  /// When it failed to start, the probe is a harness error and is not sent. None: the answer
  /// comes from a service of the user's own (TCP: the handshake is the answer; UDP: any
  /// datagram from the destination's address and port), and nothing is seen.
  std::optional<std::size_t> listener;
};

/// A built-in listener (TCP) or echo responder (UDP) for one batch: bound to the wildcard
/// address of its family and to `port`, inside the namespace held by ns_fd. It echoes each
/// probe's token and records what it saw.
struct ListenerSpec {
  int ns_fd = -1;
  ProbeKind kind = ProbeKind::tcp;
  Family family = Family::v4;
  std::uint16_t port = 0;
  std::string owner;  ///< for messages: "node web"

  auto operator<=>(const ListenerSpec&) const = default;
};

/// "tcp/80" (or "icmp").
std::string kind_text(ProbeKind kind, std::uint16_t port);

/// What a listener saw of a probe that reached it.
struct Seen {
  std::size_t listener = 0;  ///< index into the batch's listeners: which node answered
  IpAddress peer;            ///< the source address the destination saw (after any NAT)
  std::uint16_t peer_port = 0;
  IpAddress local;           ///< the address it arrived at (after any DNAT)
  std::uint16_t local_port = 0;
};

/// OK: the destination answered. NG: the network did not deliver. Error: the harness or host
/// failed (a full kernel table, a socket error): never an NG.
enum class Outcome : std::uint8_t { ok, ng, error };

/// Why a probe ended as it did. Remote reasons come from an ICMP error (with its reporter);
/// local ones from the sender's own kernel refusing the send.
enum class Reason : std::uint8_t {
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
  refused,                ///< TCP: the destination answered the SYN with a RST
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
  /// tcp and udp, OK only: what the built-in listener saw of the answered request (none when a
  /// service of the user's own answered, or the listener's record was missing at the end).
  std::optional<Seen> seen;
};

/// Timing of one batch of probes.
struct ProbeOptions {
  /// How long a probe waits, from its first request. The batch ends when every probe is
  /// decided: a batch of silent drops costs one deadline (plus the time its burst took to send).
  std::chrono::milliseconds deadline{500};
  int count = 2;  ///< at most this many requests (echo requests, connection attempts, datagrams)
                  ///< per probe (>= 2: an NG is confirmed)
  /// Polled while the batch runs (SIGINT/SIGTERM): when it turns true, the batch ends at once
  /// and every probe not yet decided comes back with `interrupted` set.
  const std::atomic<bool>* stop = nullptr;
  /// Threads running the ICMP probes of a batch (the sockets are shared out among them: see
  /// probes/shards.hpp): 0 = one per CPU the process may use (at most 8) for a batch of 256 probes or more, else 1.
  std::size_t threads = 0;
};

}  // namespace nscheck::probes
