#pragma once
// Network namespaces held by file descriptors. Namespaces are anonymous: the kernel frees one
// (with every link, address, route and socket in it) when its last fd or socket closes, so
// nothing survives nscheck, even after kill -9. Namespace switches happen only on short-lived
// helper threads; the calling thread never changes namespace.

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace nscheck {

/// Called inside namespace i, on the helper thread, right after it was created or entered.
using NetnsFn = std::function<Result<void>(std::size_t i)>;

/// Creates n anonymous network namespaces on helper threads (one per core for large n) and
/// returns their fds. init(i), if given, runs inside namespace i right after its creation (to open
/// sockets there); calls for different i may run concurrently.
Result<std::vector<UniqueFd>> create_netns(std::size_t n, const NetnsFn& init = {});

/// Runs fn(i) inside the namespace ns_fds[i], for every i in order, on one helper thread.
Result<void> for_each_netns(std::span<const int> ns_fds, const NetnsFn& fn);

/// Runs fn inside the namespace held by ns_fd, on a helper thread.
Result<void> run_in_netns(int ns_fd, const std::function<Result<void>()>& fn);

/// Moves the whole process into a new, private network namespace: the run's sandbox.
/// Call it before any thread starts. Needs CAP_SYS_ADMIN.
Result<void> enter_private_netns();

}  // namespace nscheck
