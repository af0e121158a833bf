#include "probes/verdict.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "probes/icmp_codec.hpp"

namespace nscheck::probes {
namespace {

std::string call_text(ProbeKind kind, int err) {
  return std::string(kind == ProbeKind::tcp ? "connect: " : "sendto: ") + std::strerror(err);
}

/// What one request is called in texts.
const char* request_word(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::icmp: return "request";
    case ProbeKind::tcp: return "connection attempt";
    case ProbeKind::udp: return "datagram";
  }
  return "request";
}

std::string neighbour_table_advice(Family family) {
  const char* ip = family == Family::v6 ? "ipv6" : "ipv4";
  return std::string(
             "the host's neighbour table is full: it is one table for all namespaces; use smaller L2 "
             "domains, or raise net.") +
         ip + ".neigh.default.gc_thresh3 on the host";
}

SendErrorVerdict judge_attempt(const Attempt& a) {
  return judge_send_error(a.send_errno, a.family, a.einval_cause, a.kind);
}

/// Whether an attempt failed for a reason that is a fact about the network (NG material).
bool is_ng_failure(const Attempt& a) {
  if (a.fate == AttemptFate::icmp_error || a.fate == AttemptFate::refused) return true;
  return a.fate == AttemptFate::send_error && judge_attempt(a).outcome == Outcome::ng;
}

bool is_harness_failure(const Attempt& a) {
  return a.fate == AttemptFate::send_error && judge_attempt(a).outcome == Outcome::error;
}

/// "net unreachable (ICMP 3/0) from 192.0.2.254" or the local sendto text.
std::string describe_failure(const Attempt& a) {
  if (a.fate == AttemptFate::send_error) return judge_attempt(a).detail;
  if (a.fate == AttemptFate::refused) return "connection refused (TCP RST: nothing listens there)";
  std::string text = icmp::describe_icmp(a.family, a.icmp_type, a.icmp_code, a.next_hop_mtu);
  if (a.reporter) text += " from " + a.reporter->str();
  return text;
}

std::string plural(int n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

std::string format_ms(std::chrono::microseconds us) {
  char buf[32];
  (void)std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(us.count()) / 1000.0);
  return buf;
}

/// Copies the facts every result carries: counts, first send errno, first ICMP error.
void fill_facts(ProbeResult& r, std::span<const Attempt> attempts) {
  r.sent = static_cast<int>(attempts.size());
  for (const Attempt& a : attempts) {
    if (a.fate == AttemptFate::reply || a.fate == AttemptFate::icmp_error || a.fate == AttemptFate::refused)
      ++r.answered;
    if (a.fate == AttemptFate::send_error && r.send_errno == 0) r.send_errno = a.send_errno;
    if (a.fate == AttemptFate::icmp_error && r.icmp_type < 0) {
      r.icmp_type = a.icmp_type;
      r.icmp_code = a.icmp_code;
      r.reporter = a.reporter;
    }
  }
}

ProbeResult ok_result(std::span<const Attempt> attempts, const Attempt& first_reply) {
  ProbeResult r;
  fill_facts(r, attempts);
  r.outcome = Outcome::ok;
  r.reason = Reason::reply;
  r.reporter.reset();
  r.rtt = first_reply.answered_at - first_reply.sent_at;
  r.icmp_type = r.icmp_code = -1;
  switch (first_reply.kind) {
    case ProbeKind::icmp:
      r.icmp_type = first_reply.family == Family::v6 ? icmp::k_icmp6_echo_reply : icmp::k_echo_reply;
      r.icmp_code = 0;
      r.detail = "echo reply in " + format_ms(r.rtt);
      break;
    case ProbeKind::tcp: r.detail = "handshake completed in " + format_ms(r.rtt); break;
    case ProbeKind::udp: r.detail = "datagram answered in " + format_ms(r.rtt); break;
  }
  return r;
}

ProbeResult harness_result(std::span<const Attempt> attempts, const Attempt& failed) {
  ProbeResult r;
  fill_facts(r, attempts);
  r.outcome = Outcome::error;
  r.reason = Reason::harness_error;
  r.send_errno = failed.send_errno;
  r.detail = judge_attempt(failed).detail;
  return r;
}

/// Distinct failure texts in request order, then what the rest of the requests saw.
std::string ng_detail(std::span<const Attempt> attempts, std::chrono::milliseconds deadline) {
  const char* word = attempts.empty() ? "request" : request_word(attempts.front().kind);
  std::vector<std::string> seen;
  std::string text;
  int silent = 0;
  for (const Attempt& a : attempts) {
    if (a.fate == AttemptFate::pending) {
      ++silent;
      continue;
    }
    std::string one = describe_failure(a);
    if (std::find(seen.begin(), seen.end(), one) != seen.end()) continue;
    text += text.empty() ? one : "; then " + one;
    seen.push_back(std::move(one));
  }
  if (silent > 0)
    text += "; no answer to the other " + plural(silent, word) + " within " + std::to_string(deadline.count()) + " ms";
  return text;
}

ProbeResult ng_result(std::span<const Attempt> attempts, const Attempt& first_failure,
                      std::chrono::milliseconds deadline) {
  ProbeResult r;
  fill_facts(r, attempts);
  r.outcome = Outcome::ng;
  if (first_failure.fate == AttemptFate::icmp_error)
    r.reason = icmp::reason_for_icmp(first_failure.family, first_failure.icmp_type, first_failure.icmp_code);
  else if (first_failure.fate == AttemptFate::refused)
    r.reason = Reason::refused;
  else
    r.reason = judge_attempt(first_failure).reason;
  r.detail = ng_detail(attempts, deadline);
  return r;
}

ProbeResult timeout_result(std::span<const Attempt> attempts, std::chrono::milliseconds deadline) {
  ProbeResult r;
  fill_facts(r, attempts);
  if (attempts.empty()) {
    r.detail = "no request could be sent within " + std::to_string(deadline.count()) +
               " ms (the socket's send buffer stayed full)";
    return r;  // Outcome::error: the network was never asked
  }
  r.outcome = Outcome::ng;
  r.reason = Reason::timeout;
  r.detail = "no reply within " + std::to_string(deadline.count()) + " ms (" +
             plural(r.sent, request_word(attempts.front().kind)) + " sent)";
  return r;
}

}  // namespace

