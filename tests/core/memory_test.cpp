// populate(): the pages of a big block are resident after one call, without touching them.
#include "core/memory.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

namespace nscheck {
namespace {

/// How many pages of [p, p + bytes) are resident (mincore).
std::size_t resident_pages(void* p, std::size_t bytes) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in_core((bytes + page - 1) / page);
  if (::mincore(p, bytes, in_core.data()) != 0) return SIZE_MAX;
  std::size_t n = 0;
  for (unsigned char c : in_core) n += c & 1;
  return n;
}

class Populate : public ::testing::Test {
 protected:
  void SetUp() override {
    block_ = ::mmap(nullptr, k_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(block_, MAP_FAILED);
  }
  void TearDown() override {
    if (block_ != MAP_FAILED) ::munmap(block_, k_bytes);
  }
  static constexpr std::size_t k_bytes = 4 << 20;
  void* block_ = MAP_FAILED;
};

TEST_F(Populate, FaultsInEveryPageOfABigBlock) {
  ASSERT_EQ(resident_pages(block_, k_bytes), 0u) << "a fresh anonymous mapping has no page yet";
  populate(block_, k_bytes);
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  EXPECT_EQ(resident_pages(block_, k_bytes), k_bytes / page);
}

TEST_F(Populate, OnlyWholePagesInsideTheRange) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  auto* bytes = static_cast<unsigned char*>(block_);
  populate(bytes + 1, k_bytes - 2 * page);  // starts mid-page: that page and the last two stay out
  EXPECT_EQ(resident_pages(block_, page), 0u);
  EXPECT_EQ(resident_pages(bytes + page, k_bytes - 3 * page), k_bytes / page - 3);
  EXPECT_EQ(resident_pages(bytes + k_bytes - 2 * page, 2 * page), 0u);
}

TEST_F(Populate, SmallBlocksAreLeftToFaultAsUsual) {
  populate(block_, 64 * 1024);
  EXPECT_EQ(resident_pages(block_, k_bytes), 0u);
}

TEST(ReservePopulated, ReservesAtLeastTheCount) {
  std::vector<std::uint64_t> v;
  reserve_populated(v, 100'000);
  EXPECT_GE(v.capacity(), 100'000u);
  EXPECT_TRUE(v.empty());
}

}  // namespace
}  // namespace nscheck
