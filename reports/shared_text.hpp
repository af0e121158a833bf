#pragma once
// Texts that many cells repeat (node names, addresses, probes, reasons) are stored once and shared:
// at N = 250 a stage has 62,500 cells naming 250 nodes.

#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

namespace nscheck::report {

/// An immutable string whose copies share one allocation, reference counted and freed with its
/// last copy (so a copy never dangles, whatever outlives what). The empty text allocates nothing.
/// Reads like a std::string; copies may be made and dropped on any thread.
class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string_view text);                                           // NOLINT: implicit, like std::string
  SharedText(const char* text) : SharedText(std::string_view(text)) {}         // NOLINT
  SharedText(const std::string& text) : SharedText(std::string_view(text)) {}  // NOLINT
  SharedText(const SharedText& other) noexcept : rep_(other.rep_) { retain(); }
  SharedText(SharedText&& other) noexcept : rep_(std::exchange(other.rep_, nullptr)) {}
  SharedText& operator=(SharedText other) noexcept {
    std::swap(rep_, other.rep_);
    return *this;
  }
  ~SharedText() { release(); }

  [[nodiscard]] std::string_view view() const {
    return rep_ == nullptr ? std::string_view() : std::string_view(rep_->chars(), rep_->size);
  }
  operator std::string_view() const { return view(); }  // NOLINT: implicit, like std::string
  [[nodiscard]] std::string str() const { return std::string(view()); }
  [[nodiscard]] bool empty() const { return rep_ == nullptr; }
  [[nodiscard]] std::size_t size() const { return view().size(); }
  [[nodiscard]] std::size_t find(std::string_view part, std::size_t pos = 0) const { return view().find(part, pos); }
  [[nodiscard]] std::string_view substr(std::size_t pos, std::size_t n = std::string_view::npos) const {
    return view().substr(pos, n);
  }

  friend bool operator==(const SharedText& a, const SharedText& b) { return a.rep_ == b.rep_ || a.view() == b.view(); }
  /// Compares with a string ("OK", a std::string, a string_view): one overload for each, so that
  /// none of them needs a conversion that would make the call ambiguous.
  friend bool operator==(const SharedText& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const SharedText& a, const char* b) { return a.view() == b; }
  friend bool operator==(const SharedText& a, const std::string& b) { return a.view() == b; }
  friend std::string operator+(const SharedText& a, std::string_view b) { return std::string(a.view()).append(b); }
  friend std::string operator+(std::string a, const SharedText& b) { return a.append(b.view()); }
  friend std::ostream& operator<<(std::ostream& out, const SharedText& text);

 private:
  /// The header of the one allocation; the characters follow it.
  struct Rep {
    std::atomic<std::uint32_t> refs;
    std::uint32_t size;
    [[nodiscard]] const char* chars() const { return reinterpret_cast<const char*>(this + 1); }
  };

  void retain() const {
    if (rep_ != nullptr) rep_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void release();

  Rep* rep_ = nullptr;
};

/// Makes equal texts one SharedText: each distinct text is allocated once, however many cells of a
/// run show it. Keeps a copy of every text it made until it is destroyed.
class TextPool {
 public:
  /// The pool's text equal to `text`, made on first use.
  SharedText operator()(std::string_view text);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  struct Equal {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };
  std::unordered_set<SharedText, Hash, Equal> texts_;
};

}  // namespace nscheck::report
