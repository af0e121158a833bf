#pragma once
// Internal to the loader (never included outside harness/scenario/*.cpp): turns a TOML++ table
// into the model, recording structural and type problems. Semantic rules live in validate.hpp.

#include <toml++/toml.h>

#include <string_view>

#include "scenario/diagnostics.hpp"
#include "scenario/model.hpp"

namespace nscheck::scenario {

/// Reads the whole document into a Scenario, stage expectations resolved against the nodes;
/// checks: the problems check_expectation finds in them (validate's, to be reported after its others).
Scenario read_scenario(const toml::table& root, std::string_view text, Diagnostics& diags, Diagnostics& checks);

}  // namespace nscheck::scenario
