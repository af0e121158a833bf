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

/// What became of one echo request.
enum class AttemptFate {
  pending,     ///< sent, nothing came back (yet)
  reply,       ///< an echo reply from the destination
  icmp_error,  ///< an ICMP error quoting it
  send_error,  ///< sendto() failed: the request never left the source
};

/// One echo request of a probe.
struct Attempt {
  AttemptFate fate = AttemptFate::pending;
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
/// the source's own routing or filtering (an NG); ENOBUFS and anything else are harness errors.
SendErrorVerdict judge_send_error(int err);

/// True when the probe needs no more time: a reply came, or all `count` requests failed.
bool is_decided(std::span<const Attempt> attempts, int count);

/// True when the next request should go out at once (the latest one failed with an NG reason);
/// false when it should wait its turn (pending, or a harness error that needs the host to recover).
bool retry_at_once(const Attempt& latest);

/// The probe's result once the batch is over. deadline is the batch's (for the timeout text).
ProbeResult summarize(std::span<const Attempt> attempts, std::chrono::milliseconds deadline);

}  // namespace nscheck::probes
