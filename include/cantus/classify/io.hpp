#pragma once
// Feature matrices and label vectors from .npy files, with errors that name the file.
#include <climits>
#include <filesystem>
#include <vector>

#include "cantus/classify/common.hpp"
#include "cantus/core/npy.hpp"

namespace cantus::classify {

// A 2-D float32 or float64 array as a row-major double matrix.
inline row_matrix load_features(const std::filesystem::path& path) {
  const npy::array a = npy::read(path);
  if (a.shape.size() != 2)
    throw io_error(cantus::detail::concat(path.string(), ": expected a 2-D feature matrix [n_samples, n_features] but found shape ",
                                          shape_string(a.shape)));
  if (a.type == npy::dtype::int32 || a.type == npy::dtype::int64)
    throw io_error(cantus::detail::concat(path.string(), ": expected float32 or float64 features but found ", npy::descr(a.type)));
  const std::vector<double> v = a.values<double>();
  return Eigen::Map<const row_matrix>(v.data(), a.shape[0], a.shape[1]);
}

// A 1-D (or [n, 1]) int32 or int64 label array.
inline std::vector<int> load_labels(const std::filesystem::path& path) {
  const npy::array a = npy::read(path);
  if (!(a.shape.size() == 1 || (a.shape.size() == 2 && a.shape[1] == 1)))
    throw io_error(cantus::detail::concat(path.string(), ": expected a 1-D label vector but found shape ", shape_string(a.shape)));
  const std::vector<std::int64_t> v = a.values<std::int64_t>();
  std::vector<int> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] < INT_MIN || v[i] > INT_MAX)
      throw io_error(cantus::detail::concat(path.string(), ": label ", i, " = ", v[i], " does not fit in a 32-bit int"));
    out[i] = static_cast<int>(v[i]);
  }
  return out;
}

}  // namespace cantus::classify
