#include "reports/console.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "reports/flips.hpp"
#include "reports/summary.hpp"
#include "reports/text.hpp"

namespace nscheck::report {
namespace {

constexpr std::string_view k_mismatch_mark = "✗";
constexpr std::string_view k_error_mark = "E";
constexpr std::string_view k_not_run_mark = "?";
constexpr std::string_view k_skipped_mark = "S";
constexpr std::string_view k_flip_mark = "↕";
constexpr std::string_view k_gap = "   ";        // between matrix columns
constexpr std::size_t k_max_reason_column = 80;  // where "expected ..." starts at most

enum class Tone { none, green, red, yellow, bold, bold_red };

std::string paint(std::string_view text, Tone tone, const ConsoleOptions& o) {
  if (!o.colour || tone == Tone::none || text.empty()) return std::string(text);
  std::string_view code;
  switch (tone) {
    case Tone::green: code = "32"; break;
    case Tone::red: code = "31"; break;
    case Tone::yellow: code = "33"; break;
    case Tone::bold: code = "1"; break;
    case Tone::bold_red: code = "1;31"; break;
    case Tone::none: break;
  }
  return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

std::string seconds_short(double s) {
  if (!(s > 0)) s = 0;
  return fmt::format("{:.2f} s", s);
}

// ---- matrix -------------------------------------------------------------------------

struct MatrixCell {
  std::string text;
  Tone tone = Tone::none;
};

struct Marks {
  bool ok = false, ng = false, mismatch = false, error = false, not_run = false, skipped = false;
};

/// The marks of one matrix, position by position (row-major), from one pass over the stage's
/// cells: a full matrix of N nodes has N^2 positions and N^2 cells, so neither a scan per
/// position nor a tree of N^2 names would do. A matrix is as dense as its rendered grid.
class MatrixMarks {
 public:
  explicit MatrixMarks(const Matrix& m) : columns_(m.columns.size()), marks_(m.rows.size() * m.columns.size()) {
    for (std::size_t r = 0; r < m.rows.size(); ++r) rows_.emplace(m.rows[r], r);
    for (std::size_t c = 0; c < m.columns.size(); ++c) column_index_.emplace(m.columns[c], c);
  }
  /// Adds the cell's outcome at its (source, column); a cell outside the matrix changes nothing.
  void add(const Cell& c) {
    const auto r = rows_.find(c.source.view());
    const auto k = column_index_.find(c.column.view());
    if (r == rows_.end() || k == column_index_.end()) return;
    Marks& m = marks_[r->second * columns_ + k->second];
    m.ok |= c.observed == Verdict::ok;
    m.ng |= c.observed == Verdict::ng;
    m.mismatch |= c.status == CellStatus::fail;
    m.error |= c.status == CellStatus::error;
    m.not_run |= c.status == CellStatus::not_run;
    m.skipped |= c.status == CellStatus::skipped;
  }
  [[nodiscard]] const Marks& at(std::size_t row, std::size_t column) const { return marks_[row * columns_ + column]; }

 private:
  std::size_t columns_;
  std::vector<Marks> marks_;
  std::unordered_map<std::string_view, std::size_t> rows_;
  std::unordered_map<std::string_view, std::size_t> column_index_;
};

/// The marks of each of the stage's matrices (one per probe kind), in its order.
std::vector<MatrixMarks> marks_by_matrix(const Stage& st) {
  std::vector<MatrixMarks> out;
  out.reserve(st.matrices.size());
  for (const auto& m : st.matrices) out.emplace_back(m);
  if (out.empty()) return out;
  std::size_t last = 0;  // most cells follow one of their own probe kind
  for (const auto& c : st.cells) {
    if (st.matrices[last].probe != c.probe.view()) {
      const auto it = std::find_if(st.matrices.begin(), st.matrices.end(),
                                   [&](const Matrix& m) { return m.probe == c.probe.view(); });
      if (it == st.matrices.end()) continue;
      last = static_cast<std::size_t>(it - st.matrices.begin());
    }
    out[last].add(c);
  }
  return out;
}

MatrixCell matrix_cell(const Marks& m) {
  std::vector<std::string_view> parts;
  if (m.ok || m.ng) parts.push_back(m.ok && m.ng ? "OK/NG" : m.ok ? "OK" : "NG");
  if (m.error) parts.push_back(k_error_mark);
  if (m.not_run) parts.push_back(k_not_run_mark);
  if (m.skipped) parts.push_back(k_skipped_mark);
  if (m.mismatch) parts.push_back(k_mismatch_mark);
  if (parts.empty()) return {"-", Tone::none};
  const Tone tone = m.mismatch               ? Tone::red
                    : (m.error || m.not_run) ? Tone::yellow
                    : (m.ok || m.ng)         ? Tone::green
                                             : Tone::none;
  return {parts.size() == 1 ? std::string(parts.front()) : fmt::format("{}", fmt::join(parts, " ")), tone};
}

// One line of the matrix: every field but the last padded to its column's width.
std::string matrix_line(const std::vector<MatrixCell>& fields, const std::vector<std::size_t>& widths,
                        const ConsoleOptions& o) {
  std::string line = "  ";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += k_gap;
    line += paint(fields[i].text, fields[i].tone, o);
    if (i + 1 < fields.size()) line.append(widths[i] - display_width(fields[i].text), ' ');
  }
  return line + "\n";
}

std::vector<std::vector<MatrixCell>> matrix_grid(const Matrix& matrix, const MatrixMarks& marks) {
  std::vector<std::vector<MatrixCell>> grid;
  grid.reserve(matrix.rows.size() + 1);
  grid.push_back({MatrixCell{}});
  for (const auto& col : matrix.columns) grid.front().push_back({col, Tone::bold});
  for (std::size_t r = 0; r < matrix.rows.size(); ++r) {
    std::vector<MatrixCell> line{{matrix.rows[r], Tone::bold}};
    line.reserve(matrix.columns.size() + 1);
    for (std::size_t c = 0; c < matrix.columns.size(); ++c) line.push_back(matrix_cell(marks.at(r, c)));
    grid.push_back(std::move(line));
  }
  return grid;
}

std::string render_matrix(const Matrix& matrix, const MatrixMarks& marks, const ConsoleOptions& o) {
  if (matrix.rows.empty() || matrix.columns.empty()) return "";
  const auto grid = matrix_grid(matrix, marks);
  std::vector<std::size_t> widths(grid.front().size(), 0);
  for (const auto& line : grid) {
    for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], display_width(line[i].text));
  }
  std::string out;
  for (const auto& line : grid) out += matrix_line(line, widths, o);
  return out;
}

