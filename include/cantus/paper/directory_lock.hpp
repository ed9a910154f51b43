#pragma once
// An exclusive advisory lock (flock) on DIR/lock, held for a scope: two processes asked to build the
// same cache or corpus at once take turns instead of interleaving their writes, and the second then
// finds the work done. The lock goes with the process, so a crash never leaves it held. Part of
// cantus::paper: the feature store and the style corpus hold it while they build.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "cantus/core/directories.hpp"
#include "cantus/core/error.hpp"

namespace cantus::paper {

class directory_lock {
 public:
  directory_lock(const std::filesystem::path& dir, const std::string& what, bool verbose) {
    make_directories(dir, what);
    const auto path = dir / "lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw io_error(cantus::detail::concat(path.string(), ": cannot create lock file: ", std::strerror(errno)));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (verbose) std::fprintf(stderr, "%s %s: another process is building it, waiting...\n", what.c_str(), dir.c_str());
      while (::flock(fd_, LOCK_EX) != 0) {
        if (errno != EINTR) {
          const int e = errno;
          ::close(fd_);
          throw io_error(cantus::detail::concat(path.string(), ": cannot lock: ", std::strerror(e)));
        }
      }
    }
  }
  ~directory_lock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  directory_lock(const directory_lock&) = delete;
  directory_lock& operator=(const directory_lock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace cantus::paper
