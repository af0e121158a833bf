#include "reports/sample_runs.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <string_view>

#include "reports/flips.hpp"

namespace nscheck::report::fixtures {
namespace {

constexpr const char* k_ns1 = "192.0.2.1";
constexpr const char* k_router_left = "192.0.2.254";
constexpr const char* k_router_right = "198.51.100.254";
constexpr const char* k_ns2 = "198.51.100.1";
constexpr const char* k_ns2_v6 = "2001:db8:2::1";

Cell ok(const char* source, const char* column, const char* address, int line) {
  Cell c = cell(source, column, address, Verdict::ok, Verdict::ok, CellStatus::pass, line);
  c.reason = "reply";
  c.detail = "echo reply in 0.061 ms";
  c.time_s = 0.000061;
  return c;
}

Cell timeout(const char* source, const char* column, const char* address, Verdict expected, int line) {
  const bool as_expected = expected == Verdict::ng;
  Cell c =
      cell(source, column, address, expected, Verdict::ng, as_expected ? CellStatus::pass : CellStatus::fail, line);
  c.reason = "timeout";
  c.detail = "no reply within 500 ms";
  c.time_s = 0.5;
  return c;
}

Cell bind_error() {
  Cell c = cell("router", "ns1", k_ns1, Verdict::ok, Verdict::error, CellStatus::error, 26);
  c.source_bind = "router-eth9";
  c.detail = "SO_BINDTODEVICE router-eth9: No such device";
  c.sent = 0;
  return c;
}

Cell skipped(const char* source, const char* column, const char* address, int line) {
  Cell c = cell(source, column, address, Verdict::ok, Verdict::skipped, CellStatus::skipped, line);
  c.detail = "the kernel lacks IPv6 (no sysctl net.ipv6.conf.all.forwarding)";
  c.sent = 0;
  return c;
}

Cell not_run(Cell c) {
  c.observed = Verdict::not_run;
  c.status = CellStatus::not_run;
  c.reason = {};
  c.detail = {};
  c.sent = 0;
  c.time_s = 0;
  return c;
}

Cell not_run(const char* source, const char* column, const char* address, int line) {
  return not_run(cell(source, column, address, Verdict::ok, Verdict::not_run, CellStatus::not_run, line));
}

Verdict verdict_named(std::string_view name) {
  for (Verdict v : {Verdict::none, Verdict::ok, Verdict::ng, Verdict::error, Verdict::not_run, Verdict::skipped})
    if (v.name() == name) return v;
  ADD_FAILURE() << "no verdict is spelled \"" << name << "\"";
  return Verdict::none;
}

Stage base_stage(const char* name, int line, double time_s) {
  Stage st;
  st.name = name;
  st.line = line;
  st.time_s = time_s;
  st.deadline_ms = 500;
  st.count = 2;
  st.matrices = {{"icmp", {"ns1", "router", "ns2"}, {"ns1", "router", "ns2"}}};
  return st;
}

Stage forwarding_off() {
  Stage st = base_stage("forwarding off", 18, 0.538);
  st.phases = {{"changes_s", 0.004}, {"plan_s", 0.001}, {"probe_s", 0.532}};
  st.cells = {ok("ns1", "router", k_router_left, 20),
              ok("ns1", "router", k_router_right, 20),
              timeout("ns1", "ns2", k_ns2, Verdict::ng, 21),
              ok("ns2", "router", k_router_right, 22),
              ok("ns2", "router", k_router_left, 22),
              timeout("ns2", "ns1", k_ns1, Verdict::ok, 23),
              ok("router", "ns1", k_ns1, 24),
              ok("router", "ns2", k_ns2, 25),
              bind_error()};
  return st;
}

Stage forwarding_on() {
  Stage st = base_stage("forwarding on", 28, 0.047);
  st.cells = {ok("ns1", "ns2", k_ns2, 30),
              ok("ns2", "ns1", k_ns1, 31),
              ok("ns1", "router", k_router_left, 32),
              ok("ns1", "router", k_router_right, 32),
              ok("router", "ns2", k_ns2, 33),
              ok("ns2", "router", k_router_right, 34),
              skipped("ns1", "ns2", k_ns2_v6, 35)};
  return st;
}

Run base_run() {
  Run run;
  run.scenario_path = "scenarios/router.toml";
  run.scenario_name = "router";
  run.timestamp = "2024-05-14T09:30:00Z";
  run.hostname = "ci-runner-7";
  run.setup_s = 0.412;
  run.teardown_s = 0.087;
  return run;
}

}  // namespace

Cell cell(const char* source, const char* column, const char* address, Verdict expected, Verdict observed,
          CellStatus status, int line) {
  Cell c;
  c.source = source;
  c.target = column;
  c.column = column;
  c.address = address;
  c.probe = "icmp";
  c.expected = expected;
  c.observed = observed;
  c.status = status;
  c.sent = 2;
  c.line = line;
  return c;
}

Cell cell(const char* source, const char* column, const char* address, const char* expected, const char* observed,
          CellStatus status, int line) {
  return cell(source, column, address, verdict_named(expected), verdict_named(observed), status, line);
}

Run router_run() {
  Run run = base_run();
  Stage on = forwarding_on();
  on.cells.push_back(not_run("ns2", "router", k_router_left, 34));
  run.stages = {forwarding_off(), on};
  mark_flips(run.stages[0], run.stages[1]);
  run.interrupted = true;
  return run;
}

Run passing_run() {
  Run run = base_run();
  run.stages = {forwarding_on()};
  return run;
}

Run hostile_run() {
  Run run = base_run();
  run.scenario_path = "scenarios/<evil>&\"quote\"'.toml";
  run.scenario_name = "evil <&\"'> \x1b[31mred\x1b[0m \x01\x02\x7f";
  run.hostname = "host\x1b]0;title\x07name";
  Stage st = base_stage(
      "st\x01"
      "age <1> & \"q\" 'a' ]]> \x1b[1;31mbold",
      3, 0.1);
  st.matrices = {{"icmp", {"ns\x1b[1m1", "ns2\xff"}, {"ns2\xff", "<col>"}}};
  Cell bad = timeout("ns\x1b[1m1", "ns2\xff", "198.51.100.1", Verdict::ok, 5);
  bad.detail =
      "line1\nline2\ttab \x07"
      "bell \xc2\x9b"
      "31m c1 bad\xff\xfe utf8 \xc3\x28 surrogate \xed\xa0\x80 ok é ✗";
  Cell err = cell("ns\x1b[1m1", "<col>", "2001:db8::1", Verdict::ng, Verdict::error, CellStatus::error, 6);
  err.detail = "socket: <&\"'> \x1b[0m\r\n second line";
  err.time_s = std::nan("");  // NaN must not leak into the report
  st.cells = {bad, err, not_run("ns2\xff", "<col>", "::1", 7)};
  st.error = "stage <broke> & \"died\" \x1b[31m\x03";
  run.stages = {st};
  run.error = "run \x1b[2Jerror <&>";
  run.interrupted = true;
  return run;
}

Run interrupted_run() {
  Run run = base_run();
  Stage on = forwarding_on();
  for (std::size_t i = 2; i < on.cells.size(); ++i) {
    on.cells[i] = not_run(on.cells[i]);
  }
  run.stages = {forwarding_off(), on};
  run.interrupted = true;
  return run;
}

Run run_error_run() {
  Run run = base_run();
  run.error =
      "scenarios/router.toml: node router: dev router-eth0: RTM_NEWADDR 192.0.2.254/24: "
      "File exists (kernel: \"address already assigned\")";
  return run;
}

Run stage_error_run() {
  Run run = base_run();
  Stage st = forwarding_on();
  for (auto& c : st.cells) c = not_run(c);
  st.error = "node router: sysctl net.ipv4.ip_forward=1: Permission denied";
  run.stages = {forwarding_off(), st};
  return run;
}

Run empty_run() {
  Run run = base_run();
  return run;
}

}  // namespace nscheck::report::fixtures
