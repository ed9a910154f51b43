// The one translation unit that compiles CLI11 (see cli.hpp): every program's parser is this code.
#include "cli.hpp"

#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cli {

namespace {

// A callback's validation_error as the ValidationError CLI11 reports like its own errors.
template <class F>
auto as_cli11_errors(F&& f) {
  try {
    return f();
  } catch (const validation_error& e) {
    throw CLI::ValidationError(e.what());
  }
}

::CLI::MultiOptionPolicy policy_of(cli::multi_option_policy p) {
  return p == cli::multi_option_policy::take_all ? ::CLI::MultiOptionPolicy::TakeAll : ::CLI::MultiOptionPolicy::TakeLast;
}

}  // namespace

std::string display_name(const std::string& names) {
  std::string best, name;
  std::stringstream ss(names);
  while (std::getline(ss, name, ','))
    if (name.size() > best.size()) best = name;
  return best;
}

// --- option --------------------------------------------------------------------------------------
option* option::required(bool value) {
  impl_->required(value);
  return this;
}
option* option::type_name(const std::string& name) {
  impl_->type_name(name);
  return this;
}
option* option::expected(int count) {
  impl_->expected(count);
  return this;
}
option* option::excludes(option* other) {
  impl_->excludes(other->impl_);
  return this;
}
option* option::needs(option* other) {
  impl_->needs(other->impl_);
  return this;
}
option* option::envname(const std::string& name) {
  impl_->envname(name);
  return this;
}
option* option::multi_option_policy(cli::multi_option_policy policy) {
  impl_->multi_option_policy(policy_of(policy));
  return this;
}
option* option::check_existing_file() {
  impl_->check(::CLI::ExistingFile);
  return this;
}
option* option::check_range(int lo, int hi) {
  impl_->check(::CLI::Range(lo, hi));
  return this;
}
option::operator bool() const { return static_cast<bool>(*impl_); }
std::size_t option::count() const { return impl_->count(); }

// --- app -----------------------------------------------------------------------------------------
app::app(const std::string& description, const std::string& name)
    : owned_(std::make_unique<::CLI::App>(description, name)), impl_(owned_.get()) {}
app::app(::CLI::App* group) : impl_(group) {}
app::~app() = default;

option* app::keep(::CLI::Option* o) {
  options_.push_back(std::make_unique<option>(o));
  return options_.back().get();
}

option* app::add_option(const std::string& names, std::function<bool(const results&)> callback, const std::string& help) {
  return keep(impl_->add_option(
      names, [callback = std::move(callback)](const ::CLI::results_t& r) { return as_cli11_errors([&] { return callback(r); }); }, help));
}
option* app::add_option(const std::string& names, std::string& target, const std::string& help) {
  return keep(impl_->add_option(names, target, help));
}
option* app::add_option(const std::string& names, std::filesystem::path& target, const std::string& help) {
  return keep(impl_->add_option(names, target, help));
}
option* app::add_option(const std::string& names, int& target, const std::string& help) {
  return keep(impl_->add_option(names, target, help));
}
option* app::add_option(const std::string& names, std::uint64_t& target, const std::string& help) {
  return keep(impl_->add_option(names, target, help));
}
option* app::add_flag(const std::string& names, bool& target, const std::string& help) {
  return keep(impl_->add_flag(names, target, help));
}
option* app::add_flag_callback(const std::string& names, std::function<void()> callback, const std::string& help) {
  return keep(impl_->add_flag_callback(
      names, [callback = std::move(callback)] { as_cli11_errors([&] { callback(); }); }, help));
}
app* app::add_option_group(const std::string& name, const std::string& description) {
  groups_.push_back(std::unique_ptr<app>(new app(impl_->add_option_group(name, description))));
  return groups_.back().get();
}
app* app::require_option(std::size_t min, std::size_t max) {
  impl_->require_option(min, max);
  return this;
}
void app::footer(const std::string& text) { impl_->footer(text); }
std::string app::get_footer() const { return impl_->get_footer(); }
std::string app::get_name() const { return impl_->get_name(); }

std::optional<int> app::parse_or_report(int argc, char** argv) {
  try {
    impl_->parse(argc, argv);
  } catch (const ::CLI::ParseError& e) {
    return impl_->exit(e);
  }
  return std::nullopt;
}

