#include "reports/output.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>

namespace nscheck::report {

Output::Output(int fd, std::string name) : fd_(fd), name_(std::move(name)) { buf_.reserve(2 * k_chunk); }

void Output::integer(long long value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  *this += std::string_view(digits, static_cast<std::size_t>(end - digits));
}

void Output::number(double value) {
  char text[40];  // the longest shortest double is 24 characters ("-2.2250738585072014e-308")
  const auto end = fmt::format_to_n(text, sizeof text, "{}", value).out;
  *this += std::string_view(text, static_cast<std::size_t>(end - text));
}

void Output::drain() {
  std::size_t done = 0;
  while (!error_ && done < buf_.size()) {
    const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) error_ = errno_error("write " + name_, n < 0 ? errno : EIO);  // 0: no progress, never retried
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  buf_.clear();  // after an error, later output is dropped: flush() reports the error
}

Result<void> Output::flush() {
  if (fd_ >= 0) drain();
  if (error_) return *error_;
  return {};
}

}  // namespace nscheck::report
