#pragma once
// The one class that talks rtnetlink. A Socket lives in the namespace of the thread that opened
// it and keeps that namespace alive; it sends batches of requests built by requests.hpp and
// turns every refusal into an Error that carries the kernel's extended-ack message.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "netlink/requests.hpp"

struct mnl_socket;

namespace nscheck::nl {

/// One request of a batch and what it does, for error messages ("RTM_NEWADDR 10.0.0.1/24").
struct Request {
  Bytes bytes;
  std::string what;
};

/// Called for every notification or dump message of type RTM_NEWLINK/RTM_DELLINK.
using LinkHandler = std::function<void(const LinkState&)>;

/// An rtnetlink socket with NETLINK_EXT_ACK on.
class Socket {
 public:
  /// Opens a socket in the calling thread's namespace; subscribe_links joins RTNLGRP_LINK.
  static Result<Socket> open(bool subscribe_links = false);
  /// Joins (on) or leaves the link notifications group (RTNLGRP_LINK). Every socket in any
  /// group is visited by every rtnetlink broadcast of the host, whatever its namespace: a
  /// thousand subscribed node sockets make each notification a thousand times dearer, so nodes
  /// subscribe only while they wait for links.
  Result<void> subscribe_links(bool on);

  /// Opens a NETLINK_NETFILTER socket (conntrack), with the same ACK and ext-ack handling.
  static Result<Socket> open_netfilter();

  Socket(Socket&&) noexcept;
  Socket& operator=(Socket&&) noexcept;
  ~Socket();

  /// Sends the requests in as few sendmsg() calls as fit, then waits for every ACK.
  /// The first refusal becomes: "<what>: <strerror> (kernel: \"<ext-ack>\")" with its errno.
  /// Link notifications that arrive meanwhile go to the link handler.
  /// Every request of the batch is attempted, even after a refusal: the kernel itself goes on
  /// with the rest of a datagram, so callers must not rely on what happened after one.
  /// A request that is empty (its builder overflowed), malformed or without NLM_F_ACK is
  /// refused before anything is sent (ErrorKind::internal); 10 s without an awaited ACK is
  /// an error too (ETIMEDOUT, or ENOBUFS when the receive buffer overflowed).
  Result<void> transact(std::span<const Request> batch);

  /// Dumps every link, passing each to the link handler.
  Result<void> dump_links();

  /// Waits up to `timeout` for notifications and passes them to the link handler;
  /// returns after the first batch read (or the timeout). A lost notification (ENOBUFS)
  /// triggers a fresh dump_links(), so no state change is ever missed.
  Result<void> read_notifications(std::chrono::milliseconds timeout);

  /// Where link state goes (dumps and notifications).
  void set_link_handler(LinkHandler handler);

  /// The fd, for poll().
  [[nodiscard]] int fd() const;

 private:
  struct Deleter {
    void operator()(mnl_socket* s) const;
  };
  Socket() = default;

  Result<void> configure(bool subscribe_links);
  Result<void> transact_chunk(std::span<const Request> chunk, std::optional<Error>& first_refusal);
  Result<void> send_chunk(std::span<const Request> chunk, unsigned base_seq);
  Result<bool> dump_once();
  Result<std::size_t> receive(std::chrono::milliseconds timeout);
  void pass_link(const void* nlmsg, std::size_t len) const;
  unsigned take_seqs(std::size_t count);

  std::unique_ptr<mnl_socket, Deleter> sock_;
  unsigned portid_ = 0;
  unsigned seq_ = 1;
  LinkHandler on_link_;
  /// Receive buffer: one datagram (a dump part is <= 32 KiB). Left uninitialised, so only the
  /// pages the kernel writes into become resident: 1,000 nodes hold 1,000 sockets.
  std::unique_ptr<std::uint8_t[]> rx_;
  std::size_t max_chunk_requests_ = 1;  ///< requests per sendmsg, sized to the receive buffer
  bool overrun_ = false;                ///< a notification was lost (ENOBUFS) since the last dump
};

}  // namespace nscheck::nl
