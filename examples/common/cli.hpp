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
#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cantus/base/error.hpp"

namespace cli {

enum exit_status : int { success = 0, failure = 1, usage = 2 };

// An argument error found after parsing, where one value is judged against another or against what
// a program knows (two genres that are the same, a model name the registry lacks): exit status 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The error a value check raises: CLI11's own, so the parser reports it like its own errors.
inline CLI::ValidationError bad_value(const std::string& flag, const std::string& expected, const std::string& found) {
  return CLI::ValidationError(flag, cantus::detail::concat("expected ", expected, ", found '", found, "'"));
}

// The flag's name as a user typed it, for messages: the longest of "-t,--threads".
inline std::string display_name(const std::string& names) {
  std::string best, name;
  std::stringstream ss(names);
  while (std::getline(ss, name, ','))
    if (name.size() > best.size()) best = name;
  return best;
}

// An option holding one value whose text `set(flag, text)` checks and stores (throwing bad_value).
// Given twice, the last one counts, as the hand-written parsers did.
template <class Set>
CLI::Option* value_option(CLI::App& app, const std::string& names, const std::string& help, const std::string& type, Set set) {
  const std::string flag = display_name(names);
  auto* opt = app.add_option(
      names,
      [flag, set](const CLI::results_t& r) {
        set(flag, r.back());
        return true;
      },
      help);
  opt->type_name(type)->type_size(1)->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  return opt;
}

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
inline double parse_real(const std::string& flag, const std::string& text, double lo, double hi, const std::string& expected = "") {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v) || v < lo || v > hi) {
    std::string what = expected;
    if (what.empty() && hi == std::numeric_limits<double>::max()) what = cantus::detail::concat("a finite number >= ", lo);
    if (what.empty()) what = cantus::detail::concat("a number from ", lo, " to ", hi);
    throw bad_value(flag, what, text);
  }
  return v;
}

template <std::integral T>
CLI::Option* integer(CLI::App& app, const std::string& names, T& target, T lo, T hi, const std::string& help,
                     const std::string& expected = "") {
  return value_option(app, names, help, "INT", [&target, lo, hi, expected](const std::string& f, const std::string& t) {
    target = parse_integer(f, t, lo, hi, expected);
  });
}
template <std::integral T>
CLI::Option* integer(CLI::App& app, const std::string& names, std::optional<T>& target, T lo, T hi, const std::string& help,
                     const std::string& expected = "") {
  return value_option(app, names, help, "INT", [&target, lo, hi, expected](const std::string& f, const std::string& t) {
    target = parse_integer(f, t, lo, hi, expected);
  });
}
// A count >= 1, or "all" (stored as 0).
template <std::integral T>
CLI::Option* count_or_all(CLI::App& app, const std::string& names, std::optional<T>& target, const std::string& help) {
  return value_option(app, names, help, "N|all", [&target](const std::string& f, const std::string& t) {
    target = t == "all" ? T{0}
                        : parse_integer<T>(f, t, 1, std::numeric_limits<T>::max(),
                                           cantus::detail::concat("a positive integer or all")); 
  });
}

template <class D>
  requires std::same_as<D, double> || std::same_as<D, float> || std::same_as<D, std::optional<double>>
CLI::Option* real(CLI::App& app, const std::string& names, D& target, double lo, double hi, const std::string& help,
                  const std::string& expected = "") {
  return value_option(app, names, help, "X", [&target, lo, hi, expected](const std::string& f, const std::string& t) {
    if constexpr (std::same_as<D, float>) target = static_cast<float>(parse_real(f, t, lo, hi, expected));
    else target = parse_real(f, t, lo, hi, expected);
  });
}

// --threads: 1 to 1024, or 0 (every core) where the program's default is every core. OpenMP
// runtimes crash on absurd counts (--threads 100000 ended in SIGSEGV inside libgomp).
inline CLI::Option* threads(CLI::App& app, int& target, bool zero_means_all, const std::string& help = "") {
  const std::string expected = zero_means_all ? "0 (every core) or 1 to 1024 threads" : "1 to 1024 threads";
  return integer(app, "--threads", target, zero_means_all ? 0 : 1, 1024,
                 help.empty() ? (zero_means_all ? "threads, 0: every core" : "threads") : help, expected);
}
// --seed: any value of the 64-bit unsigned seed the library takes; a negative or larger one is
// refused rather than wrapped or saturated into another seed.
inline CLI::Option* seed(CLI::App& app, std::uint64_t& target, const std::string& help = "random seed") {
  return integer<std::uint64_t>(app, "--seed", target, 0, std::numeric_limits<std::uint64_t>::max(), help,
                                "an integer from 0 to 18446744073709551615");
}

// One of a fixed set of words, each mapped onto a value.
template <class T>
CLI::Option* choice(CLI::App& app, const std::string& names, T& target, std::vector<std::pair<std::string, T>> words,
                    const std::string& help) {
  std::string all;
  for (const auto& w : words) all += (all.empty() ? "" : "|") + w.first;
  return value_option(app, names, help, all, [&target, words, all](const std::string& f, const std::string& t) {
    for (const auto& w : words)
      if (w.first == t) {
        target = w.second;
        return;
      }
    throw bad_value(f, "one of " + all, t);
  });
}
inline CLI::Option* choice(CLI::App& app, const std::string& names, std::string& target, const std::vector<std::string>& words,
                           const std::string& help) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& w : words) pairs.emplace_back(w, w);
  return choice(app, names, target, pairs, help);
}

