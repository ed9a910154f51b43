#pragma once
// An exclusive advisory lock (flock) on DIR/lock, held for a scope: two processes asked to build the
// same cache or corpus at once take turns instead of interleaving their writes, and the second then
// finds the work done. The lock goes with the process, so a crash never leaves it held. The feature store
// (data/feature_store.hpp) holds it while it builds.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "cantus/core/directories.hpp"
#include "cantus/base/error.hpp"

namespace cantus {

class directory_lock {
 public:
  directory_lock(const std::filesystem::path& dir, const std::string& what, bool verbose) {
    make_directories(dir, what);
    const auto path = dir / "lock";
    // The lock file never follows a symlink and is never anything but a regular file: a link planted
    // at DIR/lock must not make cantus create, open or lock a file elsewhere. Nothing is written to
    // it and it is never truncated, so an existing lock file is left as it is.
    fd_ = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
    if (fd_ < 0) {
      const int e = errno;
      if (e == ELOOP)
        throw io_error(cantus::detail::concat(path.string(), ": is a symbolic link; a lock file must be a regular file "
                                              "(remove the link)"));
      throw io_error(cantus::detail::concat(path.string(), ": cannot create lock file: ", std::strerror(e)));
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      throw io_error(cantus::detail::concat(path.string(), ": is not a regular file; a lock file must be one (remove it)"));
    }
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

}  // namespace cantus
