#include "scenario/expect.hpp"

#include <algorithm>

#include "scenario/expectation_set.hpp"
#include "scenario/matrix_text.hpp"
#include "scenario/toml_util.hpp"

namespace nscheck::scenario {
namespace {

/// A node as a source or target of "all OK" and default cells: its name's id, its Target.
struct NodeCell {
  const std::string* name;
  std::uint32_t id;
  Target target;
};

std::vector<NodeCell> node_cells(const Scenario& s, NameIds& names) {
  std::vector<NodeCell> out;
  out.reserve(s.nodes.size());
  for (const auto& n : s.nodes) out.push_back({&n.name, names.id(n.name), parse_target(n.name)});
  return out;
}

void fill(Expectation& e, const std::string& from, const Target& to, Verdict v, const ProbeSpec& probe) {
  e.from = from;
  e.to = to;
  e.expect = v;
  e.probe = probe;
}

/// Every node to every node ("all OK", default): when only_missing, the cells that nothing
/// mentioned so far (neither expected nor written "-").
enum class Fill { all, only_missing };

void add_every_pair(const std::vector<NodeCell>& nodes, Verdict v, const ProbeSpec& probe, Loc loc, Fill what,
                    ExpectationSet& set) {
  const std::uint32_t code = probe_code(probe);
  BatchChecks checks(set, nodes.size(), nodes.size());
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    if (set.full()) return;
    const auto& from = nodes[i];
    for (std::uint32_t j = 0; j < nodes.size(); ++j) {
      const CellKey key{from.id, nodes[j].id, 0, code};
      if (what == Fill::only_missing && set.mentioned(key)) continue;
      if (auto* e = set.add(key, *from.name, *nodes[j].name, loc)) {
        fill(*e, *from.name, nodes[j].target, v, probe);
        checks.check(*e, i, loc, j, loc);
      }
    }
  }
}

/// How many cells of every pair are missing so far (counting stops past `most`).
std::size_t missing_pairs(const std::vector<NodeCell>& nodes, const ProbeSpec& probe, const ExpectationSet& set,
                          std::size_t most) {
  std::size_t n = 0;
  for (const auto& from : nodes) {
    if (n > most) break;
    for (const auto& to : nodes) n += set.mentioned({from.id, to.id, 0, probe_code(probe)}) ? 0 : 1;
  }
  return n;
}

/// A matrix as written, before its cells are added.
struct ParsedMatrix {
  ProbeSpec probe;
  MatrixText text;
  Loc loc;
};

std::size_t cell_count(const ParsedMatrix& p, std::size_t nodes) {
  if (p.text.all) return nodes * nodes;
  return static_cast<std::size_t>(std::count_if(p.text.cells.begin(), p.text.cells.end(),
                                                [](const MatrixCell& c) { return c.verdict.has_value(); }));
}

void add_matrix_cells(const MatrixText& m, const ProbeSpec& probe, ExpectationSet& set) {
  std::vector<std::uint32_t> row_ids, column_ids;
  std::vector<Target> targets;  // parsed once per column, not per cell
  row_ids.reserve(m.rows.size());
  for (const auto& r : m.rows) row_ids.push_back(set.names().id(r.text));
  for (const auto& c : m.columns) {
    column_ids.push_back(set.names().id(c.text));
    targets.push_back(parse_target(c.text));
  }
  const std::uint32_t code = probe_code(probe);
  BatchChecks checks(set, m.rows.size(), m.columns.size());
  for (const auto& c : m.cells) {
    if (!c.verdict) {  // "-": not probed, so no default may fill it in either
      set.decline({row_ids[c.row], column_ids[c.column], 0, code});
      continue;
    }
    if (set.full()) return;
    // a bad row or column name is reported at that name, once, rather than at every cell
    const auto& row = m.rows[c.row];
    const auto& column = m.columns[c.column];
    if (auto* e = set.add({row_ids[c.row], column_ids[c.column], 0, code}, row.text, column.text, c.loc)) {
      fill(*e, row.text, targets[c.column], *c.verdict, probe);
      checks.check(*e, c.row, row.loc, c.column, column.loc);
    }
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

/// A key as it is written in TOML: tcp, or "tcp/80" (a bare key has only letters, digits, - and _).
std::string bare_or_quoted(const std::string& key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
  return bare ? key : "\"" + key + "\"";
}

/// Calls fn(probe, value) for a string (icmp) or for each "KIND" = value of a table.
template <typename Fn>
void per_probe_kind(const toml::node& n, const char* key, Diagnostics& diags, Fn fn) {
  const auto* t = n.as_table();
  if (!t) return fn(ProbeSpec{}, n);
  for (const auto& [kind, v] : in_written_order(*t)) {
    auto probe = parse_probe_spec(kind);
    if (!probe) {
      diags.add(loc_of(*v), std::string(key) + "." + bare_or_quoted(kind) + ": " + probe.error().message);
      continue;
    }
    fn(*probe, *v);
  }
}

/// All matrices of the stage are parsed first, so that their cells are allocated at once.
void read_matrix(const toml::node& n, const Scenario& s, std::string_view text, ExpectationSet& set,
                 Diagnostics& diags) {
  if (!n.is_string() && !n.is_table())
    return diags.add(loc_of(n), "expect must be a string holding a matrix, \"all OK\", or a table of matrices "
                                "by probe kind: expect.icmp, expect.\"tcp/80\"");
  std::vector<ParsedMatrix> parsed;
  per_probe_kind(n, "expect", diags, [&](const ProbeSpec& probe, const toml::node& v) {
    if (!v.is_string())
      return diags.add(loc_of(v), "a matrix must be a string holding the matrix, or \"all OK\" / \"all NG\"");
    parsed.push_back({probe, parse_matrix(v.as_string()->get(), origin_of(text, loc_of(v)), diags), loc_of(v)});
  });
  std::size_t cells = 0;
  for (const auto& p : parsed) cells += cell_count(p, s.nodes.size());
  set.reserve(cells);
  const bool any_all = std::any_of(parsed.begin(), parsed.end(), [](const ParsedMatrix& p) { return p.text.all; });
  const auto nodes = any_all ? node_cells(s, set.names()) : std::vector<NodeCell>{};
  for (const auto& p : parsed) {
    if (p.text.all)
      add_every_pair(nodes, *p.text.all, p.probe, p.loc, Fill::all, set);
    else
      add_matrix_cells(p.text, p.probe, set);
  }
}

/// seen_from and answered_by: what the destination's listener saw (tcp and udp, expect OK).
void read_seen(const toml::table& t, Expectation& e, ExpectationLocs& at, Diagnostics& diags) {
  const auto* seen = t.get("seen_from");
  const auto* by = t.get("answered_by");
  if (seen) {
    const auto text = optional_string(t, "seen_from", diags);
    if (text && !(e.seen_from = IpAddress::parse(*text)))
      diags.add(loc_of(*seen), "seen_from \"" + *text + "\" is not an IP address");
  }
  if (by) {
    e.answered_by = optional_string(t, "answered_by", diags).value_or("");
    at.answered = loc_of(*by);
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
  ExpectationLocs at;
  if (const auto* f = t.get("from")) at.from = loc_of(*f);
  if (const auto* to = t.get("to")) at.to = loc_of(*to);
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
    read_seen(t, e, at, diags);
  } else if (!v.empty()) {
    diags.add(loc_of(*t.get("expect")), "expect \"" + v + "\" must be \"OK\" or \"NG\"");
  }
  // still added when broken (the scenario fails anyway) so that from, to and source are checked too
  if (!e.from.empty() && !e.to.text.empty()) set.add(std::move(e), at);
}

void read_checks(const toml::node& n, ExpectationSet& set, Diagnostics& diags) {
  const auto* arr = n.as_array();
  if (!arr) return diags.add(loc_of(n), "check must be an array of tables: [[stages.check]]");
  set.reserve(arr->size());
  for (const auto& item : *arr) {
    if (const auto* t = item.as_table())
      read_check(*t, loc_of(item), set, diags);
    else
      diags.add(loc_of(item), "each [[stages.check]] must be a table with from, to and expect");
  }
}

/// A verdict for every pair still without one; counted first, so that they are allocated at once.
void read_default(const toml::node& n, const Scenario& s, ExpectationSet& set, Diagnostics& diags) {
  struct Default {
    ProbeSpec probe;
    Verdict verdict;
    Loc loc;
  };
  std::vector<Default> defaults;
  per_probe_kind(n, "default", diags, [&](const ProbeSpec& probe, const toml::node& d) {
    auto v = d.is_string() ? parse_verdict(d.as_string()->get()) : std::nullopt;
    if (!v)
      return diags.add(loc_of(d), "default must be \"OK\" or \"NG\", or a table of them by probe kind: "
                                  "default.\"tcp/80\" = \"NG\"");
    defaults.push_back({probe, *v, loc_of(d)});
  });
  const auto nodes = node_cells(s, set.names());
  std::size_t missing = 0;
  for (const auto& d : defaults) {
    if (missing > set.room()) break;  // more than the scenario may still have: enough counted
    missing += missing_pairs(nodes, d.probe, set, set.room() - missing);
  }
  set.reserve(missing);
  for (const auto& d : defaults) add_every_pair(nodes, d.verdict, d.probe, d.loc, Fill::only_missing, set);
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
                       std::size_t& cells_left, Diagnostics& diags, Diagnostics& checks) {
  if (cells_left == k_cells_exhausted) return;  // reported once, where the budget ran out
  ExpectationSet set(s, st, cells_left, diags, checks);
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
