#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <thread>

extern char** environ;

namespace nscheck::test {
namespace {

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> v;
  for (const auto& a : argv) v.push_back(const_cast<char*>(a.c_str()));
  v.push_back(nullptr);
  return v;
}

void drain(int out_fd, int err_fd, Finished& f) {
  pollfd p[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open = 2;
  char buf[65536];
  while (open > 0) {
    if (::poll(p, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = ::read(p[i].fd, buf, sizeof buf);
      if (n <= 0) {
        p[i].fd = -1;
        --open;
        continue;
      }
      (i == 0 ? f.out : f.err).append(buf, static_cast<std::size_t>(n));
    }
  }
}

/// This process's environment with `changes` applied ("NAME=VALUE" sets, "NAME" removes).
std::vector<std::string> changed_environment(const std::vector<std::string>& changes) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  for (const auto& c : changes) {
    const std::string name = c.substr(0, c.find('='));
    std::erase_if(env, [&](const std::string& e) { return e.substr(0, e.find('=')) == name; });
    if (c.find('=') != std::string::npos) env.push_back(c);
  }
  return env;
}

/// The write end of stdout: a pipe's, or a pseudo-terminal's slave (its master read like a pipe).
bool open_stdout(bool terminal, int& read_end, int& write_end) {
  if (!terminal) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return false;
    read_end = p[0];
    write_end = p[1];
    return true;
  }
  if (::openpty(&read_end, &write_end, nullptr, nullptr, nullptr) != 0) return false;
  ::fcntl(read_end, F_SETFD, FD_CLOEXEC);
  ::fcntl(write_end, F_SETFD, FD_CLOEXEC);
  return true;
}

}  // namespace

int wait_for(int pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;  // not our child (or already reaped): nothing to wait for
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

Finished run_command(const std::vector<std::string>& argv) { return run_command_with(argv, RunOptions{}); }

Finished run_command_with(const std::vector<std::string>& argv, const RunOptions& options) {
  Finished f;
  int out[2], err[2];
  if (!open_stdout(options.terminal, out[0], out[1])) return f;
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return f;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  pid_t pid = -1;
  auto args = c_argv(argv);
  const auto env_strings = options.env.empty() ? std::vector<std::string>{} : changed_environment(options.env);
  auto env = c_argv(env_strings);
  const int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), options.env.empty() ? environ : env.data());
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  ::close(err[1]);
  if (rc == 0) drain(out[0], err[0], f);
  ::close(out[0]);
  ::close(err[0]);
  if (rc == 0) f.exit_code = wait_for(pid);
  return f;
}

int spawn_background(const std::vector<std::string>& argv, const std::string& output) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  auto args = c_argv(argv);
  const int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

Ended wait_until(int pid, std::chrono::milliseconds timeout) {
  Ended e;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    const int r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return e;
    if (std::chrono::steady_clock::now() >= deadline) {
      e.timed_out = true;
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (WIFEXITED(status)) e.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
  return e;
}

std::string capture(const std::vector<std::string>& argv) { return run_command(argv).out; }

}  // namespace nscheck::test
