#pragma once
// The host's neighbour tables (ARP for IPv4, ND for IPv6) are one table each for every
// namespace of the host (KERNEL.md). When one is full, a node that must answer or forward a probe
// cannot create the entry it needs and drops the packet without a word: the prober sees a
// timeout it did not earn. The kernel counts these refusals (table_fulls in
// /proc/net/stat/arp_cache and ndisc_cache), so a batch can tell when its silences are suspect.

#include <cstdint>
#include <string_view>

namespace nscheck::probes {

/// Sums the hexadecimal column `name` over the per-CPU rows of a /proc/net/stat file; 0 when the
/// column is missing. Pure, for neighbour_table_fulls() and its tests.
std::uint64_t sum_stat_column(std::string_view text, std::string_view name);

/// Refusals of both neighbour tables since boot, read through /proc/1/net/stat (the tables'
/// statistics exist in the initial namespace only); 0 where they are unreadable (a container
/// whose PID 1 is not in the initial namespace: the check is then off).
std::uint64_t neighbour_table_fulls();

/// What a timeout means once the tables refused entries during its batch.
inline constexpr std::string_view k_neighbour_table_full_detail =
    "the host's neighbour table was full during this batch: a node could not create the entry it "
    "needed, so this silence may be the host's, not the network's; raise "
    "net.ipv4.neigh.default.gc_thresh3 (net.ipv6.neigh.default.gc_thresh3) on the host, or use "
    "smaller L2 domains";

}  // namespace nscheck::probes
