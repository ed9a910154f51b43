#pragma once
// NumPy .npy files, the project's interchange format: float32, float64, int32, int64, C order,
// little-endian, format versions 1.0, 2.0 and 3.0 on reading, 1.0 (2.0 when the header is large) on
// writing. Writes are atomic. Every error names the file and what was expected and found.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/core/atomic_file.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::npy {

enum class dtype { float32, float64, int32, int64 };

inline const char* descr(dtype t) {
  switch (t) {
    case dtype::float32: return "<f4";
    case dtype::float64: return "<f8";
    case dtype::int32: return "<i4";
    case dtype::int64: return "<i8";
  }
  return "?";
}
inline std::size_t item_size(dtype t) { return (t == dtype::float32 || t == dtype::int32) ? 4 : 8; }

template <class T>
constexpr dtype dtype_of() {
  if constexpr (std::is_same_v<T, float>) return dtype::float32;
  else if constexpr (std::is_same_v<T, double>) return dtype::float64;
  else if constexpr (std::is_same_v<T, std::int32_t>) return dtype::int32;
  else if constexpr (std::is_same_v<T, std::int64_t>) return dtype::int64;
  else static_assert(sizeof(T) == 0, "npy: supported element types are float, double, int32_t, int64_t");
}

// An array as read from disk: element type, shape, raw little-endian bytes.
struct array {
  dtype type = dtype::float32;
  std::vector<index_t> shape;
  std::vector<char> bytes;
  std::string source;  // the file it came from, for error messages

  index_t size() const {
    index_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }

  // The values as T. Integers widen (int32 -> int64) and floats convert (float32 <-> float64);
  // anything that could lose meaning (float -> int) is an error naming the file.
  template <class T>
  std::vector<T> values() const {
    std::vector<T> out(static_cast<std::size_t>(size()));
    auto convert = [&](auto tag) {
      using S = decltype(tag);
      const S* src = reinterpret_cast<const S*>(bytes.data());
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(src[i]);
    };
    constexpr bool want_int = std::is_integral_v<T>;
    const bool have_int = type == dtype::int32 || type == dtype::int64;
    if (want_int && !have_int)
      throw io_error(detail::concat(source, ": expected an integer array (int32 or int64) but found ", descr(type)));
    switch (type) {
      case dtype::float32: convert(float{}); break;
      case dtype::float64: convert(double{}); break;
      case dtype::int32: convert(std::int32_t{}); break;
      case dtype::int64: convert(std::int64_t{}); break;
    }
    return out;
  }

  template <class T, std::size_t Rank>
  tensor<T, Rank> to_tensor() const {
    if (shape.size() != Rank)
      throw io_error(detail::concat(source, ": expected a ", Rank, "-dimensional array but found shape ",
                                    shape_string(shape)));
    shape_t<Rank> s;
    for (std::size_t i = 0; i < Rank; ++i) s[i] = shape[i];
    auto v = values<T>();
    return tensor<T, Rank>(s, std::span<const T>(v));
  }
};

namespace detail {
inline std::string header_value(const std::string& header, const std::string& key, const std::string& file) {
  const auto k = header.find("'" + key + "'");
  if (k == std::string::npos) throw io_error(cantus::detail::concat(file, ": .npy header has no '", key, "' entry: ", header));
  auto p = header.find(':', k);
  if (p == std::string::npos) throw io_error(cantus::detail::concat(file, ": malformed .npy header: ", header));
  ++p;
  while (p < header.size() && header[p] == ' ') ++p;
  if (p >= header.size()) throw io_error(cantus::detail::concat(file, ": malformed .npy header: ", header));
  char open = header[p];
  std::size_t end;
  if (open == '\'') end = header.find('\'', p + 1) + 1;
  else if (open == '(') end = header.find(')', p) + 1;
  else end = header.find_first_of(",}", p);
  if (end == std::string::npos || end == 0) throw io_error(cantus::detail::concat(file, ": malformed .npy header: ", header));
  return header.substr(p, end - p);
}
}  // namespace detail

