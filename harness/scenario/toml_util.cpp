#include "scenario/toml_util.hpp"

#include <algorithm>

namespace nscheck::scenario {
namespace {

/// Where a key was written (its value's position when TOML++ has none for the key).
Loc key_loc(const toml::key& key, const toml::node& value) {
  const auto& b = key.source().begin;
  return b.line ? Loc{int(b.line), int(b.column)} : loc_of(value);
}

}  // namespace

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    default: return "a date or time";
  }
}

Loc loc_of(const toml::node& n) {
  const auto& b = n.source().begin;
  return Loc{static_cast<int>(b.line), static_cast<int>(b.column)};
}

void check_keys(const toml::table& t, const std::vector<std::string>& allowed, const std::string& where,
                Diagnostics& diags) {
  for (const auto& [key, value] : t) {
    const std::string k(key.str());
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    const auto& b = key.source().begin;
    Loc loc = b.line ? Loc{int(b.line), int(b.column)} : loc_of(value);
    diags.add(loc, "unknown key \"" + k + "\" in " + where + did_you_mean(k, allowed) +
                       (closest_match(k, allowed).empty() ? " (allowed: " + join(allowed) + ")" : ""));
  }
}

std::string required_string(const toml::table& t, const char* key, Loc owner, Diagnostics& diags,
                            const std::string& where) {
  const auto* n = t.get(key);
  if (!n) {
    diags.add(owner, std::string("missing key \"") + key + "\"" + (where.empty() ? "" : " in " + where));
    return "";
  }
  if (!n->is_string()) {
    diags.add(loc_of(*n), std::string("\"") + key + "\" must be a string, not " + type_name(*n));
    return "";
  }
  if (n->as_string()->get().empty()) diags.add(loc_of(*n), std::string("\"") + key + "\" must not be empty");
  return n->as_string()->get();
}

std::optional<std::string> optional_string(const toml::table& t, const char* key, Diagnostics& diags) {
  const auto* n = t.get(key);
  if (!n) return std::nullopt;
  if (!n->is_string()) {
    diags.add(loc_of(*n), std::string("\"") + key + "\" must be a string, not " + type_name(*n));
    return std::nullopt;
  }
  return n->as_string()->get();
}

std::optional<std::int64_t> optional_int(const toml::table& t, const char* key, Diagnostics& diags) {
  const auto* n = t.get(key);
  if (!n) return std::nullopt;
  if (!n->is_integer()) {
    diags.add(loc_of(*n), std::string("\"") + key + "\" must be an integer, not " + type_name(*n));
    return std::nullopt;
  }
  return n->as_integer()->get();
}

void for_each_string(const toml::node& n, const char* what, Diagnostics& diags,
                     const std::function<void(const std::string&, Loc)>& fn) {
  const auto* arr = n.as_array();
  if (!arr) {
    diags.add(loc_of(n), std::string("\"") + what + "\" must be an array of strings, not " + type_name(n));
    return;
  }
  for (const auto& item : *arr) {
    if (!item.is_string()) {
      diags.add(loc_of(item), std::string("each of \"") + what + "\" must be a string, not " + type_name(item));
      continue;
    }
    fn(item.as_string()->get(), loc_of(item));
  }
}

void flatten_sysctls(const toml::table& t, const std::string& prefix, std::vector<Sysctl>& out, Diagnostics& diags,
                     int depth) {
  constexpr int k_max_depth = 16;  // net.ipv4.conf.IF.KEY is 5
  for (const auto& [key, v] : t) {
    const std::string k = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const auto* sub = v.as_table()) {
      if (depth >= k_max_depth) {
        diags.add(loc_of(v), "sysctl \"" + k.substr(0, 64) + "...\" is nested too deeply to be a sysctl key");
        continue;
      }
      flatten_sysctls(*sub, k, out, diags, depth + 1);
    } else if (v.is_integer()) {
      out.push_back({k, std::to_string(v.as_integer()->get()), key_loc(key, v)});
    } else if (v.is_string()) {
      out.push_back({k, v.as_string()->get(), key_loc(key, v)});
    } else {
      diags.add(loc_of(v), "sysctl \"" + k + "\" must be an integer or a string, not " + type_name(v) +
                               (v.is_boolean() ? " (write 1 or 0)" : ""));
    }
  }
}

/// Where the content of the string value at `at` starts, from the raw file text.
TextOrigin origin_of(std::string_view text, Loc at) {
  std::size_t pos = 0;
  for (int line = 1; line < at.line && pos != std::string_view::npos; ++line) {
    pos = text.find('\n', pos);
    if (pos != std::string_view::npos) ++pos;
  }
  if (pos == std::string_view::npos) return {at, 1};
  pos += static_cast<std::size_t>(std::max(at.column, 1) - 1);
  auto rest = text.substr(std::min(pos, text.size()));
  // a basic string with an escape: decoded offsets are not file offsets, point at the string
  if (rest.starts_with("\"")) {
    const bool multi = rest.starts_with("\"\"\"");
    const auto body = rest.substr(multi ? 3 : 1);
    const auto end = multi ? body.find("\"\"\"") : body.find_first_of("\"\n");
    if (body.substr(0, end).find('\\') != std::string_view::npos) return {at, 1, false};
  }
  if (rest.starts_with("\"\"\"") || rest.starts_with("'''")) {
    auto after = rest.substr(3);
    if (after.starts_with("\n") || after.starts_with("\r\n")) return {Loc{at.line + 1, 1}, 1};
    return {Loc{at.line, at.column + 3}, 1};
  }
  return {Loc{at.line, at.column + 1}, 1};
}

}  // namespace nscheck::scenario
