#pragma once
// Applies nftables rules inside one namespace through libnftables, as one atomic batch.
//
// libnftables has process-wide state that makes it unsafe in the harness process itself: it
// resolves interface names in the calling thread's namespace, and it may call exit() when its
// netlink socket fails. So every batch runs in a forked child that enters the node's namespace,
// loads the rules from a memfd (nft then reports errors with line and column) and reports back
// over a pipe: a broken ruleset, or a kernel without nf_tables, can neither touch another
// namespace nor end the run.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace nscheck::nft {

/// Where the rule text's first character is written, so that nft's positions point into the
/// scenario (or the .nft file).
struct TextPlace {
  std::string file;
  int line = 1;
  int column = 1;            ///< of the first line only; later lines start at column 1
  std::string what = "nft";  ///< the key, for messages: "nft", "masquerade", ...
  /// false: the text was generated (a short form), so nft's positions mean nothing to the
  /// user; errors point at `line`:`column` itself.
  bool exact = true;
  /// Lines nscheck put ahead of the user's text (nft_replace's "flush ruleset"): nft counts them,
  /// the scenario does not. An error inside them points at `line`:`column`.
  int lines_before = 0;
};

/// Applies `rules` (nft syntax: a ruleset, or commands such as "add rule ...") in the namespace
/// held by ns_fd. Errors: ErrorKind::input when nft refuses the rules (its message, pointed at
/// FILE:LINE:COLUMN); ErrorKind::environment with errnum EOPNOTSUPP when the kernel lacks what
/// they need (after a refusal, a minimal batch in the same namespace checks nf_tables, and NAT
/// for rules that use it: only if that fails too is it the kernel's fault); other
/// ErrorKind::environment errors when the child itself failed.
Result<void> apply(int ns_fd, std::string_view rules, const TextPlace& place);

/// nft's error text with its "FILE:LINE:COL-COL: Error: " prefix moved to `place`: pure, for
/// apply() and its tests. nft_file: the name nft used for the text.
std::string place_error(std::string_view nft_error, std::string_view nft_file, const TextPlace& place);

/// Whether rules need the kernel's NAT support (a nat chain or a NAT statement).
bool uses_nat(std::string_view rules);

}  // namespace nscheck::nft
