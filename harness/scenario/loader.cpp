#include "scenario/loader.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "scenario/toml_reader.hpp"
#include "scenario/validate.hpp"

namespace nscheck::scenario {
namespace {

/// Longest dotted key or table header accepted ("a.b.c" has 3 parts): TOML++ recurses once per
/// part and overflows the stack at some tens of thousands; a scenario needs fewer than ten.
constexpr int k_max_key_parts = 128;

/// The file's text, at most limit + 1 bytes (one more than allowed tells "too large"). The buffer
/// is sized from the file's size where it has one (/dev/zero or a pipe has none): an 8 MiB
/// buffer filled with zeros up front costs more than loading a large scenario.
std::string read_capped(std::istream& in, const std::filesystem::path& path, std::size_t limit) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  std::string text;
  if (!ec) text.reserve(std::min<std::uintmax_t>(size, limit) + 1);
  std::array<char, 64 * 1024> chunk;
  while (text.size() <= limit && in) {
    in.read(chunk.data(), static_cast<std::streamsize>(std::min(chunk.size(), limit + 1 - text.size())));
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  return text;
}

/// Where the string starting at text[i] ends (its last quote), counting the newlines it holds.
std::size_t skip_string(std::string_view text, std::size_t i, int& line) {
  const char q = text[i];
  const bool multi = text.substr(i, 3) == std::string_view(q == '"' ? "\"\"\"" : "'''");
  for (std::size_t j = i + (multi ? 3 : 1); j < text.size(); ++j) {
    if (text[j] == '\\' && q == '"') {
      ++j;
      if (j < text.size() && text[j] == '\n') ++line;
    } else if (text[j] == '\n') {
      if (!multi) return j - 1;  // unterminated: TOML++ says so
      ++line;
    } else if (text[j] == q && (!multi || text.substr(j, 3) == text.substr(i, 3))) {
      return multi ? j + 2 : j;
    }
  }
  return text.size();
}

/// The line of the first key with more than k_max_key_parts dotted parts, or 0.
int line_of_overlong_key(std::string_view text) {
  int line = 1, dots = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' || c == '\'') {
      i = skip_string(text, i, line);  // a quoted part: "a"."b"
    } else if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
    } else if (c == '\n') {
      ++line;
      dots = 0;
    } else if (c == '.') {
      if (++dots >= k_max_key_parts) return line;
    } else if (c == '=' || c == ',' || c == '[' || c == ']' || c == '{' || c == '}') {
      dots = 0;
    }
  }
  return 0;
}

/// Refuses text that is not a plausible TOML document before the parser sees it.
Result<void> check_text(std::string_view text, const std::string& path) {
  if (text.size() > k_max_scenario_bytes)
    return input_error(path + ": the file is larger than 8 MiB, the most a scenario may be");
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + nul, '\n'));
    return input_error(path + ":" + std::to_string(line) + ":1: the file contains a NUL byte; a scenario is a TOML text file");
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return input_error(path + ":1:1: the file is empty; a scenario needs [nodes.NAME] tables and [[stages]]");
  if (int line = line_of_overlong_key(text))
    return input_error(path + ":" + std::to_string(line) + ":1: a key with more than " +
                       std::to_string(k_max_key_parts) + " dotted parts; a scenario needs only a few");
  return {};
}

/// Sysctls, stage sysctls and stage routes in the order written (TOML tables are sorted by key;
/// read_scenario sorted the nodes already, before node_index).
void sort_by_position(Scenario& s) {
  auto before = [](const auto& x, const auto& y) {
    return std::pair(x.loc.line, x.loc.column) < std::pair(y.loc.line, y.loc.column);
  };
  for (auto& n : s.nodes) std::stable_sort(n.sysctls.begin(), n.sysctls.end(), before);
  for (auto& st : s.stages) {
    std::stable_sort(st.sysctls.begin(), st.sysctls.end(),
                     [&](const StageSysctl& x, const StageSysctl& y) { return before(x.sysctl, y.sysctl); });
    std::stable_sort(st.routes.begin(), st.routes.end(),
                     [&](const StageRoute& x, const StageRoute& y) { return before(x.route, y.route); });
  }
}

