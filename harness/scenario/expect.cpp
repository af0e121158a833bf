#include "scenario/expect.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "scenario/loader.hpp"
#include "scenario/matrix_text.hpp"
#include "scenario/toml_util.hpp"

namespace nscheck::scenario {
namespace {

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

/// cells_left once k_max_cells is exceeded and said so: later stages add nothing and say nothing.
constexpr std::size_t k_cells_exhausted = static_cast<std::size_t>(-1);

/// Adds expectations, refusing a second one for the same (source, target, binding).
class ExpectationSet {
 public:
  ExpectationSet(Stage& st, std::size_t& cells_left, Diagnostics& diags)
      : st_(st), cells_left_(cells_left), diags_(diags) {}

  void add(Expectation e) {
    if (full()) return;
    if (e.from_loc.line == 0) e.from_loc = e.loc;
    if (e.to_loc.line == 0) e.to_loc = e.loc;
    auto key = std::tuple(e.from, e.to.text, e.source);
    if (auto it = seen_.find(key); it != seen_.end()) {
      diags_.add(e.loc, "\"" + e.from + "\" to \"" + e.to.text + "\" is already expected at line " +
                            std::to_string(it->second.line) + "; give each pair once");
      return;
    }
    if (cells_left_ == 0) {
      diags_.add(e.loc, "the scenario expects more than " + std::to_string(k_max_cells) +
                            " cells in all stages; split it into several scenarios");
      cells_left_ = k_cells_exhausted;
      return;
    }
    --cells_left_;
    seen_.emplace(key, e.loc);
    if (rows_.insert(e.from).second) st_.rows.push_back(e.from);
    if (columns_.insert(e.to.text).second) st_.columns.push_back(e.to.text);
    st_.expectations.push_back(std::move(e));
  }
  /// True once the scenario has more cells than k_max_cells (reported once).
  [[nodiscard]] bool full() const { return cells_left_ == k_cells_exhausted; }
  [[nodiscard]] bool has(const std::string& from, const std::string& to) const {
    return seen_.count(std::tuple(from, to, std::string())) > 0;
  }

