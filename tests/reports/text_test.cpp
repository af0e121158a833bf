#include "reports/text.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace nscheck::report {
namespace {

TEST(Sanitize, KeepsPrintableTextTabsAndNewlines) {
  EXPECT_EQ(sanitize("ns1 -> ns2\t(é ✗ 🙂)\n"), "ns1 -> ns2\t(é ✗ 🙂)\n");
}

TEST(Sanitize, StripsControlCharacters) {
  EXPECT_EQ(sanitize(std::string("a\x01"
                                 "b\x07\x7f\r"
                                 "c\0d",
                                 9)),
            "abcd");
  EXPECT_EQ(sanitize("c1:\xc2\x85\xc2\x9b!"), "c1:!");
}

TEST(Sanitize, StripsAnsiEscapeSequences) {
  EXPECT_EQ(sanitize("\x1b[1;31mred\x1b[0m"), "red");
  EXPECT_EQ(sanitize("a\x1b[2Jb\x1b[?25lc"), "abc");
  EXPECT_EQ(sanitize("\x1b]0;title\x07x\x1b]8;;http://e\x1b\\y"), "xy");
  EXPECT_EQ(sanitize("lone\x1b"), "lone");
  EXPECT_EQ(sanitize("cut\x1b[31"), "cut");
}

TEST(Sanitize, ReplacesInvalidUtf8ByteByByte) {
  EXPECT_EQ(sanitize("a\xff"
                     "b"),
            "a?b");
  EXPECT_EQ(sanitize("\xc3\x28"), "?(");            // bad continuation
  EXPECT_EQ(sanitize("\xc0\xaf"), "??");            // overlong '/'
  EXPECT_EQ(sanitize("\xed\xa0\x80"), "???");       // UTF-16 surrogate
  EXPECT_EQ(sanitize("\xf4\x90\x80\x80"), "????");  // beyond U+10FFFF
  EXPECT_EQ(sanitize("end\xe2\x9c"), "end??");      // truncated
  EXPECT_EQ(sanitize("\xef\xbf\xbf"), "");          // U+FFFF is not an XML character
}

TEST(XmlEscape, EscapesMarkupInTextAndAttributes) {
  EXPECT_EQ(xml_text("<a & \"b\" 'c'> -> ]]>"), "&lt;a &amp; \"b\" 'c'> -> ]]&gt;");
  EXPECT_EQ(xml_attr("<a & \"b\" 'c'> ->\n\t"), "&lt;a &amp; &quot;b&quot; &apos;c&apos;> ->&#10;&#9;");
}

TEST(JsonString, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(json_string("a\"b\\c\nd\te\x01"), "a\\\"b\\\\c\\nd\\te\\u0001");
}

TEST(DisplayWidth, CountsCodePoints) {
  EXPECT_EQ(display_width("NG ✗"), 4u);
  EXPECT_EQ(pad_right("✗", 3), "✗  ");
  EXPECT_EQ(pad_right("long", 2), "long");
}

TEST(Seconds, ThreeDecimalsAndNoNegativeOrNan) {
  EXPECT_EQ(seconds(1.23456), "1.235");
  EXPECT_EQ(seconds(-1), "0.000");
  EXPECT_EQ(seconds(std::nan("")), "0.000");
}

}  // namespace
}  // namespace nscheck::report
