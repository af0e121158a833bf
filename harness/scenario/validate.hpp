#pragma once
// Semantic rules of a scenario that need no kernel: names, references, addresses, routes,
// sysctl keys and expectations. Each problem is recorded with its position.

#include "scenario/diagnostics.hpp"
#include "scenario/model.hpp"

namespace nscheck::scenario {

/// Longest interface name the kernel accepts (IFNAMSIZ - 1).
inline constexpr std::size_t k_max_ifname = 15;

/// Records every rule the scenario breaks.
void validate(const Scenario& s, Diagnostics& diags);

}  // namespace nscheck::scenario
