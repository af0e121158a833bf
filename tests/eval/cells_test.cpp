#include "eval/cells.hpp"

#include <gtest/gtest.h>

#include "scenario/loader.hpp"

namespace nscheck::eval {
namespace {

constexpr const char* k_nat = R"(name = "dnat"
[nodes.client]
[nodes.router]
services = ["tcp/22"]
[nodes.server]
listen = ["tcp/80"]
[[links]]
a = { node = "client", ifname = "c0", addresses = ["192.0.2.1/24", "2001:db8::1/64"] }
b = { node = "router", ifname = "r0", addresses = ["192.0.2.254/24"] }
[[links]]
a = { node = "router", ifname = "r1", addresses = ["10.0.0.254/24"] }
b = { node = "server", ifname = "s0", addresses = ["10.0.0.1/24"] }
[[stages]]
[[stages.check]]
from = "client"
to = "192.0.2.254"
probe = "tcp/8080"
expect = "OK"
seen_from = "10.0.0.254"
answered_by = "server"
[[stages.check]]
from = "client"
to = "router"
probe = "tcp/22"
expect = "OK"
[[stages.check]]
from = "server"
to = "client"
probe = "udp/53"
expect = "OK"
)";

scenario::Scenario load() {
  auto s = scenario::parse_scenario(k_nat, "t.toml");
  EXPECT_TRUE(s) << s.error().message;
  return s ? *s : scenario::Scenario{};
}

TEST(PlanListeners, OnePerTargetNodeKindFamilyAndPortExceptServices) {
  const auto s = load();
  auto cells = plan_cells(s, s.stages.at(0));
  ASSERT_EQ(cells.size(), 5u);  // 1 + 2 router addresses + 2 client addresses
  EXPECT_EQ(cells[0].target_node, 1u) << "an address target's node is the one holding it";
  const auto listeners = plan_listeners(s, cells);
  // router tcp/8080 v4; client udp/53 v4 and v6; server listen tcp/80 v4 and v6
  ASSERT_EQ(listeners.size(), 5u);
  EXPECT_EQ(listeners[0], (PlannedListener{1, probes::ProbeKind::tcp, Family::v4, 8080}));
  EXPECT_EQ(cells[0].listener, 0u);
  EXPECT_FALSE(cells[1].listener.has_value()) << "tcp/22 is the router's own service";
  EXPECT_FALSE(cells[2].listener.has_value());
  EXPECT_EQ(listeners[1], (PlannedListener{0, probes::ProbeKind::udp, Family::v4, 53}));
  EXPECT_EQ(listeners[2], (PlannedListener{0, probes::ProbeKind::udp, Family::v6, 53}));
  EXPECT_EQ(cells[4].listener, 2u);
  EXPECT_EQ(listeners[3], (PlannedListener{2, probes::ProbeKind::tcp, Family::v4, 80}));
  EXPECT_EQ(listeners[4], (PlannedListener{2, probes::ProbeKind::tcp, Family::v6, 80}));
}

TEST(PlanCells, ExactSizeAndKeysWithoutThePlan) {
  const auto s = load();
  const auto cells = plan_cells(s, s.stages.at(0));
  EXPECT_EQ(cells.capacity(), cells.size());
  const auto keys = plan_keys(s, s.stages.at(0));
  ASSERT_EQ(keys.size(), cells.size());
  for (std::size_t i = 0; i < cells.size(); ++i) {
    EXPECT_EQ(keys[i].expectation, cells[i].expectation) << i;
    EXPECT_EQ(keys[i].source_node, cells[i].source_node) << i;
    EXPECT_EQ(keys[i].destination, cells[i].destination) << i;
  }
}

TEST(Judge, CellsShareTheTextsTheyRepeat) {
  const auto s = load();
  auto cells = plan_cells(s, s.stages.at(0));
  const auto listeners = plan_listeners(s, cells);
  report::TextPool pool;
  CellTexts texts(s, pool);
  probes::ProbeResult r;
  r.outcome = probes::Outcome::ng;
  r.reason = probes::Reason::timeout;
  r.detail = "no reply within 500 ms (2 requests sent)";
  const auto a = judge(s, s.stages[0], cells[1].key(), r, listeners, texts);  // client -> router, two addresses
  const auto b = judge(s, s.stages[0], cells[2].key(), r, listeners, texts);
  EXPECT_NE(a.address, b.address);
  for (auto field : {&report::Cell::source, &report::Cell::target, &report::Cell::column, &report::Cell::probe,
                     &report::Cell::reason, &report::Cell::detail}) {
    EXPECT_EQ(a.*field, b.*field);
    EXPECT_EQ((a.*field).view().data(), (b.*field).view().data()) << a.*field << " is not shared";
  }
  const auto skipped_cell = skipped(s, s.stages[0], cells[0].key(), "the kernel lacks nf_tables", texts);
  EXPECT_EQ(skipped_cell.observed, "SKIPPED");
  EXPECT_EQ(skipped_cell.status, report::CellStatus::skipped);
  EXPECT_EQ(skipped_cell.detail, "the kernel lacks nf_tables");
  EXPECT_EQ(skipped_cell.source.view().data(), a.source.view().data());
  const auto not_run_cell = not_run(s, s.stages[0], cells[0].key(), "the run was interrupted", texts);
  EXPECT_EQ(not_run_cell.observed, "NOT RUN");
  EXPECT_EQ(not_run_cell.reason, "not-run");
  EXPECT_EQ(not_run_cell.detail, "the run was interrupted");
  EXPECT_EQ(not_run_cell.expected, "OK");
}

/// A matrix (each row asks for its source once per column), an interface target, and checks
/// bound to an interface and to an address, beside TCP and UDP cells.
constexpr const char* k_mixed = R"(name = "mixed"
[nodes.a]
[nodes.b]
services = ["udp/53"]
[nodes.c]
listen = ["udp/7"]
[[links]]
a = { node = "a", ifname = "a0", addresses = ["192.0.2.1/24", "2001:db8::1/64"] }
b = { node = "b", ifname = "b0", addresses = ["192.0.2.2/24", "2001:db8::2/64"] }
[[links]]
a = { node = "b", ifname = "b1", addresses = ["198.51.100.2/24"] }
b = { node = "c", ifname = "c0", addresses = ["198.51.100.3/24"] }
[[stages]]
expect = """
   a   b   c
a  OK  OK  NG
b  OK  OK  OK
c  NG  OK  OK
"""
[[stages.check]]
from = "a"
to = "b:b1"
source = "a0"
expect = "OK"
[[stages.check]]
from = "a"
to = "c"
source = "192.0.2.1"
probe = "tcp/80"
expect = "NG"
[[stages.check]]
from = "c"
to = "b"
probe = "udp/53"
expect = "OK"
[[stages.check]]
from = "b"
to = "a"
probe = "udp/53"
expect = "OK"
)";

