#include "probes/batch.hpp"

#include "core/memory.hpp"
#include "probes/socket_factory.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <variant>

namespace nscheck::probes {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

/// Requests sent (over all sockets, round-robin) before the reactor gets a turn: replies are
/// read while a long burst is still going out, so none pile up in a receive buffer.
constexpr std::size_t k_send_round = 256;
/// recvmmsg() calls per wake-up of one socket, for the same fairness.
constexpr int k_receive_rounds = 8;
/// Bound on reading leftovers of an earlier run before a batch starts.
constexpr int k_discard_rounds = 1024;
constexpr std::size_t k_slots_per_id = 65536;
/// How late the timer may fire: what falls due within it is handled in one wake-up (a big
/// batch has a window ending every few microseconds), at the cost of deciding up to 1 ms late.
constexpr std::chrono::microseconds k_timer_slack{1000};


using Endpoint = asio::generic::raw_protocol::endpoint;

Endpoint endpoint_of(const IpAddress& destination) {
  if (destination.family == Family::v6) {
    sockaddr_in6 sa{};  // sin6_port 0: "the socket's protocol"; no scope id (global addresses)
    sa.sin6_family = AF_INET6;
    std::memcpy(&sa.sin6_addr, destination.bytes.data(), 16);
    return {&sa, sizeof sa, IPPROTO_ICMPV6};
  }
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  std::memcpy(&sa.sin_addr, destination.bytes.data(), 4);
  return {&sa, sizeof sa, IPPROTO_ICMP};
}

/// The IPv6 source in msg_name, if the kernel filled one in.
std::optional<IpAddress> source_of(const sockaddr_storage& from) {
  if (from.ss_family != AF_INET6) return std::nullopt;
  IpAddress a;
  a.family = Family::v6;
  std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in6&>(from).sin6_addr, 16);
  return a;
}


}  // namespace

Batch::Batch(asio::any_io_executor executor, std::vector<BatchSource> sources, std::vector<BatchProbe> probes,
             const ProbeOptions& options, const icmp::Nonce& nonce, std::function<void()> on_finished)
    : executor_(std::move(executor)),
      on_finished_(std::move(on_finished)),
      sources_(std::move(sources)),
      probes_(std::move(probes)),
      options_(options),
      nonce_(nonce),
      window_(std::chrono::duration_cast<Micros>(options.deadline)),
      retry_interval_(window_ / options.count),
      source_state_(sources_.size()),
      timer_(executor_),
      undecided_(probes_.size()),
      buffer_(k_receive_batch * k_receive_slot),
      iovecs_(k_receive_batch),
      names_(k_receive_batch),
      headers_(k_receive_batch),
      send_bytes_(k_send_burst),
      send_names_(k_send_burst),
      send_iovecs_(k_send_burst),
      send_headers_(k_send_burst) {
  const std::size_t slots = probes_.size() * static_cast<std::size_t>(options_.count);
  // Faulted in here, in one call each, rather than page by page by the threads sending.
  reserve_populated(state_, probes_.size());
  state_.resize(probes_.size());
  reserve_populated(records_, slots);
  records_.resize(slots);
  window_ends_.reserve(probes_.size());
  retries_.reserve(probes_.size());
}

Batch::Micros Batch::elapsed() const { return std::chrono::duration_cast<Micros>(Clock::now() - start_); }

std::span<AttemptRecord> Batch::records(std::size_t p) {
  return {records_.data() + p * static_cast<std::size_t>(options_.count), state_[p].sent};
}

std::span<const Attempt> Batch::attempts(std::size_t p) {
  const Family family = sources_[probes_[p].source].family;
  scratch_.clear();
  for (const AttemptRecord& r : records(p)) scratch_.push_back(unpack(r, family, reporters_));
  return scratch_;
}

