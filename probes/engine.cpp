#include "probes/engine.hpp"

#include <netinet/in.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>
#include <exception>
#include <map>
#include <mutex>
#include <random>
#include <system_error>
#include <thread>
#include <tuple>

#include "core/memory.hpp"
#include "probes/batch.hpp"
#include "probes/flow_batch.hpp"
#include "probes/flow_setup.hpp"
#include "probes/listeners.hpp"
#include "probes/neighbour_table.hpp"
#include "probes/probe_checks.hpp"
#include "probes/shards.hpp"
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

/// The caller's probes of one kind, by reference: a stage may hold 100,000 of them.
class ProbeSubset {
 public:
  explicit ProbeSubset(std::span<const Probe> all) : all_(all) {}
  void reserve(std::size_t n) { reserve_populated(which_, n); }
  void add(std::size_t caller_index) { which_.push_back(caller_index); }
  [[nodiscard]] std::size_t size() const { return which_.size(); }
  /// Only until forget(): the caller's probes may be freed then.
  const Probe& operator[](std::size_t i) const { return all_[which_[i]]; }
  void forget() { all_ = {}; }
  /// Where probe i of the subset is in the caller's list.
  [[nodiscard]] std::size_t caller_index(std::size_t i) const { return which_[i]; }

 private:
  std::span<const Probe> all_;
  std::vector<std::size_t> which_;
};

Result<void> check_options(const ProbeOptions& options) {
  if (options.count < 2)
    return input_error("probe count " + std::to_string(options.count) +
                       ": at least 2 echo requests are needed to confirm an NG");
  if (options.deadline.count() <= 0)
    return input_error("probe deadline " + std::to_string(options.deadline.count()) + " ms: must be positive");
  return {};
}

/// The ICMP probes of a run: one batch per shard of its sockets, and where each probe went.
struct IcmpRun {
  static constexpr std::uint32_t k_none = UINT32_MAX;
  std::vector<std::unique_ptr<Batch>> batches;
  std::vector<std::uint32_t> shard;  ///< per probe of the subset: its batch, or k_none
  std::vector<std::uint32_t> local;  ///< per probe of the subset: its index in that batch
  std::size_t threads = 1;         ///< threads to run the io_context while the batches run
};

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
    std::map<std::size_t, std::string> refused;  ///< probes that cannot run, and why (few)
  };

  boost::asio::io_context io;  // declared first: destroyed after the sockets that use it
  std::map<SocketKey, std::unique_ptr<RawSocket>> sockets;
  std::mt19937 random{std::random_device{}()};
  std::uint16_t next_id = static_cast<std::uint16_t>(random());

  Result<Plan> plan(const ProbeSubset& probes);
  Result<void> open_missing(const ProbeSubset& probes, Plan& plan);
  Result<std::vector<UniqueFd>> open_in_namespaces(const ProbeSubset& probes, const std::vector<std::size_t>& owners);
  Result<RawSocket*> adopt(const SocketKey& key, UniqueFd fd);
  Result<void> assign_ids(std::vector<BatchSource>& sources, int count);
  static std::vector<BatchSource> group_by_socket(const ProbeSubset& probes, const Plan& plan);
  Result<IcmpRun> icmp_batches(ProbeSubset& probes, Plan& plan, const ProbeOptions& options,
                               const std::function<void()>& planned);
  void icmp_results(const ProbeSubset& probes, const Plan& plan, IcmpRun& icmp,
                    const std::function<void(std::size_t, ProbeResult&&)>& deliver);
  std::vector<std::string> serve_listeners(std::span<const ListenerSpec> specs, Listeners& listeners);
  void drive(IcmpRun& icmp, FlowBatch& flows, const ProbeOptions& options);
  void batch_finished();
  void watch_stop();

  boost::asio::steady_timer stop_timer{io};  ///< after io: destroyed before it
  IcmpRun* running_icmp = nullptr;           ///< the batches drive() runs, while it runs
  FlowBatch* running_flows = nullptr;
  std::atomic<std::size_t> unfinished{0};    ///< batches of the running drive() not yet finished
  const std::atomic<bool>* stop = nullptr;
  icmp::Nonce make_nonce();
};

