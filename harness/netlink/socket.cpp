#include "netlink/socket.hpp"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstring>
#include <utility>

namespace nscheck::nl {
namespace {

using std::chrono::milliseconds;

/// Asked-for receive buffer: bursts of link notifications and ACKs must not overflow it.
constexpr int k_receive_buffer = 4 << 20;
/// Receive buffer space one request may need (its ACK and the notifications it causes, as
/// kernel memory, not payload): decides how many requests go into one sendmsg().
constexpr int k_receive_per_request = 8 << 10;
/// One datagram of requests; well under the default socket send buffer (about 208 KiB).
constexpr std::size_t k_send_chunk = 64 << 10;
/// One received datagram: dump parts are at most 32 KiB, ACKs and notifications far less.
constexpr std::size_t k_receive_size = 64 << 10;
/// Silence after which a missing ACK or dump part is an error rather than slowness.
constexpr milliseconds k_reply_timeout{10'000};
/// Dumps in a row that may be interrupted by link changes before giving up.
constexpr int k_dump_attempts = 5;
/// Datagrams read_notifications() drains after the first one, so it always returns.
constexpr int k_drain_limit = 64;

/// Calls fn for every netlink message in a received datagram.
template <class Fn>
void for_each_message(const std::uint8_t* data, std::size_t len, Fn&& fn) {
  int left = static_cast<int>(len);
  for (const auto* nlh = reinterpret_cast<const nlmsghdr*>(data); mnl_nlmsg_ok(nlh, left);
       nlh = mnl_nlmsg_next(nlh, &left))
    fn(nlh);
}

/// mnl_attr_parse callback: keeps NLMSGERR_ATTR_MSG, the kernel's explanation.
int read_ext_ack_attribute(const nlattr* attr, void* data) {
  if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
      mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
    *static_cast<std::string*>(data) = mnl_attr_get_str(attr);
  return MNL_CB_OK;
}

/// The extended-ack text of an NLMSG_ERROR message, or "" when the kernel gave none.
std::string ext_ack_message(const nlmsghdr* ack) {
  if ((ack->nlmsg_flags & NLM_F_ACK_TLVS) == 0) return {};
  const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(ack));
  std::size_t offset = sizeof(nlmsgerr);
  // With NETLINK_CAP_ACK the kernel leaves out our request's payload (NLM_F_CAPPED);
  // without it the TLVs start after that copy.
  if ((ack->nlmsg_flags & NLM_F_CAPPED) == 0) {
    if (err->msg.nlmsg_len < sizeof(nlmsghdr)) return {};
    offset += NLMSG_ALIGN(err->msg.nlmsg_len - sizeof(nlmsghdr));
  }
  std::string text;
  mnl_attr_parse(ack, static_cast<unsigned>(offset), read_ext_ack_attribute, &text);
  return text;
}

/// The errno of an NLMSG_ERROR message (0 for a plain ACK).
int ack_errnum(const nlmsghdr* ack) {
  if (mnl_nlmsg_get_payload_len(ack) < sizeof(nlmsgerr)) return EBADMSG;
  nlmsgerr err{};
  std::memcpy(&err, mnl_nlmsg_get_payload(ack), sizeof err);
  return -err.error;
}

/// "<what>: <strerror> (kernel: "<ext-ack>")", or without the parenthesis if there is no text.
Error refusal_error(const std::string& what, const nlmsghdr* ack) {
  Error error = errno_error(what, ack_errnum(ack));
  const std::string text = ext_ack_message(ack);
  if (!text.empty()) error.message += " (kernel: \"" + text + "\")";
  return error;
}

Error internal_error(std::string message) {
  return Error{std::move(message), 0, ErrorKind::internal};
}

/// Refuses requests that cannot be sent: overflowed (empty), malformed, or without an ACK
/// (a request without NLM_F_ACK would leave transact() waiting for an answer that never comes).
Result<void> check_requests(std::span<const Request> batch) {
  for (const Request& request : batch) {
    if (request.bytes.empty())
      return internal_error(request.what + ": request did not fit the netlink message buffer");
    nlmsghdr header{};
    if (request.bytes.size() >= sizeof header)
      std::memcpy(&header, request.bytes.data(), sizeof header);
    if (header.nlmsg_len != request.bytes.size() || request.bytes.size() > k_send_chunk)
      return internal_error(request.what + ": malformed netlink request");
    if ((header.nlmsg_flags & NLM_F_ACK) == 0)
      return internal_error(request.what + ": netlink request without NLM_F_ACK");
  }
  return {};
}

/// End of the chunk that starts at begin: as many requests as fit one datagram and the limit.
std::size_t chunk_end(std::span<const Request> batch, std::size_t begin, std::size_t limit) {
  std::size_t end = begin;
  std::size_t bytes = 0;
  while (end < batch.size() && end - begin < limit) {
    const std::size_t size = NLMSG_ALIGN(batch[end].bytes.size());
    if (end > begin && bytes + size > k_send_chunk) break;
    bytes += size;
    ++end;
  }
  return end;
}

/// Which requests of one chunk have been answered, and the first refusal among them.
class AckTracker {
 public:
  AckTracker(std::span<const Request> chunk, unsigned base_seq, unsigned portid)
      : chunk_(chunk),
        base_seq_(base_seq),
        portid_(portid),
        acked_(chunk.size()),
        pending_(chunk.size()) {}

