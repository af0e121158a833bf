#pragma once
// Result<T>: the small subset of std::expected that nscheck needs (C++20 has none).
// Errors carry a message that upper layers prefix with context; only main prints.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace nscheck {

/// Which exit-code family an error belongs to.
enum class ErrorKind {
  environment,  ///< kernel refusal, missing privilege, harness trouble (exit 2)
  internal,     ///< a bug in nscheck (exit 3)
  input,        ///< usage error or invalid scenario (exit 4)
};

/// A harness error: what went wrong, with context prepended by each layer.
struct Error {
  std::string message;
  int errnum = 0;  ///< errno (positive) when the error came from the kernel, else 0
  ErrorKind kind = ErrorKind::environment;

  /// Returns a copy with "context: " prepended to the message.
  [[nodiscard]] Error with_context(const std::string& context) const {
    return Error{context + ": " + message, errnum, kind};
  }
};

/// Builds an error from an errno value and a description of the operation.
Error errno_error(const std::string& what, int errnum);

/// An input (scenario or usage) error.
inline Error input_error(std::string message) {
  return Error{std::move(message), 0, ErrorKind::input};
}

/// Tag wrapper so that Result<std::string> can be built from an error unambiguously.
struct Unexpected {
  Error error;
};
inline Unexpected fail(Error e) { return Unexpected{std::move(e)}; }

/// Either a value or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  [[nodiscard]] const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Result without a value.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Unexpected u) : err_(std::move(u.error)), failed_(true) {}  // NOLINT
  Result(Error e) : err_(std::move(e)), failed_(true) {}  // NOLINT
  [[nodiscard]] bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  [[nodiscard]] const Error& error() const { assert(failed_); return err_; }

 private:
  Error err_;
  bool failed_ = false;
};

}  // namespace nscheck

/// Propagates an error: `NS_TRY(x, expr);` declares x = value of expr or returns its error.
#define NS_TRY(var, expr)                                  \
  auto var##_result_ = (expr);                             \
  if (!var##_result_.ok()) return var##_result_.error();   \
  auto var = std::move(var##_result_).value()

/// Propagates an error of a Result<void>.
#define NS_CHECK(expr)                                     \
  do {                                                     \
    auto ns_check_result_ = (expr);                        \
    if (!ns_check_result_.ok()) return ns_check_result_.error(); \
  } while (0)
