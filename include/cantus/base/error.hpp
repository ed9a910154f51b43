#pragma once
// Every failure cantus reports is an exception derived from cantus::error whose message names the
// thing at fault (file, argument, layer, call) with what was expected and what was found.
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cantus/base/config.hpp"

namespace cantus {

struct error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A tensor shape does not match what an operation or layer needs.
struct shape_error : error {
  using error::error;
};
// A file could not be opened, read, written or parsed.
struct io_error : error {
  using error::error;
};
// An argument or parameter is out of its valid range.
struct value_error : error {
  using error::error;
};
// An allocation failed (host or device memory).
struct memory_error : error {
  using error::error;
};
// The CUDA runtime, cuBLAS or cuDNN reported an error.
struct device_error : error {
  using error::error;
};

template <class Shape>
std::string shape_string(const Shape& s) {
  std::ostringstream o;
  o << '[';
  bool first = true;
  for (auto d : s) {
    if (!first) o << ", ";
    o << d;
    first = false;
  }
  o << ']';
  return o.str();
}

namespace detail {
template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream o;
  (o << ... << parts);
  return o.str();
}
}  // namespace detail

// `where` names the operation or layer; shapes are printed as [a, b, c].
template <class A, class B>
[[noreturn]] void throw_shape_mismatch(std::string_view where, std::string_view what, const A& expected,
                                       const B& found) {
  throw shape_error(detail::concat(where, ": ", what, " expected shape ", shape_string(expected),
                                   " but found ", shape_string(found)));
}

template <class... Parts>
[[noreturn]] void throw_value_error(const Parts&... parts) {
  throw value_error(detail::concat(parts...));
}

}  // namespace cantus
