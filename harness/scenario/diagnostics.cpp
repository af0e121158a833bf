#include "scenario/diagnostics.hpp"

#include <algorithm>
#include <set>
#include <tuple>

namespace nscheck::scenario {
namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

Error Diagnostics::to_error(const std::string& path) const {
  auto sorted = items_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& x, const Diagnostic& y) {
    return std::pair(x.loc.line, x.loc.column) < std::pair(y.loc.line, y.loc.column);
  });
  std::string text;
  std::set<std::tuple<int, int, std::string>> said;
  for (const auto& d : sorted) {
    // "all OK" and default expand to one expectation per pair: say each problem once
    if (!said.emplace(d.loc.line, d.loc.column, d.message).second) continue;
    if (!text.empty()) text += '\n';
    text += path;
    if (d.loc.line > 0) text += ":" + std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column);
    text += ": " + d.message;
  }
  return input_error(text);
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t gap = word.size() > c.size() ? word.size() - c.size() : c.size() - word.size();
    if (gap >= best_d) continue;  // the distance is at least the difference in length
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  auto m = closest_match(word, candidates);
  return m.empty() ? "" : ", did you mean \"" + m + "\"?";
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  constexpr std::size_t k_shown = 20;  // a scenario may have 1000 nodes: a message names a few
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < k_shown; ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  if (items.size() > k_shown) out += " and " + std::to_string(items.size() - k_shown) + " more";
  return out;
}

}  // namespace nscheck::scenario
