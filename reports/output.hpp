#pragma once
// Buffered output for the report writers: a report of 100,000 cells goes to its file in chunks,
// never whole in memory, and the writers append without checking for errors at every step.

#include <fmt/format.h>

#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace nscheck::report {

/// Where the report writers put their bytes: a buffer that is either the whole result (in memory)
/// or drained to a file descriptor whenever it fills. The first write error is remembered, later
/// output is dropped and flush() returns the error.
class Output {
 public:
  /// Keeps everything in memory, for take().
  Output() = default;
  /// Drains to `fd`, borrowed from its owner; a failed write says "write <name>: <errno text>".
  Output(int fd, std::string name);
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  /// Appends bytes (the std::string spelling, so writers read the same for both).
  Output& operator+=(std::string_view text) {
    buf_ += text;
    return drain_if_full();
  }
  Output& operator+=(char c) {
    buf_ += c;
    return drain_if_full();
  }
  /// Appends `n` copies of `c` (indentation).
  void fill(std::size_t n, char c) {
    buf_.append(n, c);
    drain_if_full();
  }
  /// Appends a decimal integer, without a temporary string.
  void integer(long long value);
  /// Appends fmt's "{}" of `value`: the shortest text that reads back as the same double.
  void number(double value);
  /// Appends fmt::format(spec, args...), without a temporary string.
  template <class... Args>
  void format(fmt::format_string<Args...> spec, Args&&... args) {
    fmt::format_to(std::back_inserter(buf_), spec, std::forward<Args>(args)...);
    drain_if_full();
  }

  /// Writes out what is buffered (nothing in memory); the first error of this output, if any.
  Result<void> flush();
  /// Everything appended, for an in-memory output.
  std::string take() { return std::move(buf_); }

 private:
  static constexpr std::size_t k_chunk = 64 * 1024;  ///< a write() per 64 KiB

  Output& drain_if_full() {
    if (fd_ >= 0 && buf_.size() >= k_chunk) drain();
    return *this;
  }
  void drain();

  std::string buf_;
  int fd_ = -1;
  std::string name_;
  std::optional<Error> error_;
};

}  // namespace nscheck::report
