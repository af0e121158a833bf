#pragma once
// The probe engine: one Asio io_context for the whole run. All probes of a batch are in flight
// together, so a batch full of silent drops costs one deadline, not one per probe.

#include <memory>
#include <span>
#include <vector>

#include "core/result.hpp"
#include "probes/probe.hpp"

namespace nscheck::probes {

/// Runs batches of probes; owns the io_context and the sockets (cached per source and binding).
class ProbeEngine {
 public:
  ProbeEngine();
  ~ProbeEngine();
  ProbeEngine(const ProbeEngine&) = delete;
  ProbeEngine& operator=(const ProbeEngine&) = delete;

  /// Runs every probe at once; returns one result per probe, in the same order. Fails only when
  /// the batch cannot run at all (a socket cannot be opened: no privilege, bad namespace fd).
  Result<std::vector<ProbeResult>> run(std::span<const IcmpProbe> probes, const ProbeOptions& options);

  /// Closes every socket (they keep their namespaces alive).
  void close_sockets();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nscheck::probes