/// The next attempt of p (the caller made sure fewer than `count` were made).
AttemptRecord& Batch::new_attempt(std::size_t p, Micros sent_at) {
  AttemptRecord& a = records_[p * static_cast<std::size_t>(options_.count) + state_[p].sent++];
  a.sent_us = packed_micros(sent_at);
  return a;
}

void Batch::start() {
  for (std::size_t s = 0; s < sources_.size(); ++s) discard_stale(s);
  start_ = Clock::now();
  readable_.clear();
  for (const BatchSource& src : sources_) readable_.push_back({src.socket->native_handle(), POLLIN, 0});
  if (undecided_ == 0) return finish();
  for (std::size_t s = 0; s < sources_.size(); ++s) arm_read(s);
  for (std::size_t p = 0; p < probes_.size(); ++p) enqueue(p);
}

void Batch::interrupt() {
  if (finished_) return;
  interrupted_ = true;
  finish();
}

ProbeResult Batch::take_result(std::size_t p) {
  ProbeState& st = state_[p];
  ProbeResult r = summarize(attempts(p), options_.deadline);
  if (interrupted_ && !st.decided) {
    r.interrupted = true;
    r.detail = "interrupted before the probe was decided";
  }
  return r;
}

// --- receiving -------------------------------------------------------------------------------

/// Late answers to an earlier run (the socket is cached) must not be read as this run's.
void Batch::discard_stale(std::size_t s) {
  for (int round = 0; round < k_discard_rounds && receive_some(s) != 0; ++round) {
  }
}

/// Reads up to k_receive_batch datagrams in one recvmmsg(): returns how many, 0 when the queue
/// is empty, -1 after a socket error (reported once; datagrams may still wait behind it).
int Batch::receive_some(std::size_t s) {
  for (std::size_t i = 0; i < k_receive_batch; ++i) {
    iovecs_[i] = {&buffer_[i * k_receive_slot], k_receive_slot};
    headers_[i] = {};
    headers_[i].msg_hdr.msg_iov = &iovecs_[i];
    headers_[i].msg_hdr.msg_iovlen = 1;
    names_[i] = {};
    headers_[i].msg_hdr.msg_name = &names_[i];
    headers_[i].msg_hdr.msg_namelen = sizeof names_[i];
  }
  const int n = ::recvmmsg(sources_[s].socket->native_handle(), headers_.data(), static_cast<unsigned>(k_receive_batch),
                           MSG_DONTWAIT, nullptr);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
  return n;
}

void Batch::arm_read(std::size_t s) {
  sources_[s].socket->async_wait(asio::socket_base::wait_read,
                                 asio::bind_executor(executor_, [this, s](const error_code& ec) {
                                   if (!ec && !finished_) on_readable(s);
                                 }));
}

/// Reads what socket s holds. The reactor is edge-triggered: a socket left with unread data
/// would get no new wake-up, so one that still has more gets a posted continuation instead.
void Batch::on_readable(std::size_t s) {
  if (!drain(s)) {
    if (!finished_) arm_read(s);
    return;
  }
  asio::post(executor_, [this, s] {
    if (!finished_) on_readable(s);
  });
}

/// Reads and handles datagrams of socket s; true when it stopped with data possibly left.
bool Batch::drain(std::size_t s) {
  for (int round = 0; round < k_receive_rounds && !finished_; ++round) {
    const int n = receive_some(s);
    if (n < 0) continue;
    for (int i = 0; i < n && !finished_; ++i) {
      const std::size_t len = std::min<std::size_t>(headers_[i].msg_len, k_receive_slot);
      handle_datagram(s, std::span<const std::uint8_t>(&buffer_[i * k_receive_slot], len), names_[i]);
    }
    if (static_cast<std::size_t>(n) < k_receive_batch) return false;  // the queue ran dry
  }
  return !finished_;
}

