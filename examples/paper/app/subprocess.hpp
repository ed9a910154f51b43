#pragma once
// Running external tools (mma, fluidsynth) without a shell: posix_spawnp with an argument vector, so
// no path or argument ever needs quoting, and output captured into a log file for error messages.
// Part of cantus::paper (the style corpus runs them); POSIX only.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cantus/base/error.hpp"

extern char** environ;

namespace paper {

using namespace cantus;  // the application is written in the library's terms

// The full path of `program` found on $PATH, or empty.
inline std::filesystem::path find_program(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const auto p = std::filesystem::path(dir) / program;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return {};
}

inline std::string read_tail(const std::filesystem::path& file, std::size_t max_chars = 2000) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  if (text.size() > max_chars) text = "..." + text.substr(text.size() - max_chars);
  return text;
}

// Runs argv[0] with arguments, stdout and stderr appended to `log`; returns the exit status, or throws
// when the program cannot be started. A signal death is reported as 128 + signal number.
inline int run_program(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  if (argv.empty()) throw value_error("run_program: empty argument vector");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw io_error(cantus::detail::concat(argv[0], ": cannot start: ", std::strerror(rc)));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw io_error(cantus::detail::concat(argv[0], ": waitpid failed: ", std::strerror(errno)));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace paper
