#include "scenario/sysctl_keys.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "scenario/diagnostics.hpp"

namespace nscheck::scenario {
namespace {

constexpr std::array k_known = {
#include "scenario/sysctl_keys.inc"
};

constexpr std::array<std::string_view, 4> k_per_interface = {"net.ipv4.conf.", "net.ipv6.conf.", "net.ipv4.neigh.",
                                                             "net.ipv6.neigh."};

bool is_known(const std::string& normalized) {
  return std::binary_search(k_known.begin(), k_known.end(), normalized,
                            [](const auto& a, const auto& b) { return std::string_view(a) < std::string_view(b); });
}

bool strictly_checked(const std::string& key) {
  for (const char* family : {"net.ipv4.", "net.ipv6.", "net.core.", "net.unix."})
    if (key.starts_with(family)) return true;
  return false;
}

/// Splits "net.ipv4.conf.IF.key" into head, IF and tail; IF may contain dots if it is a known name.
struct InterfaceKey {
  std::string head, ifname, tail;
};

std::optional<InterfaceKey> split_interface_key(const std::string& key, const std::vector<std::string>& names) {
  for (auto head : k_per_interface) {
    if (!key.starts_with(head)) continue;
    const std::string rest = key.substr(head.size());
    for (const auto& n : names)
      if (rest.starts_with(n + ".")) return InterfaceKey{std::string(head), n, rest.substr(n.size() + 1)};
    const auto dot = rest.find('.');
    return InterfaceKey{std::string(head), rest.substr(0, dot), dot == std::string::npos ? "" : rest.substr(dot + 1)};
  }
  return std::nullopt;
}

std::string suggestion(const std::string& normalized, const std::string& ifname) {
  std::vector<std::string> all(k_known.begin(), k_known.end());
  auto best = closest_match(normalized, all);
  if (best.empty()) return "";
  if (auto star = best.find(".*."); star != std::string::npos) best.replace(star + 1, 1, ifname);
  return ", did you mean \"" + best + "\"?";
}

}  // namespace

std::optional<std::string> check_sysctl_key(const std::string& key, const std::vector<std::string>& ifnames) {
  if (!strictly_checked(key)) return std::nullopt;
  std::vector<std::string> names = ifnames;
  for (const char* n : {"all", "default", "lo"}) names.emplace_back(n);
  std::string normalized = key;
  std::string ifname;
  if (auto ik = split_interface_key(key, names)) {
    if (std::find(names.begin(), names.end(), ik->ifname) == names.end())
      return "the node has no interface \"" + ik->ifname + "\"" + did_you_mean(ik->ifname, names) +
             " (use all, default, lo or one of its interfaces)";
    ifname = ik->ifname;
    normalized = ik->head + "*." + ik->tail;
  }
  if (is_known(normalized)) return std::nullopt;
  return "unknown sysctl key" + suggestion(normalized, ifname.empty() ? "*" : ifname);
}

}  // namespace nscheck::scenario
