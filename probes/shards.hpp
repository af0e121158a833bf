#pragma once
// How a big ICMP run is split over threads: pure functions, no Asio.
//
// The sockets of a run are spread over shards, each a batch on a strand of its own, and several
// threads run the io_context. There are more shards than threads: a thread whose shards have
// nothing to do runs another's ready handlers, so a shard whose probes all time out (twice the
// requests of one whose probes are answered) does not keep one thread busy while the other idles.

#include <cstddef>
#include <span>
#include <vector>

namespace nscheck::probes {

/// Upper bound on threads running one batch, whatever the CPU count.
inline constexpr std::size_t k_max_probe_threads = 8;
/// Below this many probes a batch runs on one thread: its sends take about a millisecond.
inline constexpr std::size_t k_min_probes_to_split = 256;
/// Shards per thread, when there are several threads.
inline constexpr std::size_t k_shards_per_thread = 4;

struct ShardPlan {
  std::size_t threads = 1;
  std::size_t shards = 1;
};

/// Threads and shards for a batch of `probes` probes over `sockets` sockets on a machine with
/// `cpus` CPUs (0 = unknown). `wanted` > 0 sets the threads (for tests), else one per CPU for a
/// batch of k_min_probes_to_split probes or more. Never more shards than sockets, nor threads
/// than shards.
ShardPlan plan_shards(std::size_t probes, std::size_t sockets, std::size_t cpus, std::size_t wanted);

/// Gives each socket (its load: the probes it sends) to one of `shards` shards so that the
/// heaviest shard is as light as the greedy rule makes it (largest load first, to the lightest
/// shard; ties to the lowest index, so the split is deterministic). Returns the shard of each.
std::vector<std::size_t> spread_loads(std::span<const std::size_t> loads, std::size_t shards);

}  // namespace nscheck::probes