Result<ProbeEngine::Impl::Plan> ProbeEngine::Impl::plan(const ProbeSubset& probes) {
  Plan plan;
  reserve_populated(plan.key_of_probe, probes.size());
  plan.key_of_probe.assign(probes.size(), Plan::k_none);
  NamespaceIds ids;
  std::map<SocketKey, std::size_t> index;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    if (auto why = unsupported(probes[i])) {
      plan.refused.emplace(i, std::move(*why));
      continue;
    }
    NS_TRY(ns, ids.of(probes.caller_index(i), probes[i]));
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
Result<void> ProbeEngine::Impl::open_missing(const ProbeSubset& probes, Plan& plan) {
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
    if (auto bound = bind_socket(fds[n], plan.keys[k].binding); !bound) {
      plan.key_failure[k] = bound.error().message;
      continue;
    }
    NS_TRY(socket, adopt(plan.keys[k], std::move(fds[n])));
    plan.socket[k] = socket;
  }
  return {};
}

/// On failure, retries one namespace at a time to name the probe whose namespace is unusable.
Result<std::vector<UniqueFd>> ProbeEngine::Impl::open_in_namespaces(const ProbeSubset& probes,
                                                                    const std::vector<std::size_t>& owners) {
  if (owners.empty()) return std::vector<UniqueFd>{};
  std::vector<SocketPlace> places;
  places.reserve(owners.size());
  for (std::size_t i : owners) places.push_back({probes[i].ns_fd, probes[i].destination.family});
  auto fds = open_icmp_sockets(places);
  if (fds) return fds;
  for (std::size_t i : owners)
    if (auto one = open_icmp_socket(probes[i].ns_fd, probes[i].destination.family); !one)
      return one.error().with_context("opening the probe socket of " +
                                      probe_context(probes.caller_index(i), probes[i]));
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

namespace {

/// The CPUs this process may run on (taskset, cpusets), not all the machine has.
std::size_t usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<std::size_t>(CPU_COUNT(&set));
  return std::thread::hardware_concurrency();
}

/// One shard's sources and probes, numbered inside the shard.
struct Shard {
  std::vector<BatchSource> sources;
  std::vector<BatchProbe> probes;
};

/// Deals the sources out to `count` shards (see spread_loads), renumbering their probes; records
/// in run where each probe of the subset went.
std::vector<Shard> deal_out(std::vector<BatchSource> sources, std::size_t count, const ProbeSubset& probes,
                            IcmpRun& run) {
  std::vector<std::size_t> loads;
  for (const BatchSource& src : sources) loads.push_back(src.probes.size());
  const auto shard_of = spread_loads(loads, count);
  std::vector<Shard> shards(count);
  std::vector<std::size_t> shard_load(count, 0);
  for (std::size_t s = 0; s < sources.size(); ++s) shard_load[shard_of[s]] += loads[s];
  for (std::size_t b = 0; b < count; ++b) reserve_populated(shards[b].probes, shard_load[b]);
  reserve_populated(run.shard, probes.size());
  run.shard.assign(probes.size(), IcmpRun::k_none);
  reserve_populated(run.local, probes.size());
  run.local.assign(probes.size(), 0);
  for (std::size_t s = 0; s < sources.size(); ++s) {
    const std::size_t b = shard_of[s];
    Shard& shard = shards[b];
    BatchSource src = std::move(sources[s]);
    for (std::size_t local = 0; local < src.probes.size(); ++local) {
      const std::size_t i = src.probes[local];
      run.shard[i] = static_cast<std::uint32_t>(b);
      run.local[i] = static_cast<std::uint32_t>(shard.probes.size());
      shard.probes.push_back(BatchProbe{probes[i].destination, static_cast<std::uint32_t>(shard.sources.size()),
                                        static_cast<std::uint32_t>(local)});
      src.probes[local] = run.local[i];
    }
    shard.sources.push_back(std::move(src));
  }
  return shards;
}

}  // namespace

/// The run's ICMP probes grouped by socket; each source's probes are indices into the subset.
std::vector<BatchSource> ProbeEngine::Impl::group_by_socket(const ProbeSubset& probes, const Plan& plan) {
  std::vector<BatchSource> sources;
  std::vector<std::size_t> source_of_key(plan.keys.size(), Plan::k_none);
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const std::size_t k = plan.key_of_probe[i];
    if (k == Plan::k_none || !plan.socket[k]) continue;
    if (source_of_key[k] == Plan::k_none) {
      source_of_key[k] = sources.size();
      sources.push_back(BatchSource{plan.socket[k], plan.keys[k].family});
    }
    sources[source_of_key[k]].probes.push_back(i);
  }
  return sources;
}