/// Reads every socket that has something queued. One poll() finds them: most sockets of a big
/// batch have nothing waiting at a given moment, and a recvmmsg() per socket to learn that cost
/// more than the probes themselves.
void Batch::drain_all() {
  for (pollfd& p : readable_) p.revents = 0;
  const int n = ::poll(readable_.data(), readable_.size(), 0);
  for (std::size_t s = 0; s < sources_.size() && !finished_; ++s)
    if (n < 0 || (readable_[s].revents & (POLLIN | POLLERR)) != 0)
      while (drain(s)) {
      }
}

void Batch::handle_datagram(std::size_t s, std::span<const std::uint8_t> bytes, const sockaddr_storage& from) {
  std::optional<icmp::Message> message;
  if (sources_[s].family == Family::v6) {
    if (auto source = source_of(from)) message = icmp::parse_icmpv6(bytes, *source);
  } else {
    message = icmp::parse_ipv4(bytes);
  }
  if (!message) return;
  if (auto* reply = std::get_if<icmp::EchoReply>(&*message)) on_echo_reply(s, *reply);
  if (auto* error = std::get_if<icmp::IcmpError>(&*message)) on_icmp_error(s, *error);
}

/// Maps an identifier and sequence seen on socket s to (probe, attempt), if this run sent it.
std::optional<std::pair<std::size_t, std::size_t>> Batch::locate(std::size_t s, const icmp::EchoIdent& ident) const {
  const BatchSource& src = sources_[s];
  const auto offset = static_cast<std::uint16_t>(ident.id - src.id_base);
  if (offset >= src.id_count) return std::nullopt;
  const std::size_t slot = offset * k_slots_per_id + ident.seq;
  const auto count = static_cast<std::size_t>(options_.count);
  const std::size_t local = slot / count;
  if (local >= src.probes.size()) return std::nullopt;
  const std::size_t p = src.probes[local];
  const std::size_t attempt = slot % count;
  if (attempt >= state_[p].sent) return std::nullopt;
  return std::pair{p, attempt};
}

bool Batch::nonce_matches(const std::optional<icmp::Nonce>& nonce) const { return !nonce || *nonce == nonce_; }

void Batch::on_echo_reply(std::size_t s, const icmp::EchoReply& reply) {
  auto hit = locate(s, reply.ident);
  // A reply echoes the whole payload: without our nonce it answers someone else's request.
  if (!hit || !reply.ident.nonce || !nonce_matches(reply.ident.nonce)) return;
  auto [p, attempt] = *hit;
  if (state_[p].decided || reply.source != probes_[p].destination) return;
  AttemptRecord& a = records(p)[attempt];
  a.fate = AttemptFate::reply;
  a.answered_us = packed_micros(elapsed());
  update_decided(p);
}

void Batch::on_icmp_error(std::size_t s, const icmp::IcmpError& error) {
  if (!error.original) return;
  auto hit = locate(s, *error.original);
  // RFC 792 routers quote only 8 bytes of our ICMP header: the nonce is checked when present.
  if (!hit || !nonce_matches(error.original->nonce)) return;
  auto [p, attempt] = *hit;
  if (state_[p].decided || error.original_destination != probes_[p].destination) return;
  AttemptRecord& a = records(p)[attempt];
  if (a.fate != AttemptFate::pending) return;
  a.fate = AttemptFate::icmp_error;
  a.answered_us = packed_micros(elapsed());
  a.icmp_type = static_cast<std::uint8_t>(error.type);
  a.icmp_code = static_cast<std::uint8_t>(error.code);
  a.next_hop_mtu = error.next_hop_mtu;
  a.reporter = static_cast<std::uint32_t>(reporters_.size());
  reporters_.push_back(error.reporter);
  if (attempt + 1 == state_[p].sent) after_failure(p);
  update_decided(p);
}

// --- sending ---------------------------------------------------------------------------------

