#pragma once
// Checks shared by the ICMP and the TCP/UDP planning of the engine. Internal to probes/.

#include <sys/stat.h>

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/result.hpp"
#include "probes/probe.hpp"

namespace nscheck::probes {

/// "probe 3 (namespace fd 7 to tcp/80 192.0.2.1)", for errors.
std::string probe_context(std::size_t i, const Probe& probe);

/// Why the engine refuses a probe before any socket is involved (a per-probe harness error).
std::optional<std::string> unsupported(const Probe& probe);

/// Namespace identities by fd, so that each fd is fstat'ed once per run.
class NamespaceIds {
 public:
  Result<std::pair<dev_t, ino_t>> of(std::size_t i, const Probe& probe);

 private:
  std::map<int, std::pair<dev_t, ino_t>> known_;
};

}  // namespace nscheck::probes
