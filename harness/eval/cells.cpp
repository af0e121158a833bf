#include "eval/cells.hpp"

#include "core/memory.hpp"

#include <functional>
#include <map>
#include <utility>

namespace nscheck::eval {
namespace {

using scenario::Target;

std::size_t node_index(const scenario::Scenario& s, const std::string& name) {
  if (auto it = s.node_index.find(name); it != s.node_index.end()) return it->second;
  for (std::size_t i = 0; i < s.nodes.size(); ++i)
    if (s.nodes[i].name == name) return i;
  return 0;  // unreachable for a validated scenario
}

/// The node holding each address (validation made sure every address target has one).
std::map<IpAddress, std::size_t> holders(const scenario::Scenario& s) {
  std::map<IpAddress, std::size_t> out;
  for (std::size_t n = 0; n < s.nodes.size(); ++n)
    for (const auto& i : s.nodes[n].interfaces)
      for (const auto& p : i.addresses) out.emplace(p.address, n);
  return out;
}

/// Calls f with every address of node n that target t (naming n) stands for.
template <class F>
void for_each_address_of(const scenario::Node& n, const Target& t, F f) {
  for (const auto& i : n.interfaces)
    if (t.kind == Target::Kind::node || i.name == t.ifname)
      for (const auto& p : i.addresses) f(p.address);
}

/// Calls f with every address a target stands for, in the order written (both families: a node
/// or interface target means each of its addresses).
template <class F>
void for_each_address(const scenario::Scenario& s, const Target& t, F f) {
  if (t.kind == Target::Kind::address) return f(t.address);
  if (const auto* n = s.find_node(t.node)) for_each_address_of(*n, t, f);
}

/// Node indices by name, remembering the last answer: a matrix row asks for its source once
/// per column.
class NodeLookup {
 public:
  explicit NodeLookup(const scenario::Scenario& s) : s_(s) {}
  std::size_t operator()(const std::string& name) {
    if (last_ >= s_.nodes.size() || name != s_.nodes[last_].name) last_ = node_index(s_, name);
    return last_;
  }

 private:
  const scenario::Scenario& s_;
  std::size_t last_ = SIZE_MAX;  ///< none yet
};

probes::ProbeKind kind_of(const scenario::ProbeSpec& p) {
  switch (p.kind) {
    case scenario::ProbeSpec::Kind::icmp: return probes::ProbeKind::icmp;
    case scenario::ProbeSpec::Kind::tcp: return probes::ProbeKind::tcp;
    case scenario::ProbeSpec::Kind::udp: return probes::ProbeKind::udp;
  }
  return probes::ProbeKind::icmp;
}

bool declares_service(const scenario::Node& n, probes::ProbeKind kind, std::uint16_t port) {
  for (const auto& d : n.services)
    if (kind_of(d.probe) == kind && d.probe.port == port) return true;
  return false;
}

std::string endpoint_text(const IpAddress& a, std::uint16_t port) {
  return a.family == Family::v6 ? "[" + a.str() + "]:" + std::to_string(port) : a.str() + ":" + std::to_string(port);
}

/// Calls f with each cell of a stage, in expectation order (listener not yet assigned; f may
/// set it: the cell is rebuilt for the next call).
template <class F>
void for_each_cell(const scenario::Scenario& s, const scenario::Stage& st, F f) {
  std::optional<std::map<IpAddress, std::size_t>> holder;  // built on the first address target
  NodeLookup sources(s);
  for (std::size_t k = 0; k < st.expectations.size(); ++k) {
    const auto& e = st.expectations[k];
    PlannedCell base;
    base.expectation = k;
    base.source_node = sources(e.from);
    base.kind = kind_of(e.probe);
    base.port = e.probe.port;
    if (!e.source.empty()) {  // like ping -I: an address of the source, or one of its interfaces
      if (auto a = IpAddress::parse(e.source))
        base.bind_address = *a;
      else
        base.bind_device = e.source;
    }
    auto each = [&](const IpAddress& addr) {
      base.destination = addr;
      base.listener.reset();
      f(base);
    };
    if (e.to.kind != Target::Kind::address) {
      const scenario::Node* n = s.find_node(e.to.node);
      if (!n) continue;  // unreachable for a validated scenario
      base.target_node = static_cast<std::size_t>(n - s.nodes.data());
      for_each_address_of(*n, e.to, each);
      continue;
    }
    if (!holder) holder = holders(s);
    const auto it = holder->find(e.to.address);
    base.target_node = it == holder->end() ? 0 : it->second;
    each(e.to.address);
  }
}

/// The listeners of a stage, gathered cell by cell (see plan_listeners).
class ListenerIndex {
 public:
  explicit ListenerIndex(const scenario::Scenario& s) : s_(s) {}

