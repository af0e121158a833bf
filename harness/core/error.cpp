#include "core/result.hpp"

#include <cstring>

namespace nscheck {

Error errno_error(const std::string& what, int errnum) {
  return Error{what + ": " + std::strerror(errnum), errnum, ErrorKind::environment};
}

}  // namespace nscheck
