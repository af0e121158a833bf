#include "probes/flow_codec.hpp"

#include <linux/errqueue.h>

#include <algorithm>
#include <cstring>

namespace nscheck::probes::flow {
namespace {

template <typename T>
void put_be(std::uint8_t* out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out[i] = static_cast<std::uint8_t>(value >> (8 * (sizeof(T) - 1 - i)));
}

template <typename T>
T get_be(const std::uint8_t* in) {
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) value = static_cast<T>((value << 8) | in[i]);
  return value;
}

bool is_recverr(const cmsghdr& c) {
  return (c.cmsg_level == SOL_IP && c.cmsg_type == IP_RECVERR) ||
         (c.cmsg_level == SOL_IPV6 && c.cmsg_type == IPV6_RECVERR);
}

}  // namespace

TokenBytes encode(const Token& token) {
  TokenBytes out{};
  put_be(&out[0], token.batch);
  put_be(&out[8], token.probe);
  put_be(&out[12], token.attempt);
  return out;
}

std::optional<Token> decode(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < k_token_size) return std::nullopt;
  return Token{get_be<std::uint64_t>(&bytes[0]), get_be<std::uint32_t>(&bytes[8]), get_be<std::uint32_t>(&bytes[12])};
}

SockAddr to_sockaddr(const Endpoint& endpoint) {
  SockAddr out;
  if (endpoint.address.family == Family::v6) {
    auto& sa = reinterpret_cast<sockaddr_in6&>(out.storage);
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(endpoint.port);
    std::memcpy(&sa.sin6_addr, endpoint.address.bytes.data(), 16);
    out.length = sizeof sa;
  } else {
    auto& sa = reinterpret_cast<sockaddr_in&>(out.storage);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(endpoint.port);
    std::memcpy(&sa.sin_addr, endpoint.address.bytes.data(), 4);
    out.length = sizeof sa;
  }
  return out;
}

std::optional<Endpoint> from_sockaddr(const sockaddr_storage& storage) {
  Endpoint e;
  if (storage.ss_family == AF_INET6) {
    const auto& sa = reinterpret_cast<const sockaddr_in6&>(storage);
    e.address.family = Family::v6;
    std::memcpy(e.address.bytes.data(), &sa.sin6_addr, 16);
    e.port = ntohs(sa.sin6_port);
    return e;
  }
  if (storage.ss_family == AF_INET) {
    const auto& sa = reinterpret_cast<const sockaddr_in&>(storage);
    e.address.family = Family::v4;
    std::memcpy(e.address.bytes.data(), &sa.sin_addr, 4);
    e.port = ntohs(sa.sin_port);
    return e;
  }
  return std::nullopt;
}

std::optional<QueuedIcmp> parse_queued_icmp(const msghdr& message) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(const_cast<msghdr*>(&message), c)) {
    if (!is_recverr(*c) || c->cmsg_len < CMSG_LEN(sizeof(sock_extended_err))) continue;
    sock_extended_err ee{};
    std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
    if (ee.ee_origin != SO_EE_ORIGIN_ICMP && ee.ee_origin != SO_EE_ORIGIN_ICMP6) return std::nullopt;
    QueuedIcmp out{ee.ee_type, ee.ee_code, ee.ee_info, static_cast<int>(ee.ee_errno), std::nullopt};
    // SO_EE_OFFENDER: the sockaddr right after the structure, inside the same control message
    const std::size_t room = c->cmsg_len - CMSG_LEN(sizeof ee);
    sockaddr_storage offender{};
    std::memcpy(&offender, CMSG_DATA(c) + sizeof ee, std::min(room, sizeof offender));
    if (room >= sizeof(sockaddr_in))
      if (auto e = from_sockaddr(offender)) out.reporter = e->address;
    return out;
  }
  return std::nullopt;
}

}  // namespace nscheck::probes::flow
