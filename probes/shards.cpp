#include "probes/shards.hpp"

#include <algorithm>
#include <numeric>

namespace nscheck::probes {

ShardPlan plan_shards(std::size_t probes, std::size_t sockets, std::size_t cpus, std::size_t wanted) {
  std::size_t threads = wanted;
  if (threads == 0)
    threads = probes < k_min_probes_to_split ? 1 : std::min(std::max<std::size_t>(cpus, 1), k_max_probe_threads);
  ShardPlan plan;
  plan.shards = std::max<std::size_t>(1, std::min(sockets, threads == 1 ? 1 : threads * k_shards_per_thread));
  plan.threads = std::min(threads, plan.shards);
  return plan;
}

std::vector<std::size_t> spread_loads(std::span<const std::size_t> loads, std::size_t shards) {
  std::vector<std::size_t> shard_of(loads.size(), 0);
  if (shards <= 1) return shard_of;
  std::vector<std::size_t> order(loads.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return loads[a] > loads[b]; });
  std::vector<std::size_t> total(shards, 0);
  for (std::size_t s : order) {
    const auto lightest = static_cast<std::size_t>(std::min_element(total.begin(), total.end()) - total.begin());
    shard_of[s] = lightest;
    total[lightest] += loads[s];
  }
  return shard_of;
}

}  // namespace nscheck::probes
