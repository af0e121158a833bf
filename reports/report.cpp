#include "reports/report.hpp"

#include <ostream>

namespace nscheck::report {

std::string_view Verdict::name() const {
  switch (value_) {
    case none: return "";
    case ok: return "OK";
    case ng: return "NG";
    case error: return "ERROR";
    case not_run: return "NOT RUN";
    case skipped: return "SKIPPED";
  }
  return "";
}

std::ostream& operator<<(std::ostream& out, Verdict v) { return out << v.name(); }

}  // namespace nscheck::report
