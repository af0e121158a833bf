#include "probes/probe.hpp"

namespace nscheck::probes {

std::string_view reason_name(Reason reason) {
  switch (reason) {
    case Reason::reply: return "reply";
    case Reason::timeout: return "timeout";
    case Reason::net_unreachable: return "net-unreachable";
    case Reason::host_unreachable: return "host-unreachable";
    case Reason::protocol_unreachable: return "protocol-unreachable";
    case Reason::port_unreachable: return "port-unreachable";
    case Reason::fragmentation_needed: return "fragmentation-needed";
    case Reason::admin_prohibited: return "admin-prohibited";
    case Reason::other_unreachable: return "unreachable";
    case Reason::ttl_exceeded: return "ttl-exceeded";
    case Reason::local_no_route: return "no-route";
    case Reason::local_host_unreachable: return "local-host-unreachable";
    case Reason::local_prohibited: return "local-prohibited";
    case Reason::local_blackhole: return "blackhole";
    case Reason::local_message_too_big: return "message-too-big";
    case Reason::refused: return "refused";
    case Reason::harness_error: return "harness-error";
  }
  return "harness-error";
}

std::string_view kind_name(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::icmp: return "icmp";
    case ProbeKind::tcp: return "tcp";
    case ProbeKind::udp: return "udp";
  }
  return "icmp";
}

std::string kind_text(ProbeKind kind, std::uint16_t port) {
  if (kind == ProbeKind::icmp) return "icmp";
  return std::string(kind_name(kind)) + "/" + std::to_string(port);
}

}  // namespace nscheck::probes
