// End to end: the command line of the built nscheck binary (README "Command line"): --json,
// --color and NO_COLOR, --deadline-ms and --count against the scenario's values, plan, --version,
// validate on several files, and usage errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "support/files.hpp"
#include "support/host_unchanged.hpp"
#include "support/process.hpp"

namespace nscheck::test {
namespace {

namespace fs = std::filesystem;

const std::string k_bin = NSCHECK_BINARY;
const std::string k_src = NSCHECK_SOURCE_DIR;

std::string temp_path(const std::string& name) { return test::temp_path("cli", name); }

/// A scenario written to a temporary file, removed with the object.
class TempScenario {
 public:
  TempScenario(const std::string& name, const std::string& text) : path_(temp_path(name)) {
    std::ofstream(path_) << text;
  }
  ~TempScenario() { fs::remove(path_); }
  TempScenario(const TempScenario&) = delete;
  TempScenario& operator=(const TempScenario&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// ns1 - router - ns2 with forwarding off: ns1 <-> ns2 time out (NG), every other pair is OK.
/// `probe` goes in at the top level, `stage1` into the first of two stages.
std::string router_scenario(const std::string& probe, const std::string& stage1) {
  const std::string matrix = R"(expect = """
        ns1  router  ns2
ns1     OK   OK      NG
router  OK   OK      OK
ns2     NG   OK      OK
"""
)";
  return "name = \"cli router\"\n" + probe + R"(
[nodes.ns1]
routes = ["default via 192.0.2.254"]
[nodes.router]
[nodes.ns2]
routes = ["default via 198.51.100.254"]

[[links]]
a = { node = "ns1",    ifname = "ns1-veth0", addresses = ["192.0.2.1/24"] }
b = { node = "router", ifname = "gw-veth0",  addresses = ["192.0.2.254/24"] }

[[links]]
a = { node = "router", ifname = "gw-veth1",  addresses = ["198.51.100.254/24"] }
b = { node = "ns2",    ifname = "ns2-veth0", addresses = ["198.51.100.1/24"] }

[[stages]]
name = "first"
)" + stage1 +
         matrix + R"(
[[stages]]
name = "second"
)" + matrix;
}

/// Two nodes on one veth, every pair OK, no probe settings anywhere: the defaults apply.
const std::string k_pair = R"(name = "cli pair"
[nodes.ns1]
[nodes.ns2]
[[links]]
a = { node = "ns1", ifname = "ns1-veth0", addresses = ["192.0.2.1/24"] }
b = { node = "ns2", ifname = "ns2-veth0", addresses = ["192.0.2.2/24"] }
[[stages]]
name = "pair"
expect = "all OK"
)";

/// A strict check of JSON syntax (RFC 8259): one value, nothing after it but whitespace.
class JsonChecker {
 public:
  explicit JsonChecker(const std::string& text) : s_(text) {}
  bool valid() {
    skip_ws();
    if (!value()) return false;
    skip_ws();
    return i_ == s_.size();
  }

 private:
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_;
  }
  bool eat(char c) {
    skip_ws();
    if (i_ >= s_.size() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool literal(const std::string& word) {
    if (s_.compare(i_, word.size(), word) != 0) return false;
    i_ += word.size();
    return true;
  }
  bool string() {
    if (!eat('"')) return false;
    while (i_ < s_.size() && s_[i_] != '"') {
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c < 0x20) return false;
      if (c == '\\') {
        ++i_;
        if (i_ >= s_.size()) return false;
        if (s_[i_] == 'u') {
          for (int k = 0; k < 4; ++k)
            if (++i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_]))) return false;
        } else if (std::string("\"\\/bfnrt").find(s_[i_]) == std::string::npos) {
          return false;
        }
      }
      ++i_;
    }
    return eat('"');
  }
  bool number() {
    static const std::regex k_number(R"(^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)");
    std::smatch m;
    const std::string rest = s_.substr(i_, 64);
    if (!std::regex_search(rest, m, k_number) || m.length(0) == 0) return false;
    i_ += static_cast<std::size_t>(m.length(0));
    return true;
  }
  template <class Item>
  bool sequence(char close, Item item) {
    if (eat(close)) return true;
    do {
      if (!item()) return false;
    } while (eat(','));
    return eat(close);
  }
  bool value() {
    skip_ws();
    if (i_ >= s_.size()) return false;
    switch (s_[i_]) {
      case '{': ++i_; return sequence('}', [this] { return string() && eat(':') && value(); });
      case '[': ++i_; return sequence(']', [this] { return value(); });
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }
  const std::string& s_;
  std::size_t i_ = 0;
};

bool valid_json(const std::string& text) { return JsonChecker(text).valid(); }

/// How often `needle` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

/// text without its ANSI escape sequences (ESC [ ... letter).
std::string strip_ansi(const std::string& text) {
  static const std::regex k_escape("\x1b\\[[0-9;]*[A-Za-z]");
  return std::regex_replace(text, k_escape, "");
}

/// Each stage's "deadline_ms" and "count" in a JSON report, in order: "200/4 300/3".
std::string stage_probe_settings(const std::string& json) {
  static const std::regex k_fields(R"re("deadline_ms": (\d+),\s*"count": (\d+))re");
  std::string out;
  for (std::sregex_iterator it(json.begin(), json.end(), k_fields), end; it != end; ++it)
    out += (out.empty() ? "" : " ") + (*it)[1].str() + "/" + (*it)[2].str();
  return out;
}

using Cli = HostUnchanged;

TEST(JsonChecker, TellsValidFromInvalid) {  // the checker the tests below rely on
  EXPECT_TRUE(valid_json(R"({"a": [1, -2.5e3, "x\"\u00e9", true, null, {}], "b": {"c": []}})"));
  EXPECT_FALSE(valid_json(R"({"a": 1,})"));
  EXPECT_FALSE(valid_json(R"({"a": 1} trailing)"));
  EXPECT_FALSE(valid_json(R"({"a": 01})"));
  EXPECT_FALSE(valid_json("{\"a\": \"line\nbreak\"}"));
  EXPECT_FALSE(valid_json("kept\n{}"));
  EXPECT_FALSE(valid_json(""));
}

TEST_F(Cli, JsonFileHoldsStagesMatricesCellsAndVerdicts) {
  TempScenario s("json.toml", router_scenario("[probe]\ndeadline_ms = 100\n", ""));
  const auto json_path = temp_path("report.json");
  auto r = run_command({k_bin, "run", s.path(), "--json", json_path, "--no-color"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("stage 1/2 \"first\": passed"), std::string::npos) << "the terminal report stays: " << r.out;
  const auto json = read_file(json_path);
  fs::remove(json_path);
  ASSERT_TRUE(valid_json(json)) << json;
  EXPECT_EQ(json.find("\x1b"), std::string::npos) << json;
  EXPECT_NE(json.find("\"scenario_name\": \"cli router\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"result\": \"passed\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"name\": \"first\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"name\": \"second\""), std::string::npos) << json;
  EXPECT_EQ(stage_probe_settings(json), "100/2 100/2");
  EXPECT_NE(json.find("\"rows\": [\"ns1\", \"router\", \"ns2\"]"), std::string::npos) << json;
  // 12 cells per stage (the router has two addresses), 24 in all, each with a status
  EXPECT_NE(json.find("\"cells\": 24"), std::string::npos) << json;
  EXPECT_EQ(occurrences(json, "\"status\": \"pass\""), 24u) << json;
  // the two NG cells of each stage, with their reason
  EXPECT_EQ(occurrences(json, "\"expected\": \"NG\""), 4u) << json;
  EXPECT_EQ(occurrences(json, "\"observed\": \"NG\""), 4u) << json;
  EXPECT_EQ(occurrences(json, "\"reason\": \"timeout\""), 4u) << json;
  EXPECT_EQ(occurrences(json, "\"detail\": \"no reply within 100 ms (2 requests sent)\""), 4u) << json;
  EXPECT_EQ(occurrences(json, "\"observed\": \"OK\""), 20u) << json;
  // where each stage's time went: both stages wait their 100 ms deadline for the silent cells
  EXPECT_EQ(occurrences(json, "\"changes_s\": "), 2u) << json;
  EXPECT_EQ(occurrences(json, "\"plan_s\": "), 3u) << json;  // and the set-up's own plan_s
  // the first stage is planned while the topology is built: a set-up phase of its own
  EXPECT_EQ(occurrences(json, "\"stage_plan_s\": "), 1u) << json;
  EXPECT_LT(json.find("\"wait_up_s\": "), json.find("\"stage_plan_s\": ")) << json;
  for (std::size_t at = json.find("\"probe_s\": "), n = 0; n < 2; at = json.find("\"probe_s\": ", at + 1), ++n) {
    ASSERT_NE(at, std::string::npos) << json;
    const double probe_s = std::atof(json.c_str() + at + 11);
    EXPECT_GE(probe_s, 0.095) << "stage " << n + 1 << ": " << json.substr(at, 40);
    EXPECT_LT(probe_s, 5.0) << json.substr(at, 40);
  }
}

TEST_F(Cli, JsonDashWritesOnlyTheJsonToStdout) {
  TempScenario s("dash.toml", router_scenario("", ""));
  auto r = run_command({k_bin, "run", s.path(), "--json", "-", "--deadline-ms", "50", "--color", "always"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(valid_json(r.out)) << "stdout is one JSON document:\n" << r.out;
  EXPECT_NE(r.out.find("\"result\": \"passed\""), std::string::npos) << r.out;
  EXPECT_EQ(occurrences(r.out, "\"status\": \"pass\""), 24u) << r.out;
  EXPECT_EQ(r.out.find("stage 1/2"), std::string::npos) << "no terminal matrix:\n" << r.out;
  EXPECT_EQ(r.out.find("PASSED"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\x1b"), std::string::npos) << r.out;
}

TEST_F(Cli, JsonDashWithKeepSendsTheInstructionsToStderr) {
  auto r = run_command({k_bin, "run", k_src + "/scenarios/003_veth_pair.toml", "--json", "-", "--keep"});
  const std::string marker = "kept (run id ";
  const std::string both = r.err + r.out;  // wherever it went, the run id is needed to clean up
  const auto at = both.find(marker);
  const std::string id = at == std::string::npos ? "" : both.substr(at + marker.size(), 6);
  if (id.size() == 6) {  // clean up before any assertion can stop the test
    EXPECT_EQ(run_command({k_bin, "clean", id}).exit_code, 0);
  }
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(id.size(), 6u) << r.err;
  EXPECT_NE(r.err.find(marker + id + ")"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ip netns exec nscheck-" + id + "-ns1 bash"), std::string::npos) << r.err;
  EXPECT_TRUE(valid_json(r.out)) << "stdout is one JSON document:\n" << r.out;
  EXPECT_EQ(r.out.find("kept"), std::string::npos) << r.out;
}

TEST_F(Cli, UnwritableJsonPathExitsTwoNamingThePath) {
  TempScenario s("unwritable.toml", router_scenario("", ""));
  const std::string bad = "/nonexistent-nscheck-" + std::to_string(::getpid()) + "/report.json";
  const auto junit = temp_path("unwritable.xml");
  auto r = run_command({k_bin, "run", s.path(), "--json", bad, "--junit", junit, "--deadline-ms", "50"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("cannot write " + bad + ":"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("No such file or directory"), std::string::npos) << r.err;
  EXPECT_NE(read_file(junit).find("<testsuites"), std::string::npos) << "the other report is still written";
  fs::remove(junit);
}

TEST_F(Cli, JsonToAClosedStdoutExitsTwo) {
  TempScenario s("closed.toml", router_scenario("", ""));
  auto r = run_command({"/bin/sh", "-c", "exec \"$0\" run \"$1\" --json - --deadline-ms 50 >&-", k_bin, s.path()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("stdout"), std::string::npos) << r.err;
}

TEST_F(Cli, ColourFollowsTheFlagTheTerminalAndNoColor) {
  TempScenario s("colour.toml", router_scenario("[probe]\ndeadline_ms = 30\n", ""));
  const std::string esc = "\x1b[";
  auto with = [&](std::vector<std::string> flags, RunOptions how) {
    std::vector<std::string> argv{k_bin, "run", s.path()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto r = run_command_with(argv, how);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto plain = strip_ansi(r.out);  // the report is there, coloured or not
    EXPECT_NE(plain.find("stage 2/2 \"second\": passed, 12 cells"), std::string::npos) << r.out;
    EXPECT_NE(plain.find("PASSED cli router: 2 stages, 24 cells"), std::string::npos) << r.out;
    return r.out;
  };
  const RunOptions pipe{.env = {"NO_COLOR"}};
  const RunOptions tty{.env = {"NO_COLOR"}, .terminal = true};
  const RunOptions pipe_no_color{.env = {"NO_COLOR=1"}};
  const RunOptions tty_no_color{.env = {"NO_COLOR=1"}, .terminal = true};
  const RunOptions tty_empty_no_color{.env = {"NO_COLOR="}, .terminal = true};

  EXPECT_NE(with({"--color", "always"}, pipe).find(esc), std::string::npos);
  EXPECT_EQ(with({"--color", "never"}, tty).find(esc), std::string::npos);
  EXPECT_EQ(with({"--no-color"}, tty).find(esc), std::string::npos);
  EXPECT_EQ(with({"--color", "auto"}, pipe).find(esc), std::string::npos);
  EXPECT_EQ(with({}, pipe).find(esc), std::string::npos);
  EXPECT_NE(with({"--color", "auto"}, tty).find(esc), std::string::npos) << "auto colours a terminal";
  EXPECT_NE(with({}, tty).find(esc), std::string::npos) << "auto is the default";
  // README: auto colours only when NO_COLOR is unset or empty; a flag wins over NO_COLOR
  EXPECT_EQ(with({"--color", "auto"}, tty_no_color).find(esc), std::string::npos);
  EXPECT_EQ(with({}, tty_no_color).find(esc), std::string::npos);
  EXPECT_NE(with({"--color", "auto"}, tty_empty_no_color).find(esc), std::string::npos);
  EXPECT_NE(with({"--color", "always"}, pipe_no_color).find(esc), std::string::npos);
}

TEST_F(Cli, StageValuesWinOverProbeTableAndDefaults) {
  TempScenario s("precedence.toml",
                 router_scenario("[probe]\ndeadline_ms = 400\ncount = 3\n", "deadline_ms = 300\ncount = 4\n"));
  const auto json_path = temp_path("precedence.json");
  auto r = run_command({k_bin, "run", s.path(), "--no-color", "--json", json_path});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // stage 1 sets its own values; stage 2 takes [probe]'s
  EXPECT_NE(r.out.find("\"first\": passed, 12 cells ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("; deadline 300 ms, count 4)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("; deadline 400 ms, count 3)"), std::string::npos) << r.out;
  EXPECT_EQ(occurrences(r.out, "NG timeout: no reply within 300 ms (4 requests sent)"), 2u) << r.out;
  EXPECT_EQ(occurrences(r.out, "NG timeout: no reply within 400 ms (3 requests sent)"), 2u) << r.out;
  EXPECT_EQ(stage_probe_settings(read_file(json_path)), "300/4 400/3");
  fs::remove(json_path);
  // neither: the defaults, 500 ms and 2 requests
  TempScenario pair("defaults.toml", k_pair);
  auto d = run_command({k_bin, "run", pair.path(), "--no-color"});
  ASSERT_EQ(d.exit_code, 0) << d.out << d.err;
  EXPECT_NE(d.out.find("; deadline 500 ms, count 2)"), std::string::npos) << d.out;
}

TEST_F(Cli, DeadlineAndCountFlagsOverrideEveryStage) {
  TempScenario s("override.toml",
                 router_scenario("[probe]\ndeadline_ms = 400\ncount = 3\n", "deadline_ms = 300\ncount = 4\n"));
  const auto json_path = temp_path("override.json");
  auto r = run_command({k_bin, "run", s.path(), "--no-color", "--deadline-ms", "200", "--count", "5", "--json",
                        json_path});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(occurrences(r.out, "; deadline 200 ms, count 5)"), 2u) << r.out;
  EXPECT_EQ(r.out.find("deadline 300 ms"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("deadline 400 ms"), std::string::npos) << r.out;
  EXPECT_EQ(occurrences(r.out, "NG timeout: no reply within 200 ms (5 requests sent)"), 4u) << r.out;
  const auto json = read_file(json_path);
  fs::remove(json_path);
  EXPECT_EQ(stage_probe_settings(json), "200/5 200/5");
  EXPECT_EQ(occurrences(json, "\"detail\": \"no reply within 200 ms (5 requests sent)\""), 4u) << json;
  EXPECT_EQ(occurrences(json, "\"sent\": 5,"), 4u) << json;
  // one flag alone leaves the other value to the scenario
  TempScenario pair("count-only.toml", k_pair);
  auto c = run_command({k_bin, "run", pair.path(), "--no-color", "--count", "7"});
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  EXPECT_NE(c.out.find("; deadline 500 ms, count 7)"), std::string::npos) << c.out;
  auto dl = run_command({k_bin, "run", s.path(), "--no-color", "--deadline-ms", "150"});
  ASSERT_EQ(dl.exit_code, 0) << dl.out << dl.err;
  EXPECT_NE(dl.out.find("; deadline 150 ms, count 4)"), std::string::npos) << dl.out;
  EXPECT_NE(dl.out.find("; deadline 150 ms, count 3)"), std::string::npos) << dl.out;
}

TEST_F(Cli, PlanPrintsTheStepsAndCreatesNothing) {
  TempScenario s("plan.toml", router_scenario("[probe]\ndeadline_ms = 400\n", "deadline_ms = 300\n"));
  const auto before = capture({"/usr/sbin/ip", "netns", "list"});
  auto r = run_command({k_bin, "plan", s.path()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  for (const char* step : {"netns ns1\n", "netns router\n", "netns ns2\n", "veth ns1:ns1-veth0 <-> router:gw-veth0\n",
                           "veth router:gw-veth1 <-> ns2:ns2-veth0\n", "  addr 192.0.2.254/24 dev gw-veth0\n",
                           "  route default via 192.0.2.254\n", "stage \"first\"\n", "deadline 300 ms\n",
                           "stage \"second\"\n", "deadline 400 ms\n"})
    EXPECT_NE(r.out.find(step), std::string::npos) << step << " in\n" << r.out;
  // in order: namespaces, then links, then their addresses and routes, then the stages
  EXPECT_LT(r.out.find("netns ns2"), r.out.find("veth ns1:ns1-veth0"));
  EXPECT_LT(r.out.find("veth router:gw-veth1"), r.out.find("configure ns1"));
  EXPECT_LT(r.out.find("configure ns1"), r.out.find("stage \"first\""));
  EXPECT_EQ(capture({"/usr/sbin/ip", "netns", "list"}), before);
  // no root needed: the same plan as nobody, who could create nothing
  auto nobody = run_command({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                             "--inh-caps=-all", "--bounding-set=-all", k_bin, "plan", s.path()});
  EXPECT_EQ(nobody.exit_code, 0) << nobody.err;
  EXPECT_EQ(nobody.out, r.out);
  // an invalid scenario: exit 4 with the place, and no plan
  auto bad = run_command({k_bin, "plan", k_src + "/tests/e2e/data/invalid.toml"});
  EXPECT_EQ(bad.exit_code, 4);
  EXPECT_EQ(bad.out, "");
  EXPECT_NE(bad.err.find("invalid.toml:9:5: unknown node \"ns3\" in link"), std::string::npos) << bad.err;
}

TEST_F(Cli, VersionPrintsTheProjectVersion) {
  auto r = run_command({k_bin, "--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "nscheck " NSCHECK_VERSION "\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(Cli, ValidateChecksEveryFileAndReportsEachErrorWithItsPlace) {
  TempScenario typo("typo.toml", "name = \"typo\"\n[nodes.a]\n[nodes.b]\nlinkz = 1\n[[stages]]\nexpect = \"all OK\"\n");
  const std::string good1 = k_src + "/scenarios/003_router.toml", good2 = k_src + "/scenarios/001_two_namespaces.toml";
  const std::string invalid = k_src + "/tests/e2e/data/invalid.toml";
  auto r = run_command({k_bin, "validate", good1, invalid, good2, typo.path()});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  // the good files are checked too, before and after the bad ones
  EXPECT_NE(r.out.find(good1 + ": ok ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(good2 + ": ok ("), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("invalid.toml"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find(invalid + ":4:11: route \"default via 10.9.9.9\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(invalid + ":9:5: unknown node \"ns3\" in link"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(typo.path() + ":4:1: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("linkz"), std::string::npos) << r.err;
  auto ok = run_command({k_bin, "validate", good1, good2});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(occurrences(ok.out, ": ok ("), 2u) << ok.out;
}

struct UsageCase {
  std::vector<std::string> args;  ///< after the binary; "SCENARIO" is a valid scenario
  std::string message;            ///< what stderr must hold
};

TEST_F(Cli, UsageErrorsExitFourSayingWhatIsWrongAndHowToFixIt) {
  const std::string scen = k_src + "/scenarios/003_veth_pair.toml";
  const std::vector<UsageCase> cases = {
      {{"run", "SCENARIO", "--count", "1"}, "nscheck: --count needs a whole number from 2 to 100, not \"1\"\n"},
      {{"run", "SCENARIO", "--count", "101"}, "nscheck: --count needs a whole number from 2 to 100, not \"101\"\n"},
      {{"run", "SCENARIO", "--count=many"}, "nscheck: --count needs a whole number from 2 to 100, not \"many\"\n"},
      {{"run", "SCENARIO", "--color", "sometimes"}, "nscheck: --color needs auto, always or never, not \"sometimes\"\n"},
      {{"run", "SCENARIO", "--junit"}, "nscheck: --junit needs a value, e.g. --junit report.xml\n"},
      {{"run", "SCENARIO", "--json"}, "nscheck: --json needs a value, e.g. --json report.json (or --json - for stdout)\n"},
      {{"run", "SCENARIO", "--frobnicate"}, "nscheck: unknown option \"--frobnicate\" (see nscheck --help)\n"},
      {{"run", "SCENARIO", "SCENARIO"},
       "nscheck: give one scenario per run (got 2); run them one after the other, or check them all with nscheck "
       "validate\n"},
      {{"clean", "abc123", "def456"},
       "nscheck: nscheck clean takes at most one run id (got 2): nscheck clean RUNID removes one kept run, nscheck "
       "clean removes them all\n"},
  };
  const auto junit = temp_path("usage.xml");
  for (const auto& c : cases) {
    std::vector<std::string> argv{k_bin};
    for (const auto& a : c.args) argv.push_back(a == "SCENARIO" ? scen : a);
    if (c.args[0] == "run" && c.args.back() != "--junit" && c.args.back() != "--json") {
      argv.push_back("--junit");
      argv.push_back(junit);
    }
    auto r = run_command(argv);
    std::string shown;
    for (const auto& a : c.args) shown += a + " ";
    EXPECT_EQ(r.exit_code, 4) << shown << r.out << r.err;
    EXPECT_EQ(r.err, c.message) << shown;
    EXPECT_EQ(r.out, "") << shown;
    EXPECT_FALSE(fs::exists(junit)) << shown << ": nothing ran";
    fs::remove(junit);
  }
}

}  // namespace
}  // namespace nscheck::test