 private:
  Stage& st_;
  std::size_t& cells_left_;
  Diagnostics& diags_;
  std::set<std::string> rows_, columns_;  // st_.rows and st_.columns, for lookups
  std::map<std::tuple<std::string, std::string, std::string>, Loc> seen_;
};

void add_all(const Scenario& s, Verdict v, Loc loc, ExpectationSet& set) {
  for (const auto& from : s.nodes) {
    if (set.full()) return;
    for (const auto& to : s.nodes) set.add({from.name, parse_target(to.name), v, ProbeKind::icmp, "", loc});
  }
}

void read_matrix(const toml::node& n, const Scenario& s, std::string_view text, ExpectationSet& set,
                 Diagnostics& diags) {
  if (!n.is_string()) return diags.add(loc_of(n), "expect must be a string holding a matrix, or \"all OK\"");
  auto m = parse_matrix(n.as_string()->get(), origin_of(text, loc_of(n)), diags);
  if (m.all) return add_all(s, *m.all, loc_of(n), set);
  for (const auto& c : m.cells) {
    if (!c.verdict) continue;
    // a bad row or column name is reported at that name, once, rather than at every cell
    set.add({m.rows[c.row].text, parse_target(m.columns[c.column].text), *c.verdict, ProbeKind::icmp, "", c.loc,
             m.rows[c.row].loc, m.columns[c.column].loc});
  }
}

/// What is wrong with a probe kind: "icmp" is fine; "tcp/PORT" and "udp/PORT" are not built yet.
std::optional<std::string> probe_kind_problem(const std::string& kind) {
  if (kind == "icmp") return std::nullopt;
  const auto slash = kind.find('/');
  const auto proto = kind.substr(0, slash);
  if ((proto != "tcp" && proto != "udp") || slash == std::string::npos)
    return "unknown probe kind \"" + kind + "\"; use \"icmp\" (tcp/PORT and udp/PORT are planned)";
  const auto digits = kind.substr(slash + 1);
  const bool numeric = !digits.empty() && digits.size() <= 5 &&
                       std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!numeric || std::stoi(digits) < 1 || std::stoi(digits) > 65535)
    return "probe \"" + kind + "\": the port must be a number from 1 to 65535";
  return "probe \"" + kind + "\": TCP and UDP probes are not supported yet; use \"icmp\"";
}

void read_checks(const toml::node& n, ExpectationSet& set, Diagnostics& diags) {
  const auto* arr = n.as_array();
  if (!arr) return diags.add(loc_of(n), "check must be an array of tables: [[stages.check]]");
  for (const auto& item : *arr) {
    const auto* t = item.as_table();
    if (!t) {
      diags.add(loc_of(item), "each [[stages.check]] must be a table with from, to and expect");
      continue;
    }
    const Loc loc = loc_of(item);
    check_keys(*t, {"from", "to", "expect", "source", "probe"}, "check", diags);
    Expectation e;
    e.loc = loc;
    e.from = required_string(*t, "from", loc, diags, "[[stages.check]]");
    e.to = parse_target(required_string(*t, "to", loc, diags, "[[stages.check]]"));
    if (const auto* f = t->get("from")) e.from_loc = loc_of(*f);
    if (const auto* to = t->get("to")) e.to_loc = loc_of(*to);
    e.source = optional_string(*t, "source", diags).value_or("");
    if (auto p = optional_string(*t, "probe", diags))
      if (auto problem = probe_kind_problem(*p)) diags.add(loc_of(*t->get("probe")), *problem);
    const auto v = required_string(*t, "expect", loc, diags, "[[stages.check]]");
    if (auto verdict = parse_verdict(v)) {
      e.expect = *verdict;
    } else {
      if (!v.empty()) diags.add(loc_of(*t->get("expect")), "expect \"" + v + "\" must be \"OK\" or \"NG\"");
      // still added (the scenario fails anyway) so that from, to and source are checked too
    }
    if (!e.from.empty() && !e.to.text.empty()) set.add(std::move(e));
  }
}

void read_default(const toml::node& n, const Scenario& s, ExpectationSet& set, Diagnostics& diags) {
  auto v = n.is_string() ? parse_verdict(n.as_string()->get()) : std::nullopt;
  if (!v) return diags.add(loc_of(n), "default must be \"OK\" or \"NG\"");
  for (const auto& from : s.nodes) {
    if (set.full()) return;
    for (const auto& to : s.nodes) {
      if (!set.has(from.name, to.name)) set.add({from.name, parse_target(to.name), *v, ProbeKind::icmp, "", loc_of(n)});
    }
  }
}

}  // namespace

Target parse_target(const std::string& text) {
  Target t;
  t.text = text;
  if (auto a = IpAddress::parse(text)) {
    t.kind = Target::Kind::address;
    t.address = *a;
  } else if (auto colon = text.find(':'); colon != std::string::npos) {
    t.kind = Target::Kind::interface;
    t.node = text.substr(0, colon);
    t.ifname = text.substr(colon + 1);
  } else {
    t.kind = Target::Kind::node;
    t.node = text;
  }
  return t;
}

void read_expectations(const toml::table& stage, const Scenario& s, std::string_view text, Stage& st,
                       std::size_t& cells_left, Diagnostics& diags) {
  if (cells_left == k_cells_exhausted) return;  // reported once, where the budget ran out
  ExpectationSet set(st, cells_left, diags);
  const std::size_t problems_before = diags.items().size();
  if (const auto* m = stage.get("expect")) read_matrix(*m, s, text, set, diags);
  if (const auto* c = stage.get("check")) read_checks(*c, set, diags);
  if (const auto* d = stage.get("default")) read_default(*d, s, set, diags);
  // an empty check array or a matrix of "-" expects nothing too; a broken one is reported already,
  // and so is a scenario without nodes (where "all OK" means nothing)
  if (st.expectations.empty() && diags.items().size() == problems_before && !s.nodes.empty())
    diags.add(st.loc, "stage \"" + st.name + "\" expects nothing; add expect = \"\"\"matrix\"\"\", "
                      "[[stages.check]] entries or default = \"OK\"");
}

}  // namespace nscheck::scenario
