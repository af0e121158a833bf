#pragma once
// Internal to the loader: which cells of a stage are taken. A stage may hold 100,000 cells
// (k_max_cells): a cell's key is four small numbers (its names interned once per matrix row,
// column or node), found through an open-addressing table of positions, not a tree of strings.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scenario/model.hpp"

namespace nscheck::scenario {

/// Names (sources, targets as written, bindings) as dense ids from 0; "" is always 0.
class NameIds {
 public:
  NameIds() { ids_.emplace("", 0); }
  /// The name's id, given on first sight.
  std::uint32_t id(std::string_view name);
  /// How many names have an id (every id is below it).
  [[nodiscard]] std::size_t size() const { return ids_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> ids_;
};

/// What makes two expectations of a stage the same cell: source, target as written, binding, probe.
struct CellKey {
  std::uint32_t from = 0;    ///< NameIds id
  std::uint32_t to = 0;      ///< NameIds id
  std::uint32_t source = 0;  ///< NameIds id ("" = 0)
  std::uint32_t probe = 0;   ///< probe_code
  bool operator==(const CellKey&) const = default;
};

/// A ProbeSpec as one number, and back.
constexpr std::uint32_t probe_code(const ProbeSpec& p) { return std::uint32_t(p.kind) << 16 | p.port; }
constexpr ProbeSpec probe_of(std::uint32_t code) {
  return ProbeSpec{static_cast<ProbeSpec::Kind>(code >> 16), static_cast<std::uint16_t>(code & 0xffff)};
}

/// The keys of a stage's cells in the order added, each found in constant time.
class CellIndex {
 public:
  /// Room for n more keys without growing.
  void reserve(std::size_t n);
  /// Where the key was added (0 for the first), or nullopt.
  [[nodiscard]] std::optional<std::size_t> find(const CellKey& k) const;
  /// Adds a key that find does not know.
  void add(const CellKey& k);

 private:
  void rehash(std::size_t slots);
  std::vector<CellKey> keys_;
  std::vector<std::uint32_t> slots_;  // position + 1, 0 = free; a power of two, at most half used
};

}  // namespace nscheck::scenario
