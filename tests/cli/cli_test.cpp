#include "cli/cli.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nscheck::cli {
namespace {

using Args = std::vector<std::string>;

/// The usage error parse_args gives for args; fails the test when it parses.
std::string error_of(const Args& args) {
  auto r = parse_args(args);
  if (r) {
    ADD_FAILURE() << "parsed, but should be a usage error";
    return "";
  }
  EXPECT_EQ(r.error().kind, ErrorKind::input);  // main turns it into exit 4
  return r.error().message;
}

TEST(ParseArgs, RunWithEveryOption) {
  auto o = parse_args({"run", "s.toml", "--junit", "j.xml", "--json", "r.json", "--deadline-ms", "250", "--count",
                       "7", "--color", "always", "--keep"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->command, Command::run);
  EXPECT_EQ(o->scenarios, Args{"s.toml"});
  EXPECT_EQ(o->junit_path, "j.xml");
  EXPECT_EQ(o->json_path, "r.json");
  ASSERT_TRUE(o->deadline);
  EXPECT_EQ(o->deadline->count(), 250);
  EXPECT_EQ(o->count, 7);
  EXPECT_EQ(o->colour, Colour::always);
  EXPECT_TRUE(o->keep);
}

TEST(ParseArgs, DefaultsLeaveTheScenarioInCharge) {
  auto o = parse_args({"run", "s.toml"});
  ASSERT_TRUE(o);
  EXPECT_FALSE(o->deadline);
  EXPECT_FALSE(o->count);
  EXPECT_EQ(o->colour, Colour::automatic);
  EXPECT_FALSE(o->keep);
  EXPECT_EQ(o->junit_path, "");
  EXPECT_EQ(o->json_path, "");
}

TEST(ParseArgs, EqualsFormAndOptionsBeforeTheScenario) {
  auto o = parse_args({"run", "--count=100", "--deadline-ms=10", "--color=never", "--json=-", "s.toml"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->scenarios, Args{"s.toml"});
  EXPECT_EQ(o->count, 100);
  EXPECT_EQ(o->deadline->count(), 10);
  EXPECT_EQ(o->colour, Colour::never);
  EXPECT_EQ(o->json_path, "-");
}

TEST(ParseArgs, RunOptionsElsewhereAreUsageErrorsNotIgnored) {
  // `nscheck validate --junit v.xml s.toml` must not pass while writing no report
  EXPECT_EQ(error_of({"validate", "--junit", "v.xml", "s.toml"}),
            "--junit is an option of nscheck run; nscheck validate takes none: remove it");
  EXPECT_EQ(error_of({"plan", "s.toml", "--deadline-ms=100"}),
            "--deadline-ms is an option of nscheck run; nscheck plan takes none: remove it");
  EXPECT_EQ(error_of({"clean", "--keep"}), "--keep is an option of nscheck run; nscheck clean takes none: remove it");
  EXPECT_EQ(error_of({"validate", "s.toml", "--no-color"}),
            "--no-color is an option of nscheck run; nscheck validate takes none: remove it");
  EXPECT_TRUE(parse_args({"validate", "a.toml", "b.toml"}));
}

TEST(ParseArgs, AReportNeverOverwritesTheScenario) {
  EXPECT_EQ(error_of({"run", "s.toml", "--junit", "s.toml"}),
            "the report path \"s.toml\" is the scenario itself; write the report elsewhere, e.g. --junit report.xml");
  // `--json` swallowing the scenario's name leaves no scenario: a usage error too, nothing written
  EXPECT_EQ(error_of({"run", "--json", "s.toml"}),
            "no scenario file given; e.g. nscheck run scenarios/004_router_forwarding.toml");
}

TEST(ParseArgs, JsonDashIsStdoutNotAScenario) {
  auto o = parse_args({"run", "s.toml", "--json", "-"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->json_path, "-");
  EXPECT_EQ(o->scenarios, Args{"s.toml"});
}

TEST(ParseArgs, ColourWords) {
  EXPECT_EQ(parse_args({"run", "s.toml", "--color", "auto"})->colour, Colour::automatic);
  EXPECT_EQ(parse_args({"run", "s.toml", "--color", "never"})->colour, Colour::never);
  EXPECT_EQ(parse_args({"run", "s.toml", "--no-color"})->colour, Colour::never);
  // the last word wins, like every other flag
  EXPECT_EQ(parse_args({"run", "s.toml", "--no-color", "--color", "always"})->colour, Colour::always);
}

TEST(ParseArgs, Commands) {
  EXPECT_EQ(parse_args({})->command, Command::help);
  EXPECT_EQ(parse_args({"--help"})->command, Command::help);
  EXPECT_EQ(parse_args({"--version"})->command, Command::version);
  EXPECT_EQ(parse_args({"run", "s.toml", "--help"})->command, Command::help);
  auto v = parse_args({"validate", "a.toml", "b.toml", "c.toml"});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->command, Command::validate);
  EXPECT_EQ(v->scenarios, (Args{"a.toml", "b.toml", "c.toml"}));
  EXPECT_EQ(parse_args({"plan", "a.toml"})->command, Command::plan);
  auto all = parse_args({"clean"});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->command, Command::clean);
  EXPECT_TRUE(all->scenarios.empty());  // no run id: every kept run
  EXPECT_EQ(parse_args({"clean", "abc123"})->scenarios, Args{"abc123"});
}

TEST(ParseArgs, NumbersOutOfRangeSayTheRange) {
  EXPECT_EQ(error_of({"run", "s.toml", "--count", "1"}), "--count needs a whole number from 2 to 100, not \"1\"");
  EXPECT_EQ(error_of({"run", "s.toml", "--count", "101"}), "--count needs a whole number from 2 to 100, not \"101\"");
  EXPECT_EQ(error_of({"run", "s.toml", "--count", "3x"}), "--count needs a whole number from 2 to 100, not \"3x\"");
  EXPECT_EQ(error_of({"run", "s.toml", "--count="}), "--count needs a whole number from 2 to 100, not \"\"");
  EXPECT_EQ(error_of({"run", "s.toml", "--deadline-ms", "9"}),
            "--deadline-ms needs a whole number from 10 to 60000, not \"9\"");
  EXPECT_EQ(error_of({"run", "s.toml", "--deadline-ms", "60001"}),
            "--deadline-ms needs a whole number from 10 to 60000, not \"60001\"");
  EXPECT_EQ(error_of({"run", "s.toml", "--deadline-ms", "-5"}),
            "--deadline-ms needs a whole number from 10 to 60000, not \"-5\"");
  EXPECT_TRUE(parse_args({"run", "s.toml", "--count", "2", "--deadline-ms", "60000"}));
}

TEST(ParseArgs, BadColourListsTheWords) {
  EXPECT_EQ(error_of({"run", "s.toml", "--color", "sometimes"}), "--color needs auto, always or never, not \"sometimes\"");
  EXPECT_EQ(error_of({"run", "s.toml", "--color=yes"}), "--color needs auto, always or never, not \"yes\"");
}

TEST(ParseArgs, MissingValueShowsHowTheFlagIsWritten) {
  EXPECT_EQ(error_of({"run", "s.toml", "--junit"}), "--junit needs a value, e.g. --junit report.xml");
  EXPECT_EQ(error_of({"run", "s.toml", "--json"}), "--json needs a value, e.g. --json report.json (or --json - for stdout)");
  EXPECT_EQ(error_of({"run", "s.toml", "--count"}), "--count needs a value, e.g. --count 3 (2..100)");
  EXPECT_EQ(error_of({"run", "s.toml", "--deadline-ms"}), "--deadline-ms needs a value, e.g. --deadline-ms 500 (10..60000)");
  EXPECT_EQ(error_of({"run", "s.toml", "--color"}), "--color needs a value, e.g. --color never (auto, always or never)");
  EXPECT_EQ(error_of({"run", "s.toml", "--junit="}), "--junit needs a file path");
  EXPECT_EQ(error_of({"run", "s.toml", "--json="}), "--json needs a file path");
}

TEST(ParseArgs, UnknownOptionAndCommand) {
  EXPECT_EQ(error_of({"run", "s.toml", "--frobnicate"}), "unknown option \"--frobnicate\" (see nscheck --help)");
  EXPECT_EQ(error_of({"run", "s.toml", "-x"}), "unknown option \"-x\" (see nscheck --help)");
  const auto cmd = error_of({"frobnicate"});
  EXPECT_NE(cmd.find("unknown command \"frobnicate\""), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("run, validate, plan, clean"), std::string::npos) << cmd;
}

TEST(ParseArgs, FileCounts) {
  EXPECT_EQ(error_of({"run", "a.toml", "b.toml"}),
            "give one scenario per run (got 2); run them one after the other, or check them all with nscheck validate");
  EXPECT_EQ(error_of({"plan", "a.toml", "b.toml", "c.toml"}),
            "give one scenario per run (got 3); run them one after the other, or check them all with nscheck validate");
  EXPECT_EQ(error_of({"clean", "abc123", "def456"}),
            "nscheck clean takes at most one run id (got 2): nscheck clean RUNID removes one kept run, nscheck clean "
            "removes them all");
  for (const char* cmd : {"run", "validate", "plan"}) {
    const auto e = error_of({cmd});
    EXPECT_NE(e.find("no scenario file given"), std::string::npos) << cmd << ": " << e;
  }
}

TEST(Usage, NamesEveryCommandAndOption) {
  const auto u = usage();
  for (const char* word : {"nscheck run", "nscheck validate", "nscheck plan", "nscheck clean", "--version", "--junit PATH",
                           "--json PATH", "--deadline-ms N", "--count N", "--color WHEN", "--no-color", "--keep"})
    EXPECT_NE(u.find(word), std::string::npos) << word;
}

}  // namespace
}  // namespace nscheck::cli
