#pragma once
// Semantic rules of a scenario that need no kernel: names, references, addresses, routes,
// sysctl keys and expectations. Each problem is recorded with its position.
// Expectations are checked by the loader as it reads them, where the positions of their names
// are known (a stage may have 100,000 cells: the model keeps only each cell's own position).

#include "scenario/diagnostics.hpp"
#include "scenario/model.hpp"

namespace nscheck::scenario {

/// Longest interface name the kernel accepts (IFNAMSIZ - 1).
inline constexpr std::size_t k_max_ifname = 15;

/// Records every rule the scenario breaks, but those of expectations (check_expectation).
void validate(const Scenario& s, Diagnostics& diags);

/// Where the names of an expectation are written; 0:0 stands for the expectation's own loc.
struct ExpectationLocs {
  Loc from;      ///< the source node (a matrix row name, a check's from)
  Loc to;        ///< the target (a matrix header word, a check's to)
  Loc answered;  ///< answered_by
};

/// The source of an expectation: its node exists, and its binding is one of the node's.
void check_expectation_source(const Scenario& s, const Expectation& e, Loc from_loc, Diagnostics& diags);

/// The target of an expectation: its node, interface or address exists and can be probed.
void check_expectation_target(const Scenario& s, const Expectation& e, Loc to_loc, Diagnostics& diags);

/// Source, target and answered_by of an expectation.
void check_expectation(const Scenario& s, const Expectation& e, const ExpectationLocs& at, Diagnostics& diags);

}  // namespace nscheck::scenario
