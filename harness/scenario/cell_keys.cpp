#include "scenario/cell_keys.hpp"

namespace nscheck::scenario {
namespace {

constexpr std::size_t k_min_slots = 64;

std::size_t hash_of(const CellKey& k) {
  std::uint64_t h = (std::uint64_t{k.from} << 32 | k.to) * 0x9e3779b97f4a7c15ull;
  h ^= (std::uint64_t{k.source} << 32 | k.probe) * 0xc2b2ae3d27d4eb4full;
  h ^= h >> 32;  // the products carry the low bits of their inputs only upward
  h *= 0xff51afd7ed558ccdull;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

/// The smallest power of two at least twice n (at least k_min_slots).
std::size_t slots_for(std::size_t n) {
  std::size_t slots = k_min_slots;
  while (slots < 2 * n) slots *= 2;
  return slots;
}

}  // namespace

std::uint32_t NameIds::id(std::string_view name) {
  if (auto it = ids_.find(name); it != ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(ids_.size());
  ids_.emplace(std::string(name), id);
  return id;
}

void CellIndex::reserve(std::size_t n) {
  keys_.reserve(keys_.size() + n);
  if (slots_for(keys_.size() + n) > slots_.size()) rehash(slots_for(keys_.size() + n));
}

std::optional<std::size_t> CellIndex::find(const CellKey& k) const {
  if (slots_.empty()) return std::nullopt;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash_of(k) & mask;; i = (i + 1) & mask) {
    const std::uint32_t s = slots_[i];
    if (s == 0) return std::nullopt;
    if (keys_[s - 1] == k) return s - 1;
  }
}

void CellIndex::add(const CellKey& k) {
  if (2 * (keys_.size() + 1) > slots_.size()) rehash(slots_for(keys_.size() + 1));
  keys_.push_back(k);
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash_of(k) & mask;
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = static_cast<std::uint32_t>(keys_.size());
}

void CellIndex::rehash(std::size_t slots) {
  slots_.assign(slots, 0);
  const std::size_t mask = slots - 1;
  for (std::size_t p = 0; p < keys_.size(); ++p) {
    std::size_t i = hash_of(keys_[p]) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = static_cast<std::uint32_t>(p + 1);
  }
}

}  // namespace nscheck::scenario
