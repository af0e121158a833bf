#include "topology/builder.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <poll.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "core/netns.hpp"
#include "topology/requests_for.hpp"

namespace nscheck::topology {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// "sysctl KEY = VALUE (line N)": what failed and where the scenario asked for it.
std::string sysctl_what(const SysctlWrite& w) {
  std::string s = "sysctl " + w.key + " = " + w.value;
  if (w.loc.line > 0) s += " (line " + std::to_string(w.loc.line) + ")";
  return s;
}

Result<void> write_one(const SysctlWrite& w) {
  UniqueFd fd(::open(w.path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (w.optional && errno == ENOENT) return {};
    Error e = errno_error(sysctl_what(w) + ": open " + w.path, errno);
    if (errno == ENOENT) e.message += " (no such key in this kernel, or the interface does not exist)";
    return e;
  }
  const std::string text = w.value + "\n";
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    if (w.optional) return {};
    return errno_error(sysctl_what(w) + ": write " + w.path, errno);
  }
  return {};
}

}  // namespace

Result<void> write_sysctls_here(const std::vector<SysctlWrite>& writes) {
  for (const auto& w : writes) NS_CHECK(write_one(w));
  return {};
}

Result<void> check_kernel_features(const std::vector<FeatureTrial>& trials) {
  if (trials.empty()) return {};
  // a scratch namespace, freed on return: the trials leave nothing anywhere
  auto scratch = create_netns(1, [&](std::size_t) -> Result<void> {
    NS_TRY(sock, nl::Socket::open());
    for (const auto& t : trials) {
      const std::vector<nl::Request> one{t.request};
      if (auto r = sock.transact(one); !r) return r.error().with_context(t.where + ": this kernel lacks " + t.feature);
    }
    return {};
  });
  if (!scratch) return scratch.error();
  return {};
}

Result<Topology> Topology::build(const Plan& plan, BuildTimings* timings) {
  Topology t;
  t.plan_ = plan;
  BuildTimings local;
  BuildTimings& tm = timings ? *timings : local;
  auto t0 = Clock::now();
  NS_CHECK(check_kernel_features(feature_trials(plan)));  // before anything is built
  NS_CHECK(t.create_namespaces());
  tm.namespaces_s = seconds_since(t0);
  t0 = Clock::now();
  NS_CHECK(t.create_veths());
  tm.links_s = seconds_since(t0);
  t0 = Clock::now();
  NS_CHECK(t.configure());
  tm.configure_s = seconds_since(t0);
  t0 = Clock::now();
  NS_CHECK(t.wait_oper_up());
  NS_CHECK(t.wait_ipv6_ready());
  tm.wait_up_s = seconds_since(t0);
  return t;
}

Error Topology::node_error(std::size_t node, const Error& e) const {
  return e.with_context("node " + plan_.nodes[node].name);
}

Result<void> Topology::create_namespaces() {
  const std::size_t n = plan_.nodes.size();
  for (std::size_t i = 0; i < n; ++i) nodes_.push_back(std::make_unique<Node>());
  // Inside each new namespace: its rtnetlink socket, and the sysctls that must precede its
  // interfaces (new namespaces copy the host's IPv4 settings, ip_forward included).
  auto fds = create_netns(n, [&](std::size_t i) -> Result<void> {
    auto sock = nl::Socket::open(/*subscribe_links=*/false);  // only while waiting: see subscribe_links
    if (!sock) return node_error(i, sock.error().with_context("open rtnetlink socket"));
    Node* node = nodes_[i].get();
    sock->set_link_handler([node](const nl::LinkState& s) {
      const auto it = std::find(node->up.begin(), node->up.end(), s.ifindex);
      if (s.operstate == IF_OPER_UP && it == node->up.end()) node->up.push_back(s.ifindex);
      // only once a stage has set a link down: while building, a late or reordered message must
      // not undo an UP already seen
      if (s.operstate != IF_OPER_UP && it != node->up.end() && node->track_down) node->up.erase(it);
    });
    node->sock.emplace(std::move(*sock));
    if (auto r = write_sysctls_here(plan_.nodes[i].early_sysctls); !r) return node_error(i, r.error());
    return {};
  });
  if (!fds) return fds.error();
  for (std::size_t i = 0; i < n; ++i) nodes_[i]->ns = std::move((*fds)[i]);
  return {};
}

Result<void> Topology::create_veths() {
  // one batch per creating node: its bridges, then each veth as one request with its peer placed by fd
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    std::vector<nl::Request> batch = bridge_requests(plan_.nodes[i]);
    for (const auto& v : plan_.veths)
      if (v.node == i) batch.push_back(veth_request(v, nodes_[v.peer_node]->ns.get()));
    if (batch.empty()) continue;
    if (auto r = nodes_[i]->sock->transact(batch); !r) return node_error(i, r.error());
  }
  return {};
}

