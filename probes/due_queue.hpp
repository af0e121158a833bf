#pragma once
// Due times of a batch (retries, window ends, stalls) in the order they were scheduled, which
// is the order they fall due: a FIFO over one vector, reserved once, instead of a deque that
// allocates a block per 21 entries while the burst is being sent. Pure.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nscheck::probes {

/// Something due at a time: a retry (probe, attempt), a window end (probe) or a stall (source).
struct Due {
  std::chrono::microseconds at{0};  ///< since the batch started
  std::uint32_t index = 0;
  std::uint32_t attempt = 0;
};

class DueQueue {
 public:
  /// Room for n entries without growing (more still fit), its pages faulted in now.
  void reserve(std::size_t n);
  void push(const Due& d);
  [[nodiscard]] bool empty() const { return head_ == items_.size(); }
  [[nodiscard]] std::size_t size() const { return items_.size() - head_; }
  /// The earliest entry; only when not empty.
  [[nodiscard]] const Due& front() const { return items_[head_]; }
  void pop();
  /// The entries in order, front first.
  [[nodiscard]] const Due* begin() const { return items_.data() + head_; }
  [[nodiscard]] const Due* end() const { return items_.data() + items_.size(); }

 private:
  std::vector<Due> items_;
  std::size_t head_ = 0;  ///< entries before it are popped
};

}  // namespace nscheck::probes
