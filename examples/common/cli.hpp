#pragma once
// Small helpers the example programs share: flag values, strict number parsing, class-name files.
// Errors are cantus::value_error naming the flag and what was found; programs print them and exit 2.
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cantus/core/error.hpp"

namespace cli {

// The value after the flag argv[i] (advancing i past it).
inline std::string next_value(int argc, char** argv, int& i) {
  if (i + 1 >= argc) throw cantus::value_error(cantus::detail::concat(argv[i], ": missing value"));
  return argv[++i];
}

inline double to_double(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end) throw cantus::value_error(cantus::detail::concat(flag, ": expected a number but found \"", v, "\""));
  return x;
}
inline long to_int(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  const long x = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end) throw cantus::value_error(cantus::detail::concat(flag, ": expected an integer but found \"", v, "\""));
  return x;
}
// A thread count: 1 to 1024 (0 too when zero_means_all: every core). OpenMP runtimes crash on absurd
// counts (--threads 100000 ended in SIGSEGV inside libgomp), so the flag is checked before any work.
inline int to_threads(const std::string& flag, const std::string& v, bool zero_means_all = false) {
  const long n = to_int(flag, v);
  if (n < (zero_means_all ? 0 : 1) || n > 1024)
    throw cantus::value_error(cantus::detail::concat(flag, ": expected ", zero_means_all ? "0 (every core) or " : "", "1 to 1024 threads but found ", n));
  return static_cast<int>(n);
}

// One class name per line, in the order of the sorted class labels.
inline std::vector<std::string> read_names(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw cantus::io_error(cantus::detail::concat(path, ": cannot open the class-name file"));
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  return names;
}

}  // namespace cli