/// The ICMP batches of a run: its sockets dealt out to shards, each a batch on a strand of its own.
/// planned: called once the probes have been read for the last time, before the batches are built.
Result<IcmpRun> ProbeEngine::Impl::icmp_batches(ProbeSubset& probes, Plan& plan, const ProbeOptions& options,
                                                const std::function<void()>& planned) {
  auto sources = group_by_socket(probes, plan);
  NS_CHECK(assign_ids(sources, options.count));
  const ShardPlan split = plan_shards(probes.size(), sources.size(), usable_cpus(), options.threads);
  IcmpRun run;
  run.threads = split.threads;
  const icmp::Nonce nonce = make_nonce();
  auto shards = deal_out(std::move(sources), split.shards, probes, run);
  probes.forget();
  planned();
  for (Shard& shard : shards)
    run.batches.push_back(std::make_unique<Batch>(boost::asio::make_strand(io), std::move(shard.sources),
                                                  std::move(shard.probes), options, nonce,
                                                  [this] { batch_finished(); }));
  return run;
}

/// Hands over each ICMP probe's result, with its index in the caller's probes.
void ProbeEngine::Impl::icmp_results(const ProbeSubset& probes, const Plan& plan, IcmpRun& icmp,
                                     const std::function<void(std::size_t, ProbeResult&&)>& deliver) {
  for (std::size_t i = 0; i < probes.size(); ++i) {
    ProbeResult r;
    const std::size_t k = plan.key_of_probe[i];
    if (icmp.shard[i] != IcmpRun::k_none)
      r = icmp.batches[icmp.shard[i]]->take_result(icmp.local[i]);
    else
      r.detail = k == Plan::k_none ? plan.refused.at(i) : plan.key_failure[k];
    deliver(probes.caller_index(i), std::move(r));
  }
}

/// Opens and serves the listeners; returns per listener why it does not serve ("" = serving).
std::vector<std::string> ProbeEngine::Impl::serve_listeners(std::span<const ListenerSpec> specs, Listeners& listeners) {
  std::vector<std::string> failure(specs.size());
  auto fds = open_listeners(specs);
  for (std::size_t l = 0; l < specs.size(); ++l) {
    if (!fds) {
      failure[l] = fds.error().message;
    } else if (!(*fds)[l]) {
      failure[l] = (*fds)[l].error().message;
    } else if (auto served = listeners.serve(l, specs[l], std::move(*(*fds)[l])); !served) {
      failure[l] = served.error().message;
    }
  }
  return failure;
}

/// Checks the stop flag every 20 ms while a batch runs. The timer and this state belong to the
/// engine: a wait that had already completed when the batch ended still runs its handler later.
/// Each batch is interrupted on its own executor.
void ProbeEngine::Impl::watch_stop() {
  if (!running_icmp || !stop) return;  // no batch runs any more
  if (stop->load()) {
    for (auto& batch : running_icmp->batches) boost::asio::post(batch->executor(), [b = batch.get()] { b->interrupt(); });
    boost::asio::post(running_flows->executor(), [f = running_flows] { f->interrupt(); });
    return;
  }
  stop_timer.expires_after(std::chrono::milliseconds(20));
  stop_timer.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) watch_stop();
  });
}

/// One batch of the running drive() finished (on its executor): the last one stops the io_context.
void ProbeEngine::Impl::batch_finished() {
  if (unfinished.fetch_sub(1) == 1) io.stop();
}

/// Runs the io_context on icmp.threads threads until every batch is finished. What is
/// left queued (cancelled handlers) runs at the caller's next poll.
void ProbeEngine::Impl::drive(IcmpRun& icmp, FlowBatch& flows, const ProbeOptions& options) {
  io.restart();
  running_icmp = &icmp;
  running_flows = &flows;
  stop = options.stop;
  unfinished = icmp.batches.size() + 1;
  watch_stop();
  for (auto& batch : icmp.batches) batch->start();
  flows.start();
  std::exception_ptr failure;  // of a handler, on whichever thread: rethrown here once all are joined
  std::mutex failure_mutex;
  auto run_io = [&] {
    try {
      io.run();
    } catch (...) {
      const std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      io.stop();
    }
  };
  {
    std::vector<std::jthread> helpers;
    try {
      for (std::size_t t = 1; t < icmp.threads; ++t) helpers.emplace_back(run_io);
    } catch (const std::system_error&) {  // no more threads (ulimit -u, memory): fewer do the same work
    }
    if (unfinished.load() != 0) run_io();
  }  // joined: every batch is finished, or a handler threw, or the io_context ran out of work
  running_icmp = nullptr;
  running_flows = nullptr;
  stop_timer.cancel();
  if (failure) std::rethrow_exception(failure);
}

namespace {

/// Every TCP attempt has a socket of its own: allow as many fds as the hard limit does.
void raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  (void)::setrlimit(RLIMIT_NOFILE, &limit);
}

std::uint64_t random_tag(std::mt19937& random) { return std::uint64_t{random()} << 32 | random(); }

}  // namespace

ProbeEngine::ProbeEngine() : impl_(std::make_unique<Impl>()) { raise_fd_limit(); }
ProbeEngine::~ProbeEngine() = default;

