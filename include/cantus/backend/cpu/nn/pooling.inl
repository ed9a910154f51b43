// The CPU implementation of nn::tt::pooling (contract in nn/tt/pooling.hpp, which includes this file).
#include <omp.h>

#include <algorithm>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/backend/cpu/nn/im2col.hpp"

namespace cantus::nn::tt {

template <class T>
struct pooling<T, cpu> {
  static void mean_rows(index_t rows, index_t inner, const T* xs, T* ys) {
#pragma omp parallel for schedule(static) if (detail::worth_parallel(rows * inner))
    for (index_t r = 0; r < rows; ++r) {
      double s = 0;  // in double: a long row's mean must not drift with its length
      for (const T *p = xs + r * inner, *e = p + inner; p != e; ++p) s += *p;
      ys[r] = static_cast<T>(s / double(inner));
    }
  }
  static void spread_rows(index_t rows, index_t inner, const T* d, T* q) {
#pragma omp parallel for schedule(static) if (detail::worth_parallel(rows * inner))
    for (index_t r = 0; r < rows; ++r) std::fill(q + r * inner, q + (r + 1) * inner, d[r] / T(inner));
  }
};

}  // namespace cantus::nn::tt