void Batch::enqueue(std::size_t p) {
  ProbeState& st = state_[p];
  if (finished_ || st.decided || st.queued || st.sent >= static_cast<std::uint32_t>(options_.count)) return;
  st.queued = true;
  const std::size_t s = probes_[p].source;
  source_state_[s].send_queue.push_back(p);
  make_ready(s);
}

void Batch::make_ready(std::size_t s) {
  SourceState& ss = source_state_[s];
  if (ss.in_ring || ss.write_waiting || ss.send_queue.empty()) return;
  ss.in_ring = true;
  ready_.push_back(s);
  post_sender();
}

void Batch::post_sender() {
  if (sender_posted_ || finished_) return;
  sender_posted_ = true;
  asio::post(executor_, [this] {
    sender_posted_ = false;
    send_round();
  });
}

/// Sends one burst per ready socket in turn, up to k_send_round requests in all, then yields
/// to the reactor.
void Batch::send_round() {
  std::size_t sent = 0;
  while (sent < k_send_round && !ready_.empty() && !finished_) {
    const std::size_t s = ready_.front();
    ready_.pop_front();
    source_state_[s].in_ring = false;
    const std::size_t before = sent;
    if (send_burst(s, sent) == SendStatus::would_block)
      wait_writable(s);
    else
      make_ready(s);
    if (sent == before) ++sent;  // a turn that sent nothing still counts: the round ends
  }
  if (!ready_.empty()) post_sender();
}

/// Takes up to k_send_burst undecided probes off the front of socket s's queue.
void Batch::take_burst(std::size_t s) {
  auto& queue = source_state_[s].send_queue;
  burst_.clear();
  while (!queue.empty() && burst_.size() < k_send_burst) {
    const std::size_t p = queue.front();
    queue.pop_front();
    state_[p].queued = false;
    if (!state_[p].decided) burst_.push_back(p);  // else: its window closed while it waited
  }
}

/// Puts back, in order, the probes of the burst from index `from` on: not sent this turn.
void Batch::return_burst(std::size_t s, std::size_t from) {
  auto& queue = source_state_[s].send_queue;
  for (std::size_t i = burst_.size(); i > from; --i) {
    queue.push_front(burst_[i - 1]);
    state_[burst_[i - 1]].queued = true;
  }
}

/// Sends the next requests queued on socket s with one sendmmsg(). The kernel stops at the first
/// message it refuses and returns how many went out; the refused one is sent alone next turn,
/// where its errno is reported (a local route or filter refusal: that attempt's fate).
Batch::SendStatus Batch::send_burst(std::size_t s, std::size_t& sent) {
  take_burst(s);
  if (burst_.empty()) return SendStatus::done;
  const BatchSource& src = sources_[s];
  for (std::size_t i = 0; i < burst_.size(); ++i) stage_request(s, i);
  const int n = ::sendmmsg(src.socket->native_handle(), send_headers_.data(), static_cast<unsigned>(burst_.size()),
                           MSG_DONTWAIT);
  const int err = errno;
  if (n < 0 && (err == EAGAIN || err == EWOULDBLOCK)) {
    return_burst(s, 0);
    return SendStatus::would_block;
  }
  const Micros now = elapsed();
  const std::size_t ok = n < 0 ? 0 : static_cast<std::size_t>(n);
  for (std::size_t i = 0; i < ok; ++i) record_sent(s, burst_[i], now, 0, i);
  sent += ok;
  if (n < 0 && err != EINTR) {  // the first message was refused: that is its attempt's fate
    record_sent(s, burst_[0], now, err, 0);
    ++sent;
    return_burst(s, 1);
  } else {
    return_burst(s, ok);
  }
  return SendStatus::done;
}