/// One matrix per probe kind; each is titled unless the stage has only the ICMP one.
std::string render_matrices(const Stage& st, const ConsoleOptions& o) {
  const auto marks = marks_by_matrix(st);
  const bool titled = st.matrices.size() > 1 || (st.matrices.size() == 1 && st.matrices.front().probe != "icmp");
  std::string out;
  for (std::size_t i = 0; i < st.matrices.size(); ++i) {
    if (titled) out += "  " + paint(st.matrices[i].probe, Tone::bold, o) + "\n";
    out += render_matrix(st.matrices[i], marks[i], o);
  }
  return out;
}

std::string render_legend(const Counts& c, const ConsoleOptions& o) {
  std::vector<std::string> parts;
  if (c.mismatches > 0) parts.push_back(paint(k_mismatch_mark, Tone::red, o) + " mismatch");
  if (c.errors > 0) parts.push_back(paint(k_error_mark, Tone::yellow, o) + " harness error");
  if (c.not_run > 0) parts.push_back(paint(k_not_run_mark, Tone::yellow, o) + " not run");
  if (c.skipped > 0) parts.emplace_back(std::string(k_skipped_mark) + " skipped: kernel lacks a feature");
  if (parts.empty()) return "";
  return fmt::format("  {}\n", fmt::join(parts, "   "));
}

