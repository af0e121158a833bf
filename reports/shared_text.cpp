#include "reports/shared_text.hpp"

#include <cstring>
#include <limits>
#include <new>
#include <ostream>
#include <stdexcept>

namespace nscheck::report {

SharedText::SharedText(std::string_view text) {
  if (text.empty()) return;
  if (text.size() > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("SharedText: text too long");
  void* block = ::operator new(sizeof(Rep) + text.size());
  std::memcpy(static_cast<char*>(block) + sizeof(Rep), text.data(), text.size());  // Rep::chars()
  rep_ = new (block) Rep{{1}, static_cast<std::uint32_t>(text.size())};
}

void SharedText::release() {
  if (rep_ == nullptr || rep_->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  rep_->~Rep();
  ::operator delete(rep_);
  rep_ = nullptr;
}

std::ostream& operator<<(std::ostream& out, const SharedText& text) { return out << text.view(); }

SharedText TextPool::operator()(std::string_view text) {
  if (text.empty()) return {};
  if (const auto it = texts_.find(text); it != texts_.end()) return *it;
  return *texts_.emplace(text).first;
}

}  // namespace nscheck::report
