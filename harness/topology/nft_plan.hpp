#pragma once
// Pure: the nftables batches of a scenario (node rulesets, NAT short forms, stage changes), as
// nft text with the place its errors point at. The runner applies them (nft/apply.hpp).

#include <string>
#include <vector>

#include "scenario/model.hpp"

namespace nscheck::topology {

/// The table the short forms add their chains and rules to.
inline constexpr const char* k_nat_table = "nscheck_nat";

/// One batch of nft text for one node.
struct NftStep {
  std::size_t node = 0;  ///< index into Scenario::nodes
  std::string rules;
  std::string file;      ///< where errors point: the scenario, or the .nft file
  int line = 1;
  int column = 1;
  std::string what;      ///< "nft", "nft_file", "masquerade", "snat", "dnat", "nft_flush"
  bool exact = true;     ///< nft's own positions apply (false for generated text)
  int lines_before = 0;  ///< generated lines ahead of the user's rules (nft_replace's flush)
};

/// The nft commands of a short form: add the table and chain it needs, then its rule.
std::string nat_rules(const scenario::NatRule& rule);

/// A node's rulesets, then its short forms (all NAT rules of the node in one batch).
std::vector<NftStep> node_nft_steps(const scenario::Scenario& s, std::size_t node);

/// The batch of an nft, nft_replace, nft_flush or nat change (node: its index).
NftStep change_nft_step(const scenario::Scenario& s, std::size_t node, const scenario::Change& c);

/// Nodes that have nftables rules at any point of the scenario (their conntrack tables are
/// flushed between stages).
std::vector<bool> nodes_with_nft(const scenario::Scenario& s);

/// For `nscheck plan`: the nftables batches of the nodes, then each stage's changes, in the
/// order they run.
std::string describe_firewalls_and_stages(const scenario::Scenario& s);

}  // namespace nscheck::topology
