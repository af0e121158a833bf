#include "scenario/words.hpp"

#include <charconv>
#include <sstream>

namespace nscheck::scenario {

Words::Words(std::string_view text) {
  std::istringstream in{std::string(text)};
  for (std::string w; in >> w;) words_.push_back(w);
}

const std::string& Words::peek() const {
  static const std::string k_end;
  return done() ? k_end : words_[next_];
}

std::string Words::take() { return done() ? std::string() : words_[next_++]; }

Result<std::string> Words::value_of(const std::string& key, const std::string& forms) {
  if (done()) return input_error("\"" + key + "\" lacks a value; " + forms);
  return take();
}

Result<IpAddress> parse_address(const std::string& key, const std::string& word) {
  auto a = IpAddress::parse(word);
  if (!a) return input_error("\"" + key + " " + word + "\": " + word + " is not an IP address");
  return *a;
}

Result<std::uint32_t> parse_number(const std::string& key, const std::string& word, std::uint32_t min,
                                   std::uint32_t max) {
  const bool hex = word.starts_with("0x") || word.starts_with("0X");
  const char* begin = word.data() + (hex ? 2 : 0);
  const char* end = word.data() + word.size();
  std::uint32_t v = 0;
  auto [stop, ec] = std::from_chars(begin, end, v, hex ? 16 : 10);
  if (begin == end || ec != std::errc{} || stop != end || v < min || v > max)
    return input_error("\"" + key + " " + word + "\": the " + key + " must be a number from " + std::to_string(min) +
                       " to " + std::to_string(max));
  return v;
}

Result<Prefix> parse_prefix(const std::string& what, const std::string& word, const std::string& forms) {
  if (word == "default") return Prefix{IpAddress{}, 0};
  auto p = Prefix::parse(word, /*require_length=*/false);
  const auto a = IpAddress::parse(std::string_view(word).substr(0, word.find('/')));
  if (!p && a)  // "198.51.100.0/33": the address is fine, its length is not
    return input_error(what + " " + word + ": the prefix length must be a number from 0 to " +
                       (a->family == Family::v4 ? "32" : "128"));
  if (!p) return input_error("\"" + word + "\" is not a " + what + "; " + forms);
  if (p->network() != *p)
    return input_error(what + " " + word + " has host bits set; did you mean " + p->network().str() + "?");
  return *p;
}

}  // namespace nscheck::scenario
