#pragma once
// The requests of a batch, packed. A batch of the 250-host star keeps 125,000 of them, and on
// a VM every fresh page a process touches costs ~10 us (see tests/bench/README.md): an Attempt
// is 56 bytes, a record 20. Pure: converted to an Attempt only when a verdict is made.

#include <chrono>
#include <cstdint>
#include <vector>

#include "core/ip.hpp"
#include "probes/verdict.hpp"

namespace nscheck::probes {

/// One ICMP request of a batch, as the batch keeps it.
struct AttemptRecord {
  static constexpr std::uint32_t k_no_reporter = UINT32_MAX;
  std::uint32_t sent_us = 0;      ///< since the batch started; saturates at 2^32 - 1 (71 minutes)
  std::uint32_t answered_us = 0;  ///< since the batch started (reply or ICMP error)
  std::uint32_t reporter = k_no_reporter;  ///< index into the batch's reporters
  std::uint16_t send_errno = 0;            ///< errno values are below 4096
  std::uint16_t next_hop_mtu = 0;
  AttemptFate fate = AttemptFate::pending;
  EinvalCause einval_cause = EinvalCause::unknown;
  std::uint8_t icmp_type = 0;  ///< meaningful when fate is icmp_error
  std::uint8_t icmp_code = 0;
};

/// Microseconds as a record keeps them: negative as 0, past 2^32 - 1 as 2^32 - 1.
std::uint32_t packed_micros(std::chrono::microseconds t);

/// The Attempt a record stands for. reporters: the batch's, which record.reporter indexes.
Attempt unpack(const AttemptRecord& record, Family family, const std::vector<IpAddress>& reporters);

}  // namespace nscheck::probes
