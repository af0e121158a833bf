#pragma once
// The probe engine: one Asio io_context for the whole run. All probes of a batch are in flight
// together, so a batch full of silent drops costs one deadline, not one per probe. A big batch
// shares its sockets out among several threads running that io_context (probes/shards.hpp).

#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/result.hpp"
#include "probes/probe.hpp"

namespace nscheck::probes {

/// Runs batches of probes; owns the io_context and the raw sockets (cached per source namespace,
/// address family and binding): ICMP echo for IPv4 destinations, ICMPv6 echo for IPv6 ones,
/// TCP and UDP probes (fresh sockets per batch) with their built-in listeners, mixed freely
/// in one batch under one deadline.
/// Not thread-safe: one caller runs one batch at a time. Inside a batch, the ICMP sockets are
/// dealt out to shards, each a Batch on a strand of its own, and ProbeOptions::threads threads
/// run the io_context (one per usable CPU for a big batch); the TCP/UDP probes and listeners share one
/// more strand. A socket belongs to one shard, so no two threads ever touch its state.
///
/// A batch: every first request goes out at once (round-robin over the sockets); a probe is OK
/// on the first matching echo reply (identifier, sequence, nonce, and source == destination).
/// An NG needs confirmation: after an ICMP error or a local send refusal the next request goes
/// out at once, after silence it follows deadline/count later, up to `count` requests. Each
/// probe's window lasts one deadline from its first request; the batch returns as soon as
/// every probe is decided (OK, `count` failures, or its window over). ENOBUFS and unexpected
/// errnos are Outcome::error, never NG.
class ProbeEngine {
 public:
  ProbeEngine();
  ~ProbeEngine();
  ProbeEngine(const ProbeEngine&) = delete;
  ProbeEngine& operator=(const ProbeEngine&) = delete;

  /// Runs every probe at once; returns one result per probe, in the same order. Fails only when
  /// the batch cannot run at all (a socket cannot be opened: no privilege, bad namespace fd;
  /// count < 2 or a deadline <= 0). A binding that fails (SO_BINDTODEVICE to a missing device,
  /// bind() to an address that is not local), a source address of the other family, an
  /// IPv4-mapped destination or a link-local one without a device binding makes only the probes
  /// concerned Outcome::error, with the reason in their detail.
  Result<std::vector<ProbeResult>> run(std::span<const Probe> probes, const ProbeOptions& options);

  /// The same with TCP and UDP probes: the listeners are opened first (each in its namespace)
  /// and serve this batch only. A probe naming a listener that could not start is a harness
  /// error, never sent. OK results of probes answered by a listener carry what it saw.
  Result<std::vector<ProbeResult>> run(std::span<const Probe> probes, std::span<const ListenerSpec> listeners,
                                       const ProbeOptions& options);

  /// Receives one probe's result: its index in the caller's probes, and the result.
  using ResultSink = std::function<void(std::size_t, ProbeResult&&)>;

  /// The same, handing each result to `sink` (every index once, in no set order) one at a time:
  /// a batch of 100,000 probes never holds all its ProbeResults (144 bytes each, with their
  /// texts) at once. On failure the sink was not called.
  Result<void> run(std::span<const Probe> probes, std::span<const ListenerSpec> listeners, const ProbeOptions& options,
                   const ResultSink& sink);
  /// The same, taking the probes over: they are freed once the batch is planned, before the
  /// state of its requests is built, which then reuses their memory (a stage of 62,500 probes
  /// holds 6 MB of them).
  Result<void> run(std::vector<Probe>&& probes, std::span<const ListenerSpec> listeners, const ProbeOptions& options,
                   const ResultSink& sink);

  /// Closes every socket (they keep their namespaces alive).
  void close_sockets();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;

  /// run() with the sink; owned: the caller's probes, if given over, to free once planned.
  Result<void> run_batch(std::span<const Probe> probes, std::span<const ListenerSpec> listeners,
                         const ProbeOptions& options, const ResultSink& sink, std::vector<Probe>* owned);
};

}  // namespace nscheck::probes
