#include "probes/engine.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <map>
#include <random>
#include <tuple>

#include "probes/batch.hpp"
#include "probes/socket_factory.hpp"

namespace nscheck::probes {
namespace {

/// ICMP identifiers one batch may use: all of them but one, so none is shared by two sockets.
constexpr std::size_t k_max_ids_per_batch = 65535;

/// A cached socket is found by its namespace's identity (not the fd number, which the caller
/// may close and reuse) and its binding.
struct SocketKey {
  dev_t ns_dev = 0;
  ino_t ns_ino = 0;
  Family family = Family::v4;  ///< of the destinations: ICMP or ICMPv6 socket
  SocketBinding binding;

  bool operator<(const SocketKey& o) const {
    return std::tie(ns_dev, ns_ino, family, binding) < std::tie(o.ns_dev, o.ns_ino, o.family, o.binding);
  }
};

std::string probe_context(std::size_t i, const IcmpProbe& probe) {
  return "probe " + std::to_string(i) + " (namespace fd " + std::to_string(probe.ns_fd) + " to " +
         probe.destination.str() + ")";
}

bool is_link_local_v6(const IpAddress& a) {
  return a.family == Family::v6 && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

bool is_v4_mapped(const IpAddress& a) {
  static constexpr std::array<std::uint8_t, 12> k_prefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return a.family == Family::v6 && std::equal(k_prefix.begin(), k_prefix.end(), a.bytes.begin());
}

/// A probe the engine refuses before any socket is involved (as a per-probe harness error).
std::optional<std::string> unsupported(const IcmpProbe& probe) {
  const IpAddress& to = probe.destination;
  if (is_v4_mapped(to))
    return "destination " + to.str() +
           " is an IPv4-mapped IPv6 address: raw ICMPv6 cannot reach it; probe the IPv4 "
           "address instead";
  // Without a scope the kernel would pick a link itself (the first fe80::/64 route).
  if (is_link_local_v6(to) && probe.bind_device.empty())
    return "link-local destination " + to.str() + " needs a device binding (its scope is one link)";
  if (probe.bind_address && probe.bind_address->family != probe.destination.family)
    return "source address " + probe.bind_address->str() + " and destination " + probe.destination.str() +
           " are of different families";
  return std::nullopt;
}

Result<void> check_options(const ProbeOptions& options) {
  if (options.count < 2)
    return input_error("probe count " + std::to_string(options.count) +
                       ": at least 2 echo requests are needed to confirm an NG");
  if (options.deadline.count() <= 0)
    return input_error("probe deadline " + std::to_string(options.deadline.count()) + " ms: must be positive");
  return {};
}

}  // namespace

struct ProbeEngine::Impl {
  /// The run's plan: its distinct sockets and which one each probe uses.
  struct Plan {
    static constexpr std::size_t k_none = SIZE_MAX;
    std::vector<SocketKey> keys;            ///< distinct sockets of this run
    std::vector<std::size_t> first_user;    ///< per key: the first probe using it (for errors)
    std::vector<RawSocket*> socket;         ///< per key, once open; nullptr if its binding failed
    std::vector<std::string> key_failure;   ///< per key: why its binding failed
    std::vector<std::size_t> key_of_probe;  ///< per probe: index into keys, or k_none if refused
    std::vector<std::string> refused;       ///< per probe: why it cannot run
  };

  boost::asio::io_context io;  // declared first: destroyed after the sockets that use it
  std::map<SocketKey, std::unique_ptr<RawSocket>> sockets;
  std::mt19937 random{std::random_device{}()};
  std::uint16_t next_id = static_cast<std::uint16_t>(random());

