#include "scenario/cell_keys.hpp"

#include <gtest/gtest.h>

namespace nscheck::scenario {
namespace {

TEST(NameIds, GivesEachNameOneDenseIdAndTheEmptyNameZero) {
  NameIds ids;
  EXPECT_EQ(ids.id(""), 0u);
  const auto a = ids.id("ns1"), b = ids.id("ns2");
  EXPECT_NE(a, b);
  EXPECT_EQ(ids.id(std::string("ns1")), a);
  EXPECT_EQ(ids.id("ns1:eth0"), 3u);
  EXPECT_EQ(ids.size(), 4u);
}

TEST(ProbeCode, RoundTripsKindAndPort) {
  for (const ProbeSpec p : {ProbeSpec{}, ProbeSpec{ProbeSpec::Kind::tcp, 80}, ProbeSpec{ProbeSpec::Kind::udp, 65535}})
    EXPECT_EQ(probe_of(probe_code(p)), p);
  EXPECT_NE(probe_code({ProbeSpec::Kind::tcp, 53}), probe_code({ProbeSpec::Kind::udp, 53}));
}

TEST(CellIndex, FindsEveryKeyAtItsPositionAcrossGrowth) {
  CellIndex index;
  EXPECT_FALSE(index.find({1, 2, 0, 0}));
  std::size_t n = 0;
  for (std::uint32_t from = 1; from <= 60; ++from)
    for (std::uint32_t to = 1; to <= 60; ++to, ++n) {
      ASSERT_FALSE(index.find({from, to, 0, 0}));
      index.add({from, to, 0, 0});
    }
  n = 0;
  for (std::uint32_t from = 1; from <= 60; ++from)
    for (std::uint32_t to = 1; to <= 60; ++to, ++n) ASSERT_EQ(index.find({from, to, 0, 0}), n);
  EXPECT_FALSE(index.find({1, 2, 3, 0}));  // same pair, another binding
  EXPECT_FALSE(index.find({1, 2, 0, probe_code({ProbeSpec::Kind::tcp, 80})}));
}

TEST(CellIndex, ReserveKeepsWhatIsThere) {
  CellIndex index;
  index.add({7, 8, 9, 10});
  index.reserve(100'000);
  EXPECT_EQ(index.find({7, 8, 9, 10}), 0u);
  index.add({8, 7, 9, 10});
  EXPECT_EQ(index.find({8, 7, 9, 10}), 1u);
}

}  // namespace
}  // namespace nscheck::scenario
