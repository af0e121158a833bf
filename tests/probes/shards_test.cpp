// How a big ICMP batch is split over threads and shards (pure).
#include "probes/shards.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace nscheck::probes {
namespace {

TEST(PlanShards, SmallBatchesStayOnOneThread) {
  const ShardPlan p = plan_shards(k_min_probes_to_split - 1, 50, 8, 0);
  EXPECT_EQ(p.threads, 1u);
  EXPECT_EQ(p.shards, 1u);
}

TEST(PlanShards, BigBatchesTakeOneThreadPerCpuAndSeveralShardsEach) {
  const ShardPlan p = plan_shards(62'500, 250, 2, 0);
  EXPECT_EQ(p.threads, 2u);
  EXPECT_EQ(p.shards, 2 * k_shards_per_thread);
}

TEST(PlanShards, ThreadsAreCappedWhateverTheCpuCount) {
  const ShardPlan p = plan_shards(1'000'000, 10'000, 64, 0);
  EXPECT_EQ(p.threads, k_max_probe_threads);
  EXPECT_EQ(p.shards, k_max_probe_threads * k_shards_per_thread);
}

TEST(PlanShards, NeverMoreShardsThanSocketsNorThreadsThanShards) {
  const ShardPlan p = plan_shards(10'000, 3, 8, 0);
  EXPECT_EQ(p.shards, 3u);
  EXPECT_EQ(p.threads, 3u);
  const ShardPlan one = plan_shards(10'000, 1, 8, 0);
  EXPECT_EQ(one.shards, 1u);
  EXPECT_EQ(one.threads, 1u);
}

TEST(PlanShards, UnknownCpuCountMeansOneThread) {
  const ShardPlan p = plan_shards(10'000, 100, 0, 0);
  EXPECT_EQ(p.threads, 1u);
  EXPECT_EQ(p.shards, 1u);
}

TEST(PlanShards, WantedThreadsOverrideTheSizeRule) {
  const ShardPlan p = plan_shards(4, 4, 1, 2);
  EXPECT_EQ(p.threads, 2u);
  EXPECT_EQ(p.shards, 4u);
  const ShardPlan single = plan_shards(100'000, 100, 8, 1);
  EXPECT_EQ(single.threads, 1u);
  EXPECT_EQ(single.shards, 1u);
}

TEST(SpreadLoads, OneShardTakesEverything) {
  const std::vector<std::size_t> loads{5, 1, 9};
  EXPECT_EQ(spread_loads(loads, 1), (std::vector<std::size_t>{0, 0, 0}));
  EXPECT_EQ(spread_loads(loads, 0), (std::vector<std::size_t>{0, 0, 0}));
}

TEST(SpreadLoads, LargestFirstToTheLightestShard) {
  // 9 -> shard 0 (9, 0); 7 -> 1 (9, 7); 5 -> 1, the lighter (9, 12); 4 -> 0 (13, 12).
  const std::vector<std::size_t> loads{5, 9, 4, 7};
  EXPECT_EQ(spread_loads(loads, 2), (std::vector<std::size_t>{1, 0, 0, 1}));
}

TEST(SpreadLoads, EqualLoadsAlternateDeterministically) {
  const std::vector<std::size_t> loads(6, 250);
  EXPECT_EQ(spread_loads(loads, 3), (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
}

TEST(SpreadLoads, HeaviestShardStaysNearTheMean) {
  std::vector<std::size_t> loads;
  for (std::size_t i = 0; i < 250; ++i) loads.push_back(100 + (i * 37) % 400);
  const std::size_t shards = 8;
  const auto shard_of = spread_loads(loads, shards);
  std::vector<std::size_t> total(shards, 0);
  std::size_t sum = 0;
  for (std::size_t i = 0; i < loads.size(); ++i) {
    ASSERT_LT(shard_of[i], shards);
    total[shard_of[i]] += loads[i];
    sum += loads[i];
  }
  const std::size_t largest = *std::max_element(loads.begin(), loads.end());
  EXPECT_LE(*std::max_element(total.begin(), total.end()), sum / shards + largest)
      << "greedy bound: the heaviest shard exceeds the mean by at most one socket's load";
  EXPECT_GT(*std::min_element(total.begin(), total.end()), 0u);
}

}  // namespace
}  // namespace nscheck::probes
