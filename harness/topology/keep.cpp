#include "topology/keep.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <random>

#include "core/unique_fd.hpp"

namespace nscheck::topology {
namespace {

/// Entries of a directory, sorted ("." and ".." left out).
std::vector<std::string> dir_entries(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") out.push_back(name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string record_path(const std::string& run_id) { return std::string(k_kept_records) + "/" + run_id; }

/// The names one kept run pinned, from its record.
std::vector<std::string> recorded_names(const std::string& run_id) {
  std::vector<std::string> names;
  std::ifstream in(record_path(run_id));
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(k_kept_prefix + run_id + "-")) names.push_back(line);
  return names;
}

/// Records which names a run pinned: clean removes exactly these, never a look-alike.
Result<void> write_record(const std::string& run_id, const std::vector<std::string>& names) {
  for (const char* dir : {"/run", k_kept_records})
    if (::mkdir(dir, 0755) != 0 && errno != EEXIST) return errno_error(std::string("mkdir ") + dir, errno);
  std::ofstream out(record_path(run_id));
  for (const auto& n : names) out << n << "\n";
  out.close();
  if (!out) return errno_error("write " + record_path(run_id), errno);
  return {};
}

/// Makes /run/netns a shared mount point, as iproute2 does, so that pins propagate to every
/// mount namespace that later looks there (`ip netns exec` enters its own).
Result<void> prepare_netns_dir() {
  if (::mkdir(k_netns_dir, 0755) != 0 && errno != EEXIST) return errno_error(std::string("mkdir ") + k_netns_dir, errno);
  if (::mount("", k_netns_dir, "none", MS_SHARED | MS_REC, nullptr) == 0) return {};
  if (errno != EINVAL) return errno_error(std::string("make ") + k_netns_dir + " shared", errno);
  // not a mount point yet: bind it onto itself first
  if (::mount(k_netns_dir, k_netns_dir, "none", MS_BIND | MS_REC, nullptr) != 0)
    return errno_error(std::string("bind mount ") + k_netns_dir, errno);
  if (::mount("", k_netns_dir, "none", MS_SHARED | MS_REC, nullptr) != 0)
    return errno_error(std::string("make ") + k_netns_dir + " shared", errno);
  return {};
}

Result<std::string> pin_one(const std::string& name, int ns_fd) {
  const std::string path = std::string(k_netns_dir) + "/" + name;
  UniqueFd f(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
  if (!f.valid()) return errno_error("create " + path, errno);
  f.reset();
  const std::string source = "/proc/self/fd/" + std::to_string(ns_fd);
  if (::mount(source.c_str(), path.c_str(), "none", MS_BIND, nullptr) != 0) {
    Error e = errno_error("bind mount the namespace at " + path, errno);
    ::unlink(path.c_str());
    return e;
  }
  return path;
}

Result<void> unpin(const std::string& name) {
  const std::string path = std::string(k_netns_dir) + "/" + name;
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL) return errno_error("unmount " + path, errno);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error("remove " + path, errno);
  return {};
}

}  // namespace

std::string new_run_id() {
  std::random_device rd;
  for (;;) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%06x", static_cast<unsigned>(rd()) & 0xffffffu);
    if (::access(record_path(buf).c_str(), F_OK) != 0) return buf;
  }
}

std::string kept_name(const std::string& run_id, const std::string& node) {
  return k_kept_prefix + run_id + "-" + node;
}

Result<std::vector<std::string>> pin_namespaces(const std::string& run_id, const std::vector<std::string>& names,
                                                const std::vector<int>& ns_fds) {
  NS_CHECK(prepare_netns_dir());
  std::vector<std::string> pinned;
  for (const auto& n : names) pinned.push_back(kept_name(run_id, n));
  NS_CHECK(write_record(run_id, pinned));
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto p = pin_one(pinned[i], ns_fds[i]);
    if (!p) {
      for (std::size_t k = 0; k < i; ++k) (void)unpin(pinned[k]);
      ::unlink(record_path(run_id).c_str());
      return p.error().with_context("--keep");
    }
    paths.push_back(*p);
  }
  return paths;
}

Result<std::vector<std::string>> clean_kept(const std::optional<std::string>& run_id) {
  const auto runs = dir_entries(k_kept_records);
  if (run_id && std::find(runs.begin(), runs.end(), *run_id) == runs.end()) {
    std::string list;
    for (const auto& id : runs) list += (list.empty() ? "" : ", ") + id;
    return input_error("no kept run \"" + *run_id + "\"" + (list.empty() ? "; there are no kept runs" : "; kept runs: " + list));
  }
  std::vector<std::string> removed;
  for (const auto& id : runs) {
    if (run_id && id != *run_id) continue;
    for (const auto& n : recorded_names(id)) {
      NS_CHECK(unpin(n));
      removed.push_back(n);
    }
    if (::unlink(record_path(id).c_str()) != 0 && errno != ENOENT) return errno_error("remove " + record_path(id), errno);
  }
  return removed;
}

}  // namespace nscheck::topology