inline array read(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(cantus::detail::concat(file, ": cannot open .npy file (", std::filesystem::exists(path) ? "unreadable" : "no such file", ")"));
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw io_error(cantus::detail::concat(file, ": not a .npy file (missing \\x93NUMPY magic)"));
  const int major = static_cast<unsigned char>(magic[6]);
  std::uint32_t header_len = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2)) throw io_error(cantus::detail::concat(file, ": truncated .npy header"));
    header_len = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4)) throw io_error(cantus::detail::concat(file, ": truncated .npy header"));
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (std::uint32_t(b[3]) << 24);
  } else {
    throw io_error(cantus::detail::concat(file, ": unsupported .npy format version ", major, " (expected 1, 2 or 3)"));
  }
  if (header_len > (1u << 24)) throw io_error(cantus::detail::concat(file, ": implausible .npy header length ", header_len));
  // Against the file before allocating: a damaged length field in a 12-byte file made the reader
  // allocate and zero 16 MB before finding the file short (found by tests/fuzz, fuzz_npy).
  {
    std::error_code ec;
    const std::uint64_t file_bytes = std::filesystem::file_size(path, ec);
    const auto prefix = static_cast<std::uint64_t>(in.tellg());
    if (!ec && file_bytes >= prefix && header_len > file_bytes - prefix)
      throw io_error(cantus::detail::concat(file, ": truncated .npy header: its length field says ", header_len,
                                            " bytes, the file holds ", file_bytes - prefix, " after it"));
  }
  std::string header(header_len, '\0');
  if (!in.read(header.data(), header_len)) throw io_error(cantus::detail::concat(file, ": truncated .npy header"));

  array a;
  a.source = file;
  const std::string d = detail::header_value(header, "descr", file);
  if (d == "'<f4'") a.type = dtype::float32;
  else if (d == "'<f8'") a.type = dtype::float64;
  else if (d == "'<i4'") a.type = dtype::int32;
  else if (d == "'<i8'") a.type = dtype::int64;
  else throw io_error(cantus::detail::concat(file, ": unsupported dtype ", d, " (expected '<f4', '<f8', '<i4' or '<i8')"));
  if (detail::header_value(header, "fortran_order", file) != "False")
    throw io_error(cantus::detail::concat(file, ": Fortran-ordered arrays are not supported (expected C order)"));
  const std::string sh = detail::header_value(header, "shape", file);
  // A tuple of non-negative integers: "()", "(5,)", "(3, 4)". Each extent and their product are
  // checked against overflow, and the data the shape needs against the file's size, before
  // anything is allocated (a damaged header must not ask for gigabytes).
  const auto malformed = [&](const char* why) {
    return io_error(cantus::detail::concat(file, ": malformed shape ", sh, " in the .npy header (", why, ")"));
  };
  if (sh.size() < 2 || sh.front() != '(' || sh.back() != ')') throw malformed("expected a tuple such as (3, 4)");
  std::uint64_t count = 1;
  constexpr std::uint64_t max_extent = static_cast<std::uint64_t>(std::numeric_limits<index_t>::max());
  std::size_t p = 1;
  const std::size_t close = sh.size() - 1;
  auto skip_spaces = [&] {
    while (p < close && sh[p] == ' ') ++p;
  };
  skip_spaces();
  while (p < close) {
    if (sh[p] < '0' || sh[p] > '9') throw malformed(sh[p] == '-' ? "negative extent" : "expected a number");
    std::uint64_t v = 0;
    for (; p < close && sh[p] >= '0' && sh[p] <= '9'; ++p) {
      if (v > (max_extent - static_cast<std::uint64_t>(sh[p] - '0')) / 10) throw malformed("extent out of range");
      v = v * 10 + static_cast<std::uint64_t>(sh[p] - '0');
    }
    if (v != 0 && count > max_extent / v) throw malformed("element count out of range");
    count *= v;
    a.shape.push_back(static_cast<index_t>(v));
    skip_spaces();
    if (p < close && sh[p] != ',') throw malformed("extents must be separated by commas");
    if (p < close) ++p;
    skip_spaces();
  }
  if (a.shape.size() == 1 && sh.find(',') == std::string::npos) throw malformed("a 1-tuple needs its comma: (n,)");
  const std::uint64_t item = item_size(a.type);
  const auto data_start = static_cast<std::uint64_t>(in.tellg());
  std::error_code ec;
  const std::uint64_t file_bytes = std::filesystem::file_size(path, ec);
  const std::uint64_t available = !ec && file_bytes >= data_start ? file_bytes - data_start : 0;
  if (count > max_extent / item || (!ec && count * item > available))
    throw io_error(cantus::detail::concat(file, ": truncated data: shape ", sh, " needs ",
                                          count > max_extent / item ? std::string("more than 2^63") : std::to_string(count * item),
                                          " bytes, file holds ", available));
  const std::size_t bytes = static_cast<std::size_t>(count * item);
  a.bytes.resize(bytes);
  if (bytes && !in.read(a.bytes.data(), static_cast<std::streamsize>(bytes)))
    throw io_error(cantus::detail::concat(file, ": truncated data: shape ", sh, " needs ", bytes, " bytes, file holds ",
                                          in.gcount()));
  return a;
}