// --- the checked values ----------------------------------------------------------------------------
option* value_option(app& a, const std::string& names, const std::string& help, const std::string& type,
                     std::function<void(const std::string& flag, const std::string& text)> set) {
  const std::string flag = display_name(names);
  auto* opt = a.impl().add_option(
      names,
      [flag, set = std::move(set)](const ::CLI::results_t& r) {
        as_cli11_errors([&] { set(flag, r.back()); });
        return true;
      },
      help);
  opt->type_name(type)->type_size(1)->expected(1)->multi_option_policy(::CLI::MultiOptionPolicy::TakeLast);
  return a.keep(opt);
}

double parse_real(const std::string& flag, const std::string& text, double lo, double hi, const std::string& expected) {
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

int parse_threads(const std::string& name, const std::string& text, bool zero_means_all) {
  return parse_integer(name, text, zero_means_all ? 0 : 1, 1024, zero_means_all ? "0 (every core) or 1 to 1024 threads" : "1 to 1024 threads");
}
std::uint64_t parse_seed(const std::string& name, const std::string& text) {
  return parse_integer<std::uint64_t>(name, text, 0, std::numeric_limits<std::uint64_t>::max(), "an integer from 0 to 18446744073709551615");
}
option* threads(app& a, int& target, bool zero_means_all, const std::string& help) {
  return value_option(a, "--threads", help.empty() ? (zero_means_all ? "threads, 0: every core" : "threads") : help, "INT",
                      [&target, zero_means_all](const std::string& f, const std::string& t) { target = parse_threads(f, t, zero_means_all); });
}
option* seed(app& a, std::uint64_t& target, const std::string& help) {
  return value_option(a, "--seed", help, "INT", [&target](const std::string& f, const std::string& t) { target = parse_seed(f, t); });
}

option* choice(app& a, const std::string& names, std::string& target, const std::vector<std::string>& words, const std::string& help) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& w : words) pairs.emplace_back(w, w);
  return choice(a, names, target, pairs, help);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> r;
  std::stringstream ss(s);
  for (std::string x; std::getline(ss, x, ',');)
    if (!x.empty()) r.push_back(x);
  return r;
}
option* list(app& a, const std::string& names, std::vector<std::string>& target, const std::string& help) {
  return value_option(a, names, help, "A,B,...", [&target](const std::string& f, const std::string& t) {
    auto items = split_list(t);
    if (items.empty()) throw bad_value(f, "a comma-separated list of at least one name", t);
    target = std::move(items);
  });
}

// --- paths -----------------------------------------------------------------------------------------
void check_exists(const std::string& flag, const std::string& path, must_be kind) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  const bool is_dir = std::filesystem::is_directory(st), exists = std::filesystem::exists(st);
  const char* what = kind == must_be::file ? "an existing file" : kind == must_be::folder ? "an existing folder" : "an existing file or folder";
  if (!exists) throw validation_error(flag, cantus::detail::concat("expected ", what, ", found '", path, "': no such file or folder"));
  if (kind == must_be::file && is_dir) throw validation_error(flag, cantus::detail::concat("expected a file, found '", path, "': a folder"));
  if (kind == must_be::folder && !is_dir) throw validation_error(flag, cantus::detail::concat("expected a folder, found '", path, "': not a folder"));
}
namespace {
template <class P>
option* existing_path(app& a, const std::string& names, P& target, must_be kind, const std::string& help) {
  return value_option(a, names, help, kind == must_be::folder ? "DIR" : "FILE", [&target, kind](const std::string& f, const std::string& t) {
    check_exists(f, t, kind);
    target = t;
  });
}
}  // namespace
option* existing(app& a, const std::string& names, std::string& target, must_be kind, const std::string& help) {
  return existing_path(a, names, target, kind, help);
}
option* existing(app& a, const std::string& names, std::filesystem::path& target, must_be kind, const std::string& help) {
  return existing_path(a, names, target, kind, help);
}
option* existing_positionals(app& a, const std::string& name, std::vector<std::string>& target, must_be kind, const std::string& help) {
  auto* opt = a.impl().add_option(
      name,
      [&target, name, kind](const ::CLI::results_t& r) {
        as_cli11_errors([&] {
          for (const auto& t : r) check_exists(name, t, kind);
        });
        target = r;
        return true;
      },
      help);
  // expected(1, max) alone takes one value: a positional takes the rest only with extra args allowed.
  opt->type_name(kind == must_be::folder ? "DIR" : "FILE")->expected(1, ::CLI::detail::expected_max_vector_size)->allow_extra_args(true);
  return a.keep(opt);
}

