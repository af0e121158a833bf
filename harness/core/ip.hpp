#pragma once
// IP addresses and prefixes as plain values, for both families (IPv6 drops in without a model change).

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nscheck {

/// Address family of an IpAddress.
enum class Family : std::uint8_t { v4 = 4, v6 = 6 };

/// An IPv4 or IPv6 address in network byte order.
struct IpAddress {
  Family family = Family::v4;
  std::array<std::uint8_t, 16> bytes{};  ///< first 4 bytes used for IPv4

  /// Parses "192.0.2.1" or "2001:db8::1"; nullopt if it is neither.
  static std::optional<IpAddress> parse(std::string_view text);
  /// Builds an IPv4 address from a host-order integer.
  static IpAddress v4(std::uint32_t host_order);

  [[nodiscard]] std::string str() const;
  /// Number of meaningful bytes (4 or 16).
  [[nodiscard]] std::size_t size() const { return family == Family::v4 ? 4 : 16; }
  /// The AF_INET / AF_INET6 constant.
  [[nodiscard]] int af() const;
  /// IPv4 address as a host-order integer (IPv4 only).
  [[nodiscard]] std::uint32_t v4_host_order() const;
  [[nodiscard]] bool is_loopback() const;

  auto operator<=>(const IpAddress&) const = default;
};

/// An address with a prefix length: "192.0.2.1/24".
struct Prefix {
  IpAddress address;
  std::uint8_t length = 0;

  /// Parses "ADDR/LEN" (LEN required when require_length, else defaults to the full length).
  static std::optional<Prefix> parse(std::string_view text, bool require_length = true);
  [[nodiscard]] std::string str() const;
  /// The network part: host bits cleared.
  [[nodiscard]] Prefix network() const;
  /// True when addr lies inside this prefix (same family).
  [[nodiscard]] bool contains(const IpAddress& addr) const;

  auto operator<=>(const Prefix&) const = default;
};

}  // namespace nscheck
