// The CPU implementation of nn::tt::indexing (contract in nn/tt/indexing.hpp, which includes this file).
#include <algorithm>
#include <cmath>
#include <string>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/base/error.hpp"

namespace cantus::nn::tt {

template <class T>
struct indexing<T, cpu> {
  static index_t checked(const std::string& layer, T v, index_t classes, index_t position) {
    if (!(v >= T(0)) || !(v < T(classes)) || v != std::floor(v))
      throw value_error(cantus::detail::concat(layer, ": input ", position, " is ", v, ", expected a class index in [0, ",
                                               classes, ")"));
    return static_cast<index_t>(v);
  }
  static void one_hot(const std::string& layer, index_t batch, index_t len, index_t classes, const T* x, T* y) {
    std::fill(y, y + batch * classes * len, T(0));
    for (index_t b = 0; b < batch; ++b)
      for (index_t t = 0; t < len; ++t) {
        const index_t k = checked(layer, x[b * len + t], classes, b * len + t);
        y[(b * classes + k) * len + t] = T(1);
      }
  }
  static void gather_rows(const std::string& layer, index_t n, index_t rows, index_t d, const T* x, const T* table, T* y) {
    for (index_t i = 0; i < n; ++i) {
      const index_t k = checked(layer, x[i], rows, i);
      std::copy(table + k * d, table + (k + 1) * d, y + i * d);
    }
  }
  static void scatter_add_rows(const std::string& layer, index_t n, index_t rows, index_t d, const T* x, const T* dy,
                               T* dtable) {
    for (index_t i = 0; i < n; ++i) {
      const index_t k = checked(layer, x[i], rows, i);
      T* g = dtable + k * d;
      const T* s = dy + i * d;
      for (index_t j = 0; j < d; ++j) g[j] += s[j];
    }
  }
  template <class I>
  static void gather_columns(const std::string& layer, index_t batch, index_t len, index_t q_stride, index_t classes,
                             index_t dim, const I* q, const T* table, const T* bias, T* y) {
    for (index_t n = 0; n < batch; ++n)
      for (index_t t = 0; t < len; ++t) {
        const auto k = static_cast<index_t>(q[n * q_stride + t]);
        if (k < 0 || k >= classes)
          throw value_error(cantus::detail::concat(layer, ": input class ", k, " at (", n, ", ", t, ") outside [0, ",
                                                   classes, ")"));
        for (index_t r = 0; r < dim; ++r) y[(n * dim + r) * len + t] = table[r * classes + k] + bias[r];
      }
  }
  // Serial, in (n, t) order: each table entry's sum is then the same for any thread count.
  template <class I>
  static void scatter_add_columns(index_t batch, index_t len, index_t q_stride, index_t classes, index_t dim,
                                  const I* q, const T* dy, T* dtable, T* dbias) {
    for (index_t n = 0; n < batch; ++n)
      for (index_t t = 0; t < len; ++t) {
        const auto k = static_cast<index_t>(q[n * q_stride + t]);
        for (index_t r = 0; r < dim; ++r) {
          const T d = dy[(n * dim + r) * len + t];
          dtable[r * classes + k] += d;
          dbias[r] += d;
        }
      }
  }
};

}  // namespace cantus::nn::tt
