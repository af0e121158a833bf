#include "reports/json.hpp"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "reports/file.hpp"
#include "reports/flips.hpp"
#include "reports/summary.hpp"
#include "reports/text.hpp"

namespace nscheck::report {
namespace {

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

/// Writes one JSON object straight into the output, members one per line at indent + 2 (no
/// string per member or per cell: a report of 100,000 cells streams to its file).
class Fields {
 public:
  Fields(Output& out, int indent) : out_(out), indent_(indent) { out_ += "{\n"; }
  ~Fields() {
    out_ += '\n';
    out_.fill(static_cast<std::size_t>(indent_), ' ');
    out_ += '}';
  }
  Fields(const Fields&) = delete;
  Fields& operator=(const Fields&) = delete;

  Fields& raw(std::string_view key, std::string_view value) {
    name(key) += value;
    return *this;
  }
  Fields& str(std::string_view key, std::string_view value) {
    quote(name(key), value);
    return *this;
  }
  Fields& integer(std::string_view key, long long value) {
    name(key).integer(value);
    return *this;
  }
  /// A finite number as fmt's "{}" writes it, else null.
  Fields& number(std::string_view key, double value) {
    if (!std::isfinite(value)) return raw(key, "null");
    name(key).number(value);
    return *this;
  }
  /// The output, after "key": , for a nested value written by the caller at indent inner().
  Output& name(std::string_view key) {
    if (!first_) out_ += ",\n";
    first_ = false;
    out_.fill(static_cast<std::size_t>(indent_) + 2, ' ');
    out_ += '"';
    out_ += key;
    out_ += "\": ";
    return out_;
  }
  [[nodiscard]] int inner() const { return indent_ + 2; }

  static void quote(Output& out, std::string_view value) {
    out += '"';
    append_json_string(out, value);
    out += '"';
  }

 private:
  Output& out_;
  int indent_;
  bool first_ = true;
};

void str_array(Output& out, const std::vector<std::string>& items) {
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    Fields::quote(out, items[i]);
  }
  out += ']';
}

template <class T, class F>
void array(Output& out, const std::vector<T>& items, int indent, F&& render) {
  if (items.empty()) {
    out += "[]";
    return;
  }
  out += "[\n";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ",\n";
    out.fill(static_cast<std::size_t>(indent) + 2, ' ');
    render(out, items[i], indent + 2);
  }
  out += '\n';
  out.fill(static_cast<std::size_t>(indent), ' ');
  out += ']';
}

void cell_json(Output& out, const Cell& c, int indent) {
  Fields f(out, indent);
  f.str("source", c.source).str("source_bind", c.source_bind).str("target", c.target).str("column", c.column);
  f.str("address", c.address).str("probe", c.probe).str("expected", c.expected.name());
  f.str("observed", c.observed.name());
  f.str("reason", c.reason).str("detail", c.detail).integer("sent", c.sent).number("time_s", c.time_s);
  f.integer("line", c.line).str("status", status_name(c.status)).str("seen_from", c.seen_from);
  f.str("answered_by", c.answered_by).str("previous", c.previous.name()).str("flip", flip_name(c.flip));
}

void counts_json(Output& out, const Counts& c, int indent) {
  Fields f(out, indent);
  f.integer("cells", c.cells).integer("passed", c.passed).integer("mismatches", c.mismatches);
  f.integer("errors", c.errors).integer("not_run", c.not_run).integer("skipped", c.skipped);
  f.integer("stage_errors", c.stage_errors);
}

void matrix_json(Output& out, const Matrix& m, int indent) {
  Fields f(out, indent);
  f.str("probe", m.probe);
  str_array(f.name("rows"), m.rows);
  str_array(f.name("columns"), m.columns);
}

/// {"name_s": seconds, ...}, in order ({} when empty).
void phases_json(Fields& f, const char* key, const std::vector<std::pair<std::string, double>>& phases) {
  if (phases.empty()) {
    f.raw(key, "{}");
    return;
  }
  Fields g(f.name(key), f.inner());
  for (const auto& [phase, seconds] : phases) g.number(phase, seconds);
}

void stage_json(Output& out, const Stage& st, int indent) {
  Fields f(out, indent);
  f.str("name", st.name).integer("line", st.line).number("time_s", st.time_s);
  phases_json(f, "phases", st.phases);
  f.integer("deadline_ms", st.deadline_ms).integer("count", st.count);
  array(f.name("matrices"), st.matrices, f.inner(), matrix_json);
  f.str("error", st.error);
  counts_json(f.name("counts"), count_cells(st), f.inner());
  const FlipCounts flips = count_flips(st);
  {
    Fields g(f.name("flips"), f.inner());
    g.integer("expected", flips.expected).integer("unexpected", flips.unexpected);
  }
  array(f.name("cells"), st.cells, f.inner(), cell_json);
}

}  // namespace

void write_json(const Run& run, Output& out) {
  std::optional<Run> copy;
  const Run& clean = sanitized_view(run, Lines::keep, copy);
  {
    Fields f(out, 0);
    f.str("scenario_path", clean.scenario_path).str("scenario_name", clean.scenario_name);
    f.str("timestamp", clean.timestamp).str("hostname", clean.hostname);
    f.number("setup_s", clean.setup_s).number("teardown_s", clean.teardown_s);
    phases_json(f, "setup_phases", clean.setup_phases);
    f.str("result", result_name(run_result(clean))).raw("interrupted", clean.interrupted ? "true" : "false");
    f.str("error", clean.error);
    counts_json(f.name("counts"), count_cells(clean), f.inner());
    array(f.name("stages"), clean.stages, f.inner(), stage_json);
  }
  out += '\n';
}

std::string json_report(const Run& run) {
  Output out;
  write_json(run, out);
  return out.take();
}

Result<void> write_json_file(const Run& run, const std::string& path) {
  return write_file_atomic(path, [&run](Output& out) { write_json(run, out); });
}

}  // namespace nscheck::report
