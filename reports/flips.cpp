#include "reports/flips.hpp"

#include <cstddef>
#include <functional>
#include <string_view>
#include <tuple>
#include <unordered_map>

namespace nscheck::report {
namespace {

using Key = std::tuple<std::string_view, std::string_view, std::string_view, std::string_view, std::string_view>;

Key key_of(const Cell& c) { return {c.probe, c.source, c.source_bind, c.target, c.address}; }

struct KeyHash {
  std::size_t operator()(const Key& k) const {
    const std::hash<std::string_view> h;
    std::size_t seed = 0;
    std::apply([&](const auto&... part) { ((seed = seed * 31 + h(part)), ...); }, k);
    return seed;
  }
};

bool decided(const Cell& c) { return c.observed.decided(); }

bool as_expected(const Cell& c) { return c.observed == c.expected; }

}  // namespace

void mark_flips(const Stage& previous, Stage& current) {
  std::unordered_map<Key, const Cell*, KeyHash> before;
  before.reserve(previous.cells.size());
  for (const auto& c : previous.cells) {
    if (decided(c)) before.emplace(key_of(c), &c);
  }
  for (auto& c : current.cells) {
    const auto it = before.find(key_of(c));
    const Cell* was = it == before.end() ? nullptr : it->second;
    c.previous = was == nullptr ? Verdict::none : was->observed;
    c.flip = Flip::none;
    if (was == nullptr || !decided(c) || c.observed == was->observed) continue;
    c.flip = as_expected(*was) && as_expected(c) ? Flip::expected : Flip::unexpected;
  }
}

FlipCounts count_flips(const Stage& stage) {
  FlipCounts n;
  for (const auto& c : stage.cells) {
    n.expected += c.flip == Flip::expected;
    n.unexpected += c.flip == Flip::unexpected;
  }
  return n;
}

std::string_view flip_name(Flip flip) {
  switch (flip) {
    case Flip::none: return "";
    case Flip::expected: return "expected";
    case Flip::unexpected: return "unexpected";
  }
  return "";
}

std::string flip_change(const Cell& cell) {
  std::string change(cell.previous.name());
  change += " → ";
  change += cell.observed.name();
  return change;
}

}  // namespace nscheck::report
