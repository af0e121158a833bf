#include "probes/flow_setup.hpp"

#include <map>
#include <tuple>

#include "probes/probe_checks.hpp"
#include "probes/socket_factory.hpp"

namespace nscheck::probes {
namespace {

/// The UDP socket a probe sends from: one per source namespace, family and binding.
struct UdpKey {
  dev_t ns_dev = 0;
  ino_t ns_ino = 0;
  Family family = Family::v4;
  SocketBinding binding;

  auto operator<=>(const UdpKey&) const = default;
};

SocketBinding binding_of(const Probe& p) { return {p.bind_device, p.bind_address}; }

std::string listener_text(const ListenerSpec& l) {
  return "the built-in " + kind_text(l.kind, l.port) + (l.family == Family::v6 ? " (IPv6)" : " (IPv4)") +
         " listener in " + l.owner;
}

/// Why a probe cannot run, before any socket: "" when it can.
std::string refusal(const Probe& p, std::span<const ListenerSpec> listeners, std::span<const std::string> failure) {
  if (auto why = unsupported(p)) return *why;
  if (!p.listener) return "";
  if (*p.listener >= listeners.size()) return "internal error: no listener " + std::to_string(*p.listener);
  if (!failure[*p.listener].empty())
    return listener_text(listeners[*p.listener]) + " could not start: " + failure[*p.listener] +
           " (no verdict without a listener: free the port, or declare the service as the user's own)";
  return "";
}

/// Opens and binds the UDP sockets; a binding that fails refuses the probes using it.
Result<void> open_udp(std::span<const Probe> probes, const std::vector<UdpKey>& keys,
                      const std::vector<std::size_t>& first_user, FlowSetup& out,
                      std::vector<std::string>& key_failure) {
  std::vector<FlowPlace> places;
  for (std::size_t k = 0; k < keys.size(); ++k)
    places.push_back({probes[first_user[k]].ns_fd, ProbeKind::udp, keys[k].family});
  NS_TRY(fds, open_flow_sockets(places));
  key_failure.resize(keys.size());
  for (std::size_t k = 0; k < keys.size(); ++k)
    if (auto bound = bind_socket(fds[k], keys[k].binding); !bound) key_failure[k] = bound.error().message;
  out.udp_sockets = std::move(fds);
  return {};
}

/// Opens count TCP sockets per TCP probe and binds them; a failed binding refuses the probe.
Result<void> open_tcp(std::span<const Probe> probes, std::span<const std::size_t> tcp, int count, FlowSetup& out,
                      std::vector<std::vector<UniqueFd>>& sockets) {
  std::vector<FlowPlace> places;
  for (std::size_t i : tcp)
    for (int a = 0; a < count; ++a) places.push_back({probes[i].ns_fd, ProbeKind::tcp, probes[i].destination.family});
  NS_TRY(fds, open_flow_sockets(places));
  sockets.resize(probes.size());
  std::size_t next = 0;
  for (std::size_t i : tcp) {
    for (int a = 0; a < count; ++a, ++next) {
      if (!out.refused[i].empty()) continue;
      if (auto bound = bind_socket(fds[next], binding_of(probes[i])); !bound)
        out.refused[i] = bound.error().message;
      else
        sockets[i].push_back(std::move(fds[next]));
    }
  }
  return {};
}

}  // namespace

Result<FlowSetup> set_up_flows(std::span<const Probe> probes, std::span<const ListenerSpec> listeners,
                               std::span<const std::string> listener_failure, int count) {
  FlowSetup out;
  out.refused.resize(probes.size());
  NamespaceIds ids;
  std::map<UdpKey, std::size_t> udp_index;
  std::vector<UdpKey> udp_keys;
  std::vector<std::size_t> first_user, udp_of(probes.size(), 0), tcp;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    out.refused[i] = refusal(probes[i], listeners, listener_failure);
    if (!out.refused[i].empty()) continue;
    if (probes[i].kind == ProbeKind::tcp) {
      tcp.push_back(i);
      continue;
    }
    NS_TRY(ns, ids.of(i, probes[i]));
    UdpKey key{ns.first, ns.second, probes[i].destination.family, binding_of(probes[i])};
    auto [it, added] = udp_index.emplace(key, udp_keys.size());
    if (added) {
      udp_keys.push_back(key);
      first_user.push_back(i);
    }
    udp_of[i] = it->second;
  }
  std::vector<std::string> udp_failure;
  NS_CHECK(open_udp(probes, udp_keys, first_user, out, udp_failure));
  std::vector<std::vector<UniqueFd>> tcp_sockets;
  NS_CHECK(open_tcp(probes, tcp, count, out, tcp_sockets));
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const bool udp = probes[i].kind == ProbeKind::udp;
    if (out.refused[i].empty() && udp && !udp_failure[udp_of[i]].empty()) out.refused[i] = udp_failure[udp_of[i]];
    if (!out.refused[i].empty()) continue;
    FlowProbe fp;
    fp.kind = probes[i].kind;
    fp.destination = {probes[i].destination, probes[i].port};
    fp.token_echo = probes[i].listener.has_value();
    fp.udp_socket = udp_of[i];
    if (!udp) fp.tcp_fds = std::move(tcp_sockets[i]);
    out.probes.push_back(std::move(fp));
    out.caller.push_back(i);
  }
  return out;
}

}  // namespace nscheck::probes
