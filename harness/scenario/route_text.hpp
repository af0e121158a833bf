#pragma once
// The route mini-language, as `ip route add` writes it:
//   default via 192.0.2.254
//   198.51.100.0/24 via 192.0.2.254 dev ns1-veth0 src 192.0.2.1 metric 10
//   203.0.113.0/24 dev gw-veth1

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "scenario/model.hpp"

namespace nscheck::scenario {

/// Parses one route; the error says what is wrong and shows the accepted forms.
Result<Route> parse_route(std::string_view text);

}  // namespace nscheck::scenario