  /// Takes an NLMSG_ERROR message; those that answer no request of this chunk are ignored.
  void take(const nlmsghdr* ack) {
    const std::size_t i = ack->nlmsg_seq - base_seq_;
    if (ack->nlmsg_pid != portid_ || i >= chunk_.size() || acked_[i]) return;
    acked_[i] = true;
    --pending_;
    if (ack_errnum(ack) != 0 && (!refusal_ || i < refused_index_)) {
      refusal_ = refusal_error(chunk_[i].what, ack);
      refused_index_ = i;
    }
  }
  [[nodiscard]] bool done() const { return pending_ == 0; }
  [[nodiscard]] const std::optional<Error>& refusal() const { return refusal_; }

  /// The error for ACKs that never came.
  [[nodiscard]] Error timeout_error(bool overrun) const {
    const auto first = std::find(acked_.begin(), acked_.end(), false) - acked_.begin();
    std::string message = chunk_[static_cast<std::size_t>(first)].what +
                          ": no answer from the kernel within " +
                          std::to_string(k_reply_timeout.count() / 1000) + " s";
    if (overrun) message += " (the netlink receive buffer overflowed: ACKs were lost)";
    return Error{message, overrun ? ENOBUFS : ETIMEDOUT, ErrorKind::environment};
  }

 private:
  std::span<const Request> chunk_;
  unsigned base_seq_;
  unsigned portid_;
  std::vector<bool> acked_;
  std::size_t pending_;
  std::optional<Error> refusal_;
  std::size_t refused_index_ = 0;
};

/// Grows the receive buffer and returns the size in force (the kernel reports it doubled).
int grow_receive_buffer(int fd) {
  int size = k_receive_buffer;
  // SO_RCVBUFFORCE may pass net.core.rmem_max but needs CAP_NET_ADMIN; else take what we can.
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  int actual = 0;
  socklen_t len = sizeof actual;
  ::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &actual, &len);
  return actual;
}

}  // namespace

void Socket::Deleter::operator()(mnl_socket* s) const { mnl_socket_close(s); }

Socket::Socket(Socket&&) noexcept = default;
Socket& Socket::operator=(Socket&&) noexcept = default;
Socket::~Socket() = default;

Result<Socket> Socket::open(bool subscribe_links) {
  Socket socket;
  socket.sock_.reset(mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC));
  if (!socket.sock_) return errno_error("open rtnetlink socket", errno);
  NS_CHECK(socket.configure(subscribe_links));
  return socket;
}

Result<Socket> Socket::open_netfilter() {
  Socket socket;
  socket.sock_.reset(mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC));
  if (!socket.sock_) return errno_error("open netfilter netlink socket", errno);
  NS_CHECK(socket.configure(false));
  return socket;
}