// ---- reason lines -------------------------------------------------------------------

struct ReasonLine {
  std::string_view mark;  // "", "✗" or "E"
  std::string what;       // "ns1 -> ns2 (198.51.100.1): NG timeout: ..."
  std::string verdict;    // "expected NG", "MISMATCH expected OK (router.toml:23)"
  Tone tone = Tone::none;
};

/// Expected NG cells, and expected flips, listed per stage; mismatches, errors and unexpected
/// flips are always all listed.
constexpr std::size_t k_max_expected_lines = 40;

/// The last line of a capped listing: how many of `what` the cap left out, if any.
void add_more_line(std::vector<ReasonLine>& lines, std::size_t listed, std::string_view what) {
  if (listed <= k_max_expected_lines) return;
  lines.push_back(
      {"",
       fmt::format("... and {} more {} (all are in the JUnit and JSON reports)", listed - k_max_expected_lines, what),
       "", Tone::none});
}

std::vector<ReasonLine> reason_lines(const Run& run, const Stage& st) {
  std::vector<ReasonLine> lines;
  std::size_t expected_ng = 0;
  for (const auto& c : st.cells) {
    if (c.status == CellStatus::pass && c.observed == Verdict::ng && ++expected_ng > k_max_expected_lines) continue;
    const std::string what = cell_label(c) + ": " + observation(c);
    const std::string place = scenario_place(run, c.line);
    if (c.status == CellStatus::fail) {
      lines.push_back(
          {k_mismatch_mark, what, fmt::format("MISMATCH expected {} ({})", c.expected.name(), place), Tone::red});
    } else if (c.status == CellStatus::error) {
      lines.push_back({k_error_mark, what, fmt::format("harness error ({})", place), Tone::yellow});
    } else if (c.status == CellStatus::pass && c.observed == Verdict::ng) {
      lines.push_back({"", what, "expected NG", Tone::none});
    }
  }
  add_more_line(lines, expected_ng, "expected NG cells");
  return lines;
}

// An unexpected flip points at the mismatch behind it: in this stage, or else in `vs`.
std::string unexpected_flip(const Run& run, const Cell& c, const std::string& vs) {
  if (c.observed != c.expected)
    return fmt::format("UNEXPECTED: expected {} ({})", c.expected.name(), scenario_place(run, c.line));
  return fmt::format("UNEXPECTED: {} was a mismatch in {}", c.previous.name(), vs);
}

std::vector<ReasonLine> flip_lines(const Run& run, const Stage& st, const std::string& vs) {
  std::vector<ReasonLine> lines;
  std::size_t expected = 0;
  for (const auto& c : st.cells) {
    if (c.flip == Flip::none || (c.flip == Flip::expected && ++expected > k_max_expected_lines)) continue;
    const std::string what = fmt::format("{}: {}", cell_label(c), flip_change(c));
    if (c.flip == Flip::expected) {
      lines.push_back({k_flip_mark, what, "expected", Tone::none});
    } else {
      lines.push_back({k_flip_mark, what, unexpected_flip(run, c, vs), Tone::red});
    }
  }
  add_more_line(lines, expected, "expected flips");
  return lines;
}

std::string render_reasons(const std::vector<ReasonLine>& lines, const ConsoleOptions& o) {
  std::size_t column = 0;
  for (const auto& l : lines) column = std::max(column, display_width(l.what));
  column = std::min(column, k_max_reason_column);
  std::string out;
  for (const auto& l : lines) {
    out += fmt::format("  {} {}   {}\n", paint(pad_right(l.mark, 1), l.tone, o), pad_right(l.what, column),
                       paint(l.verdict, l.tone, o));
  }
  return out;
}

