#include "scenario/route_text.hpp"

#include "scenario/words.hpp"

namespace nscheck::scenario {
namespace {

const std::string k_forms =
    "write it as \"default via ADDR\", \"PREFIX via ADDR\", \"PREFIX dev IFNAME\" or "
    "\"blackhole|unreachable|prohibit PREFIX\", optionally followed by \"dev IFNAME\", \"onlink\", "
    "\"src ADDR\", \"metric N\", \"table T\", and last \"nexthop via ADDR [dev IFNAME] [weight N]\" per path";

std::optional<RouteType> route_type(const std::string& word) {
  if (word == "unicast") return RouteType::unicast;
  if (word == "blackhole") return RouteType::blackhole;
  if (word == "unreachable") return RouteType::unreachable;
  if (word == "prohibit") return RouteType::prohibit;
  return std::nullopt;
}

/// Applies one path keyword (via, dev, onlink, and weight inside a nexthop); false if `key` is none.
Result<bool> apply_path_option(NextHop& h, const std::string& key, Words& w, bool in_nexthop) {
  if (key == "onlink") {
    h.onlink = true;
  } else if (key == "via") {
    NS_TRY(v, w.value_of(key, k_forms));
    NS_TRY(a, parse_address(key, v));
    h.gateway = a;
  } else if (key == "dev") {
    NS_TRY(v, w.value_of(key, k_forms));
    h.device = v;
  } else if (key == "weight" && in_nexthop) {
    NS_TRY(v, w.value_of(key, k_forms));
    NS_TRY(n, parse_number(key, v, 1, 256));
    h.weight = static_cast<int>(n);
  } else {
    return false;
  }
  return true;
}

/// Applies one route keyword with its value, if any.
Result<void> apply_option(Route& r, NextHop& path, const std::string& key, Words& w) {
  NS_TRY(was_path, apply_path_option(path, key, w, false));
  if (was_path) return {};
  if (key == "src") {
    NS_TRY(v, w.value_of(key, k_forms));
    NS_TRY(a, parse_address(key, v));
    r.source = a;
  } else if (key == "metric") {
    NS_TRY(v, w.value_of(key, k_forms));
    NS_TRY(m, parse_number(key, v));
    r.metric = m;
  } else if (key == "table") {
    NS_TRY(v, w.value_of(key, k_forms));
    r.table = v;
  } else {
    return input_error("unknown route keyword \"" + key + "\"; " + k_forms);
  }
  return {};
}

/// "nexthop ..." to the end: each nexthop takes via, dev, weight and onlink.
Result<void> read_nexthops(Route& r, Words& w) {
  while (!w.done()) {
    const auto key = w.take();
    if (key == "nexthop") {
      r.nexthops.emplace_back();
      continue;
    }
    NS_TRY(was_path, apply_path_option(r.nexthops.back(), key, w, true));
    if (!was_path)
      return input_error("unknown nexthop keyword \"" + key +
                         "\"; a nexthop takes via, dev, weight and onlink, and the nexthops come last");
  }
  return {};
}

Result<void> check_path(const NextHop& h, const std::string& what) {
  if (!h.gateway && h.device.empty()) return input_error(what + " needs \"via ADDR\" or \"dev IFNAME\"; " + k_forms);
  if (h.onlink && (!h.gateway || h.device.empty()))
    return input_error(
        "\"onlink\" needs both \"via ADDR\" and \"dev IFNAME\" (the kernel cannot tell the link otherwise)");
  return {};
}

/// The shape rules the kernel would enforce, found before anything is built.
Result<void> check_shape(const Route& r, const NextHop& top, const std::string& type_word) {
  const bool top_path = top.gateway || !top.device.empty() || top.onlink;
  if (r.type != RouteType::unicast) {
    if (top_path || !r.nexthops.empty())
      return input_error(std::string(type_word == "unreachable" ? "an " : "a ") + type_word +
                         " route takes no via, dev, onlink or nexthop: it sends nowhere");
    return {};
  }
  if (r.nexthops.empty()) return check_path(top, "a route");
  if (top_path)
    return input_error("a route with nexthops gives via, dev and onlink in each nexthop, not before the first");
  for (const auto& h : r.nexthops) NS_CHECK(check_path(h, "each nexthop"));
  return {};
}

/// Every gateway and src has the destination's family; "default" takes the gateways' family.
Result<void> check_families(Route& r, bool is_default) {
  std::vector<IpAddress> addresses;
  if (r.gateway) addresses.push_back(*r.gateway);
  for (const auto& h : r.nexthops)
    if (h.gateway) addresses.push_back(*h.gateway);
  if (r.source) addresses.push_back(*r.source);
  if (is_default && !addresses.empty()) r.destination.address.family = addresses.front().family;
  for (const auto& a : addresses)
    if (a.family != r.destination.address.family)
      return input_error(a.str() + " and destination " + (is_default ? "default" : r.destination.str()) +
                         " are of different families");
  return {};
}

}  // namespace

Result<Route> parse_route(std::string_view text) {
  Words w(text);
  if (w.empty()) return input_error("empty route; " + k_forms);
  Route r;
  r.text = std::string(text);
  std::string type_word = "unicast";
  if (auto t = route_type(w.peek())) {
    r.type = *t;
    type_word = w.take();
    if (w.done()) return input_error("a " + type_word + " route needs a destination; " + k_forms);
  }
  const auto dst_word = w.take();
  NS_TRY(dst, parse_prefix("destination", dst_word, k_forms));
  r.destination = dst;
  NextHop top;
  while (!w.done() && w.peek() != "nexthop") {
    const auto key = w.take();
    NS_CHECK(apply_option(r, top, key, w));
  }
  NS_CHECK(read_nexthops(r, w));
  NS_CHECK(check_shape(r, top, type_word));
  r.gateway = top.gateway;
  r.device = top.device;
  r.onlink = top.onlink;
  NS_CHECK(check_families(r, dst_word == "default"));
  return r;
}

std::optional<std::uint32_t> table_id(const std::string& word, const std::map<std::string, std::uint32_t>& names) {
  if (word.empty() || word == "main") return 254;
  if (word == "local") return 255;
  if (word == "default") return 253;
  if (auto it = names.find(word); it != names.end()) return it->second;
  if (auto n = parse_number("table", word, 1); n.ok()) return *n;
  return std::nullopt;
}

}  // namespace nscheck::scenario
