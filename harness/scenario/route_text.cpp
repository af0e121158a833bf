#include "scenario/route_text.hpp"

#include <charconv>
#include <sstream>
#include <vector>

namespace nscheck::scenario {
namespace {

constexpr const char* k_forms =
    "write it as \"default via ADDR\", \"PREFIX via ADDR\" or \"PREFIX dev IFNAME\", "
    "optionally followed by \"dev IFNAME\", \"src ADDR\", \"metric N\"";

std::vector<std::string> words(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

Result<Prefix> parse_destination(const std::string& word) {
  if (word == "default") return Prefix{IpAddress{}, 0};
  auto p = Prefix::parse(word, /*require_length=*/false);
  const auto a = IpAddress::parse(std::string_view(word).substr(0, word.find('/')));
  if (!p && a)  // "198.51.100.0/33": the address is fine, its length is not
    return input_error("destination " + word + ": the prefix length must be a number from 0 to " +
                       (a->family == Family::v4 ? "32" : "128"));
  if (!p) return input_error("\"" + word + "\" is not a destination; " + k_forms);
  if (p->network() != *p)
    return input_error("destination " + word + " has host bits set; did you mean " + p->network().str() + "?");
  return *p;
}

Result<IpAddress> parse_address(const std::string& key, const std::string& word) {
  auto a = IpAddress::parse(word);
  if (!a) return input_error("\"" + key + " " + word + "\": " + word + " is not an IP address");
  return *a;
}

/// Applies one "key value" option to the route.
Result<void> apply_option(Route& r, const std::string& key, const std::string& value) {
  if (key == "via") {
    NS_TRY(a, parse_address(key, value));
    r.gateway = a;
  } else if (key == "dev") {
    r.device = value;
  } else if (key == "src") {
    NS_TRY(a, parse_address(key, value));
    r.source = a;
  } else if (key == "metric") {
    std::uint32_t m = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), m);
    if (ec != std::errc{} || end != value.data() + value.size())
      return input_error("\"metric " + value + "\": the metric must be a number from 0 to 4294967295");
    r.metric = m;
  } else {
    return input_error("unknown route keyword \"" + key + "\"; " + k_forms);
  }
  return {};
}

}  // namespace

Result<Route> parse_route(std::string_view text) {
  auto w = words(text);
  if (w.empty()) return input_error(std::string("empty route; ") + k_forms);
  Route r;
  r.text = std::string(text);
  NS_TRY(dst, parse_destination(w[0]));
  r.destination = dst;
  if (w.size() % 2 == 0) return input_error("\"" + w.back() + "\" lacks a value; " + k_forms);
  for (std::size_t i = 1; i + 1 < w.size(); i += 2) NS_CHECK(apply_option(r, w[i], w[i + 1]));
  if (!r.gateway && r.device.empty())
    return input_error("a route needs \"via ADDR\" or \"dev IFNAME\"; " + std::string(k_forms));
  if (r.gateway && r.gateway->family != r.destination.address.family && w[0] != "default")
    return input_error("gateway " + r.gateway->str() + " and destination " + w[0] + " are of different families");
  if (r.gateway) r.destination.address.family = r.gateway->family;
  return r;
}

}  // namespace nscheck::scenario
