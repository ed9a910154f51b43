#pragma once
// A file that says what it holds, where that came from, and that it is whole: a payload in any
// format (e.g. a fitted classifier's own bytes) with a kind and a caller's provenance string (what
// it was made from, in the caller's words), closed by a checksum of every byte before it. A reader
// gets all three back or an io_error naming the file: not a sealed file, truncated, or damaged (one
// flipped byte anywhere fails the checksum). Checking the provenance against what the caller expects
// is the caller's business: the library cannot know what "the same run" means to it.
//
// Format (little-endian):
//   "CANTUSSF"  u32 version (1)
//   u64 n + kind bytes   u64 n + provenance bytes   u64 n + payload bytes
//   u64 checksum64 of every byte before it
// Written with write_file_atomically: complete or absent.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "cantus/base/error.hpp"
#include "cantus/core/atomic_file.hpp"
#include "cantus/core/checksum.hpp"

namespace cantus {

struct sealed_file {
  std::string kind;        // what the payload is, e.g. "random_forest"
  std::string provenance;  // what it was made from (caller-defined text)
  std::string payload;
};

inline constexpr char sealed_file_magic[8] = {'C', 'A', 'N', 'T', 'U', 'S', 'S', 'F'};
inline constexpr std::uint32_t sealed_file_version = 1;

inline std::string encode_sealed_file(const sealed_file& f) {
  std::string b(sealed_file_magic, 8);
  const auto pod = [&](auto v) { b.append(reinterpret_cast<const char*>(&v), sizeof v); };
  const auto str = [&](std::string_view s) {
    pod(static_cast<std::uint64_t>(s.size()));
    b.append(s);
  };
  pod(sealed_file_version);
  str(f.kind);
  str(f.provenance);
  str(f.payload);
  pod(checksum64().add(b).value());
  return b;
}

// `name` is the file in messages.
inline sealed_file decode_sealed_file(std::string_view b, const std::string& name) {
  const auto fail = [&](const std::string& why) -> io_error { return io_error(detail::concat(name, ": ", why)); };
  if (b.size() < 8 || std::memcmp(b.data(), sealed_file_magic, 8) != 0)
    throw fail("not a sealed cantus file (expected the magic bytes \"CANTUSSF\" at its start)");
  if (b.size() < 8 + 4 + 3 * 8 + 8) throw fail(detail::concat("truncated: ", b.size(), " bytes, shorter than an empty sealed file"));
  std::uint64_t sum = 0;
  std::memcpy(&sum, b.data() + b.size() - 8, 8);
  const auto body = b.substr(0, b.size() - 8);
  if (checksum64().add(body).value() != sum)
    throw fail("checksum mismatch: the file is damaged or was edited (or truncated); write it again");
  std::size_t pos = 8;
  std::uint32_t version = 0;
  std::memcpy(&version, body.data() + pos, 4);
  pos += 4;
  if (version != sealed_file_version)
    throw fail(detail::concat("sealed file version ", version, "; this build reads version ", sealed_file_version));
  const auto str = [&](const char* what) {
    std::uint64_t n = 0;
    if (body.size() - pos < 8) throw fail(detail::concat("malformed: no length of its ", what));
    std::memcpy(&n, body.data() + pos, 8);
    pos += 8;
    if (n > body.size() - pos) throw fail(detail::concat("malformed: its ", what, " claims ", n, " bytes, ", body.size() - pos, " remain"));
    std::string s(body.substr(pos, n));
    pos += n;
    return s;
  };
  sealed_file f;
  f.kind = str("kind");
  f.provenance = str("provenance");
  f.payload = str("payload");
  if (pos != body.size()) throw fail(detail::concat("malformed: ", body.size() - pos, " bytes after the payload"));
  return f;
}

inline void write_sealed_file(const std::filesystem::path& path, const sealed_file& f) {
  const std::string bytes = encode_sealed_file(f);
  write_file_atomically(path, [&](std::ofstream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

inline sealed_file read_sealed_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(detail::concat(path.string(), ": cannot open for reading"));
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw io_error(detail::concat(path.string(), ": read error"));
  return decode_sealed_file(bytes, path.string());
}

}  // namespace cantus
