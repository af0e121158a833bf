#pragma once
// Test fixture for end-to-end tests: skips without root, and fails a test that leaves the host's
// links, addresses, routes, rules, named namespaces, nft ruleset or net.* sysctls changed.

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "support/host_state.hpp"

namespace nscheck::test {

/// Snapshot of the host before each test, compared after it.
class HostUnchanged : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "end-to-end runs need root (CI runs as root)";
    before_ = host_state();
  }
  void TearDown() override {
    if (::geteuid() != 0) return;
    EXPECT_EQ(before_, host_state()) << "the host namespace changed";
  }

 private:
  std::string before_;
};

}  // namespace nscheck::test
