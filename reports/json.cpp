#include "reports/json.hpp"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "reports/flips.hpp"
#include "reports/summary.hpp"
#include "reports/text.hpp"

namespace nscheck::report {
namespace {

std::string str(const std::string& s) { return "\"" + json_string(s) + "\""; }

std::string num(double d) { return std::isfinite(d) ? fmt::format("{}", d) : "null"; }

std::string_view status_name(CellStatus s) {
  switch (s) {
    case CellStatus::pass: return "pass";
    case CellStatus::fail: return "mismatch";
    case CellStatus::error: return "error";
    case CellStatus::not_run: return "not-run";
    case CellStatus::skipped: return "skipped";
  }
  return "error";
}

std::string str_array(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const auto& s : items) quoted.push_back(str(s));
  return fmt::format("[{}]", fmt::join(quoted, ", "));
}

// Members of one object, one per line at the given indent.
std::string object(const std::vector<std::pair<std::string_view, std::string>>& members, int indent) {
  const std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
  std::vector<std::string> lines;
  for (const auto& [key, value] : members) lines.push_back(fmt::format("{}\"{}\": {}", pad, key, value));
  return fmt::format("{{\n{}\n{}}}", fmt::join(lines, ",\n"), std::string(static_cast<std::size_t>(indent), ' '));
}

template <class T, class F>
std::string array(const std::vector<T>& items, int indent, F&& render) {
  if (items.empty()) return "[]";
  const std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
  std::vector<std::string> parts;
  for (const auto& item : items) parts.push_back(pad + render(item, indent + 2));
  return fmt::format("[\n{}\n{}]", fmt::join(parts, ",\n"), std::string(static_cast<std::size_t>(indent), ' '));
}

std::string cell_json(const Cell& c, int indent) {
  return object({{"source", str(c.source)},
                 {"source_bind", str(c.source_bind)},
                 {"target", str(c.target)},
                 {"column", str(c.column)},
                 {"address", str(c.address)},
                 {"probe", str(c.probe)},
                 {"expected", str(c.expected)},
                 {"observed", str(c.observed)},
                 {"reason", str(c.reason)},
                 {"detail", str(c.detail)},
                 {"sent", std::to_string(c.sent)},
                 {"time_s", num(c.time_s)},
                 {"line", std::to_string(c.line)},
                 {"status", str(std::string(status_name(c.status)))},
                 {"seen_from", str(c.seen_from)},
                 {"answered_by", str(c.answered_by)},
                 {"previous", str(c.previous)},
                 {"flip", str(flip_name(c.flip))}},
                indent);
}

std::string counts_json(const Counts& c, int indent) {
  return object({{"cells", std::to_string(c.cells)},
                 {"passed", std::to_string(c.passed)},
                 {"mismatches", std::to_string(c.mismatches)},
                 {"errors", std::to_string(c.errors)},
                 {"not_run", std::to_string(c.not_run)},
                 {"skipped", std::to_string(c.skipped)},
                 {"stage_errors", std::to_string(c.stage_errors)}},
                indent);
}

std::string flips_json(const FlipCounts& f, int indent) {
  return object({{"expected", std::to_string(f.expected)}, {"unexpected", std::to_string(f.unexpected)}}, indent);
}

std::string matrix_json(const Matrix& m, int indent) {
  return object({{"probe", str(m.probe)}, {"rows", str_array(m.rows)}, {"columns", str_array(m.columns)}}, indent);
}

std::string stage_json(const Stage& st, int indent) {
  return object({{"name", str(st.name)},
                 {"line", std::to_string(st.line)},
                 {"time_s", num(st.time_s)},
                 {"deadline_ms", std::to_string(st.deadline_ms)},
                 {"count", std::to_string(st.count)},
                 {"matrices", array(st.matrices, indent + 2, matrix_json)},
                 {"error", str(st.error)},
                 {"counts", counts_json(count_cells(st), indent + 2)},
                 {"flips", flips_json(count_flips(st), indent + 2)},
                 {"cells", array(st.cells, indent + 2, cell_json)}},
                indent);
}

}  // namespace

std::string json_report(const Run& run) {
  const Run clean = sanitized(run);
  return object({{"scenario_path", str(clean.scenario_path)},
                 {"scenario_name", str(clean.scenario_name)},
                 {"timestamp", str(clean.timestamp)},
                 {"hostname", str(clean.hostname)},
                 {"setup_s", num(clean.setup_s)},
                 {"teardown_s", num(clean.teardown_s)},
                 {"result", str(result_name(run_result(clean)))},
                 {"interrupted", clean.interrupted ? "true" : "false"},
                 {"error", str(clean.error)},
                 {"counts", counts_json(count_cells(clean), 2)},
                 {"stages", array(clean.stages, 2, stage_json)}},
                0) +
         "\n";
}

}  // namespace nscheck::report
