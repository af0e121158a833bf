#include "reports/file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "core/unique_fd.hpp"

namespace nscheck::report {
namespace {

/// Removes the temporary file unless it was renamed over its target, also when rendering throws.
struct RemoveUnlessRenamed {
  explicit RemoveUnlessRenamed(const std::string& path) : tmp(path) {}
  RemoveUnlessRenamed(const RemoveUnlessRenamed&) = delete;
  RemoveUnlessRenamed& operator=(const RemoveUnlessRenamed&) = delete;
  ~RemoveUnlessRenamed() {
    if (!renamed) ::unlink(tmp.c_str());
  }
  const std::string& tmp;
  bool renamed = false;
};

Result<void> write_and_sync(const std::string& tmp, const Render& render) {
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return errno_error("open " + tmp, errno);
  NS_CHECK(write_to_fd(fd.get(), tmp, render));
  if (::fsync(fd.get()) != 0) return errno_error("fsync " + tmp, errno);
  // close() reports delayed write errors (NFS), so it is checked rather than left to UniqueFd
  if (::close(fd.release()) != 0) return errno_error("close " + tmp, errno);
  return {};
}

Result<void> write_to_tmp_and_rename(const std::string& path, const Render& render) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  RemoveUnlessRenamed guard{tmp};
  NS_CHECK(write_and_sync(tmp, render));
  if (::rename(tmp.c_str(), path.c_str()) != 0) return errno_error("rename " + tmp, errno);
  guard.renamed = true;
  return {};
}

}  // namespace

Result<void> write_file_atomic(const std::string& path, const Render& render) {
  auto r = write_to_tmp_and_rename(path, render);
  if (!r) return r.error().with_context("cannot write " + path);
  return {};
}

Result<void> write_to_fd(int fd, const std::string& name, const Render& render) {
  Output out(fd, name);
  render(out);
  return out.flush();
}

}  // namespace nscheck::report
