#pragma once
// Publishing a finished file durably: its data synced, the rename, then its directory synced, so that
// a power cut after the rename cannot bring back the old file (or none). Every rename that publishes
// a file in cantus goes through publish_file (write_file_atomically, audio::write_wav, the feature
// store's data files, the trainer's previous.ckpt). Kept apart from atomic_file.hpp, which needs
// <signal.h>: its signal() would clash with audio::signal where both are used unqualified.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "cantus/base/error.hpp"

namespace cantus {

// Flushes a file's data, or a directory's entries, to the disk. A rename is durable only once the
// directory holding the new name is synced: without it a power cut after the rename can bring back
// the old file (or no file) although the program went on as if the new one were there. File systems
// that cannot sync a directory (EINVAL: some network and FUSE ones) are left as they are.
inline void sync_path(const std::filesystem::path& path, bool directory) {
  const int fd = ::open(path.empty() ? "." : path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) throw io_error(detail::concat(path.string(), ": cannot open to sync it: ", std::strerror(errno)));
  const int r = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (r != 0 && e != EINVAL && e != ENOTSUP && e != EROFS)
    throw io_error(detail::concat(path.string(), ": fsync failed: ", std::strerror(e)));
}
inline void sync_directory(const std::filesystem::path& dir) { sync_path(dir, true); }

// Publishes the finished file `tmp` as `target` (same directory): its data synced, renamed, and the
// directory synced. `sync_data` false: the caller already synced it.
inline void publish_file(const std::filesystem::path& tmp, const std::filesystem::path& target, bool sync_data = true) {
  if (sync_data) sync_path(tmp, false);
  std::error_code ec;
  std::filesystem::rename(tmp, target, ec);
  if (ec) throw io_error(detail::concat(target.string(), ": cannot rename ", tmp.string(), " into place: ", ec.message()));
  sync_directory(target.parent_path());
}

}  // namespace cantus
