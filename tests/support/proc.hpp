#pragma once
// Test helper: what /proc says about a process (its open fds, its signal handlers, its status).

#include <cstdint>
#include <map>
#include <string>

namespace nscheck::test {

/// The open file descriptors of a process ("self" or a pid) with their readlink targets
/// ("socket:[123]", "net:[4026531840]", "/dev/null"), by fd number. Empty if it is gone.
std::map<int, std::string> open_fds(const std::string& pid = "self");

/// The signals a process has handlers for (SigCgt in /proc/PID/status): bit n-1 is signal n.
std::uint64_t caught_signals(int pid);

/// A numeric field of /proc/PID/status ("VmRSS" in kB, "Threads"), or -1 if it is missing.
long status_field(const std::string& pid, const std::string& key);

}  // namespace nscheck::test
