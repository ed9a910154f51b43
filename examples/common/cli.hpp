#pragma once
// The command line of every example program: CLI11 reads it, the helpers below declare options whose
// values are checked strictly, and cli::run gives every program the same exit statuses:
//   0  success, or --help
//   1  a data or runtime error (a cantus error, a file that cannot be read or written)
//   2  a usage error (unknown flag, bad value, missing required flag or argument, a file or folder
//      named on the command line that does not exist)
// Every value is checked while parsing, before a program does any work. CLI11's own number parsing
// is not used: it reads "-1" as 2^64 - 1 for an unsigned seed and saturates at the type's limit
// instead of refusing, and it accepts octal and hexadecimal. Messages go to stderr as
// "PROGRAM: FLAG: expected WHAT, found 'TEXT'".
//
// CLI11 itself is compiled once, in cli.cpp (library cantus_example_cli): Debian's CLI11 2.1 has no
// precompiled mode, and its parser, all inline, doubled the compile time of every program that
// included it. Programs see cli::app and cli::option, thin handles onto CLI::App and CLI::Option
// with the same member names, so a declaration reads as it would with CLI11 directly.
#include <charconv>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cantus/base/error.hpp"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace cli {

enum exit_status : int { success = 0, failure = 1, usage = 2 };

// An argument error found after parsing, where one value is judged against another or against what
// a program knows (two genres that are the same, a model name the registry lacks): exit status 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A value refused while parsing: the parser reports it as CLI11's ValidationError ("FLAG: WHAT").
struct validation_error : std::runtime_error {
  explicit validation_error(const std::string& what) : std::runtime_error(what) {}
  validation_error(const std::string& flag, const std::string& what) : std::runtime_error(flag + ": " + what) {}
};

// The error a value check raises.
inline validation_error bad_value(const std::string& flag, const std::string& expected, const std::string& found) {
  return validation_error(flag, cantus::detail::concat("expected ", expected, ", found '", found, "'"));
}

// The flag's name as a user typed it, for messages: the longest of "-t,--threads".
std::string display_name(const std::string& names);

enum class multi_option_policy { take_last, take_all };

class app;

// A declared option (owned by its app); the setters return the option so they chain as in CLI11.
class option {
 public:
  option* required(bool value = true);
  option* type_name(const std::string& name);
  option* expected(int count);
  option* excludes(option* other);
  option* needs(option* other);
  option* envname(const std::string& name);
  option* multi_option_policy(cli::multi_option_policy policy);
  option* check_existing_file();  // CLI::ExistingFile
  option* check_range(int lo, int hi);  // CLI::Range(lo, hi)
  // Given on the command line (or from its environment variable); how many times.
  explicit operator bool() const;
  std::size_t count() const;

  explicit option(CLI::Option* impl) : impl_(impl) {}

 private:
  CLI::Option* impl_;
};

// A command line, or an option group of one (add_option_group). The typed add_option overloads are
// CLI11's own conversions of those types; programs that need checked values use the helpers below.
class app {
 public:
  app(const std::string& description = "", const std::string& name = "");
  ~app();
  app(const app&) = delete;
  app& operator=(const app&) = delete;

  using results = std::vector<std::string>;
  option* add_option(const std::string& names, std::function<bool(const results&)> callback, const std::string& help = "");
  option* add_option(const std::string& names, std::string& target, const std::string& help = "");
  option* add_option(const std::string& names, std::filesystem::path& target, const std::string& help = "");
  option* add_option(const std::string& names, int& target, const std::string& help = "");
  option* add_option(const std::string& names, std::uint64_t& target, const std::string& help = "");
  option* add_flag(const std::string& names, bool& target, const std::string& help = "");
  option* add_flag_callback(const std::string& names, std::function<void()> callback, const std::string& help = "");
  app* add_option_group(const std::string& name, const std::string& description = "");
  app* require_option(std::size_t min, std::size_t max);

  void footer(const std::string& text);
  std::string get_footer() const;
  std::string get_name() const;
  // Parses as CLI11 does and, on --help or an error, prints what CLI11 prints and returns its exit
  // code (nullopt when parsing succeeded): for a program that keeps CLI11's own reporting.
  std::optional<int> parse_or_report(int argc, char** argv);

  // For cli.cpp: the CLI11 object, and an option of it to hand out.
  CLI::App& impl() { return *impl_; }
  option* keep(CLI::Option* o);

 private:
  explicit app(CLI::App* group);

  std::unique_ptr<CLI::App> owned_;
  CLI::App* impl_;
  std::vector<std::unique_ptr<option>> options_;
  std::vector<std::unique_ptr<app>> groups_;
};

// An option holding one value whose text `set(flag, text)` checks and stores (throwing bad_value).
// Given twice, the last one counts, as the hand-written parsers did.
option* value_option(app& a, const std::string& names, const std::string& help, const std::string& type,
                     std::function<void(const std::string& flag, const std::string& text)> set);

// A whole base-10 integer in [lo, hi]; anything else, a sign on an unsigned type, or a value beyond
// the type is refused (never saturated).
template <std::integral T>
T parse_integer(const std::string& flag, const std::string& text, T lo, T hi, const std::string& expected = "") {
  T v{};
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end || v < lo || v > hi)
    throw bad_value(flag, expected.empty() ? cantus::detail::concat("an integer from ", lo, " to ", hi) : expected, text);
  return v;
}
// A finite decimal number in [lo, hi].
double parse_real(const std::string& flag, const std::string& text, double lo, double hi, const std::string& expected = "");