/// Encodes the request of burst_[i] (its probe's next attempt) into send slot i.
void Batch::stage_request(std::size_t s, std::size_t i) {
  const BatchSource& src = sources_[s];
  const std::size_t p = burst_[i];
  const std::size_t attempt = state_[p].sent;
  const std::size_t slot = probes_[p].local * static_cast<std::size_t>(options_.count) + attempt;
  const icmp::EchoRequest request{static_cast<std::uint16_t>(src.id_base + slot / k_slots_per_id),
                                  static_cast<std::uint16_t>(slot % k_slots_per_id), nonce_};
  send_bytes_[i] = request.encode(src.family);
  send_names_[i] = endpoint_of(probes_[p].destination);
  send_iovecs_[i] = {send_bytes_[i].data(), send_bytes_[i].size()};
  send_headers_[i] = {};
  send_headers_[i].msg_hdr.msg_name = send_names_[i].data();
  send_headers_[i].msg_hdr.msg_namelen = static_cast<socklen_t>(send_names_[i].size());
  send_headers_[i].msg_hdr.msg_iov = &send_iovecs_[i];
  send_headers_[i].msg_hdr.msg_iovlen = 1;
}

/// Records attempt of probe p as sent at `now` (err: the errno that refused it, 0 = it left);
/// i: its send slot, whose bytes the EINVAL check reuses.
void Batch::record_sent(std::size_t s, std::size_t p, Micros now, int err, std::size_t i) {
  const std::size_t attempt = state_[p].sent;
  AttemptRecord& a = new_attempt(p, now);
  const auto index = static_cast<std::uint32_t>(p);
  if (attempt == 0) schedule(window_ends_, {now + window_, index});
  if (attempt + 1 < static_cast<std::size_t>(options_.count))
    schedule(retries_, {now + retry_interval_, index, static_cast<std::uint32_t>(attempt)});
  if (err != 0) {
    record_send_error(s, a, err, send_bytes_[i], probes_[p].destination);
    after_failure(p);
    update_decided(p);
  }
}

void Batch::record_send_error(std::size_t s, AttemptRecord& a, int err, std::span<const std::uint8_t> bytes,
                              const IpAddress& destination) {
  a.fate = AttemptFate::send_error;
  a.send_errno = static_cast<std::uint16_t>(err);
  if (err != EINVAL || sources_[s].family != Family::v6) return;
  const Endpoint to = endpoint_of(destination);
  a.einval_cause = einval_cause(sources_[s].socket->native_handle(), bytes, to.data(), static_cast<socklen_t>(to.size()));
}

/// The send buffer is full: go on when the kernel says the socket is writable again.
void Batch::wait_writable(std::size_t s) {
  SourceState& ss = source_state_[s];
  ss.write_waiting = true;
  ss.stalled_since = elapsed();
  schedule(stalls_, {ss.stalled_since + window_, static_cast<std::uint32_t>(s)});
  sources_[s].socket->async_wait(asio::socket_base::wait_write,
                                 asio::bind_executor(executor_, [this, s](const error_code& ec) {
                                   source_state_[s].write_waiting = false;
                                   if (!ec && !finished_) make_ready(s);
                                 }));
}

/// A socket refused every send for a whole deadline: its queued requests fail as harness errors.
void Batch::fail_stalled(std::size_t s) {
  SourceState& ss = source_state_[s];
  while (!ss.send_queue.empty()) {
    const std::size_t p = ss.send_queue.front();
    ss.send_queue.pop_front();
    ProbeState& st = state_[p];
    st.queued = false;
    if (st.decided) continue;
    if (st.sent == static_cast<std::uint32_t>(options_.count)) {  // cannot happen: queued probes have room
      decide(p);
      continue;
    }
    AttemptRecord& a = new_attempt(p, elapsed());
    a.fate = AttemptFate::send_error;
    a.send_errno = EAGAIN;
    decide(p);
  }
}

/// The latest attempt of p failed: an NG reason is confirmed by the next request at once.
void Batch::after_failure(std::size_t p) {
  if (retry_at_once(attempts(p).back())) enqueue(p);
}

// --- timing ----------------------------------------------------------------------------------