Result<std::vector<ProbeResult>> ProbeEngine::run(std::span<const Probe> probes, const ProbeOptions& options) {
  return run(probes, {}, options);
}

Result<std::vector<ProbeResult>> ProbeEngine::run(std::span<const Probe> probes,
                                                  std::span<const ListenerSpec> listener_specs,
                                                  const ProbeOptions& options) {
  std::vector<ProbeResult> results(probes.size());
  NS_CHECK(run(probes, listener_specs, options, [&](std::size_t i, ProbeResult&& r) { results[i] = std::move(r); }));
  return results;
}

namespace {

/// Silence during a batch in which the host's neighbour table overflowed says nothing about the
/// network: such a timeout is a harness error.
void blame_full_table(ProbeResult& r) {
  if (r.outcome != Outcome::ng || r.reason != Reason::timeout) return;
  r.outcome = Outcome::error;
  r.reason = Reason::harness_error;
  r.detail = std::string(k_neighbour_table_full_detail) + " (" + r.detail + ")";
}

}  // namespace

Result<void> ProbeEngine::run(std::span<const Probe> probes, std::span<const ListenerSpec> listener_specs,
                              const ProbeOptions& options, const ResultSink& sink) {
  return run_batch(probes, listener_specs, options, sink, nullptr);
}

Result<void> ProbeEngine::run(std::vector<Probe>&& probes, std::span<const ListenerSpec> listener_specs,
                              const ProbeOptions& options, const ResultSink& sink) {
  std::vector<Probe> owned = std::move(probes);
  return run_batch(owned, listener_specs, options, sink, &owned);
}

Result<void> ProbeEngine::run_batch(std::span<const Probe> probes, std::span<const ListenerSpec> listener_specs,
                                    const ProbeOptions& options, const ResultSink& sink, std::vector<Probe>* owned) {
  NS_CHECK(check_options(options));
  if (probes.empty()) return {};
  ProbeSubset icmp_probes(probes);
  icmp_probes.reserve(probes.size());
  std::vector<Probe> flow_probes;
  std::vector<std::size_t> flow_of;  // the caller's index of each
  for (std::size_t i = 0; i < probes.size(); ++i) {
    if (probes[i].kind == ProbeKind::icmp) {
      icmp_probes.add(i);
    } else {
      flow_of.push_back(i);
      flow_probes.push_back(probes[i]);
    }
  }
  NS_TRY(plan, impl_->plan(icmp_probes));
  NS_CHECK(impl_->open_missing(icmp_probes, plan));
  NS_TRY(icmp, impl_->icmp_batches(icmp_probes, plan, options, [owned] {
    if (owned) std::vector<Probe>().swap(*owned);  // flow_probes holds copies of the few others
  }));
  const std::uint64_t tag = random_tag(impl_->random);
  const boost::asio::any_io_executor flow_executor = boost::asio::make_strand(impl_->io);
  Listeners listeners(flow_executor, tag);
  const auto listener_failure = impl_->serve_listeners(listener_specs, listeners);
  auto setup = set_up_flows(flow_probes, listener_specs, listener_failure, options.count);
  if (!setup) {
    listeners.stop();
    impl_->io.restart();
    impl_->io.poll();
    return setup.error();
  }
  FlowBatch flows(flow_executor, std::move(setup->probes), std::move(setup->udp_sockets), options, tag,
                  [impl = impl_.get()] { impl->batch_finished(); });
  const std::uint64_t fulls_before = neighbour_table_fulls();
  impl_->drive(icmp, flows, options);
  const bool tables_full = neighbour_table_fulls() != fulls_before;
  listeners.stop();
  impl_->io.restart();
  impl_->io.poll();  // the cancelled handlers run now, while everything they name still exists
  auto deliver = [&](std::size_t i, ProbeResult&& r) {
    if (tables_full) blame_full_table(r);
    sink(i, std::move(r));
  };
  impl_->icmp_results(icmp_probes, plan, icmp, deliver);
  icmp.batches.clear();
  auto flow_results = flows.results(listeners);
  std::vector<ProbeResult> by_flow(flow_of.size());
  for (std::size_t b = 0; b < flow_results.size(); ++b) by_flow[setup->caller[b]] = std::move(flow_results[b]);
  for (std::size_t i = 0; i < flow_of.size(); ++i) {
    if (!setup->refused[i].empty()) by_flow[i].detail = setup->refused[i];
    deliver(flow_of[i], std::move(by_flow[i]));
  }
  return {};
}

void ProbeEngine::close_sockets() { impl_->sockets.clear(); }

}  // namespace nscheck::probes
