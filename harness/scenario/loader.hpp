#pragma once
// Loads a scenario file: TOML syntax, structure, types, then every semantic rule. All problems
// are reported at once, each as "file:line:column: message". No TOML++ type leaves the loader.

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "scenario/model.hpp"

namespace nscheck::scenario {

/// Largest scenario file accepted (bigger ones are refused before parsing).
inline constexpr std::size_t k_max_scenario_bytes = 8u << 20;
/// Most nodes a scenario may declare, and most cells (expectations) over all its stages: "all OK"
/// is n x n cells, so without a bound a 40 KiB file takes minutes and gigabytes to load.
inline constexpr std::size_t k_max_nodes = 1000;
inline constexpr std::size_t k_max_cells = 100'000;

/// Reads and validates a scenario file; errors are ErrorKind::input.
Result<Scenario> load_scenario(const std::string& path);

/// Same, from text already in memory (path is used for messages only).
Result<Scenario> parse_scenario(std::string_view text, const std::string& path);

}  // namespace nscheck::scenario