/// TOML++ calls a string cut by the end of its line "unescaped control characters": say so plainly.
std::string syntax_error_text(const toml::parse_error& e, std::string_view text) {
  std::string d(e.description());
  const auto& b = e.source().begin;
  std::size_t pos = 0;
  for (std::uint32_t line = 1; line < b.line && pos != std::string_view::npos; ++line) {
    pos = text.find('\n', pos);
    if (pos != std::string_view::npos) ++pos;
  }
  if (pos == std::string_view::npos) return d;
  for (std::uint32_t col = 1; col < b.column && pos < text.size(); ++col) {  // TOML++ counts code points
    ++pos;
    while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
  }
  const bool at_line_end = pos < text.size() && (text[pos] == '\n' || text[pos] == '\r');
  if (d.find("string: ") != std::string::npos && d.find("control characters") != std::string::npos && at_line_end)
    return "the string is not closed on this line; close it, or use \"\"\" or ''' for a string over several lines";
  return d;
}

std::string stem_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  auto base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (auto dot = base.rfind('.'); dot != std::string::npos && dot > 0) base.resize(dot);
  return base;
}

/// Reads one nft file (path relative to the scenario's directory) into the ruleset.
void read_nft_file(NftRuleset& r, const std::filesystem::path& dir, Diagnostics& diags) {
  if (r.path.empty()) return;
  const auto full = std::filesystem::path(r.path).is_absolute() ? std::filesystem::path(r.path) : dir / r.path;
  std::ifstream in(full, std::ios::binary);
  if (!in) return diags.add(r.loc, "nft_file \"" + r.path + "\": cannot open " + full.string() + ": " + std::strerror(errno));
  std::string text = read_capped(in, full, k_max_scenario_bytes);
  if (text.size() > k_max_scenario_bytes) return diags.add(r.loc, "nft_file \"" + r.path + "\" is larger than 8 MiB");
  r.text = std::move(text);
  r.path = full.string();  // errors of nft name the file as it was opened
}

/// The rulesets given by file, read once the scenario is valid.
Result<void> read_nft_files(Scenario& s) {
  const auto dir = std::filesystem::path(s.path).parent_path();
  Diagnostics diags;
  for (auto& n : s.nodes)
    for (auto& r : n.nft) read_nft_file(r, dir, diags);
  for (auto& st : s.stages)
    for (auto& c : st.changes) read_nft_file(c.nft, dir, diags);
  if (!diags.empty()) return diags.to_error(s.path);
  return {};
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
                       ": TOML syntax error: " + syntax_error_text(e, text));
  }
  Diagnostics diags, expectation_checks;
  Scenario s = read_scenario(root, text, diags, expectation_checks);
  s.path = path;
  if (s.name.empty()) s.name = stem_of(path);
  // over the node limit the rest was not read: checking it would report errors that are not there
  if (s.nodes.size() > k_max_nodes) return diags.to_error(path);
  sort_by_position(s);
  validate(s, diags);  // all problems at once, structural and semantic
  diags.append(expectation_checks);
  if (!diags.empty()) return diags.to_error(path);
  return s;
}

Result<Scenario> load_scenario(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return input_error(path + ": is a directory; give the scenario's .toml file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return input_error(path + ": cannot open the scenario: " + std::strerror(errno));
  const std::string text = read_capped(in, path, k_max_scenario_bytes);
  if (in.bad()) return input_error(path + ": cannot read the scenario: " + std::strerror(errno));
  NS_TRY(s, parse_scenario(text, path));
  NS_CHECK(read_nft_files(s));
  return s;
}

const Node* Scenario::find_node(const std::string& n) const {
  if (!node_index.empty() && node_index.size() == nodes.size()) {
    const auto it = node_index.find(n);
    if (it == node_index.end()) return nullptr;
    if (it->second < nodes.size() && nodes[it->second].name == n) return &nodes[it->second];
  }
  for (const auto& node : nodes)
    if (node.name == n) return &node;
  return nullptr;
}

}  // namespace nscheck::scenario
