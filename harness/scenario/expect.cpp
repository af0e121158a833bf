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

/// cells_left once k_max_cells is exceeded and said so: later stages add nothing and say nothing.
constexpr std::size_t k_cells_exhausted = static_cast<std::size_t>(-1);

/// Adds expectations, refusing a second one for the same (source, target, binding, probe).
class ExpectationSet {
 public:
  ExpectationSet(Stage& st, std::size_t& cells_left, Diagnostics& diags)
      : st_(st), cells_left_(cells_left), diags_(diags) {}

  void add(Expectation e) {
    if (full()) return;
    if (e.from_loc.line == 0) e.from_loc = e.loc;
    if (e.to_loc.line == 0) e.to_loc = e.loc;
    auto key = std::tuple(e.from, e.to.text, e.source, e.probe);
    if (auto it = seen_.find(key); it != seen_.end()) {
      const std::string what = e.probe.kind == ProbeSpec::Kind::icmp ? "" : " (" + e.probe.text() + ")";
      diags_.add(e.loc, "\"" + e.from + "\" to \"" + e.to.text + "\"" + what + " is already expected at line " +
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
    layout(e.probe, e.from, e.to.text);
    st_.expectations.push_back(std::move(e));
  }
  /// True once the scenario has more cells than k_max_cells (reported once).
  [[nodiscard]] bool full() const { return cells_left_ == k_cells_exhausted; }
  [[nodiscard]] bool has(const std::string& from, const std::string& to, const ProbeSpec& probe) const {
    return seen_.count(std::tuple(from, to, std::string(), probe)) > 0;
  }

 private:
  /// Puts the row and column in the matrix of that probe kind (made on first use).
  void layout(const ProbeSpec& probe, const std::string& row, const std::string& column) {
    auto [it, added] = matrix_of_.try_emplace(probe, st_.matrices.size());
    if (added) {
      st_.matrices.push_back({probe, {}, {}});
      names_.emplace_back();
    }
    auto& m = st_.matrices[it->second];
    auto& [rows, columns] = names_[it->second];
    if (rows.insert(row).second) m.rows.push_back(row);
    if (columns.insert(column).second) m.columns.push_back(column);
  }

  Stage& st_;
  std::size_t& cells_left_;
  Diagnostics& diags_;
  std::map<ProbeSpec, std::size_t> matrix_of_;
  std::vector<std::pair<std::set<std::string>, std::set<std::string>>> names_;  // per matrix, for lookups
  std::map<std::tuple<std::string, std::string, std::string, ProbeSpec>, Loc> seen_;
};

Expectation cell(const std::string& from, const std::string& to, Verdict v, const ProbeSpec& probe, Loc loc) {
  Expectation e;
  e.from = from;
  e.to = parse_target(to);
  e.expect = v;
  e.probe = probe;
  e.loc = loc;
  return e;
}

void add_all(const Scenario& s, Verdict v, const ProbeSpec& probe, Loc loc, ExpectationSet& set) {
  for (const auto& from : s.nodes) {
    if (set.full()) return;
    for (const auto& to : s.nodes) set.add(cell(from.name, to.name, v, probe, loc));
  }
}

void read_one_matrix(const toml::node& n, const ProbeSpec& probe, const Scenario& s, std::string_view text,
                     ExpectationSet& set, Diagnostics& diags) {
  if (!n.is_string())
    return diags.add(loc_of(n), "a matrix must be a string holding the matrix, or \"all OK\" / \"all NG\"");
  auto m = parse_matrix(n.as_string()->get(), origin_of(text, loc_of(n)), diags);
  if (m.all) return add_all(s, *m.all, probe, loc_of(n), set);
  for (const auto& c : m.cells) {
    if (!c.verdict) continue;
    // a bad row or column name is reported at that name, once, rather than at every cell
    Expectation e = cell(m.rows[c.row].text, m.columns[c.column].text, *c.verdict, probe, c.loc);
    e.from_loc = m.rows[c.row].loc;
    e.to_loc = m.columns[c.column].loc;
    set.add(std::move(e));
  }
}

/// The entries of a table in the order written (TOML tables iterate sorted by key).
std::vector<std::pair<std::string, const toml::node*>> in_written_order(const toml::table& t) {
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (const auto& [k, v] : t) out.emplace_back(std::string(k.str()), &v);
  std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    const Loc a = loc_of(*x.second), b = loc_of(*y.second);
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  return out;
}

/// Calls fn(probe, value) for a string (icmp) or for each "KIND" = value of a table.
template <typename Fn>
void per_probe_kind(const toml::node& n, const char* key, Diagnostics& diags, Fn fn) {
  const auto* t = n.as_table();
  if (!t) return fn(ProbeSpec{}, n);
  for (const auto& [kind, v] : in_written_order(*t)) {
    auto probe = parse_probe_spec(kind);
    if (!probe) {
      diags.add(loc_of(*v), std::string(key) + "." + kind + ": " + probe.error().message);
      continue;
    }
    fn(*probe, *v);
  }
}

void read_matrix(const toml::node& n, const Scenario& s, std::string_view text, ExpectationSet& set,
                 Diagnostics& diags) {
  if (!n.is_string() && !n.is_table())
    return diags.add(loc_of(n), "expect must be a string holding a matrix, \"all OK\", or a table of matrices "
                                "by probe kind: expect.icmp, expect.\"tcp/80\"");
  per_probe_kind(n, "expect", diags,
                 [&](const ProbeSpec& probe, const toml::node& v) { read_one_matrix(v, probe, s, text, set, diags); });
}

/// seen_from and answered_by: what the destination's listener saw (tcp and udp, expect OK).
void read_seen(const toml::table& t, Expectation& e, Diagnostics& diags) {
  const auto* seen = t.get("seen_from");
  const auto* by = t.get("answered_by");
  if (seen) {
    const auto text = optional_string(t, "seen_from", diags);
    if (text && !(e.seen_from = IpAddress::parse(*text)))
      diags.add(loc_of(*seen), "seen_from \"" + *text + "\" is not an IP address");
  }
  if (by) {
    e.answered_by = optional_string(t, "answered_by", diags).value_or("");
    e.answered_loc = loc_of(*by);
  }
  for (const auto* n : {seen, by}) {
    if (!n) continue;
    const char* key = n == seen ? "seen_from" : "answered_by";
    if (e.probe.kind == ProbeSpec::Kind::icmp)
      diags.add(loc_of(*n), std::string(key) + " needs a tcp or udp probe (probe = \"tcp/PORT\"): an ICMP echo is "
                                                "answered by the kernel, which reports nothing");
    else if (e.expect != Verdict::ok)
      diags.add(loc_of(*n), std::string(key) + " needs expect = \"OK\": only a probe that arrived was seen");
  }
}

void read_check(const toml::table& t, Loc loc, ExpectationSet& set, Diagnostics& diags) {
  check_keys(t, {"from", "to", "expect", "source", "probe", "seen_from", "answered_by"}, "check", diags);
  Expectation e;
  e.loc = loc;
  e.from = required_string(t, "from", loc, diags, "[[stages.check]]");
  e.to = parse_target(required_string(t, "to", loc, diags, "[[stages.check]]"));
  if (const auto* f = t.get("from")) e.from_loc = loc_of(*f);
  if (const auto* to = t.get("to")) e.to_loc = loc_of(*to);
  e.source = optional_string(t, "source", diags).value_or("");
  if (auto p = optional_string(t, "probe", diags)) {
    if (auto probe = parse_probe_spec(*p))
      e.probe = *probe;
    else
      diags.add(loc_of(*t.get("probe")), probe.error().message);
  }
  const auto v = required_string(t, "expect", loc, diags, "[[stages.check]]");
  if (auto verdict = parse_verdict(v)) {
    e.expect = *verdict;
    read_seen(t, e, diags);
  } else if (!v.empty()) {
    diags.add(loc_of(*t.get("expect")), "expect \"" + v + "\" must be \"OK\" or \"NG\"");
  }
  // still added when broken (the scenario fails anyway) so that from, to and source are checked too
  if (!e.from.empty() && !e.to.text.empty()) set.add(std::move(e));
}

void read_checks(const toml::node& n, ExpectationSet& set, Diagnostics& diags) {
  const auto* arr = n.as_array();
  if (!arr) return diags.add(loc_of(n), "check must be an array of tables: [[stages.check]]");
  for (const auto& item : *arr) {
    if (const auto* t = item.as_table())
      read_check(*t, loc_of(item), set, diags);
    else
      diags.add(loc_of(item), "each [[stages.check]] must be a table with from, to and expect");
  }
}

void read_default(const toml::node& n, const Scenario& s, ExpectationSet& set, Diagnostics& diags) {
  per_probe_kind(n, "default", diags, [&](const ProbeSpec& probe, const toml::node& d) {
    auto v = d.is_string() ? parse_verdict(d.as_string()->get()) : std::nullopt;
    if (!v)
      return diags.add(loc_of(d), "default must be \"OK\" or \"NG\", or a table of them by probe kind: "
                                  "default.\"tcp/80\" = \"NG\"");
    for (const auto& from : s.nodes) {
      if (set.full()) return;
      for (const auto& to : s.nodes)
        if (!set.has(from.name, to.name, probe)) set.add(cell(from.name, to.name, *v, probe, loc_of(d)));
    }
  });
}

}  // namespace

Result<ProbeSpec> parse_probe_spec(const std::string& text) {
  if (text == "icmp") return ProbeSpec{};
  const auto slash = text.find('/');
  const auto proto = text.substr(0, slash);
  if ((proto != "tcp" && proto != "udp") || slash == std::string::npos)
    return input_error("unknown probe kind \"" + text + "\"; use \"icmp\", \"tcp/PORT\" or \"udp/PORT\"");
  const auto digits = text.substr(slash + 1);
  const bool numeric = !digits.empty() && digits.size() <= 5 &&
                       std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!numeric || std::stoi(digits) < 1 || std::stoi(digits) > 65535)
    return input_error("probe \"" + text + "\": the port must be a number from 1 to 65535");
  return ProbeSpec{proto == "tcp" ? ProbeSpec::Kind::tcp : ProbeSpec::Kind::udp,
                   static_cast<std::uint16_t>(std::stoi(digits))};
}

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
