// The message builder: padding, self-closing nests, and overflow that is remembered.
#include "netlink/message.hpp"

#include <gtest/gtest.h>

#include <string>

// clang-format off: the byte tables keep one field per line, aligned by hand.
namespace nscheck::nl {
namespace {

TEST(MessageBuilder, HeaderOnlyMessage) {
  const MessageBuilder msg(0x12, 0x0301);
  const Bytes expected = {
      0x10, 0x00, 0x00, 0x00,  // nlmsg_len 16
      0x12, 0x00, 0x01, 0x03,  // type, flags
      0x00, 0x00, 0x00, 0x00,  // seq
      0x00, 0x00, 0x00, 0x00,  // pid
  };
  EXPECT_EQ(msg.finish(), expected);
}

TEST(MessageBuilder, NestsCloseAtScopeExitAndPadEverything) {
  MessageBuilder msg(1, 0);
  {
    auto outer = msg.nest(7);
    msg.put_u8(1, 0xaa);
    auto inner = msg.nest(2);
    msg.put_strz(3, "abc");
  }
  msg.put_u32(9, 5);
  const Bytes expected = {
      0x30, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // nlmsg_len 48, type 1, flags 0
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // seq, pid
      0x18, 0x00, 0x07, 0x00,  // nest 7, nla_len 24
      0x05, 0x00, 0x01, 0x00,  //   nla_len 5, type 1
      0xaa, 0x00, 0x00, 0x00,  //   u8 + padding
      0x0c, 0x00, 0x02, 0x00,  //   nest 2, nla_len 12
      0x08, 0x00, 0x03, 0x00,  //     nla_len 8, type 3
      'a', 'b', 'c', 0x00,     //     "abc\0"
      0x08, 0x00, 0x09, 0x00,  // nla_len 8, type 9
      0x05, 0x00, 0x00, 0x00,  // 5
  };
  EXPECT_EQ(msg.finish(), expected);
}

TEST(MessageBuilder, OverflowIsRememberedAndRefused) {
  MessageBuilder msg(1, 0);
  {
    auto nest = msg.nest(1);
    msg.put_strz(2, std::string(k_message_capacity, 'x'));
    EXPECT_TRUE(msg.overflowed());
  }
  msg.put_u32(3, 1);  // fits, but the message is already broken
  EXPECT_TRUE(msg.overflowed());
  EXPECT_TRUE(msg.finish().empty());
}

TEST(MessageBuilder, FillsExactlyToCapacity) {
  MessageBuilder msg(1, 0);
  // 16 header + 4 attribute header + payload = capacity: fits with no byte to spare.
  const std::string payload(k_message_capacity - 16 - 4 - 1, 'y');
  msg.put_strz(2, payload);
  EXPECT_FALSE(msg.overflowed());
  EXPECT_EQ(msg.finish().size(), k_message_capacity);
  msg.put_u8(3, 1);
  EXPECT_TRUE(msg.finish().empty());
}

}  // namespace
}  // namespace nscheck::nl
// clang-format on
