// main() for privileged tests: every test binary moves into a private network namespace first,
// so whatever a test creates lives below it and nothing can reach the host's interfaces.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "core/netns.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (::geteuid() != 0) {
    std::fprintf(stderr, "privileged tests skipped: not root\n");
    ::testing::GTEST_FLAG(filter) = "-*";
    return RUN_ALL_TESTS();
  }
  auto r = nscheck::enter_private_netns();
  if (!r) {
    std::fprintf(stderr, "cannot enter a private network namespace: %s\n", r.error().message.c_str());
    return 1;
  }
  return RUN_ALL_TESTS();
}