  Result<Plan> plan(std::span<const IcmpProbe> probes);
  Result<void> open_missing(std::span<const IcmpProbe> probes, Plan& plan);
  Result<std::vector<UniqueFd>> open_in_namespaces(std::span<const IcmpProbe> probes,
                                                   const std::vector<std::size_t>& owners);
  Result<RawSocket*> adopt(const SocketKey& key, UniqueFd fd);
  Result<void> assign_ids(std::vector<BatchSource>& sources, int count);
  Result<std::vector<ProbeResult>> run_planned(std::span<const IcmpProbe> probes, const Plan& plan,
                                               const ProbeOptions& options);
  icmp::Nonce make_nonce();
};

namespace {

/// Namespace identities by fd, so that each fd is fstat'ed once per run.
class NamespaceIds {
 public:
  Result<std::pair<dev_t, ino_t>> of(std::size_t i, const IcmpProbe& probe) {
    if (auto it = known_.find(probe.ns_fd); it != known_.end()) return it->second;
    struct stat st {};
    if (probe.ns_fd < 0 || ::fstat(probe.ns_fd, &st) != 0)
      return errno_error("fstat of the namespace fd", probe.ns_fd < 0 ? EBADF : errno)
          .with_context(probe_context(i, probe));
    return known_[probe.ns_fd] = {st.st_dev, st.st_ino};
  }

