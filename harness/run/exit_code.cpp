#include "run/exit_code.hpp"

namespace nscheck::run {

int exit_code(const report::Run& r, int signal_number) {
  if (signal_number != 0) return 128 + signal_number;
  if (!r.error.empty()) return k_exit_environment;
  bool mismatch = false;
  for (const auto& st : r.stages) {
    for (const auto& c : st.cells) {
      if (c.status == report::CellStatus::error || c.status == report::CellStatus::not_run) return k_exit_environment;
      if (c.status == report::CellStatus::fail) mismatch = true;
    }
  }
  return mismatch ? k_exit_mismatch : k_exit_ok;
}

}  // namespace nscheck::run