void check_writable_folder(const std::string& flag, const std::filesystem::path& dir_in) {
  namespace fs = std::filesystem;
  const fs::path dir = dir_in.empty() ? fs::path(".") : dir_in;
  auto fail = [&](const std::string& why) {
    throw cantus::io_error(cantus::detail::concat(flag, ": cannot write '", dir.string(), "': ", why));
  };
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    if (fs::exists(dir, ec)) fail("it exists and is not a folder");
    fs::create_directories(dir, ec);
    if (ec) fail(cantus::detail::concat("cannot create the folder: ", ec.message()));
  }
  const fs::path probe = dir / (".cantus-write-probe." + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail(cantus::detail::concat("cannot create a file in it: ", std::strerror(errno)));
  ::close(fd);
  ::unlink(probe.c_str());
}
void check_writable_file(const std::string& flag, const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  if (file == "-") return;
  std::error_code ec;
  const auto st = fs::status(file, ec);
  if (fs::is_directory(st)) throw cantus::io_error(cantus::detail::concat(flag, ": cannot write '", file.string(), "': it is a folder"));
  if (fs::exists(st) && !fs::is_regular_file(st)) return;  // a device or FIFO: written as a stream
  check_writable_folder(flag, file.parent_path());
}

// --- parsing and exit statuses ---------------------------------------------------------------------
namespace {

// What to tell the user about a parse error. An unknown or stray argument is named first, whatever
// else CLI11 found: a misspelt flag would otherwise be reported as the required option it was meant
// to be ("--train is required" for "--trian").
std::string parse_error_message(const ::CLI::App& app, const ::CLI::ParseError& e) {
  std::string what;
  for (const auto& a : app.remaining())
    what.append(what.empty() ? "" : "; ").append(a.size() > 1 && a[0] == '-' ? "unknown argument '" : "unexpected argument '").append(a).append("'");
  if (!what.empty()) return what;
  what = e.what();
  // CLI11 says "--fma excludes --folders".
  if (dynamic_cast<const ::CLI::ExcludesError*>(&e))
    if (const auto at = what.find(" excludes "); at != std::string::npos)
      what = what.substr(0, at) + " and " + what.substr(at + 10) + " exclude each other: give one of them";
  return what;
}

void print_usage_error(const std::string& program, const std::string& what) {
  std::fprintf(stderr, "%s: %s\n(run %s --help for the options)\n", program.c_str(), what.c_str(), program.c_str());
}

}  // namespace

void parse_or_exit(app& a, int argc, char** argv, const std::function<void()>& check) {
  ::CLI::App& app = a.impl();
  const std::string program = app.get_name();
  app.footer(app.get_footer() + (app.get_footer().empty() ? "" : "\n\n") +
             "Exit status: 0 success, 1 a data or runtime error, 2 a usage error (unknown flag, bad value, missing argument or file).");
  try {
    try {
      app.parse(argc, argv);
      check();
    } catch (const validation_error& e) {  // from `check`: a usage error like the parser's own
      throw ::CLI::ValidationError(e.what());
    }
  } catch (const ::CLI::Success&) {  // --help
    std::fputs(app.help().c_str(), stdout);
    std::exit(success);
  } catch (const ::CLI::ParseError& e) {
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

int run(app& a, int argc, char** argv, const std::function<void()>& check, const std::function<int()>& body) {
  parse_or_exit(a, argc, argv, check);
  try {
    return body();
  } catch (const usage_error& e) {
    print_usage_error(a.get_name(), e.what());
    return usage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", a.get_name().c_str(), e.what());
    return failure;
  }
}

std::vector<std::string> read_names(const std::string& path) {
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
