#pragma once
// Big vectors whose pages are faulted in with one system call instead of one trap per page.
//
// A stage of 62,500 cells builds several vectors of megabytes (cells, probes, keys, results).
// Each page first touched costs a page fault; on bare metal that is well under a microsecond,
// but under some hypervisors each trap costs 10 to 30 us (measured on the 2-core benchmark VM:
// 13,000 faults in a 250-host run). MADV_POPULATE_WRITE (Linux 5.14) maps the whole range at
// once, without a trap per page. On an older kernel it fails and the pages fault as usual.

#include <cstddef>
#include <vector>

namespace nscheck {

/// Faults in every whole page inside [data, data + bytes), writable. Best effort: never fails.
void populate(const void* data, std::size_t bytes);

/// Reserves room for n elements and faults its pages in at once (for vectors of megabytes).
template <class T>
void reserve_populated(std::vector<T>& v, std::size_t n) {
  v.reserve(n);
  populate(v.data(), v.capacity() * sizeof(T));
}

}  // namespace nscheck
