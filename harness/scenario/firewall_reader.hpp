#pragma once
// Internal to the loader: nftables rulesets and NAT short forms of nodes, and the ordered
// changes of a stage ([[stages.change]]).

#include <toml++/toml.h>

#include <string_view>

#include "scenario/diagnostics.hpp"
#include "scenario/model.hpp"

namespace nscheck::scenario {

/// The keys of a node that this reader handles.
inline const std::vector<std::string> k_firewall_node_keys{"nft", "nft_file", "masquerade", "snat", "dnat"};

/// Reads nft, nft_file, masquerade, snat and dnat of a node table into the node.
void read_node_firewall(const toml::table& t, std::string_view text, Node& node, Diagnostics& diags);

/// Reads [[stages.change]] into st.changes, in the order written.
void read_changes(const toml::node& n, std::string_view text, Stage& st, Diagnostics& diags);

}  // namespace nscheck::scenario
