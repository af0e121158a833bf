#include "run/runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <future>
#include <utility>

#include "core/memory.hpp"
#include "eval/cells.hpp"
#include "probes/engine.hpp"
#include "reports/flips.hpp"
#include "topology/builder.hpp"
#include "nft/apply.hpp"
#include "topology/keep.hpp"
#include "topology/nft_plan.hpp"

namespace nscheck::run {
namespace {

using Clock = std::chrono::steady_clock;
using scenario::Scenario;
using scenario::Stage;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string iso_now() {
  char buf[32];
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

std::size_t node_index(const topology::Plan& p, const std::string& name) {
  for (std::size_t i = 0; i < p.nodes.size(); ++i)
    if (p.nodes[i].name == name) return i;
  return 0;
}

/// Applies one nft batch in its node; errors say "FILE:LINE:COLUMN: node NAME: KEY: nft's message".
Result<void> apply_nft(const topology::Topology& topo, const topology::NftStep& step) {
  const std::string what = "node " + topo.plan().nodes[step.node].name + ": " + step.what;
  return nft::apply(topo.ns_fd(step.node), step.rules, {step.file, step.line, step.column, what, step.exact, step.lines_before});
}

/// Applies every node's own rulesets and short forms, once the links are up.
Result<void> apply_node_firewalls(const Scenario& s, const topology::Topology& topo) {
  for (std::size_t n = 0; n < s.nodes.size(); ++n)
    for (const auto& step : topology::node_nft_steps(s, n)) NS_CHECK(apply_nft(topo, step));
  return {};
}

/// A sysctl the running kernel does not have (its module is not built): the stage is skipped.
Result<void> write_stage_sysctls(topology::Topology& topo, std::size_t node,
                                 const std::vector<topology::SysctlWrite>& writes) {
  auto r = topo.write_sysctls(node, writes);
  if (!r && r.error().errnum == ENOENT)
    return Error{r.error().message + " (the running kernel lacks this sysctl)", EOPNOTSUPP, ErrorKind::environment};
  return r;
}

/// Applies one [[stages.change]].
Result<void> apply_change(const Scenario& s, topology::Topology& topo, const scenario::Change& c) {
  using Kind = scenario::Change::Kind;
  const auto& plan = topo.plan();
  const std::size_t node = node_index(plan, c.node);
  switch (c.kind) {
    case Kind::sysctl: {
      std::vector<topology::SysctlWrite> writes;
      for (const auto& y : c.sysctls) writes.push_back(topology::plan_sysctl(plan.nodes[node], y));
      return write_stage_sysctls(topo, node, writes);
    }
    case Kind::route_add: return topo.add_routes(node, {topology::plan_route(plan.nodes[node], *c.route)});
    case Kind::nft:
    case Kind::nft_replace:
    case Kind::nft_flush:
    case Kind::nat: return apply_nft(topo, topology::change_nft_step(s, node, c));
    case Kind::link_up: return topo.set_link(node, c.ifname, true);
    case Kind::link_down: return topo.set_link(node, c.ifname, false);
    case Kind::link_mtu: return topo.set_mtu(node, c.ifname, c.mtu);
    case Kind::route_del: return topo.delete_route(node, topology::plan_route(plan.nodes[node], *c.route));
  }
  return {};
}

/// Applies a stage's sysctls (in order, consecutive writes to one node together), routes, then
/// its [[stages.change]] entries in the order written.
Result<void> apply_changes(const Scenario& s, topology::Topology& topo, const Stage& st) {
  const auto& plan = topo.plan();
  for (std::size_t k = 0; k < st.sysctls.size();) {
    const std::size_t node = node_index(plan, st.sysctls[k].node);
    std::vector<topology::SysctlWrite> writes;
    for (; k < st.sysctls.size() && st.sysctls[k].node == plan.nodes[node].name; ++k)
      writes.push_back(topology::plan_sysctl(plan.nodes[node], st.sysctls[k].sysctl));
    NS_CHECK(write_stage_sysctls(topo, node, writes));
  }
  for (const auto& r : st.routes) {
    const std::size_t node = node_index(plan, r.node);
    NS_CHECK(topo.add_routes(node, {topology::plan_route(plan.nodes[node], r.route)}));
  }
  for (const auto& c : st.changes)
    if (auto r = apply_change(s, topo, c); !r)  // nft's own errors already point into the file
      return r.error().kind == ErrorKind::input ? r.error()
                                                : r.error().with_context(s.path + ":" + std::to_string(c.loc.line));
  return {};
}

/// Conntrack entries of the previous stage must not decide this one (probes use fresh flows
/// too): the tables of nodes with nftables rules are flushed.
Result<void> flush_conntrack(topology::Topology& topo, const std::vector<bool>& with_nft) {
  for (std::size_t n = 0; n < with_nft.size(); ++n)
    if (with_nft[n]) NS_CHECK(topo.flush_conntrack(n));
  return {};
}

report::Stage empty_stage(const Stage& st) {
  report::Stage rs;
  rs.name = st.name;
  rs.line = st.loc.line;
  rs.deadline_ms = static_cast<int>(st.probe.deadline.count());
  rs.count = st.probe.count;
  for (const auto& m : st.matrices) rs.matrices.push_back({m.probe.text(), m.rows, m.columns});
  return rs;
}

void add_not_run(const Scenario& s, const Stage& st, const std::vector<eval::CellKey>& keys, const std::string& why,
                 eval::CellTexts& texts, report::Stage& rs) {
  const report::SharedText reason(why);
  rs.cells.reserve(rs.cells.size() + keys.size());
  for (const auto& c : keys) rs.cells.push_back(eval::not_run(s, st, c, reason, texts));
}

void mark_not_run(const Scenario& s, const Stage& st, report::Stage& rs, const std::string& why,
                  eval::CellTexts& texts) {
  add_not_run(s, st, eval::plan_keys(s, st), why, texts, rs);
}

/// The kernel cannot do what was asked (nf_tables, NAT missing): the cells are skipped, not failed.
bool is_missing_feature(const Error& e) { return e.kind == ErrorKind::environment && e.errnum == EOPNOTSUPP; }

void mark_skipped(const Scenario& s, const Stage& st, report::Stage& rs, const std::string& why,
                  eval::CellTexts& texts) {
  const auto keys = eval::plan_keys(s, st);
  const report::SharedText reason(why);
  rs.cells.clear();
  rs.cells.reserve(keys.size());
  for (const auto& c : keys) rs.cells.push_back(eval::skipped(s, st, c, reason, texts));
}

std::vector<probes::ListenerSpec> listener_specs(const Scenario& s, const topology::Topology& topo,
                                                 const std::vector<eval::PlannedListener>& listeners) {
  std::vector<probes::ListenerSpec> specs;
  specs.reserve(listeners.size());
  for (const auto& l : listeners)
    specs.push_back({topo.ns_fd(l.node), l.kind, l.family, l.port, "node " + s.nodes[l.node].name});
  return specs;
}

/// A stage's plan as the runner keeps it: the probes to send and, in the same order, what
/// judging their results needs, with room for the verdicts.
struct StagePlan {
  std::vector<probes::Probe> probes;  ///< namespaces not yet set: see bind_namespaces
  std::vector<eval::CellKey> keys;
  std::vector<eval::PlannedListener> listeners;
  std::vector<report::Cell> cells;  ///< one default cell per probe, its pages faulted in
};

/// Pure (no topology needed): plans a stage's probes, keys and listeners, and makes room for its
/// verdicts. At 62,500 cells this is ~20 MB of fresh pages, so the first stage is planned while
/// the kernel builds the topology (see run_scenario).
StagePlan plan_stage(const Scenario& s, const Stage& st) {
  StagePlan plan;
  const std::size_t cells = eval::cell_count(s, st);
  reserve_populated(plan.probes, cells);
  reserve_populated(plan.keys, cells);
  plan.listeners = eval::stream_cells(s, st, [&](const eval::PlannedCell& c) {
    plan.probes.push_back({-1, c.bind_device, c.bind_address, c.destination, c.kind, c.port, c.listener});
    plan.keys.push_back(c.key());
  });
  reserve_populated(plan.cells, cells);
  plan.cells.resize(cells);
  return plan;
}

/// Each probe leaves from its source node's namespace.
void bind_namespaces(StagePlan& plan, const topology::Topology& topo) {
  for (std::size_t i = 0; i < plan.probes.size(); ++i) plan.probes[i].ns_fd = topo.ns_fd(plan.keys[i].source_node);
}

/// Runs one stage's probes into rs. Of the plan, only the keys live while the probes run; each
/// result is judged into its cell as the engine hands it over, so the results of a stage never
/// all exist at once. The engine takes the probes over and frees them once it has planned them.
Result<void> probe_stage(const Scenario& s, const Stage& st, StagePlan&& plan, topology::Topology& topo,
                         probes::ProbeEngine& engine, const std::atomic<bool>& stop, report::Stage& rs,
                         eval::CellTexts& texts) {
  bind_namespaces(plan, topo);
  auto& [batch, keys, listeners, judged] = plan;
  const auto specs = listener_specs(s, topo, listeners);
  std::vector<bool> seen(keys.size());
  bool stray = false;  // an index out of range or given twice
  const auto tr = Clock::now();
  auto ran = engine.run(std::move(batch), specs, {st.probe.deadline, st.probe.count, &stop},
                        [&](std::size_t i, probes::ProbeResult&& r) {
                          if (i >= keys.size() || seen[i]) return void(stray = true);
                          seen[i] = true;
                          judged[i] = eval::judge(s, st, keys[i], r, listeners, texts);
                        });
  rs.phases.emplace_back("probe_s", seconds_since(tr));
  if (!ran) {
    add_not_run(s, st, keys, "the probes could not run: " + ran.error().message, texts, rs);
    return ran.error().with_context("stage \"" + st.name + "\"");
  }
  if (stray || std::find(seen.begin(), seen.end(), false) != seen.end())
    return Error{"stage \"" + st.name + "\": the probe engine did not return exactly one result per probe", 0,
                 ErrorKind::internal};
  rs.cells = std::move(judged);
  return {};
}

/// Runs one stage's changes and probes into rs.
/// `ahead`: the stage's plan if it was made before the stage (else it is made here).
Result<void> run_stage(const Scenario& s, const Stage& st, std::optional<StagePlan> ahead, topology::Topology& topo,
                       probes::ProbeEngine& engine, const std::atomic<bool>& stop, report::Stage& rs,
                       eval::CellTexts& texts) {
  const auto tc = Clock::now();
  auto r = apply_changes(s, topo, st);
  rs.phases.emplace_back("changes_s", seconds_since(tc));
  if (!r) {
    if (!is_missing_feature(r.error()))
      mark_not_run(s, st, rs, "the stage's changes failed: " + r.error().message, texts);
    return r.error().kind == ErrorKind::input ? r.error() : r.error().with_context("stage \"" + st.name + "\"");
  }
  const auto tp = Clock::now();
  StagePlan plan = ahead ? std::move(*ahead) : plan_stage(s, st);
  rs.phases.emplace_back("plan_s", seconds_since(tp));
  return probe_stage(s, st, std::move(plan), topo, engine, stop, rs, texts);
}

/// Pins the topology (--keep); a failure to pin is a harness error of its own.
void keep_topology(const topology::Topology& topo, RunResult& out) {
  KeptRun kept{topology::new_run_id(), {}, {}};
  for (const auto& n : topo.plan().nodes) {
    kept.nodes.push_back(n.name);
    kept.names.push_back(topology::kept_name(kept.run_id, n.name));
  }
  if (auto r = topology::pin_namespaces(kept.run_id, kept.nodes, topo.ns_fds()); !r) {
    out.error = r.error();
    out.report.error = r.error().message;
    return;
  }
  out.kept = std::move(kept);
}

Stage with_overrides(Stage st, const RunOptions& o) {
  if (o.deadline) st.probe.deadline = *o.deadline;
  if (o.count) st.probe.count = *o.count;
  return st;
}

}  // namespace

RunResult run_scenario(const Scenario& s, const RunOptions& options, const std::atomic<bool>& stop) {
  RunResult out;
  auto& rep = out.report;
  rep.scenario_path = s.path;
  rep.scenario_name = s.name;
  rep.timestamp = iso_now();
  rep.hostname = host_name();
  auto t0 = Clock::now();
  topology::BuildTimings timings;
  const auto tp = Clock::now();
  const auto plan = topology::plan_topology(s);
  const double plan_s = seconds_since(tp);
  // The kernel builds the topology on a helper thread while this one plans the first stage: the
  // plan's memory stays in this thread's heap, where the probe engine reuses it once it has
  // taken the probes over.
  auto building = std::async(std::launch::async, [&] { return topology::Topology::build(plan, &timings); });
  std::optional<StagePlan> ahead;  // the first stage's plan, made before it is due
  const auto ta = Clock::now();
  if (!s.stages.empty()) ahead = plan_stage(s, s.stages[0]);
  const double ahead_s = seconds_since(ta);
  auto topo = building.get();
  rep.setup_phases = {{"plan_s", plan_s},
                      {"namespaces_s", timings.namespaces_s},
                      {"links_s", timings.links_s},
                      {"configure_s", timings.configure_s},
                      {"wait_up_s", timings.wait_up_s},
                      {"stage_plan_s", ahead_s}};
  const auto tf = Clock::now();
  std::optional<Error> missing;  // the kernel lacks what the node firewalls need: every stage is skipped
  if (topo)
    if (auto r = apply_node_firewalls(s, *topo); !r) (is_missing_feature(r.error()) ? missing : out.error) = r.error();
  rep.setup_phases.emplace_back("firewalls_s", seconds_since(tf));
  rep.setup_s = seconds_since(t0);
  report::TextPool pool;  // the cells of every stage share their names, addresses and reasons
  std::optional<probes::ProbeEngine> engine;
  if (topo) engine.emplace();
  const auto with_nft = topology::nodes_with_nft(s);
  for (std::size_t i = 0; i < s.stages.size(); ++i) {
    std::optional<Stage> overridden;  // a copy only when options change it: a stage may hold 100,000 cells
    if (options.deadline || options.count) overridden = with_overrides(s.stages[i], options);
    const Stage& st = overridden ? *overridden : s.stages[i];
    auto rs = empty_stage(st);
    eval::CellTexts texts(s, pool);
    auto planned = std::exchange(ahead, std::nullopt);  // only the first stage's; freed with this iteration
    const auto ts = Clock::now();
    if (!topo) {
      mark_not_run(s, st, rs, "the topology could not be built", texts);
    } else if (out.error || stop.load()) {
      mark_not_run(s, st, rs, out.error ? "an earlier step failed" : "the run was interrupted", texts);
    } else if (missing) {
      mark_skipped(s, st, rs, missing->message, texts);
    } else if (auto r = i == 0 ? Result<void>{} : flush_conntrack(*topo, with_nft); !r) {
      out.error = r.error().with_context("stage \"" + st.name + "\"");
      mark_not_run(s, st, rs, "conntrack could not be flushed: " + r.error().message, texts);
    } else if (auto r2 = run_stage(s, st, std::move(planned), *topo, *engine, stop, rs, texts); !r2) {
      if (is_missing_feature(r2.error())) {
        mark_skipped(s, st, rs, r2.error().message, texts);
      } else {
        rs.error = r2.error().message;
        out.error = r2.error();
      }
    }
    rs.time_s = seconds_since(ts);
    if (i > 0) report::mark_flips(rep.stages.back(), rs);
    rep.stages.push_back(std::move(rs));
  }
  if (!topo) out.error = topo.error().with_context("building the topology");
  if (out.error) rep.error = out.error->message;
  rep.interrupted = stop.load();
  t0 = Clock::now();
  engine.reset();
  if (topo && options.keep) keep_topology(*topo, out);
  if (topo) topo->close();
  rep.teardown_s = seconds_since(t0);
  return out;
}

}  // namespace nscheck::run