TEST(StreamCells, GivesPlanCellsAndPlanListenersInOnePass) {
  for (const char* text : {k_nat, k_mixed}) {
    auto s = scenario::parse_scenario(text, "t.toml");
    ASSERT_TRUE(s) << s.error().message;
    const auto& st = s->stages.at(0);
    auto cells = plan_cells(*s, st);
    const auto listeners = plan_listeners(*s, cells);
    EXPECT_EQ(cell_count(*s, st), cells.size());
    std::vector<PlannedCell> streamed;
    const auto streamed_listeners = stream_cells(*s, st, [&](const PlannedCell& c) { streamed.push_back(c); });
    EXPECT_EQ(streamed_listeners, listeners);
    ASSERT_EQ(streamed.size(), cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i) {
      EXPECT_EQ(streamed[i].expectation, cells[i].expectation) << i;
      EXPECT_EQ(streamed[i].source_node, cells[i].source_node) << i;
      EXPECT_EQ(streamed[i].target_node, cells[i].target_node) << i;
      EXPECT_EQ(streamed[i].bind_device, cells[i].bind_device) << i;
      EXPECT_EQ(streamed[i].bind_address, cells[i].bind_address) << i;
      EXPECT_EQ(streamed[i].destination, cells[i].destination) << i;
      EXPECT_EQ(streamed[i].kind, cells[i].kind) << i;
      EXPECT_EQ(streamed[i].port, cells[i].port) << i;
      EXPECT_EQ(streamed[i].listener, cells[i].listener) << i;
    }
  }
}

TEST(PlanCells, RowsColumnsBindingsAndListenersOfAMixedStage) {
  auto s = scenario::parse_scenario(k_mixed, "t.toml");
  ASSERT_TRUE(s) << s.error().message;
  const auto cells = plan_cells(*s, s->stages.at(0));
  // matrix: a -> a (2 addresses), b (3), c (1); b -> 2 + 3 + 1; c -> 2 + 3 + 1; then 1 + 1 + 3 + 2
  ASSERT_EQ(cells.size(), 18u + 7u);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(cells[i].source_node, 0u) << i;
  for (std::size_t i = 6; i < 12; ++i) EXPECT_EQ(cells[i].source_node, 1u) << i;
  for (std::size_t i = 12; i < 18; ++i) EXPECT_EQ(cells[i].source_node, 2u) << i;
  EXPECT_EQ(cells[2].target_node, 1u);
  EXPECT_EQ(cells[5].target_node, 2u);
  const auto& by_device = cells[18];
  EXPECT_EQ(by_device.bind_device, "a0");
  EXPECT_FALSE(by_device.bind_address);
  EXPECT_EQ(by_device.destination.str(), "198.51.100.2");
  const auto& by_address = cells[19];
  EXPECT_EQ(by_address.bind_device, "");
  EXPECT_EQ(by_address.bind_address, IpAddress::parse("192.0.2.1"));
  EXPECT_EQ(cells[17].bind_device, "");
  EXPECT_FALSE(cells[17].bind_address);
}