std::string not_run_line(const Run& run, const Stage& st, const Counts& c, const ConsoleOptions& o) {
  if (c.not_run == 0) return "";
  std::string why;
  if (!st.error.empty()) {
    why = " (the stage stopped on an error)";
  } else if (run.interrupted) {
    why = " (run interrupted)";
  }
  return fmt::format("  {} {}{}\n", paint(k_not_run_mark, Tone::yellow, o),
                     plural(c.not_run, "cell not run", "cells not run"), why);
}

/// One line per distinct reason: "S 3 cells skipped: the kernel lacks nf_tables".
std::string skipped_lines(const Stage& st) {
  std::vector<std::pair<std::string_view, int>> reasons;  // in the order first seen
  std::map<std::string_view, std::size_t> index;
  for (const auto& c : st.cells) {
    if (c.status != CellStatus::skipped) continue;
    const auto [it, added] = index.try_emplace(c.detail, reasons.size());
    if (added) reasons.emplace_back(c.detail, 0);
    ++reasons[it->second].second;
  }
  std::string out;
  for (const auto& [why, n] : reasons) {
    out += fmt::format("  {} {}{}{}\n", k_skipped_mark, plural(n, "cell skipped", "cells skipped"),
                       why.empty() ? "" : ": ", why);
  }
  return out;
}

/// The flips against the previous stage, under a heading naming it.
std::string render_flips(const Run& run, std::size_t index, const ConsoleOptions& o) {
  const std::string vs = previous_stage(run, index);
  const auto lines = flip_lines(run, run.stages[index], vs);
  if (lines.empty()) return "";
  return fmt::format("\n  flipped vs {}:\n", vs) + render_reasons(lines, o);
}

std::string stage_error_line(const Run& run, const Stage& st, const ConsoleOptions& o) {
  if (st.error.empty()) return "";
  return fmt::format(
      "  {} {}\n", paint(k_error_mark, Tone::yellow, o),
      paint(fmt::format("stage error: {} ({})", st.error, scenario_place(run, st.line)), Tone::yellow, o));
}

// ---- headers and summary ------------------------------------------------------------

