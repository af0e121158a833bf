#include "core/ip.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace nscheck {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN] = {};
  std::memcpy(buf, text.data(), text.size());
  IpAddress a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
    a.family = Family::v4;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes.data()) == 1) {
    a.family = Family::v6;
    return a;
  }
  return std::nullopt;
}

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress a;
  std::uint32_t be = htonl(host_order);
  std::memcpy(a.bytes.data(), &be, 4);
  return a;
}

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(af(), bytes.data(), buf, sizeof buf);
  return buf;
}

int IpAddress::af() const { return family == Family::v4 ? AF_INET : AF_INET6; }

std::uint32_t IpAddress::v4_host_order() const {
  std::uint32_t be = 0;
  std::memcpy(&be, bytes.data(), 4);
  return ntohl(be);
}

bool IpAddress::is_loopback() const {
  if (family == Family::v4) return bytes[0] == 127;
  static constexpr std::array<std::uint8_t, 16> k_v6_loopback{0, 0, 0, 0, 0, 0, 0, 0,
                                                              0, 0, 0, 0, 0, 0, 0, 1};
  return bytes == k_v6_loopback;
}

std::optional<Prefix> Prefix::parse(std::string_view text, bool require_length) {
  auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  const unsigned max = addr->family == Family::v4 ? 32 : 128;
  unsigned len = max;
  if (slash == std::string_view::npos) {
    if (require_length) return std::nullopt;
  } else {
    auto digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), len);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || len > max)
      return std::nullopt;
  }
  return Prefix{*addr, static_cast<std::uint8_t>(len)};
}

std::string Prefix::str() const { return address.str() + "/" + std::to_string(length); }

Prefix Prefix::network() const {
  Prefix p = *this;
  for (std::size_t i = 0; i < address.size(); ++i) {
    const int bits = static_cast<int>(length) - static_cast<int>(i) * 8;
    if (bits >= 8) continue;
    p.address.bytes[i] &= bits <= 0 ? 0 : static_cast<std::uint8_t>(0xff << (8 - bits));
  }
  return p;
}

bool Prefix::contains(const IpAddress& addr) const {
  if (addr.family != address.family) return false;
  Prefix other{addr, length};
  return other.network().address == network().address;
}

}  // namespace nscheck
