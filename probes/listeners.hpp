#pragma once
// The built-in listeners of one batch: TCP listeners that echo each connection's token, and UDP
// responders that echo each datagram from the address it came to. Both record what they saw
// (the peer address after any NAT, the local address after any DNAT). Internal to probes/: it
// names Asio types; the engine is its only user.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "probes/flow_codec.hpp"
#include "probes/probe.hpp"

namespace nscheck::probes {

class Listeners {
 public:
  /// executor: where every handler runs (the FlowBatch's, which reads the records).
  /// batch_tag: only tokens carrying it are echoed and recorded.
  Listeners(boost::asio::any_io_executor executor, std::uint64_t batch_tag);
  ~Listeners();
  Listeners(const Listeners&) = delete;
  Listeners& operator=(const Listeners&) = delete;

  /// Adopts listener `index` of the batch (an fd from open_listeners) and starts serving it.
  Result<void> serve(std::size_t index, const ListenerSpec& spec, UniqueFd fd);

  /// Closes every socket. Cancelled handlers still wait in the io_context: poll it before
  /// destroying this object.
  void stop();

  /// What a listener saw of (probe, attempt), if any listener saw it.
  [[nodiscard]] const Seen* seen(const flow::Token& token) const;

 private:
  struct Tcp;
  struct Udp;
  struct Connection;

  void accept_next(Tcp& tcp);
  void serve_connection(Connection& c);
  void wait_datagrams(Udp& udp);
  void answer_datagrams(Udp& udp);
  void record(const flow::Token& token, Seen seen);

  boost::asio::any_io_executor executor_;
  std::uint64_t tag_;
  bool stopped_ = false;
  std::vector<std::unique_ptr<Tcp>> tcp_;
  std::vector<std::unique_ptr<Udp>> udp_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::unordered_map<std::uint64_t, Seen> seen_;
};

}  // namespace nscheck::probes
