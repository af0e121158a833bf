#include "probes/flow_batch.hpp"

#include "probes/socket_factory.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/read.hpp>
#include <cerrno>

namespace nscheck::probes {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using asio::ip::tcp;
using asio::ip::udp;

/// A UDP send whose failure may be an earlier datagram's pending error is tried this often.
constexpr int k_send_tries = 3;

/// Reads one queued ICMP error of a socket: the payload it quotes and who it was sent to.
struct QueuedError {
  flow::QueuedIcmp icmp;
  std::optional<flow::Endpoint> destination;
  std::vector<std::uint8_t> payload;
};

std::optional<QueuedError> next_queued_error(int fd, bool& more) {
  std::array<std::uint8_t, 2048> data{};
  alignas(cmsghdr) std::array<std::uint8_t, 512> control{};
  sockaddr_storage to{};
  iovec iov{data.data(), data.size()};
  msghdr m{};
  m.msg_name = &to;
  m.msg_namelen = sizeof to;
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = control.data();
  m.msg_controllen = control.size();
  const ssize_t n = ::recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
  more = n >= 0;
  if (n < 0) return std::nullopt;
  auto icmp = flow::parse_queued_icmp(m);
  if (!icmp) return std::nullopt;
  return QueuedError{*icmp, flow::from_sockaddr(to),
                     std::vector<std::uint8_t>(data.begin(), data.begin() + std::min<ssize_t>(n, data.size()))};
}

/// The ICMP error queued on a socket whose connection failed, if the failure was one.
std::optional<flow::QueuedIcmp> queued_icmp(int fd) {
  std::optional<flow::QueuedIcmp> found;
  for (bool more = true; more;)
    if (auto e = next_queued_error(fd, more); e && !found) found = e->icmp;
  return found;
}


}  // namespace

/// One TCP connection attempt.
struct FlowBatch::Connection {
  tcp::socket socket;
  flow::TokenBytes buffer{};
  bool echoing = false;  ///< handshake done, waiting for the listener's echo
};

struct FlowBatch::State {
  explicit State(const asio::any_io_executor& executor) : retry(executor), window(executor) {}
  std::vector<Attempt> attempts;
  std::vector<std::unique_ptr<Connection>> connections;  ///< TCP: per attempt
  asio::steady_timer retry;
  asio::steady_timer window;
  bool decided = false;
};

FlowBatch::FlowBatch(asio::any_io_executor executor, std::vector<FlowProbe> probes, std::vector<UniqueFd> udp_sockets,
                     const ProbeOptions& options, std::uint64_t tag, std::function<void()> on_finished)
    : executor_(std::move(executor)),
      on_finished_(std::move(on_finished)),
      probes_(std::move(probes)),
      options_(options),
      tag_(tag),
      window_(std::chrono::duration_cast<Micros>(options.deadline)),
      retry_interval_(window_ / options.count),
      undecided_(probes_.size()) {
  for (auto& fd : udp_sockets) {
    auto& s = *udp_.emplace_back(std::make_unique<udp::socket>(executor_));
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len);
    error_code ec;
    s.assign(ss.ss_family == AF_INET6 ? udp::v6() : udp::v4(), fd.release(), ec);
  }
  state_.reserve(probes_.size());
  for (std::size_t p = 0; p < probes_.size(); ++p) {
    state_.push_back(std::make_unique<State>(executor_));
    if (probes_[p].kind == ProbeKind::udp) by_destination_[{probes_[p].udp_socket, probes_[p].destination}].push_back(p);
  }
}

FlowBatch::~FlowBatch() = default;

FlowBatch::Micros FlowBatch::elapsed() const {
  return std::chrono::duration_cast<Micros>(Clock::now() - start_);
}

void FlowBatch::start() {
  start_ = Clock::now();
  if (probes_.empty()) return finish();
  for (std::size_t u = 0; u < udp_.size(); ++u) wait_datagrams(u);
  for (std::size_t p = 0; p < probes_.size() && !finished_; ++p) begin_attempt(p);
}

void FlowBatch::interrupt() {
  if (finished_) return;
  interrupted_ = true;
  finish();
}

// --- requests --------------------------------------------------------------------------------

