#include "run/exit_code.hpp"

namespace nscheck::run {

int exit_code(const report::Run& r, int signal_number) {
  if (signal_number != 0) return 128 + signal_number;
  if (!r.error.empty()) return k_exit_environment;
  bool mismatch = false;
  for (const auto& st : r.stages) {
    for (const auto& c : st.cells) {
      switch (c.status) {
        case report::CellStatus::error:
        case report::CellStatus::not_run: return k_exit_environment;
        case report::CellStatus::fail: mismatch = true; break;
        case report::CellStatus::pass:
        case report::CellStatus::skipped: break;  // the host kernel's limit, not a failed check
      }
    }
  }
  return mismatch ? k_exit_mismatch : k_exit_ok;
}

}  // namespace nscheck::run