Result<void> Topology::configure() {
  std::vector<int> fds;
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (plan_.nodes[i].late_sysctls.empty()) continue;
    fds.push_back(nodes_[i]->ns.get());
    which.push_back(i);
  }
  NS_CHECK(for_each_netns(fds, [&](std::size_t k) -> Result<void> {
    if (auto r = write_sysctls_here(plan_.nodes[which[k]].late_sysctls); !r) return node_error(which[k], r.error());
    return {};
  }));
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (auto r = nodes_[i]->sock->transact(configure_requests(plan_.nodes[i])); !r) return node_error(i, r.error());
  }
  return {};
}

/// Whether a link should come up: not set down by a stage, and neither is its veth peer.
bool Topology::awaited(std::size_t node, int ifindex) const {
  auto down = [&](std::size_t n, int i) {
    const auto& d = nodes_[n]->admin_down;
    return std::find(d.begin(), d.end(), i) != d.end();
  };
  if (down(node, ifindex)) return false;
  for (const auto& v : plan_.veths) {
    if (v.node == node && v.ifindex == ifindex) return !down(v.peer_node, v.peer_ifindex);
    if (v.peer_node == node && v.peer_ifindex == ifindex) return !down(v.node, v.ifindex);
  }
  return true;
}

/// Waits with every node socket subscribed to link notifications, and no longer.
Result<void> Topology::wait_oper_up() {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (auto r = nodes_[i]->sock->subscribe_links(true); !r) return node_error(i, r.error());
  auto waited = wait_links_up();
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (auto r = nodes_[i]->sock->subscribe_links(false); !r && waited) waited = node_error(i, r.error());
  return waited;
}

Result<void> Topology::wait_links_up() {
  auto pending = [&](std::size_t i) {
    for (const auto& f : plan_.nodes[i].ifaces)
      if (f.wait_up && awaited(i, f.ifindex) && std::find(nodes_[i]->up.begin(), nodes_[i]->up.end(), f.ifindex) == nodes_[i]->up.end())
        return f.name;
    return std::string();
  };
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (!pending(i).empty())
      if (auto r = nodes_[i]->sock->dump_links(); !r) return node_error(i, r.error());
  const auto deadline = Clock::now() + k_oper_up_timeout;
  for (;;) {
    std::vector<pollfd> pfds;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (pending(i).empty()) continue;
      pfds.push_back({nodes_[i]->sock->fd(), POLLIN, 0});
      which.push_back(i);
    }
    if (pfds.empty()) return {};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
      return node_error(which[0], Error{"dev " + pending(which[0]) + ": not operationally up after " +
                                        std::to_string(k_oper_up_timeout.count() / 1000) + " s"});
    if (::poll(pfds.data(), pfds.size(), static_cast<int>(left.count())) < 0 && errno != EINTR)
      return errno_error("poll on rtnetlink sockets", errno);
    for (std::size_t k = 0; k < pfds.size(); ++k) {
      if (!(pfds[k].revents & POLLIN)) continue;
      if (auto r = nodes_[which[k]]->sock->read_notifications(std::chrono::milliseconds(0)); !r)
        return node_error(which[k], r.error());
    }
  }
}

