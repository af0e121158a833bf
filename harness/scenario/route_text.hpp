#pragma once
// The route mini-language, as `ip route add` writes it:
//   default via 192.0.2.254
//   198.51.100.0/24 via 192.0.2.254 dev ns1-veth0 src 192.0.2.1 metric 10 table 100
//   203.0.113.0/24 dev gw-veth1
//   blackhole 10.9.0.0/16          (also unreachable, prohibit)
//   10.0.0.0/8 nexthop via 192.0.2.1 dev eth0 weight 2 nexthop via 198.51.100.1 dev eth1

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "scenario/model.hpp"

namespace nscheck::scenario {

/// Parses one route; the error says what is wrong and shows the accepted forms.
Result<Route> parse_route(std::string_view text);

/// The id of a table word: "" or "main" 254, "local" 255, "default" 253, a name of `names`, or a
/// number from 1 (0x-hexadecimal too); nullopt for anything else.
std::optional<std::uint32_t> table_id(const std::string& word, const std::map<std::string, std::uint32_t>& names);

}  // namespace nscheck::scenario
