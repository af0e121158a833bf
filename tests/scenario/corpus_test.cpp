// The corpus of invalid scenarios: every tests/bad/NNN_name.toml must be refused (ErrorKind::input)
// with exactly the lines of tests/bad/NNN_name.expected, which is what
// `nscheck validate tests/bad/NNN_name.toml` prints on stderr (run from the source directory).
// Plus generated inputs too big for the repository: an oversized file, deep nesting, a 1 MiB line,
// and scenarios whose "all OK" would expand to millions of cells.
//
// After changing a message, regenerate the .expected files and read the diff before committing:
//   NSCHECK_UPDATE_CORPUS=1 build/tests/scenario/scenario_corpus_test
// A new case: add tests/bad/NNN_short_name.toml (next free number), run the same command, and check
// that every line of the new .expected is right and helpful.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "scenario/loader.hpp"

namespace nscheck::scenario {
namespace {

namespace fs = std::filesystem;

constexpr const char* k_dir = "tests/bad";

bool updating() {
  const char* v = std::getenv("NSCHECK_UPDATE_CORPUS");
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}

/// Relative paths ("tests/bad/..." as in the .expected files) need the source directory.
void enter_source_dir() { ASSERT_EQ(::chdir(NSCHECK_SOURCE_DIR), 0) << NSCHECK_SOURCE_DIR; }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// "tests/bad/NNN_name.toml", sorted.
std::vector<std::string> cases() {
  std::vector<std::string> v;
  for (const auto& e : fs::directory_iterator(k_dir))
    if (e.path().extension() == ".toml") v.push_back(std::string(k_dir) + "/" + e.path().filename().string());
  std::sort(v.begin(), v.end());
  return v;
}

/// What main prints for a refused scenario: "nscheck: " before the message, a newline after.
std::string stderr_of(const Error& e) { return "nscheck: " + e.message + "\n"; }

TEST(Corpus, EveryBadScenarioIsRefusedWithItsExpectedMessages) {
  enter_source_dir();
  const auto files = cases();
  EXPECT_GE(files.size(), 60u) << "the corpus must hold at least 60 invalid scenarios";
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    auto r = load_scenario(file);
    if (r.ok()) {
      ADD_FAILURE() << file << " was accepted";
      continue;
    }
    EXPECT_EQ(r.error().kind, ErrorKind::input) << r.error().message;
    const std::string actual = stderr_of(r.error());
    const auto expected_path = fs::path(file).replace_extension(".expected");
    if (updating()) {
      std::ofstream(expected_path, std::ios::binary) << actual;
      continue;
    }
    ASSERT_TRUE(fs::exists(expected_path)) << "no " << expected_path << " (NSCHECK_UPDATE_CORPUS=1 writes it)";
    const auto want = lines_of(slurp(expected_path));
    const auto got = lines_of(actual);
    for (std::size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
      EXPECT_EQ(i < got.size() ? got[i] : "<no line>", i < want.size() ? want[i] : "<no line>")
          << file << ": stderr line " << i + 1;
    }
    EXPECT_EQ(actual, slurp(expected_path)) << file << ": the whole stderr differs (line ends?)";
  }
}

/// A case file's name, NNN_short_name.toml or .expected: {number, extension}, or nothing.
std::optional<std::pair<std::string, std::string>> case_name(const std::string& f) {
  const auto dot = f.rfind('.');
  if (dot == std::string::npos || f.size() < 5 || f[3] != '_' || dot <= 4) return std::nullopt;
  const std::string number = f.substr(0, 3), stem = f.substr(4, dot - 4), ext = f.substr(dot + 1);
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const auto lower = [&](char c) { return (c >= 'a' && c <= 'z') || digit(c) || c == '_'; };
  if (!std::all_of(number.begin(), number.end(), digit) || !std::all_of(stem.begin(), stem.end(), lower) ||
      (ext != "toml" && ext != "expected"))
    return std::nullopt;
  return std::pair{number, ext};
}

TEST(Corpus, CaseNamesAreRecognised) {
  EXPECT_EQ(case_name("012_bad_route.toml"), (std::pair<std::string, std::string>{"012", "toml"}));
  EXPECT_EQ(case_name("012_bad_route.expected"), (std::pair<std::string, std::string>{"012", "expected"}));
  for (const char* bad : {"12_bad.toml", "012-bad.toml", "012_Bad.toml", "012_.toml", "012_bad.txt", "012_bad",
                          "a12_bad.toml", "012_bad.toml~"})
    EXPECT_FALSE(case_name(bad)) << bad;
}

TEST(Corpus, CasesAreNumberedOnceAndPaired) {
  enter_source_dir();
  std::set<std::string> numbers;
  for (const auto& e : fs::directory_iterator(k_dir)) {
    const auto f = e.path().filename().string();
    const auto name = case_name(f);
    ASSERT_TRUE(name) << f << " is not NNN_short_name.toml or .expected";
    const auto& [number, ext] = *name;
    auto other = e.path();
    other.replace_extension(ext == "toml" ? ".expected" : ".toml");
    if (!updating()) {
      EXPECT_TRUE(fs::exists(other)) << f << " has no " << other.filename();
    }
    if (ext == "toml") {
      EXPECT_TRUE(numbers.insert(number).second) << "number " << number << " is used twice";
    }
  }
}

/// A scratch directory removed at the end of the test.
class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("nscheck_corpus_" + std::to_string(::getpid()))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// The error message for text that must be refused.
std::string refusal(const std::string& text) {
  auto r = parse_scenario(text, "gen.toml");
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.error().kind, ErrorKind::input);
  return r.error().message;
}