/// True once addr is a usable local address here: bind() refuses an IPv6 address while it is
/// tentative, and even with IFA_F_NODAD it stays tentative until the kernel's addrconf work runs
/// (microseconds usually, hundreds of ms on a busy host), during which packets to it are lost.
bool ipv6_usable(const IpAddress& addr) {
  UniqueFd s(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return false;
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  std::memcpy(&sa.sin6_addr, addr.bytes.data(), 16);
  return ::bind(s.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0;
}

/// An IPv6 address becomes usable once its link has carrier (lo has it at once); on a link left
/// down, or whose peer is down, it stays tentative, and nscheck does not wait for it.
bool ipv6_waits(const PlannedIface& f, const Prefix& a) {
  return a.address.family == Family::v6 && (f.wait_up || f.kind == scenario::IfaceKind::loopback);
}

Result<void> Topology::wait_ipv6_ready() {
  std::vector<int> fds;
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    for (const auto& f : plan_.nodes[i].ifaces)
      for (const auto& a : f.addresses)
        if (ipv6_waits(f, a) && (which.empty() || which.back() != i)) {
          fds.push_back(nodes_[i]->ns.get());
          which.push_back(i);
        }
  }
  const auto deadline = Clock::now() + k_oper_up_timeout;
  return for_each_netns(fds, [&](std::size_t k) -> Result<void> {
    for (const auto& f : plan_.nodes[which[k]].ifaces) {
      for (const auto& a : f.addresses) {
        if (!ipv6_waits(f, a)) continue;
        while (!ipv6_usable(a.address)) {
          if (Clock::now() > deadline)
            return node_error(which[k], Error{"dev " + f.name + ": IPv6 address " + a.str() + " still not usable after " +
                                              std::to_string(k_oper_up_timeout.count() / 1000) + " s"});
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
      }
    }
    return {};
  });
}

std::vector<int> Topology::ns_fds() const {
  std::vector<int> v;
  for (const auto& n : nodes_) v.push_back(n->ns.get());
  return v;
}

Result<void> Topology::write_sysctls(std::size_t node, const std::vector<SysctlWrite>& writes) {
  auto r = run_in_netns(ns_fd(node), [&] { return write_sysctls_here(writes); });
  if (!r) return node_error(node, r.error());
  return {};
}

Result<void> Topology::add_routes(std::size_t node, const std::vector<PlannedRoute>& routes) {
  std::vector<nl::Request> batch;
  for (const auto& r : routes) batch.push_back(route_request(r));
  if (auto r = nodes_[node]->sock->transact(batch); !r) return node_error(node, r.error());
  return {};
}

Result<void> Topology::delete_route(std::size_t node, const PlannedRoute& route) {
  const nl::Request request{nl::route_del(route_spec(route)), "RTM_DELROUTE " + route.route.text};
  if (auto r = nodes_[node]->sock->transact(std::span<const nl::Request>(&request, 1)); !r)
    return node_error(node, r.error());
  return {};
}

Result<int> Topology::ifindex_of(std::size_t node, const std::string& ifname) const {
  for (const auto& f : plan_.nodes[node].ifaces)
    if (f.name == ifname) return f.ifindex;
  return node_error(node, Error{"no interface " + ifname, ENODEV, ErrorKind::internal});
}

Result<void> Topology::set_mtu(std::size_t node, const std::string& ifname, std::uint32_t mtu) {
  NS_TRY(ifindex, ifindex_of(node, ifname));
  const nl::Request request{nl::link_set({.ifindex = ifindex, .mtu = mtu}),
                            "RTM_NEWLINK " + ifname + " mtu " + std::to_string(mtu)};
  if (auto r = nodes_[node]->sock->transact(std::span<const nl::Request>(&request, 1)); !r)
    return node_error(node, r.error());
  return {};
}

Result<void> Topology::set_link(std::size_t node, const std::string& ifname, bool up) {
  NS_TRY(ifindex, ifindex_of(node, ifname));
  const nl::Request request{nl::link_set_up(ifindex, up), std::string("RTM_NEWLINK ") + ifname + (up ? " up" : " down")};
  if (auto r = nodes_[node]->sock->transact(std::span<const nl::Request>(&request, 1)); !r)
    return node_error(node, r.error());
  auto& down = nodes_[node]->admin_down;
  for (auto& n : nodes_) n->track_down = true;
  if (!up) {
    if (std::find(down.begin(), down.end(), ifindex) == down.end()) down.push_back(ifindex);
    // no notification tells us (nodes listen only while waiting): it and its peer are down now
    std::erase(nodes_[node]->up, ifindex);
    for (const auto& v : plan_.veths) {
      if (v.node == node && v.ifindex == ifindex) std::erase(nodes_[v.peer_node]->up, v.peer_ifindex);
      if (v.peer_node == node && v.peer_ifindex == ifindex) std::erase(nodes_[v.node]->up, v.ifindex);
    }
    return {};
  }
  std::erase(down, ifindex);
  NS_CHECK(wait_oper_up());
  return wait_ipv6_ready();
}

Result<void> Topology::flush_conntrack(std::size_t node) {
  std::optional<nl::Socket> sock;
  NS_CHECK(run_in_netns(ns_fd(node), [&]() -> Result<void> {
    NS_TRY(s, nl::Socket::open_netfilter());
    sock.emplace(std::move(s));
    return {};
  }));
  const nl::Request flush{nl::conntrack_flush(), "IPCTNL_MSG_CT_DELETE (flush conntrack)"};
  auto r = sock->transact(std::span<const nl::Request>(&flush, 1));
  // no conntrack in this kernel or namespace: nothing can be stale
  if (!r && (r.error().errnum == ENOENT || r.error().errnum == EOPNOTSUPP || r.error().errnum == EPROTONOSUPPORT))
    return {};
  if (!r) return node_error(node, r.error());
  return {};
}

void Topology::close() { nodes_.clear(); }

}  // namespace nscheck::topology
