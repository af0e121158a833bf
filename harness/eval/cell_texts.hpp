#pragma once
// The texts of one stage's cells, from the run's TextPool. The ones cells repeat (node names,
// targets, addresses, probes, reasons) are found by index or by address instead of being
// formatted and hashed again for every cell: a stage may judge 62,500 cells. Pure.

#include <array>
#include <cstddef>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/ip.hpp"
#include "probes/probe.hpp"
#include "reports/shared_text.hpp"
#include "scenario/model.hpp"

namespace nscheck::eval {

class CellTexts {
 public:
  CellTexts(const scenario::Scenario& s, report::TextPool& pool);

  /// Any other text (details, messages), through the pool.
  report::SharedText operator()(std::string_view text) { return pool_(text); }
  /// The name of node n.
  report::SharedText node(std::size_t n);
  /// The target as written, for a cell that probes `probed`.
  report::SharedText target(const scenario::Target& t, const IpAddress& probed);
  /// The address as text: "192.0.2.1", "2001:db8::1".
  report::SharedText address(const IpAddress& a);
  /// "icmp", "tcp/80", ...
  report::SharedText probe(const scenario::ProbeSpec& p);
  /// "reply", "timeout", ...
  report::SharedText reason(probes::Reason r);

 private:
  struct ByAddress {
    report::SharedText address;
    report::SharedText node_target;       ///< the last node target written for this address
    report::SharedText interface_target;  ///< the last interface target written for it
  };
  struct AddressHash {
    std::size_t operator()(const IpAddress& a) const;
  };
  ByAddress& of(const IpAddress& a);
  /// The pool's text for `written`, remembered in `slot` (kept while it is the same text).
  report::SharedText remembered(report::SharedText& slot, std::string_view written);

  const scenario::Scenario& s_;
  report::TextPool& pool_;
  std::vector<report::SharedText> nodes_;
  std::unordered_map<IpAddress, ByAddress, AddressHash> addresses_;
  IpAddress last_address_;
  ByAddress* last_ = nullptr;  ///< addresses_'s entry for last_address_
  scenario::ProbeSpec last_probe_;
  report::SharedText last_probe_text_;
  std::array<report::SharedText, 32> reasons_;
};

}  // namespace nscheck::eval