void FlowBatch::begin_attempt(std::size_t p) {
  State& st = *state_[p];
  if (finished_ || st.decided || st.attempts.size() >= static_cast<std::size_t>(options_.count)) return;
  const std::size_t a = st.attempts.size();
  Attempt& attempt = st.attempts.emplace_back();
  attempt.kind = probes_[p].kind;
  attempt.family = probes_[p].destination.address.family;
  attempt.sent_at = elapsed();
  if (a == 0) arm_window(p, attempt.sent_at + window_);
  if (a + 1 < static_cast<std::size_t>(options_.count)) arm_retry(p, a, attempt.sent_at + retry_interval_);
  if (probes_[p].kind == ProbeKind::tcp)
    connect(p, a);
  else
    send_datagram(p, a);
}

void FlowBatch::connect(std::size_t p, std::size_t a) {
  State& st = *state_[p];
  UniqueFd fd = std::move(probes_[p].tcp_fds.at(a));
  const auto to = flow::to_sockaddr(probes_[p].destination);
  const int rc = ::connect(fd.get(), to.get(), to.length);
  const int err = rc == 0 ? 0 : errno;
  if (rc != 0 && err != EINPROGRESS) return fail(p, a, err == ECONNREFUSED ? AttemptFate::refused : AttemptFate::send_error, err);
  const bool v6 = probes_[p].destination.address.family == Family::v6;
  if (st.connections.size() <= a) st.connections.resize(a + 1);
  st.connections[a] = std::make_unique<Connection>(Connection{tcp::socket(executor_)});
  error_code ec;
  st.connections[a]->socket.assign(v6 ? tcp::v6() : tcp::v4(), fd.get(), ec);
  if (ec) return fail(p, a, AttemptFate::send_error, ec.value());
  fd.release();
  st.connections[a]->socket.async_wait(tcp::socket::wait_write, [this, p, a](const error_code& e) {
    if (!finished_ && !state_[p]->decided && e != asio::error::operation_aborted) on_connect_done(p, a);
  });
}

/// The handshake ended: established, refused (RST), or aborted by an ICMP error.
void FlowBatch::on_connect_done(std::size_t p, std::size_t a) {
  Connection& c = *state_[p]->connections[a];
  const int fd = c.socket.native_handle();
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err == 0) {
    Attempt& at = state_[p]->attempts[a];
    at.fate = AttemptFate::reply;
    at.answered_at = elapsed();
    if (probes_[p].token_echo) return await_echo(p, a);
    return update_decided(p);
  }
  if (auto icmp = queued_icmp(fd)) return fail(p, a, AttemptFate::icmp_error, err, &*icmp);
  fail(p, a, err == ECONNREFUSED ? AttemptFate::refused : AttemptFate::send_error, err);
}