template <std::integral T>
option* integer(app& a, const std::string& names, T& target, T lo, T hi, const std::string& help, const std::string& expected = "") {
  return value_option(a, names, help, "INT", [&target, lo, hi, expected](const std::string& f, const std::string& t) {
    target = parse_integer(f, t, lo, hi, expected);
  });
}
template <std::integral T>
option* integer(app& a, const std::string& names, std::optional<T>& target, T lo, T hi, const std::string& help,
                const std::string& expected = "") {
  return value_option(a, names, help, "INT", [&target, lo, hi, expected](const std::string& f, const std::string& t) {
    target = parse_integer(f, t, lo, hi, expected);
  });
}
// A count >= 1, or "all" (stored as 0).
template <std::integral T>
option* count_or_all(app& a, const std::string& names, std::optional<T>& target, const std::string& help) {
  return value_option(a, names, help, "N|all", [&target](const std::string& f, const std::string& t) {
    target = t == "all" ? T{0}
                        : parse_integer<T>(f, t, 1, std::numeric_limits<T>::max(),
                                           cantus::detail::concat("a positive integer or all"));
  });
}

template <class D>
  requires std::same_as<D, double> || std::same_as<D, float> || std::same_as<D, std::optional<double>>
option* real(app& a, const std::string& names, D& target, double lo, double hi, const std::string& help,
             const std::string& expected = "") {
  return value_option(a, names, help, "X", [&target, lo, hi, expected](const std::string& f, const std::string& t) {
    if constexpr (std::same_as<D, float>) target = static_cast<float>(parse_real(f, t, lo, hi, expected));
    else target = parse_real(f, t, lo, hi, expected);
  });
}

// --threads: 1 to 1024, or 0 (every core) where the program's default is every core. OpenMP
// runtimes crash on absurd counts (--threads 100000 ended in SIGSEGV inside libgomp). parse_threads
// and parse_seed are the checks themselves, for a value read elsewhere (a config file) under `name`.
int parse_threads(const std::string& name, const std::string& text, bool zero_means_all);
std::uint64_t parse_seed(const std::string& name, const std::string& text);
option* threads(app& a, int& target, bool zero_means_all, const std::string& help = "");
// --seed: any value of the 64-bit unsigned seed the library takes; a negative or larger one is
// refused rather than wrapped or saturated into another seed.
option* seed(app& a, std::uint64_t& target, const std::string& help = "random seed");

// One of a fixed set of words, each mapped onto a value.
template <class T>
option* choice(app& a, const std::string& names, T& target, std::vector<std::pair<std::string, T>> words, const std::string& help) {
  std::string all;
  for (const auto& w : words) all += (all.empty() ? "" : "|") + w.first;
  return value_option(a, names, help, all, [&target, words, all](const std::string& f, const std::string& t) {
    for (const auto& w : words)
      if (w.first == t) {
        target = w.second;
        return;
      }
    throw bad_value(f, "one of " + all, t);
  });
}
option* choice(app& a, const std::string& names, std::string& target, const std::vector<std::string>& words, const std::string& help);

// Splits "a,b,c" (empty items dropped).
std::vector<std::string> split_list(const std::string& s);
// A comma-separated list with at least one item: an empty one (--models "") would otherwise mean
// "nothing to do" and surface late or not at all.
option* list(app& a, const std::string& names, std::vector<std::string>& target, const std::string& help);

// Paths that must exist when the program starts: a file named by a flag, a folder, or either.
enum class must_be { file, folder, file_or_folder };
void check_exists(const std::string& flag, const std::string& path, must_be kind);
option* existing(app& a, const std::string& names, std::string& target, must_be kind, const std::string& help);
option* existing(app& a, const std::string& names, std::filesystem::path& target, must_be kind, const std::string& help);
// Outputs, checked when the program starts rather than after its work: the folder is created where it
// is missing and a probe file is created in it and removed (a read-only or full --out, a path through
// a file, failed only once everything was computed). For a file, its folder is probed; "-" and
// non-regular files that exist (a device, a FIFO) are written as streams and left alone. Throws
// cantus::io_error "FLAG: cannot write 'PATH': WHY" (exit status 1, as any failure to write).
void check_writable_folder(const std::string& flag, const std::filesystem::path& dir);
void check_writable_file(const std::string& flag, const std::filesystem::path& file);
// Positional paths (program IN...), each checked to exist.
option* existing_positionals(app& a, const std::string& name, std::vector<std::string>& target, must_be kind, const std::string& help);

// Parses argv into `a`, then runs `check` (the argument checks CLI11 cannot express, throwing
// usage_error or validation_error). On --help the process exits here with 0, on a usage error with 2;
// a failure in `check` itself (an unreadable file it consults) exits with 1.
void parse_or_exit(app& a, int argc, char** argv, const std::function<void()>& check);
inline void parse_or_exit(app& a, int argc, char** argv) {
  parse_or_exit(a, argc, argv, [] {});
}

// The whole of a program's main: parse and `check` (exiting on --help or a usage error), then `body`,
// which returns the exit status; an exception out of it is a data or runtime error (1), a usage_error 2.
int run(app& a, int argc, char** argv, const std::function<void()>& check, const std::function<int()>& body);
inline int run(app& a, int argc, char** argv, const std::function<int()>& body) {
  return run(a, argc, argv, [] {}, body);
}

// One class name per line, in the order of the sorted class labels.
std::vector<std::string> read_names(const std::string& path);

}  // namespace cli
