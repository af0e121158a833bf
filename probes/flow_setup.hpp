#pragma once
// Prepares the TCP and UDP probes of a run for a FlowBatch: checks each probe, opens (in the
// source namespaces) one UDP socket per source namespace, family and binding, and one TCP
// socket per connection attempt, and binds them. Internal to probes/.

#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "probes/flow_batch.hpp"
#include "probes/probe.hpp"

namespace nscheck::probes {

struct FlowSetup {
  std::vector<FlowProbe> probes;     ///< the batch's probes
  std::vector<std::size_t> caller;   ///< per batch probe: its index in the probes given
  std::vector<UniqueFd> udp_sockets;
  std::vector<std::string> refused;  ///< per probe given: why it does not run ("" = it runs)
};

/// probes: TCP and UDP only. listener_failure: per listener of the batch, why it is not
/// serving ("" = it serves). Fails only when a namespace cannot be entered or a socket opened.
Result<FlowSetup> set_up_flows(std::span<const Probe> probes, std::span<const ListenerSpec> listeners,
                               std::span<const std::string> listener_failure, int count);

}  // namespace nscheck::probes