void Batch::schedule(DueQueue& queue, Due due) {
  queue.push(due);
  arm_timer();
}

/// Keeps the one timer set to the earliest due time of the three queues.
void Batch::arm_timer() {
  std::optional<Micros> earliest;
  for (const DueQueue* q : {&retries_, &window_ends_, &stalls_})
    if (!q->empty() && (!earliest || q->front().at < *earliest)) earliest = q->front().at;
  if (!extensions_.empty() && (!earliest || extensions_.front().at < *earliest)) earliest = extensions_.front().at;
  if (!earliest || finished_ || (timer_at_ && *timer_at_ <= *earliest)) return;
  timer_at_ = earliest;
  timer_.expires_at(start_ + *earliest + k_timer_slack);  // cancels a later wait, if any
  timer_.async_wait([this](const error_code& ec) {
    if (ec == asio::error::operation_aborted) return;
    timer_at_.reset();
    if (!finished_) on_timer();
  });
}

void Batch::extend(std::size_t p, Micros at) {
  extensions_.push_back({at, static_cast<std::uint32_t>(p)});
  std::push_heap(extensions_.begin(), extensions_.end(), later);
}

/// A window ends: the probe is NG only once a second request confirmed it and had its time
/// (retry_interval_) to be answered. A long burst can delay the confirming request past the
/// window; then the window is reopened rather than an unconfirmed NG reported.
void Batch::end_window(std::size_t p, Micros now) {
  ProbeState& st = state_[p];
  if (st.decided) return;
  const std::size_t needed = std::min<std::size_t>(2, static_cast<std::size_t>(options_.count));
  if (st.sent < needed) {
    if (!st.queued) enqueue(p);
    return extend(p, now + retry_interval_);
  }
  const Micros answer_by = Micros(records(p).back().sent_us) + retry_interval_;
  if (answer_by > now) return extend(p, answer_by);
  decide(p);
}

void Batch::on_timer() {
  const Micros now = elapsed();
  auto due_undecided = [&] {
    for (const Due& d : window_ends_) {
      if (d.at > now) break;
      if (!state_[d.index].decided) return true;
    }
    return !extensions_.empty() && extensions_.front().at <= now;
  };
  if (due_undecided()) drain_all();  // queued answers count, but only read when a verdict hangs on them
  while (!window_ends_.empty() && window_ends_.front().at <= now && !finished_) {
    const std::size_t p = window_ends_.front().index;
    window_ends_.pop();
    end_window(p, now);
  }
  while (!extensions_.empty() && extensions_.front().at <= now && !finished_) {
    std::pop_heap(extensions_.begin(), extensions_.end(), later);
    const std::size_t p = extensions_.back().index;
    extensions_.pop_back();
    end_window(p, now);
  }
  while (!retries_.empty() && retries_.front().at <= now) {
    const Due d = retries_.front();
    retries_.pop();
    if (state_[d.index].sent == d.attempt + 1) enqueue(d.index);  // still the latest
  }
  while (!stalls_.empty() && stalls_.front().at <= now) {
    const Due d = stalls_.front();
    stalls_.pop();
    const SourceState& ss = source_state_[d.index];
    if (ss.write_waiting && ss.stalled_since + window_ == d.at) fail_stalled(d.index);
  }
  arm_timer();
}

// --- ending ----------------------------------------------------------------------------------

void Batch::decide(std::size_t p) {
  ProbeState& st = state_[p];
  if (st.decided) return;
  st.decided = true;
  if (--undecided_ == 0) finish();
}

void Batch::update_decided(std::size_t p) {
  if (is_decided(attempts(p), options_.count)) decide(p);
}

void Batch::finish() {
  if (finished_) return;
  finished_ = true;
  error_code ignored;
  timer_.cancel();
  for (BatchSource& src : sources_) src.socket->cancel(ignored);
  if (on_finished_) on_finished_();
}

}  // namespace nscheck::probes
