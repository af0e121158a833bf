#pragma once
// Test helper: a snapshot of everything nscheck must never change in the host namespace.

#include <string>

namespace nscheck::test {

/// Links, addresses, routes (all tables), rules, named namespaces, nft ruleset and net.* sysctls
/// of the namespace the test runs in, as one comparable text.
std::string host_state();

}  // namespace nscheck::test