 private:
  std::map<int, std::pair<dev_t, ino_t>> known_;
};

}  // namespace

Result<ProbeEngine::Impl::Plan> ProbeEngine::Impl::plan(std::span<const IcmpProbe> probes) {
  Plan plan;
  plan.key_of_probe.assign(probes.size(), Plan::k_none);
  plan.refused.resize(probes.size());
  NamespaceIds ids;
  std::map<SocketKey, std::size_t> index;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    if (auto why = unsupported(probes[i])) {
      plan.refused[i] = std::move(*why);
      continue;
    }
    NS_TRY(ns, ids.of(i, probes[i]));
    SocketKey key{ns.first, ns.second, probes[i].destination.family,
                  SocketBinding{probes[i].bind_device, probes[i].bind_address}};
    auto [it, added] = index.emplace(std::move(key), plan.keys.size());
    if (added) {
      plan.keys.push_back(it->first);
      plan.first_user.push_back(i);
    }
    plan.key_of_probe[i] = it->second;
  }
  plan.socket.assign(plan.keys.size(), nullptr);
  plan.key_failure.resize(plan.keys.size());
  return plan;
}

/// Opens the sockets the cache lacks, all namespaces on one helper thread, then binds them.
/// A binding that fails (no such device, address not local) refuses only the probes using it.
Result<void> ProbeEngine::Impl::open_missing(std::span<const IcmpProbe> probes, Plan& plan) {
  std::vector<std::size_t> missing, owners;
  for (std::size_t k = 0; k < plan.keys.size(); ++k) {
    if (auto it = sockets.find(plan.keys[k]); it != sockets.end()) {
      plan.socket[k] = it->second.get();
    } else {
      missing.push_back(k);
      owners.push_back(plan.first_user[k]);
    }
  }
  NS_TRY(fds, open_in_namespaces(probes, owners));
  for (std::size_t n = 0; n < missing.size(); ++n) {
    const std::size_t k = missing[n];
    if (auto bound = bind_icmp_socket(fds[n], plan.keys[k].binding); !bound) {
      plan.key_failure[k] = bound.error().message;
      continue;
    }
    NS_TRY(socket, adopt(plan.keys[k], std::move(fds[n])));
    plan.socket[k] = socket;
  }
  return {};
}

/// On failure, retries one namespace at a time to name the probe whose namespace is unusable.
Result<std::vector<UniqueFd>> ProbeEngine::Impl::open_in_namespaces(std::span<const IcmpProbe> probes,
                                                                    const std::vector<std::size_t>& owners) {
  if (owners.empty()) return std::vector<UniqueFd>{};
  std::vector<SocketPlace> places;
  places.reserve(owners.size());
  for (std::size_t i : owners) places.push_back({probes[i].ns_fd, probes[i].destination.family});
  auto fds = open_icmp_sockets(places);
  if (fds) return fds;
  for (std::size_t i : owners)
    if (auto one = open_icmp_socket(probes[i].ns_fd, probes[i].destination.family); !one)
      return one.error().with_context("opening the probe socket of " + probe_context(i, probes[i]));
  return fds.error().with_context("opening probe sockets");
}

Result<RawSocket*> ProbeEngine::Impl::adopt(const SocketKey& key, UniqueFd fd) {
  auto socket = std::make_unique<RawSocket>(io);
  boost::system::error_code ec;
  const auto protocol = key.family == Family::v6 ? boost::asio::generic::raw_protocol(AF_INET6, IPPROTO_ICMPV6)
                                                 : boost::asio::generic::raw_protocol(AF_INET, IPPROTO_ICMP);
  socket->assign(protocol, fd.get(), ec);
  if (ec) return Error{"adopting a probe socket: " + ec.message(), ec.value(), ErrorKind::internal};
  fd.release();                    // the Asio socket owns it now
  socket->non_blocking(true, ec);  // Asio's own flag: a full send buffer must return, not wait
  if (ec) return Error{"non-blocking probe socket: " + ec.message(), ec.value(), ErrorKind::internal};
  RawSocket* raw = socket.get();
  sockets.emplace(key, std::move(socket));
  return raw;
}

icmp::Nonce ProbeEngine::Impl::make_nonce() {
  icmp::Nonce nonce{};
  for (auto& b : nonce) b = static_cast<std::uint8_t>(random());
  return nonce;
}

/// Gives every socket of the run its own identifiers, continuing where the last run stopped
/// (so a late answer to an earlier run finds no taker).
Result<void> ProbeEngine::Impl::assign_ids(std::vector<BatchSource>& sources, int count) {
  auto ids_for = [count](const BatchSource& src) {
    return (src.probes.size() * static_cast<std::size_t>(count) + 65535) / 65536;
  };
  std::size_t ids = 0;
  for (const BatchSource& src : sources) ids += ids_for(src);
  if (ids > k_max_ids_per_batch)
    return input_error("too many probes in one batch: they need " + std::to_string(ids) +
                       " ICMP identifiers, at most " + std::to_string(k_max_ids_per_batch) + " exist");
  for (BatchSource& src : sources) {
    src.id_count = static_cast<std::uint16_t>(ids_for(src));
    src.id_base = next_id;
    next_id = static_cast<std::uint16_t>(next_id + src.id_count);
  }
  return {};
}

Result<std::vector<ProbeResult>> ProbeEngine::Impl::run_planned(std::span<const IcmpProbe> probes, const Plan& plan,
                                                                const ProbeOptions& options) {
  std::vector<BatchSource> sources;
  std::vector<BatchProbe> batch_probes;
  std::vector<std::size_t> source_of_key(plan.keys.size(), Plan::k_none);
  std::vector<std::size_t> batch_index(probes.size(), Plan::k_none);
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const std::size_t k = plan.key_of_probe[i];
    if (k == Plan::k_none || !plan.socket[k]) continue;
    if (source_of_key[k] == Plan::k_none) {
      source_of_key[k] = sources.size();
      sources.push_back(BatchSource{plan.socket[k], plan.keys[k].family});
    }
    BatchSource& src = sources[source_of_key[k]];
    batch_index[i] = batch_probes.size();
    batch_probes.push_back(BatchProbe{probes[i].destination, source_of_key[k], src.probes.size()});
    src.probes.push_back(batch_index[i]);
  }
  NS_CHECK(assign_ids(sources, options.count));
  Batch batch(io, std::move(sources), std::move(batch_probes), options, make_nonce());
  std::vector<ProbeResult> ran = batch.run();
  std::vector<ProbeResult> results(probes.size());
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const std::size_t k = plan.key_of_probe[i];
    if (batch_index[i] != Plan::k_none)
      results[i] = std::move(ran[batch_index[i]]);
    else
      results[i].detail = k == Plan::k_none ? plan.refused[i] : plan.key_failure[k];
  }
  return results;
}

ProbeEngine::ProbeEngine() : impl_(std::make_unique<Impl>()) {}
ProbeEngine::~ProbeEngine() = default;

Result<std::vector<ProbeResult>> ProbeEngine::run(std::span<const IcmpProbe> probes, const ProbeOptions& options) {
  NS_CHECK(check_options(options));
  if (probes.empty()) return std::vector<ProbeResult>{};
  NS_TRY(plan, impl_->plan(probes));
  NS_CHECK(impl_->open_missing(probes, plan));
  return impl_->run_planned(probes, plan, options);
}

void ProbeEngine::close_sockets() { impl_->sockets.clear(); }

}  // namespace nscheck::probes
