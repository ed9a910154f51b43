#pragma once
// Shared machinery of the CPU recurrent kernels (gru.inl, lstm.inl): the run-time dispatched SIMD activations applied
// to short contiguous rows, row-parallel loops that only spawn threads when a step is big enough to
// pay for it, and small reductions.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/base/error.hpp"
#include "cantus/base/functors.hpp"
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

// Threads are used in a way that survives a busy machine: independent blocks inside plain OpenMP
// work-sharing loops, each block a serial GEMM (Eigen runs serially inside a parallel region).
// Eigen's own multi-threaded GEMM synchronises its threads with pure spin loops, which stalls for a
// whole scheduler quantum whenever another process holds one of the cores. Block boundaries depend
// only on the shapes, so the result is the same for any thread count.
inline bool may_spawn_threads() { return !omp_in_parallel() && omp_get_max_threads() > 1; }

// C (m x n, row-major, ldc) = alpha op(A) op(B) + beta C, split into blocks of rows of C.
template <class T>
inline void gemm_row_blocks(transpose ta, transpose tb, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda,
                            const T* b, index_t ldb, T beta, T* c, index_t ldc) {
  using ops = backend_ops<cpu>;
  constexpr double parallel_work = 1 << 21;  // multiply-adds below which one thread is faster
  const index_t rows = std::max<index_t>(16, ((m + 15) / 16 + 15) / 16 * 16);
  const index_t blocks = (m + rows - 1) / rows;
  auto block = [&](index_t i) {
    const index_t r0 = i * rows, r = std::min(rows, m - r0);
    ops::gemm(ta, tb, r, n, k, alpha, ta == transpose::yes ? a + r0 : a + r0 * lda, lda, b, ldb, beta, c + r0 * ldc, ldc);
  };
  if (blocks < 2 || double(m) * double(n) * double(k) < parallel_work || !may_spawn_threads()) {
    for (index_t i = 0; i < blocks; ++i) block(i);
    return;
  }
#pragma omp parallel for schedule(static)
  for (index_t i = 0; i < blocks; ++i) block(i);
}

// The recurrence of different batch rows is independent: threads take contiguous blocks of rows and
// step them through the whole sequence on their own, with no barrier per time step (on a busy
// machine a per-step barrier waits for the slowest thread to be scheduled again, every step). One
// block per thread, at least 4 rows each; one block (no threads) when the layer is small. Results
// are deterministic for a given thread count.
template <class Body>
inline void for_batch_blocks(index_t batch, double work, Body&& body) {
  constexpr index_t min_rows = 4;
  constexpr double parallel_work = 1 << 22;  // multiply-adds of the whole sequence
  const index_t blocks = may_spawn_threads() && work >= parallel_work
                             ? std::min<index_t>(omp_get_max_threads(), batch / min_rows)
                             : 1;
  if (blocks < 2) {
    body(index_t(0), batch);
    return;
  }
  const index_t rows = (batch + blocks - 1) / blocks;
#pragma omp parallel for schedule(static, 1)
  for (index_t i = 0; i < blocks; ++i)
    if (i * rows < batch) body(i * rows, std::min(rows, batch - i * rows));
}

// out[j] += sum over rows of m[r, j] (m is rows x cols, row-major) — bias gradients.
template <class T>
inline void add_column_sums(const T* m, index_t rows, index_t cols, T* out) {
  for (index_t r = 0; r < rows; ++r) {
    const T* row = m + r * cols;
    for (index_t j = 0; j < cols; ++j) out[j] += row[j];
  }
}

// Workspaces live across calls: a training loop calls forward/backward with the same shapes every
// step, and fresh multi-megabyte buffers each time would cost page faults on every first touch.
template <class T, std::size_t R>
inline void ensure_shape(tensor<T, R>& t, const shape_t<R>& s) {
  if (t.shape() != s || (t.data() == nullptr && element_count(s) > 0)) t = tensor<T, R>(s);
}

// [B, T, F] (the caller's batch_first layout) <-> [T, B, F] (the layers' internal layout: each time
// step's rows are contiguous, so a step streams through memory instead of touching B pages).
template <class T>
inline void to_time_major(const T* src, index_t B, index_t Tn, index_t F, T* dst) {
  for (index_t b = 0; b < B; ++b)
    for (index_t t = 0; t < Tn; ++t) std::copy(src + (b * Tn + t) * F, src + (b * Tn + t + 1) * F, dst + (t * B + b) * F);
}
template <class T>
inline void to_batch_major(const T* src, index_t B, index_t Tn, index_t F, T* dst) {
  for (index_t t = 0; t < Tn; ++t)
    for (index_t b = 0; b < B; ++b) std::copy(src + (t * B + b) * F, src + (t * B + b + 1) * F, dst + (b * Tn + t) * F);
}

}  // namespace cantus::nn::rnn_detail
