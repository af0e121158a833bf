#include "reports/junit.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>
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

enum class Outcome { pass, failure, error, skipped };

struct Case {
  std::string classname;
  std::string name;
  double time_s = 0;
  Outcome outcome = Outcome::pass;
  std::string type;     // failure/error type attribute
  std::string message;  // failure/error message attribute, or the <skipped> text
  std::string body;     // failure/error text
  std::string system_out;
};

struct Suite {
  std::string name;
  std::string package;
  double time_s = 0;
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<Case> cases;
  std::string system_out;
};

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

std::string cell_body(const Run& run, const Stage& st, const Cell& c) {
  std::string seen;
  if (!c.seen_from.empty()) seen = fmt::format("seen:     from {} by node {}\n", c.seen_from, c.answered_by);
  return fmt::format(
      "expected: {}\nobserved: {}\n{}probe:    {}, {} ms deadline, {} requests\nscenario: {} (stage \"{}\")\n",
      c.expected, observation(c), seen, case_name(c), st.deadline_ms, st.count, scenario_place(run, c.line), st.name);
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
  Case k{stage_classname(run, st), case_name(c), c.time_s};
  k.system_out = flip_text(c, vs);
  switch (c.status) {
    case CellStatus::pass: break;
    case CellStatus::fail:
      k.outcome = Outcome::failure, k.type = "mismatch";
      k.message =
          fmt::format("expected {}, observed {}{}", c.expected, c.observed, c.reason.empty() ? "" : ": " + c.reason);
      if (c.observed == c.expected) {  // it arrived, but not as asserted (seen_from, answered_by)
        k.type = c.reason;
        k.message = one_line(c.detail);
      }
      k.body = cell_body(run, st, c);
      break;
    case CellStatus::error:
      k.outcome = Outcome::error, k.type = "harness-error";
      k.message = "harness error: " + one_line(c.detail.empty() ? c.reason : c.detail);
      k.body = cell_body(run, st, c);
      break;
    case CellStatus::not_run:
      k.outcome = Outcome::skipped;
      k.message = not_run_text(run, st, c);
      break;
    case CellStatus::skipped:
      k.outcome = Outcome::skipped;
      k.message = "skipped: " + (c.detail.empty() ? std::string("the kernel lacks a feature") : c.detail);
      break;
  }
  return k;
}

Case stage_error_case(const Run& run, const Stage& st) {
  return Case{stage_classname(run, st),
              "stage error",
              0,
              Outcome::error,
              "stage-error",
              one_line(st.error),
              fmt::format("{}\nscenario: {} (stage \"{}\")\n", st.error, scenario_place(run, st.line), st.name)};
}

// Names must be unique within a classname; a cell listed twice gets " #2", " #3".
void make_names_unique(std::vector<Case>& cases) {
  std::map<std::string, int> seen;
  for (auto& k : cases) {
    const int n = ++seen[k.name];
    if (n > 1) k.name += fmt::format(" #{}", n);
  }
}

Suite stage_suite(const Run& run, std::size_t index) {
  const Stage& st = run.stages[index];
  Suite s{one_line(run.scenario_name + " / " + st.name), package(run), st.time_s};
  const FlipCounts flips = count_flips(st);
  s.properties = {{"scenario", run.scenario_path},
                  {"stage.line", std::to_string(st.line)},
                  {"deadline_ms", std::to_string(st.deadline_ms)},
                  {"count", std::to_string(st.count)},
                  {"flips.expected", std::to_string(flips.expected)},
                  {"flips.unexpected", std::to_string(flips.unexpected)}};
  const std::string vs = previous_stage(run, index);
  for (const auto& c : st.cells) s.cases.push_back(cell_case(run, st, c, vs));
  if (!st.error.empty()) s.cases.push_back(stage_error_case(run, st));
  make_names_unique(s.cases);
  s.system_out = console_stage(run, index, ConsoleOptions{.colour = false});
  return s;
}

Case interrupted_case(const Run& run) {
  const int not_run = count_cells(run).not_run;
  std::string message = "the run was interrupted by a signal";
  if (not_run > 0) message += "; " + plural(not_run, "cell", "cells") + " not run";
  return Case{package(run),
              "interrupted",
              0,
              Outcome::error,
              "interrupted",
              message,
              message + "\nscenario: " + run.scenario_path + "\n"};
}

