#pragma once
// Internal to the loader: a stage's expectations, from its matrix (`expect`), its per-pair
// entries (`[[stages.check]]`) and its `default`, resolved into one Expectation per
// (source, target, binding, probe kind), each checked against the nodes as it is added (the
// positions of its names are known only here).

#include <toml++/toml.h>

#include <string_view>

#include "core/result.hpp"
#include "scenario/diagnostics.hpp"
#include "scenario/model.hpp"

namespace nscheck::scenario {

/// Parses "icmp", "tcp/PORT" or "udp/PORT" (PORT 1 to 65535).
Result<ProbeSpec> parse_probe_spec(const std::string& text);

/// Parses "ns2", "ns2:ns2-veth0" or "198.51.100.1" into a Target (no existence check).
Target parse_target(const std::string& text);

/// Fills st.expectations and st.matrices from the stage table; cells_left: how many more
/// cells the scenario may have (k_max_cells in all), decreased by this stage's. s: its nodes
/// final. checks: what check_expectation finds (to be reported after validate's problems).
void read_expectations(const toml::table& stage, const Scenario& s, std::string_view text, Stage& st,
                       std::size_t& cells_left, Diagnostics& diags, Diagnostics& checks);

}  // namespace nscheck::scenario
