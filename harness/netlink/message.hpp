#pragma once
// A small builder for one netlink message in a fixed buffer. Nested attributes close themselves
// when their guard leaves scope. An attribute that does not fit is not written: the overflow is
// remembered and finish() then returns empty Bytes, which Socket::transact refuses as an
// internal error. Requests are small, so the fixed capacity is generous rather than exact.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "netlink/requests.hpp"

namespace nscheck::nl {

/// Capacity of one message: every request nscheck builds is well under a quarter of it.
inline constexpr std::size_t k_message_capacity = 1024;

class MessageBuilder;

/// Guard of an open nested attribute: writes the nest's length when it leaves scope.
class Nest {
 public:
  Nest(const Nest&) = delete;
  Nest& operator=(const Nest&) = delete;
  ~Nest();

 private:
  friend class MessageBuilder;
  Nest(MessageBuilder& builder, std::size_t start) : builder_(builder), start_(start) {}
  MessageBuilder& builder_;
  std::size_t start_;
};

/// Builds one netlink message: header, fixed family header, attributes; all 4-byte aligned.
class MessageBuilder {
 public:
  /// Starts a message with nlmsg_type = type, nlmsg_flags = flags, seq and pid 0.
  MessageBuilder(std::uint16_t type, std::uint16_t flags);

  /// Appends a fixed struct (ifinfomsg, ifaddrmsg, rtmsg), padded to 4 bytes.
  template <class T>
  void put_struct(const T& value) {
    put_raw(&value, sizeof value);
  }
  /// Appends an attribute with a raw payload.
  void put_attr(std::uint16_t type, const void* data, std::size_t len);
  /// Appends a u8 attribute.
  void put_u8(std::uint16_t type, std::uint8_t value);
  /// Appends a u32 attribute (host byte order).
  void put_u32(std::uint16_t type, std::uint32_t value);
  /// Appends a NUL-terminated string attribute.
  void put_strz(std::uint16_t type, std::string_view text);
  /// Opens a nested attribute that closes when the returned guard is destroyed.
  [[nodiscard]] Nest nest(std::uint16_t type);
  /// Appends a struct whose first u16 is the length of itself and of what follows it until the
  /// returned guard is destroyed (struct rtnexthop: a nest without a type).
  template <class T>
  [[nodiscard]] Nest nest_struct(const T& head) {
    return open_sized(&head, sizeof head);
  }

  /// True once something did not fit.
  [[nodiscard]] bool overflowed() const { return overflow_; }
  /// The finished message with nlmsg_len set, or empty Bytes after an overflow.
  [[nodiscard]] Bytes finish() const;

 private:
  friend class Nest;
  static constexpr std::size_t k_none = static_cast<std::size_t>(-1);

  std::size_t reserve(std::size_t len);
  void put_raw(const void* data, std::size_t len);
  Nest open_sized(const void* data, std::size_t len);
  void close_nest(std::size_t start);

  std::array<std::uint8_t, k_message_capacity> buf_{};
  std::size_t len_ = 0;
  bool overflow_ = false;
};

}  // namespace nscheck::nl
