#include "reports/junit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "reports/console.hpp"
#include "reports/file.hpp"
#include "reports/flips.hpp"
#include "reports/summary.hpp"
#include "reports/text.hpp"

namespace nscheck::report {
namespace {

// ---- what goes into the document (already sanitized, not yet escaped) --------------
//
// The document is written as it is made: the counts that open <testsuites> and each <testsuite>
// are taken from the cells first, then every testcase is made, written and dropped.

enum class Outcome { pass, failure, error, skipped };

/// One <testcase>.
struct Case {
  std::string name;
  double time_s = 0;
  Outcome outcome = Outcome::pass;
  std::string type;     // failure/error type attribute
  std::string message;  // failure/error message attribute, or the <skipped> text
  std::string body;     // failure/error text
  std::string system_out;
};

/// How many testcases of a suite ended each way.
struct Tally {
  int tests = 0, failures = 0, errors = 0, skipped = 0;

  void add(Outcome o) {
    ++tests;
    failures += o == Outcome::failure;
    errors += o == Outcome::error;
    skipped += o == Outcome::skipped;
  }
  Tally& operator+=(const Tally& t) {
    tests += t.tests, failures += t.failures, errors += t.errors, skipped += t.skipped;
    return *this;
  }
};

/// A <testsuite> without its testcases. Every testcase of a suite has the same classname.
struct Suite {
  std::string name;
  std::string package;
  std::string classname;
  double time_s = 0;
  std::vector<std::pair<std::string, std::string>> properties;
  Tally tally;
};

constexpr std::string_view k_stage_error_name = "stage error";

// Jenkins splits a classname at its last '.' into package and class: a dot in a stage
// name would move part of the stage into the package.
std::string stage_classname(const Run& run, const Stage& st) {
  std::string stage = st.name;
  for (char& c : stage) {
    if (c == '.') c = '_';
  }
  return one_line(scenario_stem(run) + "." + stage);
}

std::string package(const Run& run) { return one_line(scenario_stem(run)); }

std::string case_name(const Cell& c) {
  return one_line(c.probe == "icmp" ? "icmp " + cell_label(c) : cell_label(c));  // the label names other kinds
}

Outcome outcome_of(CellStatus status) {
  switch (status) {
    case CellStatus::pass: return Outcome::pass;
    case CellStatus::fail: return Outcome::failure;
    case CellStatus::error: return Outcome::error;
    case CellStatus::not_run:
    case CellStatus::skipped: return Outcome::skipped;
  }
  return Outcome::error;
}

std::string cell_body(const Run& run, const Stage& st, const Cell& c) {
  std::string seen;
  if (!c.seen_from.empty())
    seen = fmt::format("seen:     from {} by node {}\n", c.seen_from.view(), c.answered_by.view());
  return fmt::format(
      "expected: {}\nobserved: {}\n{}probe:    {}, {} ms deadline, {} requests\nscenario: {} (stage \"{}\")\n",
      c.expected.name(), observation(c), seen, case_name(c), st.deadline_ms, st.count, scenario_place(run, c.line),
      st.name);
}

std::string not_run_text(const Run& run, const Stage& st, const Cell& c) {
  if (!c.detail.empty()) return "not run: " + c.detail;
  if (!st.error.empty()) return "not run: the stage stopped on an error";
  if (run.interrupted) return "not run: the run was interrupted";
  return "not run";
}

// A flipped cell says so in its <system-out>: "flipped vs "forwarding off": NG → OK (expected)".
std::string flip_text(const Cell& c, const std::string& vs) {
  if (c.flip == Flip::none) return "";
  return fmt::format("flipped vs {}: {} ({})\n", vs, flip_change(c), flip_name(c.flip));
}

Case cell_case(const Run& run, const Stage& st, const Cell& c, const std::string& vs) {
  Case k{case_name(c), c.time_s, outcome_of(c.status)};
  k.system_out = flip_text(c, vs);
  switch (c.status) {
    case CellStatus::pass: break;
    case CellStatus::fail:
      k.type = "mismatch";
      k.message = fmt::format("expected {}, observed {}{}", c.expected.name(), c.observed.name(),
                              c.reason.empty() ? "" : ": " + c.reason);
      if (c.observed == c.expected) {  // it arrived, but not as asserted (seen_from, answered_by)
        k.type = c.reason.str();
        k.message = one_line(c.detail);
      }
      k.body = cell_body(run, st, c);
      break;
    case CellStatus::error:
      k.type = "harness-error";
      k.message = "harness error: " + one_line(c.detail.empty() ? c.reason : c.detail);
      k.body = cell_body(run, st, c);
      break;
    case CellStatus::not_run: k.message = not_run_text(run, st, c); break;
    case CellStatus::skipped:
      k.message = "skipped: " + (c.detail.empty() ? std::string("the kernel lacks a feature") : c.detail.str());
      break;
  }
  return k;
}

Case stage_error_case(const Run& run, const Stage& st) {
  return Case{std::string(k_stage_error_name),
              0,
              Outcome::error,
              "stage-error",
              one_line(st.error),
              fmt::format("{}\nscenario: {} (stage \"{}\")\n", st.error, scenario_place(run, st.line), st.name)};
}

/// Names must be unique within a suite: the second and later cases of a name get " #2", " #3".
/// Only names whose hash comes more than once are counted by name, so a stage of 100,000
/// cells keeps 100,000 hashes, not 100,000 names.
class UniqueNames {
 public:
  /// `hashes`: of every case name of the suite.
  explicit UniqueNames(std::vector<std::size_t> hashes) : repeated_(std::move(hashes)) {
    std::sort(repeated_.begin(), repeated_.end());
    auto last = repeated_.begin();  // keeps one copy of each hash that comes twice or more
    for (auto it = repeated_.begin(); it != repeated_.end();) {
      const auto next = std::upper_bound(it, repeated_.end(), *it);
      if (next - it > 1) *last++ = *it;
      it = next;
    }
    repeated_.erase(last, repeated_.end());
  }

