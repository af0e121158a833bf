#include "eval/cells.hpp"

namespace nscheck::eval {
namespace {

using scenario::Target;

std::size_t node_index(const scenario::Scenario& s, const std::string& name) {
  for (std::size_t i = 0; i < s.nodes.size(); ++i)
    if (s.nodes[i].name == name) return i;
  return 0;  // unreachable for a validated scenario
}

/// Both families: a node or interface target means each of its addresses.
void add_all(std::vector<IpAddress>& out, const scenario::Interface& i) {
  for (const auto& p : i.addresses) out.push_back(p.address);
}

/// The cell as the reports see it, before the verdict.
report::Cell base_cell(const scenario::Scenario& s, const scenario::Stage& st, const PlannedCell& c) {
  const auto& e = st.expectations[c.expectation];
  report::Cell cell;
  cell.source = s.nodes[c.source_node].name;
  cell.source_bind = e.source;
  cell.target = e.to.text;
  cell.column = e.to.text;
  cell.address = c.destination.str();
  cell.probe = "icmp";
  cell.expected = e.expect == scenario::Verdict::ok ? "OK" : "NG";
  cell.line = e.loc.line;
  return cell;
}

}  // namespace

std::vector<IpAddress> target_addresses(const scenario::Scenario& s, const Target& t) {
  std::vector<IpAddress> out;
  if (t.kind == Target::Kind::address) return {t.address};
  const auto* n = s.find_node(t.node);
  if (!n) return out;
  for (const auto& i : n->interfaces)
    if (t.kind == Target::Kind::node || i.name == t.ifname) add_all(out, i);
  return out;
}

std::vector<PlannedCell> plan_cells(const scenario::Scenario& s, const scenario::Stage& st) {
  std::vector<PlannedCell> cells;
  for (std::size_t k = 0; k < st.expectations.size(); ++k) {
    const auto& e = st.expectations[k];
    PlannedCell base;
    base.expectation = k;
    base.source_node = node_index(s, e.from);
    if (auto a = IpAddress::parse(e.source))
      base.bind_address = *a;
    else
      base.bind_device = e.source;
    for (const auto& addr : target_addresses(s, e.to)) {
      base.destination = addr;
      cells.push_back(base);
    }
  }
  return cells;
}

report::Cell judge(const scenario::Scenario& s, const scenario::Stage& st, const PlannedCell& c,
                   const probes::ProbeResult& r) {
  if (r.interrupted) return not_run(s, st, c, "the run was interrupted before this cell was decided");
  auto cell = base_cell(s, st, c);
  cell.reason = std::string(probes::reason_name(r.reason));
  cell.detail = r.detail;
  cell.sent = r.sent;
  switch (r.outcome) {
    case probes::Outcome::ok:
      cell.observed = "OK";
      cell.time_s = std::chrono::duration<double>(r.rtt).count();
      break;
    case probes::Outcome::ng:
      cell.observed = "NG";
      cell.time_s = std::chrono::duration<double>(st.probe.deadline).count();
      break;
    case probes::Outcome::error:
      cell.observed = "ERROR";
      cell.status = report::CellStatus::error;
      return cell;
  }
  cell.status = cell.observed == cell.expected ? report::CellStatus::pass : report::CellStatus::fail;
  return cell;
}

report::Cell not_run(const scenario::Scenario& s, const scenario::Stage& st, const PlannedCell& c,
                     const std::string& why) {
  auto cell = base_cell(s, st, c);
  cell.observed = "NOT RUN";
  cell.reason = "not-run";
  cell.detail = why;
  cell.status = report::CellStatus::not_run;
  return cell;
}

}  // namespace nscheck::eval
