// End to end: the built binary on a star big enough (900 cells) that the probe engine shares its
// sockets out among several threads. Every verdict must still land in its own cell: a probe
// result handed back to the wrong index would show as mismatches, and one wrong expectation must
// give exactly one failing testcase, the right one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/files.hpp"
#include "support/host_unchanged.hpp"
#include "support/process.hpp"

namespace nscheck::test {
namespace {

namespace fs = std::filesystem;

const std::string k_bin = NSCHECK_BINARY;
constexpr int k_hosts = 30;  // 900 cells per stage, 30 probe sockets: several threads, 8 shards on 2 CPUs

std::string host_address(int i) { return "10.64." + std::to_string(i) + ".1"; }
std::string router_address(int i) { return "10.64." + std::to_string(i) + ".2"; }

/// Router r and hosts h1..hN, one /30 each. Stage 1: r drops silently what the even hosts send
/// (forwarding off on their interfaces): a cell is OK iff same host or both odd. Stage 2: every
/// interface forwards: all OK. `wrong` (source, target) flips one expected cell of stage 1.
std::string star(std::pair<int, int> wrong = {0, 0}) {
  std::ostringstream s;
  s << "name = \"star of " << k_hosts << " on several threads\"\n[probe]\ndeadline_ms = 300\n[nodes.r]\n"
    << "sysctl = { \"net.ipv4.ip_forward\" = 1";
  for (int i = 2; i <= k_hosts; i += 2) s << ", \"net.ipv4.conf.h" << i << ".forwarding\" = 0";
  s << " }\n";
  for (int i = 1; i <= k_hosts; ++i) s << "[nodes.h" << i << "]\nroutes = [\"default via " << router_address(i) << "\"]\n";
  for (int i = 1; i <= k_hosts; ++i)
    s << "[[links]]\na = { node = \"h" << i << "\", ifname = \"eth0\", addresses = [\"" << host_address(i)
      << "/30\"] }\nb = { node = \"r\", ifname = \"h" << i << "\", addresses = [\"" << router_address(i) << "/30\"] }\n";
  s << "[[stages]]\nname = \"even hosts dropped\"\nexpect = \"\"\"\n    ";
  for (int t = 1; t <= k_hosts; ++t) s << " h" << t;
  s << "\n";
  for (int f = 1; f <= k_hosts; ++f) {
    s << "h" << f;
    for (int t = 1; t <= k_hosts; ++t) {
      bool ok = f == t || (f % 2 == 1 && t % 2 == 1);
      if (std::pair{f, t} == wrong) ok = !ok;
      s << ' ' << (ok ? "OK" : "NG");
    }
    s << "\n";
  }
  s << "\"\"\"\n[[stages]]\nname = \"all forwarding\"\nexpect = \"all OK\"\nsysctl.r = {";
  for (int i = 2; i <= k_hosts; i += 2) s << (i > 2 ? ", " : " ") << "\"net.ipv4.conf.h" << i << ".forwarding\" = 1";
  s << " }\n";
  return s.str();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

using BigStar = HostUnchanged;

TEST_F(BigStar, EveryCellOfEveryStageIsItsOwnVerdict) {
  const auto scenario = temp_path("e2e", "big_star.toml");
  const auto junit = temp_path("e2e", "big_star.xml");
  std::ofstream(scenario) << star();
  auto r = run_command({k_bin, "run", scenario, "--junit", junit, "--no-color"});
  EXPECT_EQ(r.exit_code, 0) << r.out.substr(0, 4000) << r.err;
  const auto xml = read_file(junit);
  // stage 1: hosts x hosts; stage 2 ("all OK"): every node, r included, to every address (r has one per host)
  EXPECT_EQ(count(xml, "<testcase "), std::size_t{k_hosts * k_hosts + (k_hosts + 1) * 2 * k_hosts});
  EXPECT_EQ(count(xml, "<failure"), 0u);
  EXPECT_EQ(count(xml, "<error"), 0u);
  fs::remove(scenario);
  fs::remove(junit);
}

TEST_F(BigStar, OneWrongCellIsTheOneFailure) {
  const auto scenario = temp_path("e2e", "big_star_wrong.toml");
  const auto junit = temp_path("e2e", "big_star_wrong.xml");
  std::ofstream(scenario) << star({3, 4});  // h3 -> h4: h4's reply is dropped at r, so NG; written OK
  auto r = run_command({k_bin, "run", scenario, "--junit", junit, "--no-color"});
  EXPECT_EQ(r.exit_code, 1) << r.out.substr(0, 4000) << r.err;
  const auto xml = read_file(junit);
  ASSERT_EQ(count(xml, "<failure"), 1u) << r.out.substr(0, 4000);
  const auto failure = xml.substr(xml.rfind("<testcase ", xml.find("<failure")), 600);
  EXPECT_NE(failure.find("h3"), std::string::npos) << failure;
  EXPECT_NE(failure.find(host_address(4)), std::string::npos) << failure;
  EXPECT_NE(failure.find("expected OK, observed NG"), std::string::npos) << failure;
  fs::remove(scenario);
  fs::remove(junit);
}

}  // namespace
}  // namespace nscheck::test