TEST(CorpusGenerated, FileOverEightMiBIsRefusedBeforeParsing) {
  TempDir dir;
  const auto big = (dir.path() / "big.toml").string();
  std::string text;
  while (text.size() <= k_max_scenario_bytes) text += "# padding padding padding padding padding\n";
  std::ofstream(big, std::ios::binary) << text;
  auto r = load_scenario(big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::input);
  EXPECT_EQ(r.error().message, big + ": the file is larger than 8 MiB, the most a scenario may be");

  // exactly 8 MiB is not refused for its size (it is refused for having no nodes)
  const auto edge = (dir.path() / "edge.toml").string();
  text.resize(k_max_scenario_bytes);
  text.back() = '\n';
  std::ofstream(edge, std::ios::binary) << text;
  auto e = load_scenario(edge);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message.find("larger than"), std::string::npos) << e.error().message;
  EXPECT_NE(e.error().message.find("no nodes"), std::string::npos) << e.error().message;
}

TEST(CorpusGenerated, EndlessAndSpecialFilesAreRefused) {
  auto zero = load_scenario("/dev/zero");  // no size to ask for: read at most 8 MiB + 1
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().message, "/dev/zero: the file is larger than 8 MiB, the most a scenario may be");
  TempDir dir;
  auto d = load_scenario(dir.path().string());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message, dir.path().string() + ": is a directory; give the scenario's .toml file");
}

TEST(CorpusGenerated, DeepNestingDoesNotCrash) {
  EXPECT_NE(refusal("a = " + std::string(10000, '[') + "\n").find("gen.toml:1:"), std::string::npos);
  EXPECT_NE(refusal(std::string(10000, '[') + "\n").find("TOML syntax error"), std::string::npos);
  std::string inline_tables = "a = ";
  for (int i = 0; i < 10000; ++i) inline_tables += "{ b = ";
  EXPECT_NE(refusal(inline_tables + "\n").find("TOML syntax error"), std::string::npos);
  // dotted keys make TOML++ recurse once per part: refused before it sees them
  std::string dotted = "a";
  for (int i = 0; i < 100000; ++i) dotted += ".a";
  EXPECT_EQ(refusal(dotted + " = 1\n"),
            "gen.toml:1:1: a key with more than 128 dotted parts; a scenario needs only a few");
  EXPECT_EQ(refusal("[nodes.n]\n[" + dotted + "]\n"),
            "gen.toml:2:1: a key with more than 128 dotted parts; a scenario needs only a few");
  // ...but dots inside strings and comments are not key parts
  const std::string dots(100000, '.');
  EXPECT_EQ(refusal("name = \"" + dots + "\" # " + dots + "\n").find("dotted parts"), std::string::npos);
  // nested sysctl tables, each key below the limit
  std::string sysctl = "[nodes.n]\nsysctl.net = ";
  for (int i = 0; i < 200; ++i) sysctl += "{ a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a = ";
  EXPECT_NE(refusal(sysctl + "1\n").find("gen.toml:2:"), std::string::npos);
}

TEST(CorpusGenerated, OneMiBLineDoesNotCrash) {
  const std::string mib(1u << 20, 'x');
  EXPECT_NE(refusal(mib + "\n").find("TOML syntax error"), std::string::npos);
  EXPECT_NE(refusal("name = \"" + mib + "\"\n").find("no nodes"), std::string::npos);
  std::string header;  // a 1 MiB matrix header of unknown targets
  while (header.size() < (1u << 20)) header += " n" + std::to_string(header.size());
  const auto e = refusal("[nodes.a]\n[[stages]]\nexpect = \"\"\"\n" + header + "\na OK\n\"\"\"\n");
  EXPECT_NE(e.find("matrix row \"a\" has 1 cells"), std::string::npos) << e.substr(0, 300);
}

TEST(CorpusGenerated, AllOkOverManyNodesIsBounded) {
  // "all OK" is n x n cells: 40 KiB of nodes once took minutes and gigabytes
  std::string nodes;
  for (std::size_t i = 0; i <= k_max_nodes; ++i) nodes += "[nodes.n" + std::to_string(i) + "]\n";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_NE(refusal(nodes + "[[stages]]\nexpect = \"all OK\"\n")
                .find("gen.toml:1001:1: the scenario has 1001 nodes; a scenario may have at most 1000"),
            std::string::npos);
  nodes =
      "[[links]]\na = { node = \"n0\", ifname = \"x\", addresses = [\"10.0.0.1/24\"] }\n"
      "b = { node = \"n1\", ifname = \"y\", addresses = [\"10.0.0.2/24\"] }\n";
  for (std::size_t i = 0; i < 400; ++i) nodes += "[nodes.n" + std::to_string(i) + "]\n";
  std::string stages;
  for (int i = 0; i < 1000; ++i) stages += "[[stages]]\nexpect = \"all OK\"\n";
  const auto e = refusal(nodes + stages);
  EXPECT_NE(e.find(": the scenario expects more than 100000 cells in all stages; split it into several scenarios"),
            std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

}  // namespace
}  // namespace nscheck::scenario
