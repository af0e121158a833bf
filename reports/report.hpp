#pragma once
// What the reports see: plain result data, no scenario, netlink or Asio types.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reports/shared_text.hpp"

namespace nscheck::report {

/// What a cell expected, observed, or observed in the previous stage: one byte, spelled by name().
class Verdict {
 public:
  enum Value : std::uint8_t {
    none,     ///< "": nothing (a cell without a previous stage)
    ok,       ///< "OK"
    ng,       ///< "NG"
    error,    ///< "ERROR"
    not_run,  ///< "NOT RUN"
    skipped,  ///< "SKIPPED"
  };
  constexpr Verdict(Value value = none) : value_(value) {}  // NOLINT: implicit, Verdict::ok is a Verdict

  /// "", "OK", "NG", "ERROR", "NOT RUN" or "SKIPPED".
  [[nodiscard]] std::string_view name() const;
  /// OK or NG: an answer from the network (what flips compare).
  [[nodiscard]] bool decided() const { return value_ == ok || value_ == ng; }

  friend constexpr bool operator==(Verdict a, Verdict b) { return a.value_ == b.value_; }
  /// Compares with a name ("OK"), for code and tests that read verdicts as text.
  friend bool operator==(Verdict v, std::string_view name) { return v.name() == name; }
  friend std::string operator+(Verdict v, std::string_view text) { return std::string(v.name()).append(text); }
  friend std::ostream& operator<<(std::ostream& out, Verdict v);

 private:
  Value value_;
};

/// How a cell ended against its expectation.
enum class CellStatus : std::uint8_t {
  pass,     ///< observed what was expected
  fail,     ///< observed the opposite (a mismatch)
  error,    ///< the harness could not run the probe (never an NG)
  not_run,  ///< the run was interrupted or stopped before this cell finished
  skipped,  ///< not run because the kernel lacks a feature the stage needs (detail says which)
};

/// Whether a cell's OK/NG changed against the same cell of the previous stage.
enum class Flip : std::uint8_t {
  none,        ///< unchanged, or not OK/NG in one of the two stages
  expected,    ///< flipped, and the expectations flipped the same way
  unexpected,  ///< flipped, but not as the expectations said
};

/// One (source, target address, probe) cell of a stage. The texts are shared with every other cell
/// that shows the same text (see TextPool): a cell is about 100 bytes.
struct Cell {
  SharedText source;       ///< source node
  SharedText source_bind;  ///< "" or the interface/address the probe was bound to
  SharedText target;       ///< the target as written: "ns2", "ns2:ns2-veth0", "192.0.2.1"
  SharedText column;       ///< the matrix column this cell belongs to (usually = target)
  SharedText address;      ///< the address actually probed
  SharedText probe;        ///< "icmp", "tcp/80", "udp/53"
  SharedText reason;       ///< short reason name: "reply", "timeout", "net-unreachable", ...
  SharedText detail;       ///< full reason text, e.g. "net unreachable (ICMP 3/0) from 192.0.2.254"
  SharedText seen_from;    ///< tcp, udp: the source the destination saw, "ADDR:PORT" ("" = unknown)
  SharedText answered_by;  ///< tcp, udp: the node whose built-in listener answered ("" = unknown)
  double time_s = 0;       ///< time to the answer, or the stage's deadline
  int sent = 0;            ///< echo requests sent
  int line = 0;            ///< where the expectation was written in the scenario
  Verdict expected;        ///< OK or NG
  Verdict observed;        ///< OK, NG, ERROR, NOT RUN or SKIPPED
  Verdict previous;        ///< OK/NG observed by the same cell in the previous stage, else none
  CellStatus status = CellStatus::pass;
  Flip flip = Flip::none;  ///< set by mark_flips (flips.hpp)
};

/// How the cells of one probe kind are laid out as a matrix.
struct Matrix {
  std::string probe;                 ///< "icmp", "tcp/80", ...
  std::vector<std::string> rows;     ///< source nodes, in matrix order
  std::vector<std::string> columns;  ///< targets as written, in matrix order
};

/// One stage of a scenario, in the order run.
struct Stage {
  std::string name;
  int line = 0;
  double time_s = 0;  ///< wall time of the stage (changes + probes)
  /// Where time_s went, in order: ("changes_s", the stage's changes), ("plan_s", its cells and
  /// probes planned), ("probe_s", probing, and judging each result as it comes). Empty when the
  /// stage did not run; conntrack flushing between stages is in time_s only.
  std::vector<std::pair<std::string, double>> phases;
  int deadline_ms = 0;
  int count = 0;
  std::vector<Matrix> matrices;  ///< one per probe kind, in the order written
  std::vector<Cell> cells;
  std::string error;  ///< a harness error that stopped this stage ("" = none)
};

/// One scenario run.
struct Run {
  std::string scenario_path;  ///< as given on the command line
  std::string scenario_name;  ///< the `name` key (or the file's stem)
  std::string timestamp;      ///< ISO 8601, when the run started
  std::string hostname;
  double setup_s = 0;
  double teardown_s = 0;
  /// Where the set-up time went: ("namespaces_s", 0.08), ("links_s", ...), in order.
  std::vector<std::pair<std::string, double>> setup_phases;
  std::vector<Stage> stages;
  std::string error;         ///< a harness error that stopped the run ("" = none)
  bool interrupted = false;  ///< SIGINT/SIGTERM arrived
};

}  // namespace nscheck::report