/// Sends the token and waits for the listener's echo: by then the listener has recorded it.
void FlowBatch::await_echo(std::size_t p, std::size_t a) {
  Connection& c = *state_[p]->connections[a];
  c.buffer = flow::encode({tag_, static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(a)});
  c.echoing = true;
  // 16 bytes always fit the send buffer of a fresh connection
  if (::send(c.socket.native_handle(), c.buffer.data(), c.buffer.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
    c.echoing = false;
    return update_decided(p);
  }
  asio::async_read(c.socket, asio::buffer(c.buffer), [this, p, a](const error_code& e, std::size_t) {
    if (e == asio::error::operation_aborted || finished_) return;
    state_[p]->connections[a]->echoing = false;  // the echo came, or the connection ended without it
    update_decided(p);
  });
}

void FlowBatch::send_datagram(std::size_t p, std::size_t a) {
  const int fd = udp_[probes_[p].udp_socket]->native_handle();
  const auto token = flow::encode({tag_, static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(a)});
  const auto to = flow::to_sockaddr(probes_[p].destination);
  // An ICMP error about any earlier datagram of this socket is also left pending (sk_err, with
  // IP_RECVERR), and the next send returns it instead of sending: a send that fails is tried
  // again, and only a failure that repeats is this datagram's own.
  int err = 0;
  for (int tries = 0; tries < k_send_tries; ++tries) {
    if (::sendto(fd, token.data(), token.size(), MSG_DONTWAIT, to.get(), to.length) >= 0) return;
    if (tries > 0 && errno == err) break;
    err = errno;
  }
  if (err == EINVAL && probes_[p].destination.address.family == Family::v6)
    state_[p]->attempts[a].einval_cause = einval_cause(fd, token, to.get(), to.length);
  fail(p, a, AttemptFate::send_error, err);
}

// --- UDP answers -----------------------------------------------------------------------------

void FlowBatch::wait_datagrams(std::size_t u) {
  // an ICMP error queued on the socket (POLLERR) wakes a read wait too
  udp_[u]->async_wait(udp::socket::wait_read, [this, u](const error_code& e) {
    if (finished_ || e == asio::error::operation_aborted) return;
    read_errors(u);
    read_datagrams(u);
    if (!finished_) wait_datagrams(u);
  });
}

void FlowBatch::read_datagrams(std::size_t u) {
  std::array<std::uint8_t, 2048> data{};
  while (!finished_) {
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    const ssize_t n = ::recvfrom(udp_[u]->native_handle(), data.data(), data.size(), MSG_DONTWAIT,
                                 reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      continue;  // a pending socket error (ECONNREFUSED...) is reported once; its ICMP is in the queue
    }
    if (auto peer = flow::from_sockaddr(from))
      on_echo(u, *peer, std::span<const std::uint8_t>(data.data(), static_cast<std::size_t>(n)));
  }
}

void FlowBatch::read_errors(std::size_t u) {
  for (bool more = true; more && !finished_;)
    if (auto e = next_queued_error(udp_[u]->native_handle(), more); e && e->destination)
      on_udp_icmp(u, *e->destination, e->payload, e->icmp);
}

/// The probe of socket u a token names, if it is one of this batch's.
std::optional<std::size_t> FlowBatch::locate(std::size_t u, const flow::Token& token) const {
  if (token.batch != tag_ || token.probe >= probes_.size()) return std::nullopt;
  const FlowProbe& probe = probes_[token.probe];
  if (probe.kind != ProbeKind::udp || probe.udp_socket != u) return std::nullopt;
  if (token.attempt >= state_[token.probe]->attempts.size()) return std::nullopt;
  return token.probe;
}

void FlowBatch::on_echo(std::size_t u, const flow::Endpoint& from, std::span<const std::uint8_t> payload) {
  std::vector<std::pair<std::size_t, std::size_t>> answered;  // (probe, attempt)
  if (auto token = flow::decode(payload); token && locate(u, *token)) {
    if (probes_[token->probe].destination == from && probes_[token->probe].token_echo)
      answered.emplace_back(token->probe, token->attempt);
  } else if (auto it = by_destination_.find({u, from}); it != by_destination_.end()) {
    for (std::size_t p : it->second)  // a service of the user's answers in its own words
      if (!probes_[p].token_echo && !state_[p]->attempts.empty()) answered.emplace_back(p, state_[p]->attempts.size() - 1);
  }
  for (auto [p, a] : answered) {
    Attempt& at = state_[p]->attempts[a];
    if (state_[p]->decided || at.fate == AttemptFate::reply) continue;
    at.fate = AttemptFate::reply;
    at.answered_at = elapsed();
    update_decided(p);
  }
}

void FlowBatch::on_udp_icmp(std::size_t u, const flow::Endpoint& to, std::span<const std::uint8_t> payload,
                            const flow::QueuedIcmp& icmp) {
  std::optional<std::pair<std::size_t, std::size_t>> hit;
  if (auto token = flow::decode(payload); token && locate(u, *token)) {
    if (probes_[token->probe].destination == to) hit = {token->probe, token->attempt};
  } else if (auto it = by_destination_.find({u, to}); it != by_destination_.end()) {
    // the error quotes too little of the datagram: the latest request to that destination
    for (std::size_t p : it->second)
      if (!state_[p]->decided && !state_[p]->attempts.empty()) hit = {p, state_[p]->attempts.size() - 1};
  }
  if (hit && state_[hit->first]->attempts[hit->second].fate == AttemptFate::pending)
    fail(hit->first, hit->second, AttemptFate::icmp_error, icmp.error, &icmp);
}

// --- failures, timing ------------------------------------------------------------------------

void FlowBatch::fail(std::size_t p, std::size_t a, AttemptFate fate, int err, const flow::QueuedIcmp* icmp) {
  State& st = *state_[p];
  if (st.decided) return;
  Attempt& at = st.attempts[a];
  at.fate = fate;
  at.answered_at = elapsed();
  if (fate == AttemptFate::send_error) at.send_errno = err;
  if (icmp) {
    at.icmp_type = icmp->type;
    at.icmp_code = icmp->code;
    at.next_hop_mtu = static_cast<std::uint16_t>(icmp->info);
    at.reporter = icmp->reporter;
  }
  if (a + 1 == st.attempts.size() && retry_at_once(at)) begin_attempt(p);
  update_decided(p);
}

void FlowBatch::arm_retry(std::size_t p, std::size_t a, Micros at) {
  State& st = *state_[p];
  st.retry.expires_at(start_ + at);
  st.retry.async_wait([this, p, a](const error_code& e) {
    if (e || finished_) return;
    if (state_[p]->attempts.size() == a + 1) begin_attempt(p);  // still the latest
  });
}

void FlowBatch::arm_window(std::size_t p, Micros at) {
  State& st = *state_[p];
  st.window.expires_at(start_ + at);
  st.window.async_wait([this, p](const error_code& e) {
    if (!e && !finished_) end_window(p);
  });
}

/// As in the ICMP batch: an NG needs a second request that had its time to be answered.
void FlowBatch::end_window(std::size_t p) {
  State& st = *state_[p];
  if (st.decided) return;
  const Micros now = elapsed();
  const std::size_t needed = std::min<std::size_t>(2, static_cast<std::size_t>(options_.count));
  if (st.attempts.size() < needed) {
    begin_attempt(p);
    if (!st.decided) arm_window(p, now + retry_interval_);
    return;
  }
  const Micros answer_by = st.attempts.back().sent_at + retry_interval_;
  if (answer_by > now && !is_decided(st.attempts, options_.count)) return arm_window(p, answer_by);
  decide(p);  // a handshake whose echo is still missing ends here too
}

void FlowBatch::update_decided(std::size_t p) {
  State& st = *state_[p];
  if (st.decided || !is_decided(st.attempts, options_.count)) return;
  for (const auto& c : st.connections)
    if (c && c->echoing) return;  // its listener's record is on the way
  decide(p);
}

void FlowBatch::decide(std::size_t p) {
  State& st = *state_[p];
  if (st.decided) return;
  st.decided = true;
  error_code ignored;
  st.retry.cancel();
  st.window.cancel();
  for (auto& c : st.connections)
    if (c) c->socket.close(ignored);  // a SYN still unanswered is dropped, and retransmits stop
  if (--undecided_ == 0) finish();
}

void FlowBatch::finish() {
  if (finished_) return;
  finished_ = true;
  error_code ignored;
  for (auto& st : state_) {
    st->retry.cancel();
    st->window.cancel();
    for (auto& c : st->connections)
      if (c) c->socket.close(ignored);
  }
  for (auto& u : udp_) u->cancel(ignored);
  if (on_finished_) on_finished_();
}

std::vector<ProbeResult> FlowBatch::results(const Listeners& listeners) const {
  std::vector<ProbeResult> out;
  out.reserve(probes_.size());
  for (std::size_t p = 0; p < probes_.size(); ++p) {
    const State& st = *state_[p];
    ProbeResult r = summarize(st.attempts, options_.deadline);
    if (interrupted_ && !st.decided) {
      r.interrupted = true;
      r.detail = "interrupted before the probe was decided";
    }
    if (r.outcome == Outcome::ok && probes_[p].token_echo) {
      for (std::size_t a = 0; a < st.attempts.size() && !r.seen; ++a)
        if (st.attempts[a].fate == AttemptFate::reply)
          if (const Seen* seen = listeners.seen({tag_, static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(a)}))
            r.seen = *seen;
      if (!r.seen) r.detail += " (the built-in listener did not report it: what it saw is unknown)";
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace nscheck::probes
