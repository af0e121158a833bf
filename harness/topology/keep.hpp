#pragma once
// --keep: pins a run's anonymous namespaces under /run/netns (as `ip netns add` does) so they
// outlive nscheck for debugging; `nscheck clean` removes them again. Every pinned name is
// "nscheck-RUNID-NODE", and each kept run is recorded in /run/nscheck/RUNID, so clean
// removes exactly what nscheck pinned, never a namespace that merely looks like it.

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace nscheck::topology {

/// Where pinned namespaces live (the place `ip netns` looks).
inline constexpr const char* k_netns_dir = "/run/netns";
/// Prefix of every name nscheck pins.
inline const std::string k_kept_prefix = "nscheck-";
/// One file per kept run, listing the names it pinned.
inline constexpr const char* k_kept_records = "/run/nscheck";

/// A fresh run id: 6 hex digits that no kept run uses yet.
std::string new_run_id();

/// The pinned name of a node: "nscheck-RUNID-NODE".
std::string kept_name(const std::string& run_id, const std::string& node);

/// Bind-mounts each namespace fd at /run/netns/kept_name(run_id, names[i]); returns the paths.
Result<std::vector<std::string>> pin_namespaces(const std::string& run_id, const std::vector<std::string>& names,
                                                const std::vector<int>& ns_fds);

/// Removes the namespaces pinned by one run (run_id) or by every run (nullopt); returns the names.
Result<std::vector<std::string>> clean_kept(const std::optional<std::string>& run_id);

}  // namespace nscheck::topology
