#include "eval/cell_texts.hpp"

namespace nscheck::eval {

CellTexts::CellTexts(const scenario::Scenario& s, report::TextPool& pool) : s_(s), pool_(pool) {}

std::size_t CellTexts::AddressHash::operator()(const IpAddress& a) const {
  std::size_t h = static_cast<std::size_t>(a.family) * 1099511628211u;
  for (std::uint8_t b : a.bytes) h = (h ^ b) * 1099511628211u;  // FNV-1a
  return h;
}

/// A cell asks for its target and its address in turn: the last address is kept at hand.
CellTexts::ByAddress& CellTexts::of(const IpAddress& a) {
  if (last_ != nullptr && last_address_ == a) return *last_;
  auto [it, added] = addresses_.try_emplace(a);
  if (added) it->second.address = pool_(a.str());
  last_address_ = a;
  last_ = &it->second;  // unordered_map elements never move
  return *last_;
}

report::SharedText CellTexts::remembered(report::SharedText& slot, std::string_view written) {
  if (slot.empty() || slot.view() != written) slot = pool_(written);
  return slot;
}

report::SharedText CellTexts::node(std::size_t n) {
  if (n >= s_.nodes.size()) return pool_("");
  if (nodes_.empty()) nodes_.resize(s_.nodes.size());
  return remembered(nodes_[n], s_.nodes[n].name);
}

report::SharedText CellTexts::target(const scenario::Target& t, const IpAddress& probed) {
  switch (t.kind) {
    case scenario::Target::Kind::node: return remembered(of(probed).node_target, t.text);
    case scenario::Target::Kind::interface: return remembered(of(probed).interface_target, t.text);
    case scenario::Target::Kind::address: break;
  }
  return pool_(t.text);  // as written, which may differ from the address's own text
}

report::SharedText CellTexts::address(const IpAddress& a) { return of(a).address; }

report::SharedText CellTexts::probe(const scenario::ProbeSpec& p) {
  if (last_probe_text_.empty() || p != last_probe_) {
    last_probe_ = p;
    last_probe_text_ = pool_(p.text());
  }
  return last_probe_text_;
}

report::SharedText CellTexts::reason(probes::Reason r) {
  const auto i = static_cast<std::size_t>(r);
  if (i >= reasons_.size()) return pool_(probes::reason_name(r));
  return remembered(reasons_[i], probes::reason_name(r));
}

}  // namespace nscheck::eval
