#pragma once
// One run of the probe engine: every probe of the batch in flight together on the engine's
// io_context. Internal to probes/ (it names Asio types); the engine is its only user.
//
// Threads: every handler of a batch runs on the executor it is given (a strand of the engine's
// io_context), so a big run splits its sockets over several batches that run in parallel on
// the threads running that io_context, each batch single-threaded inside.
//
// Numbering: probe k of a socket (its local index) sends attempt a as slot k * count + a,
// carried as identifier id_base + slot / 65536 and sequence slot % 65536. Every socket of a run
// gets its own identifiers, so sockets sharing a namespace (which all receive every ICMP
// packet) never take each other's answers.
//
// Timing: a probe's window opens when its first request goes out and lasts one deadline; its
// next request follows deadline/count later, or at once after an NG-type failure. A probe is
// decided by a reply, by `count` failed requests, by the end of its window, or by its socket
// refusing every send (send buffer full) for a whole deadline. The batch ends when every probe
// is decided, so a burst that takes long to send does not eat the later probes' windows.

#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/generic/raw_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "probes/attempt_record.hpp"
#include "probes/due_queue.hpp"
#include "probes/icmp_codec.hpp"
#include "probes/probe.hpp"
#include "probes/verdict.hpp"

namespace nscheck::probes {

/// An adopted raw ICMP or ICMPv6 socket.
using RawSocket = boost::asio::generic::raw_protocol::socket;

/// One socket taking part in a batch, with the identifiers it uses in this run.
struct BatchSource {
  RawSocket* socket = nullptr;      ///< owned by the engine's socket cache
  Family family = Family::v4;       ///< v4: ICMP over AF_INET; v6: ICMPv6 over AF_INET6
  std::uint16_t id_base = 0;        ///< first ICMP identifier (wraps modulo 2^16)
  std::uint16_t id_count = 1;       ///< identifiers used: enough for probes.size() * count slots
  std::vector<std::size_t> probes;  ///< batch probe indices, by local index
};

/// One probe of a batch: where it goes and which source sends it (28 bytes: a batch may hold
/// 62,500).
struct BatchProbe {
  IpAddress destination;
  std::uint32_t source = 0;  ///< index into the batch's sources
  std::uint32_t local = 0;   ///< index into that source's probes
};

/// Runs one batch to completion: returns one result per BatchProbe, in order.
class Batch {
 public:
  /// executor: where every handler of the batch runs (a strand when several threads run the
  /// io_context). on_finished: called once, on that executor, when the batch finishes.
  Batch(boost::asio::any_io_executor executor, std::vector<BatchSource> sources, std::vector<BatchProbe> probes,
        const ProbeOptions& options, const icmp::Nonce& nonce, std::function<void()> on_finished = {});

  /// Sends every first request; the io_context does the rest (sends, listens and retries)
  /// until every probe is decided. Call before any thread runs the io_context, or on the executor.
  void start();
  [[nodiscard]] bool finished() const { return finished_; }
  /// Ends the batch now: undecided probes come back interrupted. Call on the executor.
  void interrupt();
  [[nodiscard]] const boost::asio::any_io_executor& executor() const { return executor_; }
  /// The result of probe p (an index into the BatchProbes), once finished. The records of the
  /// requests live in one packed array, freed with the batch.
  ProbeResult take_result(std::size_t p);

 private:
  using Clock = std::chrono::steady_clock;
  using Micros = std::chrono::microseconds;

  struct SourceState {
    std::deque<std::size_t> send_queue;  ///< probes whose next request waits to be sent
    bool in_ring = false;                ///< listed in ready_ (has something to send)
    bool write_waiting = false;          ///< send buffer full: waiting for writability
    Micros stalled_since{0};
  };
  struct ProbeState {
    std::uint32_t sent = 0;  ///< attempts made: the first `sent` of its `count` in records_
    bool queued = false;
    bool decided = false;
  };
  enum class SendStatus { done, would_block };

  /// Datagrams per recvmmsg(), and the room for each: our echo replies are 44 bytes and ICMP
  /// errors at most 576 (RFC 1812); a longer datagram is cut, fails its length check and is ignored.
  /// An ICMPv6 message is at most 1240 bytes (RFC 4443: the error packet fits the 1280-byte
  /// minimum MTU), so an ICMPv6 error always fits whole.
  static constexpr std::size_t k_receive_batch = 32;
  static constexpr std::size_t k_receive_slot = 2048;
  /// Requests per sendmmsg(): one system call carries a socket's next requests (64 against 16:
  /// about 10 ms less for the 109,250 requests of the 250-host forwarding-off star).
  static constexpr std::size_t k_send_burst = 64;

