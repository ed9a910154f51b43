// fuzz_replay TARGET PATH...: every file under each PATH (a file or a folder, read recursively, in
// name order) passed once to TARGET's LLVMFuzzerTestOneInput, compiled here by the project's own
// compiler without libFuzzer or sanitizers, so that the Release suite replays every fuzz target's
// corpus on every CI run (tests/fuzz holds the targets, docs/fuzzing.md the libFuzzer runs). An input
// passes when the target returns: cantus' own exceptions are the targets' normal answer to bad bytes
// and are caught inside them; anything else escaping, or a crash, fails the run, naming the file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#define CANTUS_FUZZ_TARGET(name) extern "C" int cantus_replay_##name(const std::uint8_t* data, std::size_t size);
#include "replay_targets.inc"
#undef CANTUS_FUZZ_TARGET

namespace {

using target_fn = int (*)(const std::uint8_t*, std::size_t);
struct target {
  std::string_view name;
  target_fn run;
};
const target targets[] = {
#define CANTUS_FUZZ_TARGET(name) {#name, &cantus_replay_##name},
#include "replay_targets.inc"
#undef CANTUS_FUZZ_TARGET
};

std::vector<std::filesystem::path> inputs_under(const std::filesystem::path& p) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(p)) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(p))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
  } else if (std::filesystem::is_regular_file(p)) {
    files.push_back(p);
  }
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  std::string names;
  for (const auto& t : targets) names += (names.empty() ? "" : ", ") + std::string(t.name);
  if (argc < 3) {
    std::fprintf(stderr, "usage: fuzz_replay TARGET PATH...\ntargets: %s\n", names.c_str());
    return 2;
  }
  const auto found = std::find_if(std::begin(targets), std::end(targets), [&](const target& t) { return t.name == argv[1]; });
  if (found == std::end(targets)) {
    std::fprintf(stderr, "fuzz_replay: unknown target '%s'; expected one of %s\n", argv[1], names.c_str());
    return 2;
  }
  std::size_t count = 0;
  for (int a = 2; a < argc; ++a) {
    const auto files = inputs_under(argv[a]);
    if (files.empty()) {
      std::fprintf(stderr, "fuzz_replay: %s: no input files (expected a file or a folder holding some)\n", argv[a]);
      return 2;
    }
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!in && !in.eof()) {
        std::fprintf(stderr, "fuzz_replay: %s: cannot read\n", f.c_str());
        return 1;
      }
      std::fprintf(stderr, "%s\n", f.c_str());  // the last name printed is the input that crashed
      try {
        found->run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_replay: %s: %s escaped the target (a bug: only cantus' own errors are expected): %s\n",
                     f.c_str(), argv[1], e.what());
        return 1;
      }
      ++count;
    }
  }
  std::printf("fuzz_replay %s: %zu inputs, all handled\n", argv[1], count);
  return 0;
}
