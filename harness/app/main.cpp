// nscheck's entry point: the only place that prints.
#include <malloc.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "cli/cli.hpp"
#include "core/netns.hpp"
#include "reports/console.hpp"
#include "reports/file.hpp"
#include "reports/json.hpp"
#include "reports/junit.hpp"
#include "run/exit_code.hpp"
#include "topology/nft_plan.hpp"
#include "run/runner.hpp"
#include "scenario/loader.hpp"
#include "topology/keep.hpp"
#include "topology/plan.hpp"

namespace {

using namespace nscheck;

std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_signal = 0;

void on_signal(int sig) {
  g_signal = sig;
  g_stop.store(true);
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int print_error(const Error& e) {
  std::fprintf(stderr, "nscheck: %s\n", e.message.c_str());
  switch (e.kind) {
    case ErrorKind::input: return run::k_exit_input;
    case ErrorKind::internal: return run::k_exit_internal;
    default: return run::k_exit_environment;
  }
}

bool use_colour(cli::Colour c) {
  if (c == cli::Colour::always) return true;
  if (c == cli::Colour::never) return false;
  const char* no = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) && (no == nullptr || *no == '\0');
}

int cmd_validate(const cli::Options& o) {
  int rc = 0;
  for (const auto& path : o.scenarios) {
    auto s = scenario::load_scenario(path);
    if (!s) {
      rc = print_error(s.error());
      continue;
    }
    std::size_t cells = 0;
    for (const auto& st : s->stages) cells += st.expectations.size();
    std::printf("%s: ok (%zu nodes, %zu links, %zu stages, %zu expectations)\n", path.c_str(), s->nodes.size(),
                s->links.size(), s->stages.size(), cells);
  }
  return rc;
}

int cmd_plan(const cli::Options& o) {
  auto s = scenario::load_scenario(o.scenarios[0]);
  if (!s) return print_error(s.error());
  std::fputs(topology::describe(topology::plan_topology(*s)).c_str(), stdout);
  std::fputs(topology::describe_firewalls_and_stages(*s).c_str(), stdout);
  return 0;
}

void print_kept(const run::KeptRun& k, std::FILE* to) {
  std::fprintf(to, "\nkept (run id %s): the topology stays up until `nscheck clean %s`\n", k.run_id.c_str(),
               k.run_id.c_str());
  for (std::size_t i = 0; i < k.nodes.size(); ++i)
    std::fprintf(to, "  %-12s ip netns exec %s bash    or    nsenter --net=/run/netns/%s bash\n", k.nodes[i].c_str(),
                 k.names[i].c_str(), k.names[i].c_str());
}

int cmd_clean(const cli::Options& o) {
  std::optional<std::string> id;
  if (!o.scenarios.empty()) id = o.scenarios[0];
  auto r = topology::clean_kept(id);
  if (!r) return print_error(r.error());
  for (const auto& n : *r) std::printf("removed /run/netns/%s\n", n.c_str());
  if (r->empty()) std::printf("no kept runs\n");
  return 0;
}

int cmd_run(const cli::Options& o) {
  // First: loading a large scenario and unsharing can take a good while on a busy host, and a
  // signal that came then killed nscheck without its JUnit file. A signal now is seen by the run.
  install_signal_handlers();
  auto s = scenario::load_scenario(o.scenarios[0]);
  if (!s) return print_error(s.error());
  if (auto r = enter_private_netns(); !r) return print_error(r.error().with_context(o.scenarios[0]));
  auto result = run::run_scenario(*s, {o.deadline, o.count, o.keep}, g_stop);
  if (o.json_path != "-")  // stdout carries the JSON then
    std::fputs(report::console_report(result.report, {use_colour(o.colour)}).c_str(), stdout);
  std::fflush(stdout);
  int rc = run::exit_code(result.report, g_signal);
  if (result.kept) print_kept(*result.kept, o.json_path == "-" ? stderr : stdout);  // stdout holds only the JSON
  if (result.error && result.error->kind == ErrorKind::input) {  // rules nft refused: the message points into the file
    std::fprintf(stderr, "nscheck: %s\n", result.error->message.c_str());
    if (g_signal == 0) rc = run::k_exit_input;
  } else if (result.error) {
    std::fprintf(stderr, "nscheck: %s: %s\n", o.scenarios[0].c_str(), result.error->message.c_str());
  }
  auto report_failed = [&](const Error& e) {
    std::fprintf(stderr, "nscheck: %s\n", e.message.c_str());
    if (rc < run::k_exit_environment) rc = run::k_exit_environment;
  };
  if (!o.junit_path.empty())
    if (auto w = report::write_junit_file(result.report, o.junit_path); !w) report_failed(w.error());
  if (o.json_path == "-") {
    std::fflush(stdout);  // what was printed comes first: the JSON goes to the descriptor itself
    auto w = report::write_to_fd(STDOUT_FILENO, "stdout",
                                 [&](report::Output& out) { report::write_json(result.report, out); });
    if (!w) report_failed(w.error());
  } else if (!o.json_path.empty()) {
    if (auto w = report::write_json_file(result.report, o.json_path); !w) report_failed(w.error());
  }
  return rc;
}

int dispatch(const std::vector<std::string>& args) {
  auto o = cli::parse_args(args);
  if (!o) return print_error(o.error());
  switch (o->command) {
    case cli::Command::help: std::fputs(cli::usage().c_str(), stdout); return 0;
    case cli::Command::version: std::puts("nscheck 0.1.0"); return 0;
    case cli::Command::validate: return cmd_validate(*o);
    case cli::Command::plan: return cmd_plan(*o);
    case cli::Command::run: return cmd_run(*o);
    case cli::Command::clean: return cmd_clean(*o);
  }
  return run::k_exit_internal;
}

/// Keeps freed memory for reuse instead of giving it back to the kernel at once. A big stage
/// builds and drops vectors of tens of MB (cells, probes, results); by default glibc returns
/// each one with munmap() and the next one faults its pages in again. A page fault is cheap on
/// bare metal but not in every VM: on the 2-core benchmark VM each costs about 30 us, so the
/// 7,000 faults this avoids at 62,500 cells were 0.45 s of CPU.
void keep_freed_memory() {
  constexpr int k_mmap_threshold = 32 << 20;  // glibc's maximum: larger blocks are mmap()ed anyway
  mallopt(M_MMAP_THRESHOLD, k_mmap_threshold);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  try {
    return dispatch(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nscheck: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "nscheck: internal error\n");
  }
  return nscheck::run::k_exit_internal;
}
