#pragma once
// Shared machinery of the fused recurrent cells: the run-time dispatched SIMD activations applied
// to short contiguous rows, row-parallel loops that only spawn threads when a step is big enough to
// pay for it, and small reductions.
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/core/error.hpp"
#include "cantus/core/functors.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::nn::rnn_detail {

// In-place activation of n contiguous values through the dispatched AVX2/AVX-512 kernels (the
// exp inside sigmoid and tanh dominates a cell's element-wise cost).
template <class T, class F>
inline void activate(T* x, std::size_t n) {
  constexpr int k = cpu_kernels::unary_ops_for<T>::template index_of<F>();
  static_assert(k >= 0, "activation must be one of the dispatched unary functors");
  static const F f{};
  cpu_kernels::active_kernels<T>().unary[k](x, x, n, &f);
}
template <class T>
inline void sigmoid_inplace(T* x, std::size_t n) { activate<T, ops::sigmoid>(x, n); }
template <class T>
inline void tanh_inplace(T* x, std::size_t n) { activate<T, ops::tanh_fn>(x, n); }

// Calls body(row) for row in [0, rows); threads only when the rows carry enough work (elements per
// step) and we are not already inside a parallel region. Rows are independent, so the result does not
// depend on the thread count.
template <class Body>
inline void for_rows(index_t rows, index_t work_per_row, Body&& body) {
  constexpr index_t parallel_work = 1 << 13;
  if (rows * work_per_row < parallel_work || rows < 2 || omp_in_parallel() || omp_get_max_threads() < 2) {
    for (index_t r = 0; r < rows; ++r) body(r);
    return;
  }
#pragma omp parallel for schedule(static)
  for (index_t r = 0; r < rows; ++r) body(r);
}

// out[j] += sum over rows of m[r, j] (m is rows x cols, row-major) — bias gradients.
template <class T>
inline void add_column_sums(const T* m, index_t rows, index_t cols, T* out) {
  for (index_t r = 0; r < rows; ++r) {
    const T* row = m + r * cols;
    for (index_t j = 0; j < cols; ++j) out[j] += row[j];
  }
}

template <class V>
inline bool is_null(const V& v) { return v.data() == nullptr; }

template <std::size_t R, class V>
inline void require_shape(const std::string& where, const char* what, const V& v, const shape_t<R>& expected) {
  if (v.shape() != expected) throw_shape_mismatch(where, what, expected, v.shape());
  if (!v.is_contiguous())
    throw shape_error(detail::concat(where, ": ", what, " of shape ", shape_string(v.shape()), " must be contiguous"));
}

}  // namespace cantus::nn::rnn_detail
