#pragma once
// Files that are either complete or absent: write to a temporary file beside the target, flush and
// fsync it, then rename over the target (atomic on POSIX file systems). A crash mid-write leaves the
// previous file intact; the temporary is removed on failure.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>

#include "cantus/core/directories.hpp"
#include "cantus/core/error.hpp"

namespace cantus {

// Calls `write(std::ofstream&)`, then publishes the file at `path` atomically.
inline void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ofstream&)>& write) {
  namespace fs = std::filesystem;
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
    // fsync so that the rename never publishes a file whose data is still only in the page cache.
    const int fd = ::open(tmp.c_str(), O_RDONLY);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) throw io_error(detail::concat(path.string(), ": cannot rename temporary file into place: ", ec.message()));
  } catch (...) {
    std::error_code ignore;
    fs::remove(tmp, ignore);
    throw;
  }
}

}  // namespace cantus
