#pragma once
// One run of the TCP and UDP probes of a batch, on the engine's io_context, next to the ICMP
// batch. Internal to probes/ (it names Asio types); the engine is its only user.
//
// A TCP request is a connection attempt on a socket of its own (opened beforehand in the
// source namespace), so every attempt is a fresh flow: conntrack state of an earlier stage never
// answers it. After the handshake the probe sends its token and waits for the listener's echo
// (that is how the listener's record is found). A UDP request is a datagram carrying the
// token, sent from the source's UDP socket of this batch (a fresh port per batch); the OK is
// the echo from the destination's address and port. ICMP errors about either come from the
// socket's error queue (IP_RECVERR), with type, code and reporter.
//
// Timing is the ICMP batch's: a probe's window lasts one deadline from its first request, the
// next request follows deadline/count later or at once after an NG-type failure, and an NG
// needs two requests.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "core/unique_fd.hpp"
#include "probes/flow_codec.hpp"
#include "probes/listeners.hpp"
#include "probes/probe.hpp"
#include "probes/verdict.hpp"

namespace nscheck::probes {

/// One TCP or UDP probe of a flow batch.
struct FlowProbe {
  ProbeKind kind = ProbeKind::tcp;
  flow::Endpoint destination;
  bool token_echo = true;           ///< a built-in listener answers (else a service of the user's)
  std::size_t udp_socket = 0;       ///< UDP: index into the batch's UDP sockets
  std::vector<UniqueFd> tcp_fds;    ///< TCP: one bound, unconnected socket per attempt
};

class FlowBatch {
 public:
  /// executor: where every handler runs (a strand shared with the batch's Listeners when
  /// several threads run the io_context). on_finished: called once, on it, when the batch finishes.
  FlowBatch(boost::asio::any_io_executor executor, std::vector<FlowProbe> probes, std::vector<UniqueFd> udp_sockets,
            const ProbeOptions& options, std::uint64_t tag, std::function<void()> on_finished = {});
  ~FlowBatch();
  FlowBatch(const FlowBatch&) = delete;
  FlowBatch& operator=(const FlowBatch&) = delete;

  /// Sends every first request; the io_context does the rest.
  void start();
  [[nodiscard]] bool finished() const { return finished_; }
  /// Ends the batch now: undecided probes come back interrupted. Call on the executor.
  void interrupt();
  [[nodiscard]] const boost::asio::any_io_executor& executor() const { return executor_; }
  /// One result per probe, once finished; seen is filled from the listeners' records.
  std::vector<ProbeResult> results(const Listeners& listeners) const;

 private:
  using Clock = std::chrono::steady_clock;
  using Micros = std::chrono::microseconds;
  struct Connection;
  struct State;

  Micros elapsed() const;
  void begin_attempt(std::size_t p);
  void connect(std::size_t p, std::size_t a);
  void on_connect_done(std::size_t p, std::size_t a);
  void await_echo(std::size_t p, std::size_t a);
  void send_datagram(std::size_t p, std::size_t a);
  void wait_datagrams(std::size_t u);
  void read_datagrams(std::size_t u);
  void read_errors(std::size_t u);
  void on_echo(std::size_t u, const flow::Endpoint& from, std::span<const std::uint8_t> payload);
  void on_udp_icmp(std::size_t u, const flow::Endpoint& to, std::span<const std::uint8_t> payload,
                   const flow::QueuedIcmp& icmp);
  void fail(std::size_t p, std::size_t a, AttemptFate fate, int err = 0, const flow::QueuedIcmp* icmp = nullptr);
  void arm_retry(std::size_t p, std::size_t a, Micros at);
  void arm_window(std::size_t p, Micros at);
  void end_window(std::size_t p);
  void update_decided(std::size_t p);
  void decide(std::size_t p);
  void finish();
  std::optional<std::size_t> locate(std::size_t u, const flow::Token& token) const;

  boost::asio::any_io_executor executor_;
  std::function<void()> on_finished_;
  std::vector<FlowProbe> probes_;
  std::vector<std::unique_ptr<boost::asio::ip::udp::socket>> udp_;
  ProbeOptions options_;
  std::uint64_t tag_;
  Micros window_;
  Micros retry_interval_;
  std::vector<std::unique_ptr<State>> state_;
  /// UDP probes by (socket, destination): ICMP errors quoting only 8 bytes, and services'
  /// replies, carry no token.
  std::map<std::pair<std::size_t, flow::Endpoint>, std::vector<std::size_t>> by_destination_;
  std::size_t undecided_ = 0;
  bool finished_ = false;
  bool interrupted_ = false;
  Clock::time_point start_;
};

}  // namespace nscheck::probes
