#pragma once
// Every problem found in a scenario, collected so that one run reports all of them at once.

#include <string>
#include <vector>

#include "core/result.hpp"
#include "scenario/model.hpp"

namespace nscheck::scenario {

/// One problem at one place in the file.
struct Diagnostic {
  Loc loc;
  std::string message;  ///< what is wrong, and how to fix it where obvious
};

/// Collects diagnostics in the order found.
class Diagnostics {
 public:
  /// Records a problem.
  void add(Loc loc, std::string message) { items_.push_back({loc, std::move(message)}); }
  /// Records the problems of another collection after these.
  void append(const Diagnostics& other) { items_.insert(items_.end(), other.items_.begin(), other.items_.end()); }
  [[nodiscard]] bool empty() const { return items_.empty(); }
  [[nodiscard]] const std::vector<Diagnostic>& items() const { return items_; }
  /// One Error (kind input) listing "path:line:column: message" per problem, sorted by position.
  [[nodiscard]] Error to_error(const std::string& path) const;

 private:
  std::vector<Diagnostic> items_;
};

/// The closest candidate to `word` within a small edit distance, or "".
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

/// ", did you mean \"x\"?" or "" when nothing is close.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

/// "a, b, c": candidates joined for "one of: ..." messages (the first 20, then "and N more").
std::string join(const std::vector<std::string>& items, const char* sep = ", ");

}  // namespace nscheck::scenario