  Micros elapsed() const;
  std::span<AttemptRecord> records(std::size_t p);
  /// The attempts of p so far, unpacked into a scratch array (valid until the next call).
  std::span<const Attempt> attempts(std::size_t p);
  AttemptRecord& new_attempt(std::size_t p, Micros sent_at);
  void discard_stale(std::size_t s);
  int receive_some(std::size_t s);
  void arm_read(std::size_t s);
  void on_readable(std::size_t s);
  bool drain(std::size_t s);
  void drain_all();
  void handle_datagram(std::size_t s, std::span<const std::uint8_t> bytes, const sockaddr_storage& from);
  void on_echo_reply(std::size_t s, const icmp::EchoReply& reply);
  void on_icmp_error(std::size_t s, const icmp::IcmpError& error);
  std::optional<std::pair<std::size_t, std::size_t>> locate(std::size_t s, const icmp::EchoIdent& ident) const;
  bool nonce_matches(const std::optional<icmp::Nonce>& nonce) const;

  void enqueue(std::size_t p);
  void make_ready(std::size_t s);
  void post_sender();
  void send_round();
  void take_burst(std::size_t s);
  void return_burst(std::size_t s, std::size_t from);
  SendStatus send_burst(std::size_t s, std::size_t& sent);
  void stage_request(std::size_t s, std::size_t i);
  void record_sent(std::size_t s, std::size_t p, Micros now, int err, std::size_t i);
  void record_send_error(std::size_t s, AttemptRecord& a, int err, std::span<const std::uint8_t> bytes,
                         const IpAddress& destination);
  void wait_writable(std::size_t s);
  void fail_stalled(std::size_t s);
  void after_failure(std::size_t p);

  void schedule(DueQueue& queue, Due due);
  void end_window(std::size_t p, Micros now);
  static bool later(const Due& a, const Due& b) { return a.at > b.at; }
  void extend(std::size_t p, Micros at);
  void arm_timer();
  void on_timer();
  void decide(std::size_t p);
  void update_decided(std::size_t p);
  void finish();

  boost::asio::any_io_executor executor_;
  std::function<void()> on_finished_;
  std::vector<BatchSource> sources_;
  std::vector<BatchProbe> probes_;
  ProbeOptions options_;
  icmp::Nonce nonce_;
  Micros window_;
  Micros retry_interval_;
  std::vector<SourceState> source_state_;
  std::vector<ProbeState> state_;
  /// Every probe's attempts, `count` slots each (one allocation, not one per probe).
  std::vector<AttemptRecord> records_;
  std::vector<IpAddress> reporters_;  ///< of the ICMP errors, which records index
  std::vector<Attempt> scratch_;      ///< what attempts() returns
  std::deque<std::size_t> ready_;  ///< sources with requests to send, served round-robin
  bool sender_posted_ = false;
  DueQueue retries_;  ///< due times only grow in each of these queues
  DueQueue window_ends_;
  DueQueue stalls_;
  /// Windows reopened because a probe's confirming request had not gone out (or had not had its
  /// time) when its window ended: a min-heap, as reopened due times are not in order.
  std::vector<Due> extensions_;
  boost::asio::steady_timer timer_;
  std::optional<Micros> timer_at_;
  std::size_t undecided_ = 0;
  bool finished_ = false;
  bool interrupted_ = false;
  Clock::time_point start_;
  std::vector<std::uint8_t> buffer_;
  std::vector<iovec> iovecs_;
  std::vector<sockaddr_storage> names_;  ///< per slot: the sender (an ICMPv6 message carries no IP header)
  std::vector<mmsghdr> headers_;
  std::vector<pollfd> readable_;
  std::vector<std::size_t> burst_;  ///< the probes of the sendmmsg() being made
  std::vector<std::array<std::uint8_t, icmp::EchoRequest::k_size>> send_bytes_;
  std::vector<boost::asio::generic::raw_protocol::endpoint> send_names_;
  std::vector<iovec> send_iovecs_;
  std::vector<mmsghdr> send_headers_;  ///< per source: for drain_all()
};

}  // namespace nscheck::probes
