#include "probes/due_queue.hpp"

#include <iterator>

#include "core/memory.hpp"

namespace nscheck::probes {

void DueQueue::reserve(std::size_t n) { reserve_populated(items_, n); }

/// Before growing, drops the popped half: the vector stays within twice the live entries.
void DueQueue::push(const Due& d) {
  if (items_.size() == items_.capacity() && head_ >= items_.size() / 2 && head_ > 0) {
    items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  items_.push_back(d);
}

void DueQueue::pop() {
  if (++head_ == items_.size()) {  // drained: start over at the front of the same room
    items_.clear();
    head_ = 0;
  }
}

}  // namespace nscheck::probes
