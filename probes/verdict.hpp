#pragma once
// From what happened to each echo request of a probe to its ProbeResult. Pure: no sockets, no
// clocks, so every rule of "OK, NG or harness error" is unit-tested without root.

#include <chrono>
#include <optional>
#include <span>
#include <string>

#include "core/ip.hpp"
#include "probes/probe.hpp"

namespace nscheck::probes {

/// What became of one request (echo request, connection attempt or datagram).
enum class AttemptFate : std::uint8_t {
  pending,     ///< sent, nothing came back (yet)
  reply,       ///< an echo reply, a completed handshake, or the datagram's echo
  icmp_error,  ///< an ICMP error quoting it
  send_error,  ///< sendto()/connect() failed: the request never left the source
  refused,     ///< TCP: a RST answered the SYN
};

/// What an EINVAL from an IPv6 send stands for. IPv6 reports a blackhole route and a neighbour
/// entry it could not create (a full neighbour table: IPv4 says ENOBUFS there) with the same
/// EINVAL (ip6_finish_output2), so the engine asks the route alone again (MSG_PROBE).
enum class EinvalCause : std::uint8_t {
  unknown,             ///< not checked (IPv4, or not an EINVAL): read as a blackhole route
  blackhole_route,     ///< the route lookup itself fails with EINVAL
  neighbour_creation,  ///< the route is usable: the neighbour entry could not be created
};

/// One request of a probe.
struct Attempt {
  Family family = Family::v4;  ///< of the probe: ICMP or ICMPv6 (for icmp_type/icmp_code)
  ProbeKind kind = ProbeKind::icmp;
  AttemptFate fate = AttemptFate::pending;
  EinvalCause einval_cause = EinvalCause::unknown;  ///< IPv6 send_errno EINVAL only
  std::chrono::microseconds sent_at{0};      ///< since the batch started
  std::chrono::microseconds answered_at{0};  ///< since the batch started (reply or ICMP error)
  int send_errno = 0;
  int icmp_type = -1;
  int icmp_code = -1;
  std::uint16_t next_hop_mtu = 0;
  std::optional<IpAddress> reporter;
};

/// How a failed send is judged.
struct SendErrorVerdict {
  Outcome outcome = Outcome::error;  ///< ng for route/filter/MTU refusals, error for host trouble
  Reason reason = Reason::harness_error;
  std::string detail;  ///< "sendto: Network is unreachable (no route on the source)"
};

/// Judges a sendto() errno: ENETUNREACH, EHOSTUNREACH, EACCES, EPERM, EINVAL, EMSGSIZE are
/// the source's own routing or filtering (an NG); ENOBUFS and anything else are harness errors,
/// and so is an IPv6 EINVAL whose cause is EinvalCause::neighbour_creation. The family picks
/// the sysctl named in the neighbour-table advice.
/// `kind` names the failed call in the detail: sendto (icmp, udp) or connect (tcp).
SendErrorVerdict judge_send_error(int err, Family family = Family::v4, EinvalCause cause = EinvalCause::unknown,
                                  ProbeKind kind = ProbeKind::icmp);

/// True when the probe needs no more time: a reply came, or all `count` requests failed.
bool is_decided(std::span<const Attempt> attempts, int count);

/// True when the next request should go out at once (the latest one failed with an NG reason);
/// false when it should wait its turn (pending, or a harness error that needs the host to recover).
bool retry_at_once(const Attempt& latest);

/// The probe's result once the batch is over. deadline is the batch's (for the timeout text).
ProbeResult summarize(std::span<const Attempt> attempts, std::chrono::milliseconds deadline);

}  // namespace nscheck::probes