  /// The case, renamed if an earlier case of the suite had its name.
  Case operator()(Case k) {
    if (!std::binary_search(repeated_.begin(), repeated_.end(), hash(k.name))) return k;
    const int n = ++seen_[k.name];
    if (n > 1) k.name += fmt::format(" #{}", n);
    return k;
  }

  static std::size_t hash(std::string_view name) { return std::hash<std::string_view>{}(name); }

 private:
  std::vector<std::size_t> repeated_;
  std::unordered_map<std::string, int> seen_;
};

UniqueNames unique_names(const Stage& st) {
  std::vector<std::size_t> hashes;
  hashes.reserve(st.cells.size() + 1);
  for (const auto& c : st.cells) hashes.push_back(UniqueNames::hash(case_name(c)));
  if (!st.error.empty()) hashes.push_back(UniqueNames::hash(k_stage_error_name));
  return UniqueNames(std::move(hashes));
}

Tally stage_tally(const Stage& st) {
  Tally t;
  for (const auto& c : st.cells) t.add(outcome_of(c.status));
  if (!st.error.empty()) t.add(Outcome::error);
  return t;
}

Suite stage_suite(const Run& run, std::size_t index) {
  const Stage& st = run.stages[index];
  Suite s{one_line(run.scenario_name + " / " + st.name), package(run), stage_classname(run, st), st.time_s};
  const FlipCounts flips = count_flips(st);
  s.properties = {{"scenario", run.scenario_path},
                  {"stage.line", std::to_string(st.line)},
                  {"deadline_ms", std::to_string(st.deadline_ms)},
                  {"count", std::to_string(st.count)},
                  {"flips.expected", std::to_string(flips.expected)},
                  {"flips.unexpected", std::to_string(flips.unexpected)}};
  s.tally = stage_tally(st);
  return s;
}

/// The run-level suite: a handful of testcases, kept until written.
struct RunSuite {
  Suite suite;
  std::vector<Case> cases;
  std::string system_out;
};

Case interrupted_case(const Run& run) {
  const int not_run = count_cells(run).not_run;
  std::string message = "the run was interrupted by a signal";
  if (not_run > 0) message += "; " + plural(not_run, "cell", "cells") + " not run";
  std::string body = message + "\nscenario: " + run.scenario_path + "\n";
  return Case{"interrupted", 0, Outcome::error, "interrupted", std::move(message), std::move(body)};
}

// The run-level suite exists when something outside the stages needs reporting,
// or when there are no stages at all (an empty <testsuites> would hide that).
std::optional<RunSuite> run_suite(const Run& run) {
  if (run.error.empty() && !run.interrupted && !run.stages.empty()) return std::nullopt;
  RunSuite r{{one_line(run.scenario_name + " / run"), package(run), package(run), run.setup_s + run.teardown_s}};
  r.suite.properties = {
      {"scenario", run.scenario_path}, {"setup_s", seconds(run.setup_s)}, {"teardown_s", seconds(run.teardown_s)}};
  if (!run.error.empty()) {
    r.cases.push_back(Case{"run", 0, Outcome::error, "run-error", one_line(run.error),
                           run.error + "\nscenario: " + run.scenario_path + "\n"});
  }
  if (run.interrupted) r.cases.push_back(interrupted_case(run));
  if (r.cases.empty()) {
    r.cases.push_back(Case{"run"});
    r.system_out = "the scenario has no stages\n";
  }
  for (const auto& k : r.cases) r.suite.tally.add(k.outcome);
  return r;
}

// ---- writing ------------------------------------------------------------------------

/// ` name="value"`, the value escaped.
void attribute(Output& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  append_xml_attr(out, value);
  out += '"';
}

/// `<tag>text</tag>` on a line of its own at `indent`, the text escaped.
void text_element(Output& out, std::size_t indent, std::string_view tag, std::string_view text) {
  out.fill(indent, ' ');
  out.format("<{}>", tag);
  append_xml_text(out, text);
  out.format("</{}>\n", tag);
}

void write_outcome(Output& out, const Case& k) {
  switch (k.outcome) {
    case Outcome::pass: return;
    case Outcome::skipped:
      // Jenkins' junit-4 schema allows <skipped> only as plain text, without a message attribute
      return text_element(out, 6, "skipped", k.message);
    case Outcome::failure:
    case Outcome::error: break;
  }
  const std::string_view tag = k.outcome == Outcome::failure ? "failure" : "error";
  out.format("      <{}", tag);
  attribute(out, "message", one_line(k.message));
  attribute(out, "type", k.type);
  out += '>';
  append_xml_text(out, k.body);
  out.format("</{}>\n", tag);
}

// Element order follows Jenkins' junit-4 schema: skipped, error or failure, then system-out.
void write_case(Output& out, std::string_view classname, const Case& k) {
  out += "    <testcase";
  attribute(out, "classname", classname);
  attribute(out, "name", k.name);
  attribute(out, "time", seconds(k.time_s));
  if (k.outcome == Outcome::pass && k.system_out.empty()) {
    out += "/>\n";
    return;
  }
  out += ">\n";
  write_outcome(out, k);
  if (!k.system_out.empty()) text_element(out, 6, "system-out", k.system_out);
  out += "    </testcase>\n";
}

void write_properties(Output& out, const Suite& s) {
  if (s.properties.empty()) return;
  out += "    <properties>\n";
  for (const auto& [name, value] : s.properties) {
    out += "      <property";
    attribute(out, "name", name);
    attribute(out, "value", value);
    out += "/>\n";
  }
  out += "    </properties>\n";
}

// Element order follows Jenkins' junit-4 schema: properties, testcases, system-out.
void write_suite_open(Output& out, const Run& run, const Suite& s, std::size_t id) {
  const Tally& t = s.tally;
  out += "  <testsuite";
  attribute(out, "name", s.name);
  out.format(" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"", t.tests, t.failures, t.errors, t.skipped);
  attribute(out, "time", seconds(s.time_s));
  if (!run.timestamp.empty()) attribute(out, "timestamp", run.timestamp);
  if (!run.hostname.empty()) attribute(out, "hostname", run.hostname);
  out.format(" id=\"{}\"", id);
  attribute(out, "package", s.package);
  out += ">\n";
  write_properties(out, s);
}

void write_suite_close(Output& out, std::string_view system_out) {
  if (!system_out.empty()) text_element(out, 4, "system-out", system_out);
  out += "  </testsuite>\n";
}

void write_stage_suite(Output& out, const Run& run, std::size_t index) {
  const Stage& st = run.stages[index];
  const Suite s = stage_suite(run, index);
  write_suite_open(out, run, s, index);
  UniqueNames unique = unique_names(st);
  const std::string vs = previous_stage(run, index);
  for (const auto& c : st.cells) write_case(out, s.classname, unique(cell_case(run, st, c, vs)));
  if (!st.error.empty()) write_case(out, s.classname, unique(stage_error_case(run, st)));
  write_suite_close(out, console_stage(run, index, ConsoleOptions{.colour = false}));
}

void write_document(Output& out, const Run& run) {
  const auto extra = run_suite(run);
  Tally total = extra ? extra->suite.tally : Tally{};
  double time_s = run.setup_s + run.teardown_s;
  for (const auto& st : run.stages) {
    total += stage_tally(st);
    time_s += st.time_s;
  }
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites";
  attribute(out, "name", one_line(run.scenario_name));
  out.format(" tests=\"{}\" failures=\"{}\" errors=\"{}\"", total.tests, total.failures, total.errors);
  attribute(out, "time", seconds(time_s));
  out += ">\n";
  for (std::size_t i = 0; i < run.stages.size(); ++i) write_stage_suite(out, run, i);
  if (extra) {
    write_suite_open(out, run, extra->suite, run.stages.size());
    for (const auto& k : extra->cases) write_case(out, extra->suite.classname, k);
    write_suite_close(out, extra->system_out);
  }
  out += "</testsuites>\n";
}

}  // namespace

void write_junit(const Run& run, Output& out) {
  std::optional<Run> copy;
  write_document(out, sanitized_view(run, Lines::keep, copy));
}

std::string junit_xml(const Run& run) {
  Output out;
  write_junit(run, out);
  return out.take();
}

Result<void> write_junit_file(const Run& run, const std::string& path) {
  return write_file_atomic(path, [&run](Output& out) { write_junit(run, out); });
}

}  // namespace nscheck::report
