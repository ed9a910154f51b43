#pragma once
// What every fuzz target shares: a scratch file for loaders that take a path, and the rule that
// cantus' own exceptions (cantus::error and its kinds: io_error, value_error, ...) are the normal
// answer to bad bytes while anything else (std::bad_alloc, std::length_error, std::out_of_range,
// a crash, a sanitizer report) is a bug: it escapes LLVMFuzzerTestOneInput and libFuzzer stops.
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "cantus/base/error.hpp"

namespace cantus_fuzz {

// One folder per process (libFuzzer's -jobs/-workers run several) under $TMPDIR, else /dev/shm
// (memory: every input is written to a file), else /tmp. Removed at exit where libFuzzer exits
// normally; it ends with _Exit after a failure and in some modes, so the folders of processes that
// are gone are removed at start.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::error_code ec;
    const std::filesystem::path base = tmp && *tmp ? tmp : std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : "/tmp";
    for (const auto& e : std::filesystem::directory_iterator(base, ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("cantus-fuzz-", 0) != 0) continue;
      const long pid = std::strtol(name.c_str() + 12, nullptr, 10);
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) std::filesystem::remove_all(e.path(), ec);
    }
    auto d = base / ("cantus-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(scratch_dir(), ec);
    });
    return d;
  }();
  return dir;
}

inline void write_file(const std::filesystem::path& path, const void* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) std::abort();  // the harness itself failed: not a finding about the parser
}

// Writes the input to scratch_dir()/name and returns that path.
inline std::filesystem::path input_file(std::string_view name, const std::uint8_t* data, std::size_t size) {
  auto p = scratch_dir() / name;
  write_file(p, data, size);
  return p;
}

// Runs f; a cantus::error is a clean rejection and returns false.
template <class F>
bool accepts(F&& f) {
  try {
    f();
    return true;
  } catch (const cantus::error&) {
    return false;
  }
}

}  // namespace cantus_fuzz
