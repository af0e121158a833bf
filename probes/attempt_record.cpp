#include "probes/attempt_record.hpp"

namespace nscheck::probes {

std::uint32_t packed_micros(std::chrono::microseconds t) {
  if (t.count() <= 0) return 0;
  if (t.count() >= static_cast<std::int64_t>(UINT32_MAX)) return UINT32_MAX;
  return static_cast<std::uint32_t>(t.count());
}

Attempt unpack(const AttemptRecord& record, Family family, const std::vector<IpAddress>& reporters) {
  Attempt a;
  a.family = family;
  a.kind = ProbeKind::icmp;
  a.fate = record.fate;
  a.einval_cause = record.einval_cause;
  a.sent_at = std::chrono::microseconds(record.sent_us);
  a.answered_at = std::chrono::microseconds(record.answered_us);
  a.send_errno = record.send_errno;
  if (record.fate == AttemptFate::icmp_error) {
    a.icmp_type = record.icmp_type;
    a.icmp_code = record.icmp_code;
    a.next_hop_mtu = record.next_hop_mtu;
  }
  if (record.reporter < reporters.size()) a.reporter = reporters[record.reporter];
  return a;
}

}  // namespace nscheck::probes
