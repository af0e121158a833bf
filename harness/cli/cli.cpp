#include "cli/cli.hpp"

#include <charconv>

namespace nscheck::cli {
namespace {

Result<int> parse_int(const std::string& flag, const std::string& v, int lo, int hi) {
  int n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc{} || end != v.data() + v.size() || n < lo || n > hi)
    return input_error(flag + " needs a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                       ", not \"" + v + "\"");
  return n;
}

Result<Colour> parse_colour(const std::string& v) {
  if (v == "auto") return Colour::automatic;
  if (v == "always") return Colour::always;
  if (v == "never") return Colour::never;
  return input_error("--color needs auto, always or never, not \"" + v + "\"");
}

Result<Command> parse_command(const std::string& word) {
  if (word == "run") return Command::run;
  if (word == "validate") return Command::validate;
  if (word == "plan") return Command::plan;
  if (word == "clean") return Command::clean;
  if (word == "help" || word == "--help" || word == "-h") return Command::help;
  if (word == "--version" || word == "version") return Command::version;
  return input_error("unknown command \"" + word + "\"; commands are run, validate, plan, clean, help (see nscheck --help)");
}

/// Splits "--flag=value" into flag and value.
std::pair<std::string, std::optional<std::string>> split_flag(const std::string& a) {
  auto eq = a.find('=');
  if (!a.starts_with("--") || eq == std::string::npos) return {a, std::nullopt};
  return {a.substr(0, eq), a.substr(eq + 1)};
}

Result<void> apply_flag(Options& o, const std::string& flag, const std::string& value) {
  if (flag == "--junit") {
    if (value.empty()) return input_error("--junit needs a file path");
    o.junit_path = value;
  } else if (flag == "--json") {
    if (value.empty()) return input_error("--json needs a file path");
    o.json_path = value;
  } else if (flag == "--deadline-ms") {
    NS_TRY(n, parse_int(flag, value, 10, 60000));
    o.deadline = std::chrono::milliseconds(n);
  } else if (flag == "--count") {
    NS_TRY(n, parse_int(flag, value, 2, 100));
    o.count = n;
  } else {
    NS_TRY(c, parse_colour(value));
    o.colour = c;
  }
  return {};
}

bool takes_value(const std::string& flag) {
  return flag == "--junit" || flag == "--json" || flag == "--deadline-ms" || flag == "--count" || flag == "--color";
}

/// How a flag that takes a value is written, for the error that says its value is missing.
std::string flag_example(const std::string& flag) {
  if (flag == "--junit") return "--junit report.xml";
  if (flag == "--json") return "--json report.json (or --json - for stdout)";
  if (flag == "--deadline-ms") return "--deadline-ms 500 (10..60000)";
  if (flag == "--count") return "--count 3 (2..100)";
  return "--color never (auto, always or never)";
}

const char* command_name(Command c) {
  switch (c) {
    case Command::validate: return "validate";
    case Command::plan: return "plan";
    case Command::clean: return "clean";
    default: return "run";
  }
}

}  // namespace

Result<Options> parse_args(const std::vector<std::string>& args) {
  Options o;
  if (args.empty()) return o;
  NS_TRY(cmd, parse_command(args[0]));
  o.command = cmd;
  for (std::size_t i = 1; i < args.size(); ++i) {
    auto [flag, inline_value] = split_flag(args[i]);
    if (flag == "-h" || flag == "--help") {
      o.command = Command::help;
      return o;
    }
    const bool option = flag == "--no-color" || flag == "--keep" || takes_value(flag);
    if (option && o.command != Command::run)  // silently ignored, it would promise a report that never comes
      return input_error(flag + " is an option of nscheck run; nscheck " + command_name(o.command) +
                         " takes none: remove it");
    if (flag == "--no-color") {
      o.colour = Colour::never;
    } else if (flag == "--keep") {
      o.keep = true;
    } else if (takes_value(flag)) {
      if (!inline_value && i + 1 >= args.size()) return input_error(flag + " needs a value, e.g. " + flag_example(flag));
      NS_CHECK(apply_flag(o, flag, inline_value ? *inline_value : args[++i]));
    } else if (flag.starts_with("-") && flag != "-") {
      return input_error("unknown option \"" + flag + "\" (see nscheck --help)");
    } else {
      o.scenarios.push_back(args[i]);
    }
  }
  const bool needs_files = o.command == Command::run || o.command == Command::validate || o.command == Command::plan;
  if (needs_files && o.scenarios.empty()) return input_error("no scenario file given; e.g. nscheck run scenarios/004_router_forwarding.toml");
  if (o.command == Command::clean && o.scenarios.size() > 1)
    return input_error("nscheck clean takes at most one run id (got " + std::to_string(o.scenarios.size()) +
                       "): nscheck clean RUNID removes one kept run, nscheck clean removes them all");
  for (const auto& report : {o.junit_path, o.json_path})
    for (const auto& scenario : o.scenarios)
      if (report == scenario)  // the atomic write would replace the scenario with the report
        return input_error("the report path \"" + report + "\" is the scenario itself; write the report elsewhere, "
                           "e.g. --junit report.xml");
  if ((o.command == Command::run || o.command == Command::plan) && o.scenarios.size() > 1)
    return input_error("give one scenario per run (got " + std::to_string(o.scenarios.size()) +
                       "); run them one after the other, or check them all with nscheck validate");
  return o;
}

std::string usage() {
  return R"(nscheck: build a network-namespace topology, probe its reachability matrix, stage by stage

Usage:
  nscheck run [OPTIONS] SCENARIO.toml   build, probe every stage, compare, tear down (needs root)
  nscheck validate SCENARIO.toml...     check scenarios without root and without touching the kernel
  nscheck plan SCENARIO.toml            print what run would build, in order (no root needed)
  nscheck clean [RUNID]                 remove the namespaces that run --keep left (one run, or all)
  nscheck --help | --version

Options for run:
  --junit PATH           write a JUnit XML report to PATH (atomically)
  --json PATH            write the whole report as JSON to PATH (atomically; "-" for stdout)
  --deadline-ms N        every stage's probe deadline, 10..60000 (overrides the scenario)
  --count N              echo requests per cell at most, 2..100 (overrides the scenario)
  --color WHEN           auto (default: on a terminal, unless NO_COLOR is set), always, never
  --no-color             same as --color never
  --keep                 leave the topology up for debugging, pinned as /run/netns/nscheck-RUNID-NODE

Exit codes:
  0 every cell as expected    1 at least one mismatch     2 harness or environment error
  3 internal error            4 usage error or invalid scenario (nothing created)
  130/143 interrupted by SIGINT/SIGTERM (teardown still done)
)";
}

}  // namespace nscheck::cli
