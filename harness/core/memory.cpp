#include "core/memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace nscheck {

void populate(const void* data, std::size_t bytes) {
  constexpr std::size_t k_min_bytes = 256 * 1024;  // below this, a few traps cost less than the call
  if (data == nullptr || bytes < k_min_bytes) return;
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + page - 1) & ~(page - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(page - 1);
  if (end <= begin) return;
  (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
}

}  // namespace nscheck