Result<void> Socket::configure(bool subscribe_links) {
  int one = 1;
  if (mnl_socket_setsockopt(sock_.get(), NETLINK_EXT_ACK, &one, sizeof one) != 0)
    return errno_error("setsockopt(NETLINK_EXT_ACK)", errno);
  // CAP_ACK: an error ACK need not carry a copy of our request; we know which one it was.
  if (mnl_socket_setsockopt(sock_.get(), NETLINK_CAP_ACK, &one, sizeof one) != 0)
    return errno_error("setsockopt(NETLINK_CAP_ACK)", errno);
  const int receive_buffer = grow_receive_buffer(fd());
  max_chunk_requests_ =
      static_cast<std::size_t>(std::max(1, receive_buffer / k_receive_per_request));
  if (mnl_socket_bind(sock_.get(), subscribe_links ? RTMGRP_LINK : 0, MNL_SOCKET_AUTOPID) != 0)
    return errno_error("bind rtnetlink socket", errno);
  portid_ = mnl_socket_get_portid(sock_.get());
  rx_ = std::make_unique_for_overwrite<std::uint8_t[]>(k_receive_size);
  return {};
}

Result<void> Socket::subscribe_links(bool on) {
  int group = RTNLGRP_LINK;
  if (mnl_socket_setsockopt(sock_.get(), on ? NETLINK_ADD_MEMBERSHIP : NETLINK_DROP_MEMBERSHIP, &group, sizeof group) != 0)
    return errno_error(on ? "join RTNLGRP_LINK" : "leave RTNLGRP_LINK", errno);
  return {};
}

void Socket::set_link_handler(LinkHandler handler) { on_link_ = std::move(handler); }

int Socket::fd() const { return mnl_socket_get_fd(sock_.get()); }

Result<void> Socket::transact(std::span<const Request> batch) {
  NS_CHECK(check_requests(batch));
  std::optional<Error> first_refusal;
  for (std::size_t begin = 0; begin < batch.size();) {
    const std::size_t end = chunk_end(batch, begin, max_chunk_requests_);
    auto sent = transact_chunk(batch.subspan(begin, end - begin), first_refusal);
    if (!sent) return first_refusal ? *first_refusal : sent.error();
    begin = end;
  }
  if (overrun_) {
    auto resync = dump_links();
    if (!resync && !first_refusal) return resync;
  }
  if (first_refusal) return *first_refusal;
  return {};
}

/// Sends one chunk and reads until each of its requests has been answered.
Result<void> Socket::transact_chunk(std::span<const Request> chunk,
                                    std::optional<Error>& first_refusal) {
  const unsigned base_seq = take_seqs(chunk.size());
  NS_CHECK(send_chunk(chunk, base_seq));
  AckTracker acks(chunk, base_seq, portid_);
  while (!acks.done()) {
    NS_TRY(len, receive(k_reply_timeout));
    if (len == 0) return acks.timeout_error(overrun_);
    for_each_message(rx_.get(), len, [&](const nlmsghdr* nlh) {
      if (nlh->nlmsg_type == NLMSG_ERROR)
        acks.take(nlh);
      else
        pass_link(nlh, nlh->nlmsg_len);
    });
  }
  if (!first_refusal && acks.refusal()) first_refusal = acks.refusal();
  return {};
}

/// Copies the chunk into one datagram, numbering the requests from base_seq, and sends it.
Result<void> Socket::send_chunk(std::span<const Request> chunk, unsigned base_seq) {
  Bytes datagram;
  datagram.reserve(k_send_chunk);
  unsigned seq = base_seq;
  for (const Request& request : chunk) {
    const std::size_t at = datagram.size();
    datagram.insert(datagram.end(), request.bytes.begin(), request.bytes.end());
    datagram.resize(NLMSG_ALIGN(datagram.size()));
    std::memcpy(datagram.data() + at + offsetof(nlmsghdr, nlmsg_seq), &seq, sizeof seq);
    ++seq;
  }
  if (mnl_socket_sendto(sock_.get(), datagram.data(), datagram.size()) < 0)
    return errno_error(chunk.front().what + ": sendmsg", errno);
  return {};
}