// The run-level suite exists when something outside the stages needs reporting,
// or when there are no stages at all (an empty <testsuites> would hide that).
std::optional<Suite> run_suite(const Run& run) {
  if (run.error.empty() && !run.interrupted && !run.stages.empty()) return std::nullopt;
  Suite s{one_line(run.scenario_name + " / run"), package(run), run.setup_s + run.teardown_s};
  s.properties = {
      {"scenario", run.scenario_path}, {"setup_s", seconds(run.setup_s)}, {"teardown_s", seconds(run.teardown_s)}};
  if (!run.error.empty()) {
    s.cases.push_back(Case{package(run), "run", 0, Outcome::error, "run-error", one_line(run.error),
                           run.error + "\nscenario: " + run.scenario_path + "\n"});
  }
  if (run.interrupted) s.cases.push_back(interrupted_case(run));
  if (s.cases.empty()) {
    s.cases.push_back(Case{package(run), "run"});
    s.system_out = "the scenario has no stages\n";
  }
  return s;
}

std::vector<Suite> all_suites(const Run& run) {
  std::vector<Suite> suites;
  for (std::size_t i = 0; i < run.stages.size(); ++i) suites.push_back(stage_suite(run, i));
  if (auto s = run_suite(run)) suites.push_back(std::move(*s));
  return suites;
}

// ---- counting and rendering --------------------------------------------------------

struct Tally {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  double time_s = 0;
};

Tally tally(const Suite& s) {
  Tally t{static_cast<int>(s.cases.size())};
  for (const auto& k : s.cases) {
    t.failures += k.outcome == Outcome::failure;
    t.errors += k.outcome == Outcome::error;
    t.skipped += k.outcome == Outcome::skipped;
  }
  t.time_s = s.time_s;
  return t;
}

std::string render_outcome(const Case& k) {
  switch (k.outcome) {
    case Outcome::pass: return "";
    case Outcome::skipped:
      // Jenkins' junit-4 schema allows <skipped> only as plain text, without a message attribute
      return fmt::format("      <skipped>{}</skipped>\n", xml_text(k.message));
    case Outcome::failure:
    case Outcome::error: break;
  }
  const char* tag = k.outcome == Outcome::failure ? "failure" : "error";
  return fmt::format("      <{} message=\"{}\" type=\"{}\">{}</{}>\n", tag, xml_attr(one_line(k.message)),
                     xml_attr(k.type), xml_text(k.body), tag);
}

// Element order follows Jenkins' junit-4 schema: skipped, error or failure, then system-out.
std::string render_case(const Case& k) {
  std::string open = fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"", xml_attr(k.classname),
                                 xml_attr(k.name), seconds(k.time_s));
  std::string inner = render_outcome(k);
  if (!k.system_out.empty()) inner += fmt::format("      <system-out>{}</system-out>\n", xml_text(k.system_out));
  if (inner.empty()) return open + "/>\n";
  return fmt::format("{}>\n{}    </testcase>\n", open, inner);
}

std::string render_properties(const Suite& s) {
  if (s.properties.empty()) return "";
  std::string out = "    <properties>\n";
  for (const auto& [name, value] : s.properties) {
    out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_attr(name), xml_attr(value));
  }
  return out + "    </properties>\n";
}

std::string suite_open(const Run& run, const Suite& s, std::size_t id) {
  const Tally t = tally(s);
  std::string out =
      fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\"",
                  xml_attr(s.name), t.tests, t.failures, t.errors, t.skipped, seconds(s.time_s));
  if (!run.timestamp.empty()) out += fmt::format(" timestamp=\"{}\"", xml_attr(run.timestamp));
  if (!run.hostname.empty()) out += fmt::format(" hostname=\"{}\"", xml_attr(run.hostname));
  return out + fmt::format(" id=\"{}\" package=\"{}\">\n", id, xml_attr(s.package));
}

// Element order follows Jenkins' junit-4 schema: properties, testcases, system-out.
std::string render_suite(const Run& run, const Suite& s, std::size_t id) {
  std::string out = suite_open(run, s, id) + render_properties(s);
  for (const auto& k : s.cases) out += render_case(k);
  if (!s.system_out.empty()) out += fmt::format("    <system-out>{}</system-out>\n", xml_text(s.system_out));
  return out + "  </testsuite>\n";
}

std::string render_document(const Run& run, const std::vector<Suite>& suites) {
  Tally total;
  for (const auto& s : suites) {
    const Tally t = tally(s);
    total.tests += t.tests, total.failures += t.failures, total.errors += t.errors;
  }
  total.time_s = run.setup_s + run.teardown_s;
  for (const auto& st : run.stages) total.time_s += st.time_s;
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">\n",
      xml_attr(one_line(run.scenario_name)), total.tests, total.failures, total.errors, seconds(total.time_s));
  for (std::size_t i = 0; i < suites.size(); ++i) out += render_suite(run, suites[i], i);
  return out + "</testsuites>\n";
}

}  // namespace

std::string junit_xml(const Run& run) {
  std::optional<Run> copy;
  const Run& clean = sanitized_view(run, Lines::keep, copy);
  return render_document(clean, all_suites(clean));
}

Result<void> write_junit_file(const Run& run, const std::string& path) {
  return write_file_atomic(path, junit_xml(run));
}

}  // namespace nscheck::report
