#include "core/netns.hpp"

#include <fcntl.h>
#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace nscheck {
namespace {

/// Runs body on a fresh thread and returns its result; the thread's namespace dies with it.
Result<void> on_helper_thread(const std::function<Result<void>()>& body) {
  Result<void> result;
  std::thread t([&] { result = body(); });
  t.join();
  return result;
}

Result<UniqueFd> unshare_and_hold() {
  if (::unshare(CLONE_NEWNET) != 0) return errno_error("unshare(CLONE_NEWNET)", errno);
  UniqueFd fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open /proc/thread-self/ns/net", errno);
  return fd;
}

}  // namespace

Result<std::vector<UniqueFd>> create_netns(std::size_t n, const NetnsFn& init) {
  // Namespace creation is mostly the kernel's per-namespace set-up, which runs in parallel
  // (copy_net_ns takes pernet_ops_rwsem for reading): one helper thread per core, each creating
  // an interleaved share, so init(i) calls of different i may run concurrently.
  const std::size_t threads =
      std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, std::max<std::size_t>(1, n / 16));
  std::vector<UniqueFd> fds(n);
  std::vector<Result<void>> results(threads);
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      results[t] = [&]() -> Result<void> {
        for (std::size_t i = t; i < n; i += threads) {
          NS_TRY(fd, unshare_and_hold());
          fds[i] = std::move(fd);
          if (init) NS_CHECK(init(i));
        }
        return {};
      }();
    });
  }
  for (auto& w : workers) w.join();
  for (auto& r : results)
    if (!r) return r.error();
  return fds;
}

Result<void> for_each_netns(std::span<const int> ns_fds, const NetnsFn& fn) {
  return on_helper_thread([&]() -> Result<void> {
    // The helper thread must not share fs attributes for setns(CLONE_NEWNET)? It need not:
    // only CLONE_NEWNS/CLONE_NEWUSER care. A net namespace switch is per thread.
    for (std::size_t i = 0; i < ns_fds.size(); ++i) {
      const bool same = i > 0 && ns_fds[i] == ns_fds[i - 1];  // already there
      if (!same && ::setns(ns_fds[i], CLONE_NEWNET) != 0) return errno_error("setns(CLONE_NEWNET)", errno);
      NS_CHECK(fn(i));
    }
    return {};
  });
}

Result<void> run_in_netns(int ns_fd, const std::function<Result<void>()>& fn) {
  const int fds[] = {ns_fd};
  return for_each_netns(fds, [&](std::size_t) { return fn(); });
}

Result<void> enter_private_netns() {
  if (::unshare(CLONE_NEWNET) != 0) {
    Error e = errno_error("unshare(CLONE_NEWNET) for the run's private namespace", errno);
    if (errno == EPERM) e.message += " (nscheck run needs root, or CAP_SYS_ADMIN and CAP_NET_ADMIN)";
    return e;
  }
  return {};
}

}  // namespace nscheck
