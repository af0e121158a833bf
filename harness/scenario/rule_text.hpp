#pragma once
// The rule mini-language, as `ip rule add` writes it:
//   from 192.0.2.0/24 table 100 priority 1000
//   fwmark 0x1/0xff lookup isp2
//   iif gw-veth1 to 2001:db8:5::/48 table 200

#include <string_view>

#include "core/result.hpp"
#include "scenario/model.hpp"

namespace nscheck::scenario {

/// Parses one rule; the error says what is wrong and shows the accepted forms.
Result<Rule> parse_rule(std::string_view text);

}  // namespace nscheck::scenario
