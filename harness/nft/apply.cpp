#include "nft/apply.hpp"

#include <fcntl.h>
#include <nftables/libnftables.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/unique_fd.hpp"

namespace nscheck::nft {
namespace {

/// How long a child may take: a big ruleset loads in well under a second.
constexpr int k_child_timeout_ms = 30000;

/// First byte of the child's report.
enum Status : char { k_ok = '0', k_refused = '1', k_setup = '2' };

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

/// The child: enter the namespace, load the rules from a memfd, report, exit. Never returns.
[[noreturn]] void child(int ns_fd, std::string_view rules, int report_fd) {
  std::string report(1, k_setup);
  if (::setns(ns_fd, CLONE_NEWNET) != 0) {
    report += std::string("setns: ") + std::strerror(errno);
  } else if (const int mem = ::memfd_create("nscheck-nft", 0); mem < 0) {
    report += std::string("memfd_create: ") + std::strerror(errno);
  } else {
    write_all(mem, rules);
    nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!ctx) {
      report += "nft_ctx_new failed";
    } else {
      nft_ctx_buffer_error(ctx);
      nft_ctx_buffer_output(ctx);
      const std::string name = "/proc/self/fd/" + std::to_string(mem);
      const int rc = nft_run_cmd_from_filename(ctx, name.c_str());
      report = std::string(1, rc == 0 ? k_ok : k_refused) + name + "\n" + nft_ctx_get_error_buffer(ctx);
      nft_ctx_free(ctx);
    }
  }
  write_all(report_fd, report);
  ::_exit(0);
}

/// Reads the child's report until it closes the pipe (or the timeout kills it).
std::string read_report(int fd, pid_t pid) {
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, k_child_timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      ::kill(pid, SIGKILL);
      return out;
    }
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

std::string exit_text(int status) {
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "exit status " + std::to_string(WEXITSTATUS(status));
}

int parse_int(std::string_view s, std::size_t& pos) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), v);
  if (ec != std::errc{}) return -1;
  pos = static_cast<std::size_t>(end - s.data());
  return v;
}

}  // namespace

namespace {

/// One "FILE:LINE:COL-COL: Error: text" line of nft, moved to place; other lines stay.
std::string place_line(std::string_view line, std::string_view prefix, const TextPlace& place) {
  std::string_view message = line;
  int at_line = 0, at_column = 0;
  if (line.starts_with(prefix)) {
    std::size_t pos = prefix.size();
    at_line = parse_int(line, pos);
    at_column = pos < line.size() && line[pos] == ':' ? parse_int(line, ++pos) : -1;
    const auto error_at = line.find("Error: ", pos);
    message = error_at == std::string_view::npos ? line.substr(pos) : line.substr(error_at);
  } else if (!line.starts_with("Error: ")) {
    return std::string(line);  // nft's copy of the rule line, or its ^^^ marker
  }
  if (message.starts_with("Error: ")) message.remove_prefix(7);
  int l = place.line, c = place.column;
  at_line -= place.lines_before;
  if (place.exact && at_line > 0 && at_column > 0) {
    l = place.line + at_line - 1;
    c = at_line == 1 ? at_column + place.column - 1 : at_column;
  }
  return place.file + ":" + std::to_string(l) + ":" + std::to_string(c) + ": " + place.what + ": " + std::string(message);
}

}  // namespace

std::string place_error(std::string_view nft_error, std::string_view nft_file, const TextPlace& place) {
  const std::string prefix = std::string(nft_file) + ":";
  while (!nft_error.empty() && (nft_error.back() == '\n' || nft_error.back() == ' ')) nft_error.remove_suffix(1);
  std::string out;
  while (!nft_error.empty()) {
    const auto end = nft_error.find('\n');
    out += (out.empty() ? "" : "\n") + place_line(nft_error.substr(0, end), prefix, place);
    nft_error.remove_prefix(end == std::string_view::npos ? nft_error.size() : end + 1);
  }
  if (out.empty()) out = place.file + ":" + std::to_string(place.line) + ":" + std::to_string(place.column) + ": " +
                         place.what + ": nft refused the rules";
  return out;
}

namespace {

/// What the child said: its status byte, then the name nft used for the text and nft's errors.
struct Report {
  char status = 0;  ///< 0: the child ended without a word
  std::string nft_file;
  std::string text;
  int exit_status = 0;
};

Report run_child(int ns_fd, std::string_view rules) {
  Report out;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    out.status = k_setup;
    out.text = std::string("pipe2: ") + std::strerror(errno);
    return out;
  }
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) {
    out.status = k_setup;
    out.text = std::string("fork: ") + std::strerror(errno);
    return out;
  }
  if (pid == 0) child(ns_fd, rules, write_end.get());
  write_end.reset();
  const std::string report = read_report(read_end.get(), pid);
  while (::waitpid(pid, &out.exit_status, 0) < 0 && errno == EINTR) {
  }
  if (report.empty()) return out;
  out.status = report[0];
  const std::string_view body = std::string_view(report).substr(1);
  const auto newline = body.find('\n');
  if (out.status == k_refused && newline != std::string_view::npos) {
    out.nft_file = body.substr(0, newline);
    out.text = body.substr(newline + 1);
  } else {
    out.text = body;
  }
  return out;
}

/// A kernel facility rules may need, and the smallest batch that shows whether it is there
/// (it leaves nothing behind: the table goes in the same batch).
struct Capability {
  const char* name;
  const char* probe;
};
constexpr Capability k_nf_tables{"nf_tables", "add table inet nscheck_probe\ndelete table inet nscheck_probe\n"};
constexpr Capability k_nat{"nftables NAT",
                           "add table inet nscheck_probe\n"
                           "add chain inet nscheck_probe p { type nat hook postrouting priority srcnat; }\n"
                           "delete table inet nscheck_probe\n"};

/// After a refusal: the capability the kernel lacks, if the refusal was the kernel's and not the rules'.
std::optional<Capability> missing_capability(int ns_fd, std::string_view rules) {
  std::vector<Capability> needed{k_nf_tables};
  if (uses_nat(rules)) needed.push_back(k_nat);
  for (const auto& c : needed)
    if (run_child(ns_fd, c.probe).status != k_ok) return c;
  return std::nullopt;
}

}  // namespace

bool uses_nat(std::string_view rules) {
  for (std::string_view word : {"type nat", "masquerade", "snat ", "dnat ", "redirect"})
    if (rules.find(word) != std::string_view::npos) return true;
  return false;
}

Result<void> apply(int ns_fd, std::string_view rules, const TextPlace& place) {
  const Report report = run_child(ns_fd, rules);
  if (report.status == k_ok) return {};
  if (report.status == 0)
    return Error{place.what + ": libnftables ended its process before reporting (" + exit_text(report.exit_status) + ")",
                 ECHILD, ErrorKind::environment};
  if (report.status == k_setup) return Error{place.what + ": " + report.text, 0, ErrorKind::environment};
  std::string message = place_error(report.text, report.nft_file, place);
  if (auto lacking = missing_capability(ns_fd, rules))
    return Error{message + " (the running kernel lacks " + lacking->name + ")", EOPNOTSUPP, ErrorKind::environment};
  return Error{message, 0, ErrorKind::input};
}

}  // namespace nscheck::nft