// Writes `count` values of T with the given shape.
template <class T>
void write(const std::filesystem::path& path, const T* data, const std::vector<index_t>& shape) {
  std::string sh = "(";
  std::size_t n = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0) throw value_error(cantus::detail::concat(path.string(), ": negative extent in shape ", shape_string(shape)));
    sh += std::to_string(shape[i]);
    sh += (shape.size() == 1 || i + 1 < shape.size()) ? "," : "";
    if (i + 1 < shape.size()) sh += " ";
    n *= static_cast<std::size_t>(shape[i]);
  }
  sh += ")";
  // Appended piece by piece: GCC 12 at -O3 reports a false -Wstringop-overflow for the chain of
  // std::string operator+ that built it before (seen with the examples' precompiled header).
  std::string header = "{'descr': '";
  header += descr(dtype_of<T>());
  header += "', 'fortran_order': False, 'shape': ";
  header += sh;
  header += ", }";
  // Pad so that the data starts on a 64-byte boundary, as NumPy does.
  const bool v2 = header.size() + 11 > 65535;
  const std::size_t prefix = v2 ? 12 : 10;
  std::size_t total = prefix + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  write_file_atomically(path, [&](std::ofstream& out) {
    out.write("\x93NUMPY", 6);
    const char ver[2] = {static_cast<char>(v2 ? 2 : 1), 0};
    out.write(ver, 2);
    const std::uint32_t len = static_cast<std::uint32_t>(header.size());
    const unsigned char lb[4] = {static_cast<unsigned char>(len & 0xff), static_cast<unsigned char>((len >> 8) & 0xff),
                                 static_cast<unsigned char>((len >> 16) & 0xff), static_cast<unsigned char>(len >> 24)};
    out.write(reinterpret_cast<const char*>(lb), v2 ? 4 : 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n * sizeof(T)));
  });
}

template <class T>
void write(const std::filesystem::path& path, const std::vector<T>& v) {
  write(path, v.data(), {static_cast<index_t>(v.size())});
}

template <class T, std::size_t Rank>
void write(const std::filesystem::path& path, tensor_view<const T, Rank, cpu> v) {
  if (v.is_contiguous()) {
    write(path, v.data(), std::vector<index_t>(v.shape().begin(), v.shape().end()));
  } else {
    auto t = tensor<T, Rank>::copy_of(v);
    write(path, t.data(), std::vector<index_t>(v.shape().begin(), v.shape().end()));
  }
}
template <class T, std::size_t Rank>
void write(const std::filesystem::path& path, const tensor<T, Rank, cpu>& t) {
  write<T, Rank>(path, t.view());
}

template <class T, std::size_t Rank>
tensor<T, Rank> load(const std::filesystem::path& path) {
  return read(path).to_tensor<T, Rank>();
}

}  // namespace cantus::npy
