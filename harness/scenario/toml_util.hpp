#pragma once
// Internal to the loader: typed access to TOML++ values that records every problem with its
// position instead of throwing.

#include <toml++/toml.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "scenario/diagnostics.hpp"
#include "scenario/matrix_text.hpp"

namespace nscheck::scenario {

/// Where a TOML value starts.
Loc loc_of(const toml::node& n);

/// "a string", "an integer", ...: a value's TOML type, for messages.
const char* type_name(const toml::node& n);

/// Reports every key of t that is not in allowed, with a "did you mean".
void check_keys(const toml::table& t, const std::vector<std::string>& allowed, const std::string& where,
                Diagnostics& diags);

/// A string value, or "" with a diagnostic at `owner` when missing or not a string.
/// `where` names the owner in the message ("link end b"); "" for none.
std::string required_string(const toml::table& t, const char* key, Loc owner, Diagnostics& diags,
                            const std::string& where = "");

/// A string value when present (a diagnostic when present but not a string).
std::optional<std::string> optional_string(const toml::table& t, const char* key, Diagnostics& diags);

/// An integer value when present (a diagnostic when present but not an integer).
std::optional<std::int64_t> optional_int(const toml::table& t, const char* key, Diagnostics& diags);

/// Calls fn for every string of an array of strings; what = the key, for messages.
void for_each_string(const toml::node& n, const char* what, Diagnostics& diags,
                     const std::function<void(const std::string&, Loc)>& fn);

/// Flattens { "net.ipv4.ip_forward" = 1 } and nested net.ipv4.ip_forward = 1 into dotted keys.
/// depth: tables above t (a bound on the recursion, which untrusted input decides).
void flatten_sysctls(const toml::table& t, const std::string& prefix, std::vector<Sysctl>& out, Diagnostics& diags,
                     int depth = 0);

/// Where the content of the string value at `at` starts in the raw file text (past the
/// quotes, and past the newline that opens a multi-line string).
TextOrigin origin_of(std::string_view text, Loc at);

}  // namespace nscheck::scenario