/// Reserves count consecutive sequence numbers, never 0 (notifications) and never wrapping.
unsigned Socket::take_seqs(std::size_t count) {
  if (seq_ == 0 || seq_ > UINT_MAX - count) seq_ = 1;
  const unsigned base = seq_;
  seq_ += static_cast<unsigned>(count);
  return base;
}

Result<void> Socket::dump_links() {
  if (!on_link_) {
    overrun_ = false;  // nobody listens: nothing to bring up to date
    return {};
  }
  for (int attempt = 0; attempt < k_dump_attempts; ++attempt) {
    overrun_ = false;
    NS_TRY(interrupted, dump_once());
    if (!interrupted && !overrun_) return {};
  }
  return Error{"RTM_GETLINK dump: links kept changing during " + std::to_string(k_dump_attempts) +
                   " dumps in a row",
               EAGAIN, ErrorKind::environment};
}

/// One link dump; true when the kernel says a change interrupted it (NLM_F_DUMP_INTR).
Result<bool> Socket::dump_once() {
  Bytes request = link_dump();
  const unsigned seq = take_seqs(1);
  std::memcpy(request.data() + offsetof(nlmsghdr, nlmsg_seq), &seq, sizeof seq);
  if (mnl_socket_sendto(sock_.get(), request.data(), request.size()) < 0)
    return errno_error("RTM_GETLINK dump: sendmsg", errno);
  bool interrupted = false;
  bool done = false;
  std::optional<Error> error;
  while (!done) {
    NS_TRY(len, receive(k_reply_timeout));
    if (len == 0) return Error{"RTM_GETLINK dump: no answer from the kernel", ETIMEDOUT};
    for_each_message(rx_.get(), len, [&](const nlmsghdr* nlh) {
      const bool ours = nlh->nlmsg_seq == seq && nlh->nlmsg_pid == portid_;
      if (ours && (nlh->nlmsg_flags & NLM_F_DUMP_INTR) != 0) interrupted = true;
      if (ours && (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)) {
        done = true;
        if (nlh->nlmsg_type == NLMSG_ERROR && ack_errnum(nlh) != 0)
          error = refusal_error("RTM_GETLINK dump", nlh);
      } else {
        pass_link(nlh, nlh->nlmsg_len);
      }
    });
  }
  if (error) return *error;
  return interrupted;
}

Result<void> Socket::read_notifications(milliseconds timeout) {
  NS_TRY(len, receive(timeout));
  for (int drained = 0; len > 0 && drained < k_drain_limit; ++drained) {
    for_each_message(rx_.get(), len, [&](const nlmsghdr* nlh) { pass_link(nlh, nlh->nlmsg_len); });
    NS_TRY(more, receive(milliseconds{0}));
    len = more;
  }
  if (overrun_) return dump_links();
  return {};
}

/// Waits up to timeout for one datagram; returns its length, or 0 when the time is up.
/// ENOBUFS (the kernel dropped a message for want of buffer) is remembered in overrun_.
Result<std::size_t> Socket::receive(milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd ready{fd(), POLLIN, 0};
    const int n =
        ::poll(&ready, 1, static_cast<int>(std::clamp<long long>(left.count(), 0, INT_MAX)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("poll on rtnetlink socket", errno);
    if (n == 0) return std::size_t{0};
    const ssize_t len = mnl_socket_recvfrom(sock_.get(), rx_.get(), k_receive_size);
    if (len >= 0) return static_cast<std::size_t>(len);
    if (errno == ENOBUFS)
      overrun_ = true;
    else if (errno != EINTR && errno != EAGAIN)
      return errno_error("recvmsg on rtnetlink socket", errno);
  }
}

/// Hands a message to the link handler when it is a link message.
void Socket::pass_link(const void* nlmsg, std::size_t len) const {
  if (!on_link_) return;
  if (auto state = parse_link(nlmsg, len)) on_link_(*state);
}

}  // namespace nscheck::nl
