#include "scenario/matrix_text.hpp"

#include <gtest/gtest.h>

namespace nscheck::scenario {
namespace {

TEST(Matrix, ParsesTableWithPositions) {
  Diagnostics d;
  auto m = parse_matrix("   a  b\na  OK ng\nb  -  OK\n", {Loc{10, 1}, 1}, d);
  ASSERT_TRUE(d.empty());
  ASSERT_EQ(m.columns.size(), 2u);
  EXPECT_EQ(m.columns[1].text, "b");
  EXPECT_EQ(m.columns[1].loc.line, 10);
  EXPECT_EQ(m.columns[1].loc.column, 7);
  ASSERT_EQ(m.cells.size(), 4u);
  EXPECT_EQ(m.cells[1].verdict, Verdict::ng);
  EXPECT_EQ(m.cells[1].loc.line, 11);
  EXPECT_EQ(m.cells[1].loc.column, 7);
  EXPECT_FALSE(m.cells[2].verdict.has_value());
}

TEST(Matrix, AllShorthand) {
  Diagnostics d;
  auto m = parse_matrix("all NG", {Loc{3, 10}, 1}, d);
  ASSERT_TRUE(d.empty());
  EXPECT_EQ(m.all, Verdict::ng);
  parse_matrix("all maybe", {Loc{3, 10}, 1}, d);
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].loc.column, 14);
}

TEST(Matrix, WrongCellCount) {
  Diagnostics d;
  parse_matrix("  a b\na OK\n", {Loc{1, 1}, 1}, d);
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_NE(d.items()[0].message.find("has 1 cells but the header has 2 columns"), std::string::npos);
  EXPECT_EQ(d.items()[0].loc.line, 2);
}

TEST(Matrix, HeaderOnlyIsAnError) {
  Diagnostics d;
  parse_matrix("a b", {Loc{1, 1}, 1}, d);
  EXPECT_EQ(d.items().size(), 1u);
}

}  // namespace
}  // namespace nscheck::scenario
