#include "probes/neighbour_table.hpp"

#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace nscheck::probes {
namespace {

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

/// The kernel lists a table's statistics in the initial namespace only (neigh_table_init), and
/// nscheck runs in a private one: read them through PID 1, which lives there on a normal host.
std::uint64_t table_fulls_of(const char* name) {
  std::ifstream in(std::string("/proc/1/net/stat/") + name);
  if (!in) in.open(std::string("/proc/net/stat/") + name);
  if (!in) return 0;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return sum_stat_column(text, "table_fulls");
}

}  // namespace

std::uint64_t sum_stat_column(std::string_view text, std::string_view name) {
  const auto header_end = text.find('\n');
  if (header_end == std::string_view::npos) return 0;
  const auto header = words(text.substr(0, header_end));
  std::size_t column = header.size();
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) column = i;
  if (column == header.size()) return 0;
  std::uint64_t sum = 0;
  std::string_view rest = text.substr(header_end + 1);
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const auto fields = words(rest.substr(0, end));
    if (column < fields.size()) {
      std::uint64_t v = 0;
      std::from_chars(fields[column].data(), fields[column].data() + fields[column].size(), v, 16);
      sum += v;
    }
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return sum;
}

std::uint64_t neighbour_table_fulls() {
  return table_fulls_of("arp_cache") + table_fulls_of("ndisc_cache");
}

}  // namespace nscheck::probes
