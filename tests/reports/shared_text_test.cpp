#include "reports/shared_text.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "reports/report.hpp"

namespace nscheck::report {
namespace {

TEST(SharedText, EmptyTextAllocatesNothing) {
  EXPECT_TRUE(SharedText().empty());
  EXPECT_TRUE(SharedText("").empty());
  EXPECT_EQ(SharedText("").view().data(), nullptr);
  EXPECT_EQ(SharedText(), "");
}

TEST(SharedText, CopiesShareOneAllocationAndOutliveTheOriginal) {
  std::optional<SharedText> original(std::string("no reply within 200 ms (2 requests sent)"));
  const SharedText copy = *original;
  EXPECT_EQ(copy.view().data(), original->view().data());
  original.reset();
  EXPECT_EQ(copy, "no reply within 200 ms (2 requests sent)");
}

TEST(SharedText, MovingLeavesTheSourceEmpty) {
  SharedText a("ns1");
  SharedText b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT: a moved-from text is empty, by design
  EXPECT_EQ(b, "ns1");
  b = std::move(b);  // NOLINT: self-move keeps the text
  EXPECT_EQ(b, "ns1");
  const SharedText& same = b;
  b = same;
  EXPECT_EQ(b, "ns1");
}

TEST(SharedText, ReadsLikeAString) {
  const SharedText t("net unreachable from 192.0.2.254");
  const std::string s = "net unreachable from 192.0.2.254";
  EXPECT_EQ(t, s);
  EXPECT_EQ(s, t);
  EXPECT_EQ(t, std::string_view(s));
  EXPECT_EQ(t, SharedText(s));
  EXPECT_NE(t, "net unreachable");
  EXPECT_EQ(t.size(), s.size());
  EXPECT_EQ(t.find("from 192.0.2.254"), 16u);
  EXPECT_EQ(t.find("nothing"), std::string::npos);
  EXPECT_EQ(t.substr(21), "192.0.2.254");
  EXPECT_EQ(t.str(), s);
  EXPECT_EQ(t + "!", s + "!");
  EXPECT_EQ("NG " + t, "NG " + s);
  std::ostringstream out;
  out << t;
  EXPECT_EQ(out.str(), s);
}

TEST(SharedText, CopiesMayBeMadeAndDroppedOnManyThreads) {
  const SharedText text("icmp");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&text] {
      for (int i = 0; i < 100'000; ++i) {
        SharedText copy = text;
        if (copy != "icmp") std::abort();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(text, "icmp");
}

TEST(TextPool, EqualTextsAreOneAllocation) {
  TextPool pool;
  const SharedText a = pool("ns1");
  const SharedText b = pool(std::string("ns1"));
  const SharedText c = pool("ns2");
  EXPECT_EQ(a.view().data(), b.view().data());
  EXPECT_NE(a.view().data(), c.view().data());
  EXPECT_EQ(c, "ns2");
  EXPECT_TRUE(pool("").empty());
}

TEST(TextPool, TextsOutliveThePool) {
  SharedText kept;
  {
    TextPool pool;
    kept = pool("timeout");
  }
  EXPECT_EQ(kept, "timeout");
}

TEST(Verdict, SpellsItsNames) {
  EXPECT_EQ(Verdict().name(), "");
  EXPECT_EQ(Verdict(Verdict::ok).name(), "OK");
  EXPECT_EQ(Verdict(Verdict::ng).name(), "NG");
  EXPECT_EQ(Verdict(Verdict::error).name(), "ERROR");
  EXPECT_EQ(Verdict(Verdict::not_run).name(), "NOT RUN");
  EXPECT_EQ(Verdict(Verdict::skipped).name(), "SKIPPED");
  EXPECT_EQ(Verdict(Verdict::ng), "NG");
  EXPECT_EQ(Verdict(Verdict::ok) + " reply", "OK reply");
  EXPECT_TRUE(Verdict(Verdict::ok).decided());
  EXPECT_TRUE(Verdict(Verdict::ng).decided());
  EXPECT_FALSE(Verdict(Verdict::error).decided());
  EXPECT_FALSE(Verdict().decided());
}

TEST(Cell, StaysSmall) {
  // 62,500 cells at N = 250: each text is one pointer, each verdict one byte
  EXPECT_LE(sizeof(Cell), 104u);
}

}  // namespace
}  // namespace nscheck::report