probes::ProbeResult ok_seen(std::size_t listener, const char* peer) {
  probes::ProbeResult r;
  r.outcome = probes::Outcome::ok;
  r.reason = probes::Reason::reply;
  r.detail = "handshake completed in 0.100 ms";
  r.seen = probes::Seen{listener, *IpAddress::parse(peer), 40000, *IpAddress::parse("10.0.0.1"), 80};
  return r;
}

TEST(JudgeSeen, MatchingSourceAndNodePass) {
  const auto s = load();
  auto cells = plan_cells(s, s.stages[0]);
  const auto listeners = plan_listeners(s, cells);
  report::TextPool pool;
  CellTexts texts(s, pool);
  const auto cell = judge(s, s.stages[0], cells[0].key(), ok_seen(3, "10.0.0.254"), listeners, texts);
  EXPECT_EQ(cell.status, report::CellStatus::pass) << cell.detail;
  EXPECT_EQ(cell.seen_from, "10.0.0.254:40000");
  EXPECT_EQ(cell.answered_by, "server");
  EXPECT_EQ(cell.detail, "handshake completed in 0.100 ms; server saw it from 10.0.0.254:40000 at 10.0.0.1:80");
}

TEST(JudgeSeen, AnotherSourceIsAMismatchOfItsOwnKind) {
  const auto s = load();
  auto cells = plan_cells(s, s.stages[0]);
  const auto listeners = plan_listeners(s, cells);
  report::TextPool pool;
  CellTexts texts(s, pool);
  const auto cell = judge(s, s.stages[0], cells[0].key(), ok_seen(3, "192.0.2.1"), listeners, texts);
  EXPECT_EQ(cell.status, report::CellStatus::fail);
  EXPECT_EQ(cell.observed, "OK");
  EXPECT_EQ(cell.reason, "seen-from-mismatch");
  EXPECT_EQ(cell.detail.substr(0, 72), "the destination saw the source as 192.0.2.1, expected 10.0.0.254; handsh");
}

TEST(JudgeSeen, AnotherNodeAnsweringIsAMismatch) {
  const auto s = load();
  auto cells = plan_cells(s, s.stages[0]);
  const auto listeners = plan_listeners(s, cells);
  report::TextPool pool;
  CellTexts texts(s, pool);
  const auto cell =
      judge(s, s.stages[0], cells[0].key(), ok_seen(0, "10.0.0.254"), listeners, texts);  // the router's own
  EXPECT_EQ(cell.status, report::CellStatus::fail);
  EXPECT_EQ(cell.reason, "answered-by-mismatch");
  EXPECT_EQ(cell.detail.substr(0, 40), "answered by node router, expected server");
}

TEST(JudgeSeen, NothingSeenFailsAnAssertion) {
  const auto s = load();
  auto cells = plan_cells(s, s.stages[0]);
  const auto listeners = plan_listeners(s, cells);
  report::TextPool pool;
  CellTexts texts(s, pool);
  auto r = ok_seen(3, "10.0.0.254");
  r.seen.reset();
  const auto cell = judge(s, s.stages[0], cells[0].key(), r, listeners, texts);
  EXPECT_EQ(cell.status, report::CellStatus::fail);
  EXPECT_EQ(cell.reason, "not-seen");
  // without an assertion, nothing seen is fine (a service of the user's own)
  EXPECT_EQ(judge(s, s.stages[0], cells[1].key(), r, listeners, texts).status, report::CellStatus::pass);
}

TEST(JudgeSeen, AnNgIsNotJudgedOnWhatWasSeen) {
  const auto s = load();
  auto cells = plan_cells(s, s.stages[0]);
  const auto listeners = plan_listeners(s, cells);
  report::TextPool pool;
  CellTexts texts(s, pool);
  probes::ProbeResult r;
  r.outcome = probes::Outcome::ng;
  r.reason = probes::Reason::timeout;
  const auto cell = judge(s, s.stages[0], cells[0].key(), r, listeners, texts);
  EXPECT_EQ(cell.status, report::CellStatus::fail);
  EXPECT_EQ(cell.reason, "timeout") << "the mismatch is the NG, not what was seen";
  EXPECT_EQ(cell.probe, "tcp/8080");
}

}  // namespace
}  // namespace nscheck::eval