SendErrorVerdict judge_send_error(int err, Family family, EinvalCause cause, ProbeKind kind) {
  const std::string base = call_text(kind, err);
  if (err == EINVAL && cause == EinvalCause::neighbour_creation)
    return {Outcome::error, Reason::harness_error,
            base + " (the route is usable, so IPv6 means: no neighbour entry could be created; " +
                neighbour_table_advice(family) + ")"};
  switch (err) {
    case ENETUNREACH: return {Outcome::ng, Reason::local_no_route, base + " (no route on the source)"};
    case EHOSTUNREACH:
      return {Outcome::ng, Reason::local_host_unreachable, base + " (an unreachable route on the source)"};
    case EACCES: return {Outcome::ng, Reason::local_prohibited, base + " (a prohibit route on the source)"};
    case EPERM: return {Outcome::ng, Reason::local_prohibited, base + " (a firewall rule on the source dropped it)"};
    case EINVAL: return {Outcome::ng, Reason::local_blackhole, base + " (a blackhole route on the source)"};
    case EMSGSIZE:
      return {Outcome::ng, Reason::local_message_too_big,
              base + " (the source has cached a path MTU smaller than the request)"};
    case ENOBUFS: return {Outcome::error, Reason::harness_error, base + " (" + neighbour_table_advice(family) + ")"};
    case EAGAIN:
      return {Outcome::error, Reason::harness_error,
              base + " (the socket's send buffer stayed full for the whole deadline)"};
    default: return {Outcome::error, Reason::harness_error, base};
  }
}

bool is_decided(std::span<const Attempt> attempts, int count) {
  if (std::any_of(attempts.begin(), attempts.end(), [](const Attempt& a) { return a.fate == AttemptFate::reply; }))
    return true;
  if (static_cast<int>(attempts.size()) < count) return false;
  return std::none_of(attempts.begin(), attempts.end(),
                      [](const Attempt& a) { return a.fate == AttemptFate::pending; });
}

bool retry_at_once(const Attempt& latest) { return is_ng_failure(latest); }

ProbeResult summarize(std::span<const Attempt> attempts, std::chrono::milliseconds deadline) {
  const Attempt* first_reply = nullptr;
  for (const Attempt& a : attempts)
    if (a.fate == AttemptFate::reply && (!first_reply || a.answered_at < first_reply->answered_at)) first_reply = &a;
  if (first_reply) return ok_result(attempts, *first_reply);
  auto harness = std::find_if(attempts.begin(), attempts.end(), is_harness_failure);
  if (harness != attempts.end()) return harness_result(attempts, *harness);
  auto failure = std::find_if(attempts.begin(), attempts.end(), is_ng_failure);
  if (failure != attempts.end()) return ng_result(attempts, *failure, deadline);
  return timeout_result(attempts, deadline);
}

}  // namespace nscheck::probes
