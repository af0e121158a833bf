#include "netlink/message.hpp"

#include <linux/netlink.h>

#include <cstring>

namespace nscheck::nl {

static_assert(k_message_capacity <= 0xffff, "nla_len is 16 bits: a nest must not outgrow it");

Nest::~Nest() { builder_.close_nest(start_); }

MessageBuilder::MessageBuilder(std::uint16_t type, std::uint16_t flags) {
  nlmsghdr header{};
  header.nlmsg_type = type;
  header.nlmsg_flags = flags;
  put_struct(header);
}

/// Claims len bytes (rounded up to 4) and returns their offset, or k_none after an overflow.
std::size_t MessageBuilder::reserve(std::size_t len) {
  const std::size_t aligned = NLMSG_ALIGN(len);
  if (overflow_ || aligned > buf_.size() - len_) {
    overflow_ = true;
    return k_none;
  }
  const std::size_t offset = len_;
  len_ += aligned;
  return offset;
}

void MessageBuilder::put_raw(const void* data, std::size_t len) {
  const std::size_t offset = reserve(len);
  if (offset != k_none) std::memcpy(buf_.data() + offset, data, len);
}

void MessageBuilder::put_attr(std::uint16_t type, const void* data, std::size_t len) {
  const std::size_t offset = reserve(NLA_HDRLEN + len);
  if (offset == k_none) return;
  const nlattr header{static_cast<std::uint16_t>(NLA_HDRLEN + len), type};
  std::memcpy(buf_.data() + offset, &header, sizeof header);
  if (len > 0) std::memcpy(buf_.data() + offset + NLA_HDRLEN, data, len);
}

void MessageBuilder::put_u8(std::uint16_t type, std::uint8_t value) { put_attr(type, &value, sizeof value); }

void MessageBuilder::put_u32(std::uint16_t type, std::uint32_t value) { put_attr(type, &value, sizeof value); }

void MessageBuilder::put_strz(std::uint16_t type, std::string_view text) {
  // Bytes past len_ were never written, so the terminating NUL and the padding are already 0.
  const std::size_t offset = reserve(NLA_HDRLEN + text.size() + 1);
  if (offset == k_none) return;
  const nlattr header{static_cast<std::uint16_t>(NLA_HDRLEN + text.size() + 1), type};
  std::memcpy(buf_.data() + offset, &header, sizeof header);
  std::memcpy(buf_.data() + offset + NLA_HDRLEN, text.data(), text.size());
}

Nest MessageBuilder::nest(std::uint16_t type) {
  const std::size_t start = reserve(NLA_HDRLEN);
  if (start != k_none) {
    const nlattr header{NLA_HDRLEN, type};
    std::memcpy(buf_.data() + start, &header, sizeof header);
  }
  return Nest(*this, start);
}

Nest MessageBuilder::open_sized(const void* data, std::size_t len) {
  const std::size_t start = reserve(len);
  if (start != k_none) std::memcpy(buf_.data() + start, data, len);
  return Nest(*this, start);
}

void MessageBuilder::close_nest(std::size_t start) {
  if (overflow_ || start == k_none) return;
  const auto len = static_cast<std::uint16_t>(len_ - start);
  std::memcpy(buf_.data() + start + offsetof(nlattr, nla_len), &len, sizeof len);
}

Bytes MessageBuilder::finish() const {
  if (overflow_) return {};
  Bytes out(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(len_));
  const auto len = static_cast<std::uint32_t>(len_);
  std::memcpy(out.data() + offsetof(nlmsghdr, nlmsg_len), &len, sizeof len);
  return out;
}

}  // namespace nscheck::nl
