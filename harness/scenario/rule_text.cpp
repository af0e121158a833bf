#include "scenario/rule_text.hpp"

#include "scenario/words.hpp"

namespace nscheck::scenario {
namespace {

const std::string k_forms =
    "write it as \"SELECTOR... table T\" with the selectors \"from PREFIX\", \"to PREFIX\", "
    "\"fwmark MARK[/MASK]\", \"iif IFNAME\", \"oif IFNAME\" and optionally \"priority N\"";

Result<std::optional<Prefix>> rule_prefix(const std::string& key, const std::string& word) {
  if (word == "all") return std::optional<Prefix>{};
  NS_TRY(p, parse_prefix(key + " prefix", word, k_forms));
  return std::optional<Prefix>{p};
}

Result<void> apply_fwmark(Rule& r, const std::string& value) {
  const auto slash = value.find('/');
  NS_TRY(mark, parse_number("fwmark", value.substr(0, slash)));
  r.fwmark = mark;
  if (slash == std::string::npos) return {};
  NS_TRY(mask, parse_number("fwmark mask", value.substr(slash + 1)));
  r.fwmask = mask;
  return {};
}

Result<void> apply_option(Rule& r, const std::string& key, const std::string& value) {
  if (key == "from") {
    NS_TRY(p, rule_prefix(key, value));
    r.from = p;
  } else if (key == "to") {
    NS_TRY(p, rule_prefix(key, value));
    r.to = p;
  } else if (key == "fwmark") {
    NS_CHECK(apply_fwmark(r, value));
  } else if (key == "iif" || key == "dev") {
    r.iif = value;
  } else if (key == "oif") {
    r.oif = value;
  } else if (key == "priority" || key == "pref" || key == "preference" || key == "order") {
    NS_TRY(n, parse_number("priority", value));
    r.priority = n;
  } else if (key == "table" || key == "lookup") {
    r.table = value;
  } else {
    return input_error("unknown rule keyword \"" + key + "\"; " + k_forms);
  }
  return {};
}

}  // namespace

Result<Rule> parse_rule(std::string_view text) {
  Words w(text);
  if (w.empty()) return input_error("empty rule; " + k_forms);
  Rule r;
  r.text = std::string(text);
  while (!w.done()) {
    const auto key = w.take();
    NS_TRY(value, w.value_of(key, k_forms));
    NS_CHECK(apply_option(r, key, value));
  }
  if (r.table.empty()) return input_error("a rule needs \"table T\": the table it sends packets to; " + k_forms);
  if (r.from && r.to && r.from->address.family != r.to->address.family)
    return input_error("from " + r.from->str() + " and to " + r.to->str() + " are of different families");
  return r;
}

}  // namespace nscheck::scenario
