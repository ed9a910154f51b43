#pragma once
// What a cache knows about a source file it was built from: the checksum of its bytes, and its stat
// identity (size, modification and status-change times in nanoseconds, inode) when the checksum was
// taken. A later look that finds the same stat identity trusts the checksum without reading the
// file: writing a file changes its status-change time (ctime), which no user can set back, so equal
// identities mean equal content. Anything else is read and hashed again.
//
// The one gap is a write in the same timestamp tick as the stat (file systems keep ctime to a clock
// tick, not to the write): an identity taken within `settle_seconds` of the file's last change is not
// recorded (left empty), so that file is hashed again next time.
#include <sys/stat.h>
#include <time.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/core/checksum.hpp"

namespace cantus::data {

struct file_identity {
  std::uint64_t size = 0, inode = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;

  bool empty() const { return size == 0 && inode == 0 && mtime_ns == 0 && ctime_ns == 0; }
  bool operator==(const file_identity&) const = default;

  // "size:mtime_ns:ctime_ns:inode", or "-" when empty (not recorded).
  std::string str() const {
    if (empty()) return "-";
    char b[96];
    std::snprintf(b, sizeof b, "%llu:%lld:%lld:%llu", static_cast<unsigned long long>(size), static_cast<long long>(mtime_ns),
                  static_cast<long long>(ctime_ns), static_cast<unsigned long long>(inode));
    return b;
  }
  // The inverse of str(); false when `s` is neither "-" nor four numbers.
  static bool parse(const std::string& s, file_identity& out) {
    out = {};
    if (s == "-") return true;
    unsigned long long size = 0, inode = 0;
    long long m = 0, c = 0;
    int used = 0;
    if (std::sscanf(s.c_str(), "%llu:%lld:%lld:%llu%n", &size, &m, &c, &inode, &used) != 4 || used != static_cast<int>(s.size()))
      return false;
    out = {size, inode, m, c};
    return true;
  }

  // The identity of `path` now (following symbolic links, as reading it does); empty when it cannot
  // be stat'ed, or when it changed less than settle_seconds ago (see above).
  static file_identity of(const std::filesystem::path& path, double settle_seconds = 2.0) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    const auto ns = [](const timespec& t) { return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec; };
    file_identity id{static_cast<std::uint64_t>(st.st_size), static_cast<std::uint64_t>(st.st_ino), ns(st.st_mtim), ns(st.st_ctim)};
    const auto settle = static_cast<std::int64_t>(settle_seconds * 1e9);
    if (ns(now) - id.ctime_ns < settle || ns(now) - id.mtime_ns < settle) return {};
    return id;
  }
};

// The checksum64 of a file's bytes, read in 1 MiB blocks (a multiple of 8, so the value is that of
// the whole file as one buffer); throws io_error naming the file.
inline std::uint64_t content_checksum(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw io_error(cantus::detail::concat(path.string(), ": cannot open to checksum its content: ", std::strerror(errno)));
  checksum64 h;
  std::vector<char> buf(std::size_t(1) << 20);
  std::size_t n;
  // checksum64 mixes a partial last word per add(): whole blocks keep the value independent of how the
  // file is split, so only the final short block may end off a word boundary.
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
    h.add(buf.data(), n);
    if (n < buf.size()) break;
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw io_error(cantus::detail::concat(path.string(), ": read error while checksumming its content"));
  return h.value();
}

// A source file's checksum and the identity it was taken at: the identity is taken before and after
// reading, and kept only when both agree (the file did not change while it was read).
struct file_content {
  std::uint64_t checksum = 0;
  file_identity identity;
  static file_content of(const std::filesystem::path& path, double settle_seconds = 2.0) {
    const auto before = file_identity::of(path, settle_seconds);
    file_content c;
    c.checksum = content_checksum(path);
    c.identity = before == file_identity::of(path, settle_seconds) ? before : file_identity{};
    return c;
  }
};

}  // namespace cantus::data
