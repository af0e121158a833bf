#include "reports/file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "core/unique_fd.hpp"

namespace nscheck::report {
namespace {

Result<void> write_all(int fd, const std::string& content, const std::string& tmp) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("write " + tmp, errno);
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> write_and_sync(const std::string& tmp, const std::string& content) {
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return errno_error("open " + tmp, errno);
  NS_CHECK(write_all(fd.get(), content, tmp));
  if (::fsync(fd.get()) != 0) return errno_error("fsync " + tmp, errno);
  // close() reports delayed write errors (NFS), so it is checked rather than left to UniqueFd
  if (::close(fd.release()) != 0) return errno_error("close " + tmp, errno);
  return {};
}

Result<void> write_to_tmp_and_rename(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  auto written = write_and_sync(tmp, content);
  if (written && ::rename(tmp.c_str(), path.c_str()) != 0) written = errno_error("rename " + tmp, errno);
  if (!written) ::unlink(tmp.c_str());
  return written;
}

}  // namespace

Result<void> write_file_atomic(const std::string& path, const std::string& content) {
  auto r = write_to_tmp_and_rename(path, content);
  if (!r) return r.error().with_context("cannot write " + path);
  return {};
}

}  // namespace nscheck::report
