#pragma once
// Shared by the one-line text forms (routes, rules): the words of a line, read front to back,
// and the values they hold. Errors say which keyword the value belongs to.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip.hpp"
#include "core/result.hpp"

namespace nscheck::scenario {

/// The words of one line, separated by spaces, read front to back.
class Words {
 public:
  explicit Words(std::string_view text);
  [[nodiscard]] bool done() const { return next_ == words_.size(); }
  [[nodiscard]] bool empty() const { return words_.empty(); }
  /// The next word without taking it ("" at the end).
  [[nodiscard]] const std::string& peek() const;
  /// Takes the next word ("" at the end).
  std::string take();
  /// Takes the value that must follow keyword `key`; `forms` ends the error message.
  Result<std::string> value_of(const std::string& key, const std::string& forms);

 private:
  std::vector<std::string> words_;
  std::size_t next_ = 0;
};

/// "KEY WORD" where WORD must be an address.
Result<IpAddress> parse_address(const std::string& key, const std::string& word);

/// "KEY WORD" where WORD must be a number from min to max, decimal or 0x-hexadecimal.
Result<std::uint32_t> parse_number(const std::string& key, const std::string& word, std::uint32_t min = 0,
                                   std::uint32_t max = UINT32_MAX);

/// A prefix word ("default" = 0.0.0.0/0, "all" with allow_all); `what` names it in messages.
Result<Prefix> parse_prefix(const std::string& what, const std::string& word, const std::string& forms);

}  // namespace nscheck::scenario