std::string stage_result(const Counts& c, const FlipCounts& f, const ConsoleOptions& o) {
  std::vector<std::string> parts;
  if (c.mismatches > 0) parts.push_back(paint(plural(c.mismatches, "mismatch", "mismatches"), Tone::red, o));
  const int errors = c.errors + c.stage_errors;
  if (errors > 0) parts.push_back(paint(plural(errors, "error", "errors"), Tone::yellow, o));
  if (c.not_run > 0) parts.push_back(paint(fmt::format("{} not run", c.not_run), Tone::yellow, o));
  if (parts.empty() && c.cells == 0) parts.emplace_back("no cells");
  if (parts.empty()) parts.push_back(paint("passed", Tone::green, o) + ", " + plural(c.cells, "cell", "cells"));
  if (c.skipped > 0) parts.push_back(fmt::format("{} skipped", c.skipped));
  if (f.expected > 0) parts.push_back(plural(f.expected, "expected flip", "expected flips"));
  if (f.unexpected > 0)
    parts.push_back(paint(plural(f.unexpected, "unexpected flip", "unexpected flips"), Tone::red, o));
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string stage_header(const Run& run, std::size_t index, const ConsoleOptions& o) {
  const Stage& st = run.stages[index];
  const std::string title = fmt::format("stage {}/{} \"{}\"", index + 1, run.stages.size(), st.name);
  // the probe settings are part of the result: a flaky setup's retries must show
  const std::string settings =
      st.deadline_ms > 0 ? fmt::format("; deadline {} ms, count {}", st.deadline_ms, st.count) : std::string();
  return fmt::format("{}: {} ({}{})\n", paint(title, Tone::bold, o), stage_result(count_cells(st), count_flips(st), o),
                     seconds_short(st.time_s), settings);
}

std::string render_stage(const Run& run, std::size_t index, const ConsoleOptions& o) {
  const Stage& st = run.stages[index];
  const Counts c = count_cells(st);
  std::string out = stage_header(run, index, o);
  out += render_matrices(st, o);
  out += render_legend(c, o);
  const auto reasons = reason_lines(run, st);
  if (!reasons.empty() || c.not_run > 0 || c.skipped > 0 || !st.error.empty()) out += "\n";
  out += render_reasons(reasons, o);
  out += not_run_line(run, st, c, o);
  out += skipped_lines(st);
  out += stage_error_line(run, st, o);
  return out + render_flips(run, index, o);
}

std::string run_header(const Run& run, const ConsoleOptions& o) {
  std::string out = paint(fmt::format("scenario \"{}\"", run.scenario_name), Tone::bold, o);
  if (!run.scenario_path.empty()) out += fmt::format(" ({})", run.scenario_path);
  if (run.setup_s > 0) out += ", setup " + seconds_short(run.setup_s);
  return out + "\n";
}

double total_seconds(const Run& run) {
  double t = run.setup_s + run.teardown_s;
  for (const auto& st : run.stages) t += st.time_s;
  return t;
}

std::pair<std::string_view, Tone> run_status(const Run& run) {
  switch (run_result(run)) {
    case RunResult::failed: return {"FAILED", Tone::bold_red};
    case RunResult::error: return {"ERROR", Tone::yellow};
    case RunResult::interrupted: return {"INTERRUPTED", Tone::yellow};
    case RunResult::passed: break;
  }
  return {"PASSED", Tone::green};
}

std::string summary_counts(const Run& run, const Counts& c) {
  std::vector<std::string> parts{plural(static_cast<int>(run.stages.size()), "stage", "stages"),
                                 plural(c.cells, "cell", "cells")};
  if (c.passed == c.cells && c.cells > 0) {
    parts.emplace_back("all as expected");
  } else {
    parts.push_back(fmt::format("{} passed", c.passed));
  }
  if (c.mismatches > 0) parts.push_back(plural(c.mismatches, "mismatch", "mismatches"));
  if (c.errors + c.stage_errors > 0) parts.push_back(plural(c.errors + c.stage_errors, "error", "errors"));
  if (c.not_run > 0) parts.push_back(fmt::format("{} not run", c.not_run));
  if (c.skipped > 0) parts.push_back(fmt::format("{} skipped", c.skipped));
  if (!run.error.empty()) parts.emplace_back("run error");
  if (run.interrupted) parts.emplace_back("interrupted");
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

std::string console_stage(const Run& run, std::size_t stage_index, const ConsoleOptions& options) {
  std::optional<Run> copy;
  const Run& clean = sanitized_view(run, Lines::join, copy);
  if (stage_index >= clean.stages.size()) return "";
  return render_stage(clean, stage_index, options);
}

std::string console_summary(const Run& run, const ConsoleOptions& options) {
  std::optional<Run> copy;
  const Run& clean = sanitized_view(run, Lines::join, copy);
  const Counts c = count_cells(clean);
  const auto [status, tone] = run_status(clean);
  return fmt::format("{} {}: {} ({})\n", paint(status, tone, options), clean.scenario_name, summary_counts(clean, c),
                     seconds_short(total_seconds(clean)));
}

std::string console_report(const Run& run, const ConsoleOptions& options) {
  std::optional<Run> copy;
  const Run& clean = sanitized_view(run, Lines::join, copy);
  std::string out = run_header(clean, options);
  for (std::size_t i = 0; i < clean.stages.size(); ++i) out += "\n" + render_stage(clean, i, options);
  out += "\n";
  if (clean.interrupted) out += paint("interrupted: the run stopped early on a signal", Tone::yellow, options) + "\n";
  if (!clean.error.empty()) out += paint("error: " + clean.error, Tone::yellow, options) + "\n";
  return out + console_summary(clean, options);
}

}  // namespace nscheck::report