// Splits "a,b,c" (empty items dropped).
inline std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> r;
  std::stringstream ss(s);
  for (std::string x; std::getline(ss, x, ',');)
    if (!x.empty()) r.push_back(x);
  return r;
}
// A comma-separated list with at least one item: an empty one (--models "") would otherwise mean
// "nothing to do" and surface late or not at all.
inline CLI::Option* list(CLI::App& app, const std::string& names, std::vector<std::string>& target, const std::string& help) {
  return value_option(app, names, help, "A,B,...", [&target](const std::string& f, const std::string& t) {
    auto items = split_list(t);
    if (items.empty()) throw bad_value(f, "a comma-separated list of at least one name", t);
    target = std::move(items);
  });
}

// Paths that must exist when the program starts: a file named by a flag, a folder, or either.
enum class must_be { file, folder, file_or_folder };
inline void check_exists(const std::string& flag, const std::string& path, must_be kind) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  const bool is_dir = std::filesystem::is_directory(st), exists = std::filesystem::exists(st);
  const char* what = kind == must_be::file ? "an existing file" : kind == must_be::folder ? "an existing folder" : "an existing file or folder";
  if (!exists) throw CLI::ValidationError(flag, cantus::detail::concat("expected ", what, ", found '", path, "': no such file or folder"));
  if (kind == must_be::file && is_dir) throw CLI::ValidationError(flag, cantus::detail::concat("expected a file, found '", path, "': a folder"));
  if (kind == must_be::folder && !is_dir) throw CLI::ValidationError(flag, cantus::detail::concat("expected a folder, found '", path, "': not a folder"));
}
template <class P>
  requires std::same_as<P, std::string> || std::same_as<P, std::filesystem::path>
CLI::Option* existing(CLI::App& app, const std::string& names, P& target, must_be kind, const std::string& help) {
  return value_option(app, names, help, kind == must_be::folder ? "DIR" : "FILE", [&target, kind](const std::string& f, const std::string& t) {
    check_exists(f, t, kind);
    target = t;
  });
}
// Positional paths (program IN...), each checked to exist.
inline CLI::Option* existing_positionals(CLI::App& app, const std::string& name, std::vector<std::string>& target, must_be kind,
                                         const std::string& help) {
  auto* opt = app.add_option(
      name,
      [&target, name, kind](const CLI::results_t& r) {
        for (const auto& t : r) check_exists(name, t, kind);
        target = r;
        return true;
      },
      help);
  opt->type_name(kind == must_be::folder ? "DIR" : "FILE")->expected(1, CLI::detail::expected_max_vector_size);
  return opt;
}

// What to tell the user about a parse error. An unknown or stray argument is named first, whatever
// else CLI11 found: a misspelt flag would otherwise be reported as the required option it was meant
// to be ("--train is required" for "--trian").
inline std::string parse_error_message(const CLI::App& app, const CLI::ParseError& e) {
  std::string what;
  for (const auto& a : app.remaining())
    what.append(what.empty() ? "" : "; ").append(a.size() > 1 && a[0] == '-' ? "unknown argument '" : "unexpected argument '").append(a).append("'");
  if (!what.empty()) return what;
  what = e.what();
  // CLI11 says "--fma excludes --folders".
  if (dynamic_cast<const CLI::ExcludesError*>(&e))
    if (const auto at = what.find(" excludes "); at != std::string::npos)
      what = what.substr(0, at) + " and " + what.substr(at + 10) + " exclude each other: give one of them";
  return what;
}

inline void print_usage_error(const std::string& program, const std::string& what) {
  std::fprintf(stderr, "%s: %s\n(run %s --help for the options)\n", program.c_str(), what.c_str(), program.c_str());
}

// Parses argv into `app`, then runs `check` (the argument checks CLI11 cannot express, throwing
// usage_error or a CLI11 error). On --help the process exits here with 0, on a usage error with 2;
// a failure in `check` itself (an unreadable file it consults) exits with 1.
template <class Check>
void parse_or_exit(CLI::App& app, int argc, char** argv, Check&& check) {
  const std::string program = app.get_name();
  app.footer(app.get_footer() + (app.get_footer().empty() ? "" : "\n\n") +
             "Exit status: 0 success, 1 a data or runtime error, 2 a usage error (unknown flag, bad value, missing argument or file).");
  try {
    app.parse(argc, argv);
    check();
  } catch (const CLI::Success&) {  // --help
    std::fputs(app.help().c_str(), stdout);
    std::exit(success);
  } catch (const CLI::ParseError& e) {
    print_usage_error(program, parse_error_message(app, e));
    std::exit(usage);
  } catch (const usage_error& e) {
    print_usage_error(program, e.what());
    std::exit(usage);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program.c_str(), e.what());
    std::exit(failure);
  }
}
inline void parse_or_exit(CLI::App& app, int argc, char** argv) {
  parse_or_exit(app, argc, argv, [] {});
}

// The whole of a program's main: parse and `check` (exiting on --help or a usage error), then `body`,
// which returns the exit status; an exception out of it is a data or runtime error (1), a usage_error 2.
template <class Check, class Body>
int run(CLI::App& app, int argc, char** argv, Check&& check, Body&& body) {
  parse_or_exit(app, argc, argv, check);
  try {
    return body();
  } catch (const usage_error& e) {
    print_usage_error(app.get_name(), e.what());
    return usage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", app.get_name().c_str(), e.what());
    return failure;
  }
}
template <class Body>
int run(CLI::App& app, int argc, char** argv, Body&& body) {
  return run(app, argc, argv, [] {}, body);
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
