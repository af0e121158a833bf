// libFuzzer target for the scenario loader: whatever the bytes, parse_scenario returns a Scenario
// or an input error naming the file, never a crash, a hang, a leak or undefined behaviour. A
// scenario it accepts must also plan (plan_topology and describe are pure: no kernel involved).
// Built with clang by tests/fuzz/CMakeLists.txt and run by .ci/fuzz.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scenario/loader.hpp"
#include "topology/plan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto s = nscheck::scenario::parse_scenario(text, "fuzz.toml");
  if (s.ok()) {
    const auto plan = nscheck::topology::plan_topology(*s);
    if (nscheck::topology::describe(plan).empty()) __builtin_trap();
  } else if (s.error().kind != nscheck::ErrorKind::input || !s.error().message.starts_with("fuzz.toml")) {
    __builtin_trap();  // a refusal is always ErrorKind::input, and says which file
  }
  return 0;
}