  /// Sets the cell's listener, if it needs a built-in one.
  void assign(PlannedCell& c) {
    if (c.kind == probes::ProbeKind::icmp || declares_service(s_.nodes[c.target_node], c.kind, c.port)) return;
    c.listener = add({c.target_node, c.kind, c.destination.family, c.port});
  }

  /// Adds every node's `listen` ports, in both families, and hands the listeners over.
  std::vector<PlannedListener> finish() {
    for (std::size_t n = 0; n < s_.nodes.size(); ++n)
      for (const auto& d : s_.nodes[n].listen)
        for (Family f : {Family::v4, Family::v6}) add({n, kind_of(d.probe), f, d.probe.port});
    return std::move(out_);
  }

 private:
  std::size_t add(const PlannedListener& l) {
    auto [it, added] = index_.emplace(l, out_.size());
    if (added) out_.push_back(l);
    return it->second;
  }

  const scenario::Scenario& s_;
  std::vector<PlannedListener> out_;
  std::map<PlannedListener, std::size_t> index_;
};


/// The cell as the reports see it, before the verdict.
report::Cell base_cell(const scenario::Stage& st, const CellKey& c, CellTexts& texts) {
  const auto& e = st.expectations[c.expectation];
  report::Cell cell;
  cell.source = texts.node(c.source_node);
  cell.source_bind = texts(e.source);
  cell.target = texts.target(e.to, c.destination);
  cell.column = cell.target;
  cell.address = texts.address(c.destination);
  cell.probe = texts.probe(e.probe);
  cell.expected = e.expect == scenario::Verdict::ok ? report::Verdict::ok : report::Verdict::ng;
  cell.line = e.loc.line;
  return cell;
}

/// Fills what the destination saw and checks seen_from / answered_by: a mismatch fails the cell.
void judge_seen(const scenario::Scenario& s, const scenario::Expectation& e, const probes::ProbeResult& r,
                const std::vector<PlannedListener>& listeners, CellTexts& texts, report::Cell& cell) {
  std::string answered;
  if (r.seen) {
    cell.seen_from = endpoint_text(r.seen->peer, r.seen->peer_port);  // a port of its own: not pooled
    if (r.seen->listener < listeners.size()) answered = s.nodes[listeners[r.seen->listener].node].name;
    cell.answered_by = texts(answered);
    cell.detail = cell.detail + "; " + answered + " saw it from " + cell.seen_from + " at " +
                  endpoint_text(r.seen->local, r.seen->local_port);
  }
  if (cell.status != report::CellStatus::pass || (!e.seen_from && e.answered_by.empty())) return;
  auto fail = [&](const char* reason, const std::string& why) {
    cell.status = report::CellStatus::fail;
    cell.reason = texts(reason);
    cell.detail = why + "; " + cell.detail;
  };
  if (!r.seen) return fail("not-seen", "no built-in listener reported this probe, so what it saw is unknown");
  if (e.seen_from && r.seen->peer != *e.seen_from)
    return fail("seen-from-mismatch", "the destination saw the source as " + r.seen->peer.str() + ", expected " +
                                          e.seen_from->str());
  if (!e.answered_by.empty() && answered != e.answered_by)
    fail("answered-by-mismatch", "answered by node " + answered + ", expected " + e.answered_by);
}

}  // namespace

std::vector<IpAddress> target_addresses(const scenario::Scenario& s, const Target& t) {
  std::vector<IpAddress> out;
  for_each_address(s, t, [&out](const IpAddress& a) { out.push_back(a); });
  return out;
}

std::size_t cell_count(const scenario::Scenario& s, const scenario::Stage& st) {
  std::size_t n = 0;
  for (const auto& e : st.expectations) for_each_address(s, e.to, [&n](const IpAddress&) { ++n; });
  return n;
}

std::vector<PlannedCell> plan_cells(const scenario::Scenario& s, const scenario::Stage& st) {
  std::vector<PlannedCell> cells;
  reserve_populated(cells, cell_count(s, st));
  for_each_cell(s, st, [&cells](const PlannedCell& c) { cells.push_back(c); });
  return cells;
}

std::vector<CellKey> plan_keys(const scenario::Scenario& s, const scenario::Stage& st) {
  std::vector<CellKey> keys;
  keys.reserve(cell_count(s, st));
  for_each_cell(s, st, [&keys](const PlannedCell& c) { keys.push_back(c.key()); });
  return keys;
}

std::vector<PlannedListener> plan_listeners(const scenario::Scenario& s, std::vector<PlannedCell>& cells) {
  ListenerIndex index(s);
  for (auto& c : cells) index.assign(c);
  return index.finish();
}

std::vector<PlannedListener> stream_cells(const scenario::Scenario& s, const scenario::Stage& st,
                                          const std::function<void(const PlannedCell&)>& each) {
  ListenerIndex index(s);
  for_each_cell(s, st, [&](PlannedCell& c) {
    index.assign(c);
    each(c);
  });
  return index.finish();
}

report::Cell judge(const scenario::Scenario& s, const scenario::Stage& st, const CellKey& c,
                   const probes::ProbeResult& r, const std::vector<PlannedListener>& listeners,
                   CellTexts& texts) {
  if (r.interrupted) return not_run(s, st, c, texts("the run was interrupted before this cell was decided"), texts);
  auto cell = base_cell(st, c, texts);
  cell.reason = texts.reason(r.reason);
  cell.detail = texts(r.detail);
  cell.sent = r.sent;
  switch (r.outcome) {
    case probes::Outcome::ok:
      cell.observed = report::Verdict::ok;
      cell.time_s = std::chrono::duration<double>(r.rtt).count();
      break;
    case probes::Outcome::ng:
      cell.observed = report::Verdict::ng;
      cell.time_s = std::chrono::duration<double>(st.probe.deadline).count();
      break;
    case probes::Outcome::error:
      cell.observed = report::Verdict::error;
      cell.status = report::CellStatus::error;
      return cell;
  }
  cell.status = cell.observed == cell.expected ? report::CellStatus::pass : report::CellStatus::fail;
  judge_seen(s, st.expectations[c.expectation], r, listeners, texts, cell);
  return cell;
}

report::Cell not_run(const scenario::Scenario&, const scenario::Stage& st, const CellKey& c,
                     const report::SharedText& why, CellTexts& texts) {
  auto cell = base_cell(st, c, texts);
  cell.observed = report::Verdict::not_run;
  cell.reason = texts("not-run");
  cell.detail = why;
  cell.status = report::CellStatus::not_run;
  return cell;
}

report::Cell skipped(const scenario::Scenario&, const scenario::Stage& st, const CellKey& c,
                     const report::SharedText& why, CellTexts& texts) {
  auto cell = base_cell(st, c, texts);
  cell.observed = report::Verdict::skipped;
  cell.detail = why;
  cell.status = report::CellStatus::skipped;
  return cell;
}

}  // namespace nscheck::eval
