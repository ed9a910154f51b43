#pragma once
// Files that are either complete or absent: write to a temporary file beside the target, flush and
// fsync it, rename it over the target (atomic on POSIX file systems), then fsync the directory so the
// rename itself survives a power cut (publish_file; every rename that publishes a file in cantus goes
// through it). A crash mid-write leaves the previous file intact; the temporary is removed on failure.
// What is not a regular file is never replaced (see write_file_atomically).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>

#include "cantus/base/error.hpp"
#include "cantus/core/directories.hpp"
#include "cantus/core/publish_file.hpp"

namespace cantus {

namespace detail {
// Streams straight to `path` (a device, a FIFO, standard output): no temporary, no rename.
inline void write_file_streaming(const std::filesystem::path& path, const std::function<void(std::ofstream&)>& write) {
  std::ofstream out(path, std::ios::binary | std::ios::out);
  if (!out) throw io_error(detail::concat(path.string(), ": cannot open for writing"));
  write(out);
  out.flush();
  if (!out) throw io_error(detail::concat(path.string(), ": write failed (disk full?)"));
}
}  // namespace detail

// Calls `write(std::ofstream&)`, then publishes the file at `path` atomically. Only a regular file
// (or nothing) at `path` is replaced: a symbolic link is written through (its target is replaced
// atomically and the link stays), a device, FIFO or socket is written to as a stream, "-" means
// standard output; a directory is refused.
inline void write_file_atomically(const std::filesystem::path& path_in, const std::function<void(std::ofstream&)>& write) {
  namespace fs = std::filesystem;
  if (path_in == "-") return detail::write_file_streaming("/dev/stdout", write);
  fs::path path = path_in;
  std::error_code ec;
  // Follow the chain of links by hand: also to a target that does not exist yet.
  for (int hops = 0; fs::is_symlink(fs::symlink_status(path, ec)); ++hops) {
    if (hops == 40) throw io_error(detail::concat(path_in.string(), ": too many levels of symbolic links"));
    const fs::path target = fs::read_symlink(path, ec);
    if (ec) throw io_error(detail::concat(path_in.string(), ": cannot read the symbolic link: ", ec.message()));
    path = target.is_absolute() ? target : path.parent_path() / target;
  }
  const auto st = fs::status(path, ec);
  if (fs::exists(st)) {
    if (fs::is_directory(st))
      throw io_error(detail::concat(path_in.string(), ": is a directory; expected a file name to write"));
    if (!fs::is_regular_file(st)) return detail::write_file_streaming(path, write);
  }
  if (path.has_parent_path()) make_directories(path.parent_path());
  const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(std::random_device{}());
  try {
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) throw io_error(detail::concat(path.string(), ": cannot open temporary file ", tmp.string(), " for writing"));
      write(out);
      out.flush();
      if (!out) throw io_error(detail::concat(path.string(), ": write failed (disk full?)"));
    }
    // The data synced before the rename (never a published name over data only in the page cache),
    // the directory after it.
    publish_file(tmp, path);
  } catch (...) {
    std::error_code ignore;
    fs::remove(tmp, ignore);
    throw;
  }
}

// Removes the temporaries (`NAME.tmp.PID.RANDOM`) that writers killed mid-write left in `dir`;
// those of a process still running (another writer at work) are kept.
inline void remove_stale_temporaries(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const auto k = name.rfind(".tmp.");
    if (k == std::string::npos || !it->is_regular_file(ec)) continue;
    const std::string rest = name.substr(k + 5);
    const auto dot = rest.find('.');
    if (dot == std::string::npos || dot == 0 || rest.find_first_not_of("0123456789") != dot ||
        rest.find_first_not_of("0123456789", dot + 1) != std::string::npos)
      continue;
    const long pid = std::strtol(rest.substr(0, dot).c_str(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code ignore;
      fs::remove(it->path(), ignore);
    }
  }
}

}  // namespace cantus
