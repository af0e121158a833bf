#include "scenario/loader.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "scenario/toml_reader.hpp"
#include "scenario/validate.hpp"

namespace nscheck::scenario {
namespace {

/// Refuses text that is not a plausible TOML document before the parser sees it.
Result<void> check_text(std::string_view text, const std::string& path) {
  if (text.size() > k_max_scenario_bytes)
    return input_error(path + ": the file is " + std::to_string(text.size() >> 20) +
                       " MiB; a scenario may be at most 8 MiB");
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + nul, '\n'));
    return input_error(path + ":" + std::to_string(line) + ":1: the file contains a NUL byte; a scenario is a TOML text file");
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return input_error(path + ":1:1: the file is empty; a scenario needs [nodes.NAME] tables and [[stages]]");
  return {};
}

/// Nodes in the order written (TOML tables are sorted by key).
void sort_by_position(Scenario& s) {
  auto before = [](const auto& x, const auto& y) {
    return std::pair(x.loc.line, x.loc.column) < std::pair(y.loc.line, y.loc.column);
  };
  std::stable_sort(s.nodes.begin(), s.nodes.end(), before);
  for (auto& n : s.nodes) std::stable_sort(n.sysctls.begin(), n.sysctls.end(), before);
  for (auto& st : s.stages) {
    std::stable_sort(st.sysctls.begin(), st.sysctls.end(),
                     [&](const StageSysctl& x, const StageSysctl& y) { return before(x.sysctl, y.sysctl); });
    std::stable_sort(st.routes.begin(), st.routes.end(),
                     [&](const StageRoute& x, const StageRoute& y) { return before(x.route, y.route); });
  }
}

std::string stem_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  auto base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (auto dot = base.rfind('.'); dot != std::string::npos && dot > 0) base.resize(dot);
  return base;
}

}  // namespace

Result<Scenario> parse_scenario(std::string_view text, const std::string& path) {
  NS_CHECK(check_text(text, path));
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    return input_error(path + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
                       ": TOML syntax error: " + std::string(e.description()));
  }
  Diagnostics diags;
  Scenario s = read_scenario(root, text, diags);
  s.path = path;
  if (s.name.empty()) s.name = stem_of(path);
  sort_by_position(s);
  validate(s, diags);  // all problems at once, structural and semantic
  if (!diags.empty()) return diags.to_error(path);
  return s;
}

Result<Scenario> load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return input_error(path + ": cannot open the scenario: " + std::strerror(errno));
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(std::max<std::streamoff>(in.tellg(), 0));
  if (size > k_max_scenario_bytes)
    return input_error(path + ": the file is " + std::to_string(size >> 20) + " MiB; a scenario may be at most 8 MiB");
  in.seekg(0);
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_scenario(buf.str(), path);
}

const Node* Scenario::find_node(const std::string& n) const {
  for (const auto& node : nodes)
    if (node.name == n) return &node;
  return nullptr;
}

}  // namespace nscheck::scenario
