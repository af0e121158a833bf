#pragma once
// The process exit code for a finished run (documented in the README).

#include "reports/report.hpp"

namespace nscheck::run {

inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_mismatch = 1;
inline constexpr int k_exit_environment = 2;
inline constexpr int k_exit_internal = 3;
inline constexpr int k_exit_input = 4;

/// 0, 1 or 2 from the report (skipped cells count as passed); 128 + signal when interrupted
/// (130 SIGINT, 143 SIGTERM).
int exit_code(const report::Run& r, int signal_number);

}  // namespace nscheck::run
