#pragma once
// Internal to the loader: a stage's expectations, from its matrix (`expect`), its per-pair
// entries (`[[stages.check]]`) and its `default`, resolved into one Expectation per
// (source, target, binding). Which names exist is checked later by validate.

#include <toml++/toml.h>

#include <string_view>

#include "scenario/diagnostics.hpp"
#include "scenario/model.hpp"

namespace nscheck::scenario {

/// Parses "ns2", "ns2:ns2-veth0" or "198.51.100.1" into a Target (no existence check).
Target parse_target(const std::string& text);

/// Fills st.expectations, st.rows and st.columns from the stage table; cells_left: how many more
/// cells the scenario may have (k_max_cells in all), decreased by this stage's.
void read_expectations(const toml::table& stage, const Scenario& s, std::string_view text, Stage& st,
                       std::size_t& cells_left, Diagnostics& diags);

}  // namespace nscheck::scenario
