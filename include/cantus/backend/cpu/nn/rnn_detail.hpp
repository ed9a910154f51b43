#pragma once
// Shared machinery of the CPU recurrent kernels (gru.inl, lstm.inl): the run-time dispatched SIMD activations applied
// to short contiguous rows, row-parallel loops that only spawn threads when a step is big enough to
// pay for it, small reductions, and recurrent_steps, the part of a kernel that does not depend on its cell.
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

// What a CPU recurrent kernel does around its cell, written once for nn::tt::gru and nn::tt::lstm.
// Forward: the input kept time-major, the input projection of every step as one GEMM before the
// recurrence, then blocks of batch rows stepped through the sequence (for_batch_blocks), each step
// one GEMM gh = h_{t-1} W_hh^T and the cell's row function per row. Backward: the row functions
// back through the steps, each step one GEMM for dh_{t-1}, then the weight gradients and dx as
// single GEMMs over all steps. A kernel derives from it and keeps its cell's own records (gates,
// cell states); the calls below name the buffers they read and write.
template <class T>
class recurrent_steps {
 public:
  bool has_forward() const { return !hprev_.empty(); }
  index_t batch() const { return batch_; }
  index_t time() const { return time_; }

 protected:
  using ops = backend_ops<cpu>;

  // Keeps x [B, T, I] time-major in x_, writes proj [T*B, G] = x W_ih^T and h_{-1} = h0 (zeros when null).
  void project_inputs(index_t B, index_t Tn, index_t I, index_t H, index_t G, const T* x, const T* w_ih, const T* h0,
                      T* proj) {
    batch_ = B, time_ = Tn;
    ensure_shape(x_, {Tn, B, I});
    to_time_major(x, B, Tn, I, x_.data());
    gemm_row_blocks(transpose::no, transpose::yes, B * Tn, G, I, T(1), x_.data(), I, w_ih, I, T(0), proj, G);
    ensure_shape(hprev_, {Tn, B, H});
    ensure_shape(gh_, {B, G});
    for (index_t b = 0; b < B; ++b)
      for (index_t j = 0; j < H; ++j) hprev_(0, b, j) = h0 ? h0[b * H + j] : T(0);
  }

  // Rows [b0, b0 + nb) through all steps: gh = h_{t-1} W_hh^T (one GEMM), then
  // cell(row, b, gh row, y row) for each row, whose h_t is the next step's h_{t-1}.
  template <class Cell>
  void forward_steps(index_t H, index_t G, const T* w_hh, T* y, Cell&& cell) {
    const index_t B = batch_, Tn = time_;
    // W_hh^T packed once for all steps (unpacked, each step's product re-packed 4 MB for 16 rows).
    w_hh_packed_.pack(transpose::yes, H, G, w_hh, H);
    auto run_rows = [&](index_t b0, index_t nb) {
      for (index_t t = 0; t < Tn; ++t) {
        ops::gemm_packed(transpose::no, nb, G, H, T(1), hprev_.data() + (t * B + b0) * H, H, w_hh_packed_, T(0),
                         gh_.data() + b0 * G, G);
        for (index_t b = b0; b < b0 + nb; ++b) {
          const index_t row = t * B + b;
          T* yb = y + (b * Tn + t) * H;
          cell(row, b, gh_.data() + b * G, yb);
          if (t + 1 < Tn) ops::copy(hprev_.data() + (row + B) * H, yb, static_cast<std::size_t>(H));
        }
      }
    };
    for_batch_blocks(B, double(B) * double(Tn) * double(H) * double(G), run_rows);
  }

  // h_n [B, H] = y at the last step, when wanted.
  void copy_last_step(index_t H, const T* y, T* h_n) {
    const index_t B = batch_, Tn = time_;
    if (h_n)
      for (index_t b = 0; b < B; ++b) ops::copy(h_n + b * H, y + (b * Tn + Tn - 1) * H, static_cast<std::size_t>(H));
  }

  // dh_ [B, H] = dh_n (zeros when null), the gradient flowing into the last step.
  void begin_backward(index_t H, const T* dh_n) {
    ensure_shape(dh_, {batch_, H});
    dh_.fill(T(0));
    if (dh_n) ops::copy(dh_.data(), dh_n, static_cast<std::size_t>(batch_ * H));
  }

  // Rows [b0, b0 + nb) back through all steps: cell(row, b, dy row) for each row (dy null: zeros),
  // then dh_{t-1} = dgh_t W_hh + beta dh (one GEMM). dgh [T*B, G] is what the cell wrote for W_hh h.
  template <class Cell>
  void backward_steps(index_t H, index_t G, const T* w_hh, const T* dy, const T* dgh, T beta, Cell&& cell) {
    const index_t B = batch_, Tn = time_;
    if (!dy) zeros_ = tensor<T, 1>({H}, T(0));
    w_hh_packed_.pack(transpose::no, G, H, w_hh, H);
    auto run_rows = [&](index_t b0, index_t nb) {
      for (index_t t = Tn; t-- > 0;) {
        for (index_t b = b0; b < b0 + nb; ++b) cell(t * B + b, b, dy ? dy + (b * Tn + t) * H : zeros_.data());
        ops::gemm_packed(transpose::no, nb, H, G, T(1), dgh + (t * B + b0) * G, G, w_hh_packed_, beta,
                         dh_.data() + b0 * H, H);
      }
    };
    for_batch_blocks(B, double(B) * double(Tn) * double(H) * double(G), run_rows);
  }

  // Over all steps at once: dW_ih += dgi^T X, dW_hh += dgh^T H_prev, dx = dgi W_ih (batch-first, when
  // wanted); dh0 = dh_ (when wanted).
  void end_backward(index_t I, index_t H, index_t G, const T* dgi, const T* dgh, const T* w_ih, T* dw_ih, T* dw_hh,
                    T* dx, T* dh0) {
    const index_t B = batch_, Tn = time_;
    gemm_row_blocks(transpose::yes, transpose::no, G, I, B * Tn, T(1), dgi, G, x_.data(), I, T(1), dw_ih, I);
    gemm_row_blocks(transpose::yes, transpose::no, G, H, B * Tn, T(1), dgh, G, hprev_.data(), H, T(1), dw_hh, H);
    if (dx) {
      ensure_shape(dx_, {Tn * B, I});
      gemm_row_blocks(transpose::no, transpose::no, Tn * B, I, G, T(1), dgi, G, w_ih, I, T(0), dx_.data(), I);
      to_batch_major(dx_.data(), B, Tn, I, dx);
    }
    if (dh0) ops::copy(dh0, dh_.data(), static_cast<std::size_t>(B * H));
  }

  index_t batch_ = 0, time_ = 0;
  // Time-major [T, B, .] records of the last forward.
  tensor<T, 3> x_;      // the input (the weight gradient needs it)
  tensor<T, 3> hprev_;  // h_{t-1} for every step, [T, B, H]
  tensor<T, 2> gh_;     // a step's h_{t-1} W_hh^T, [B, G]
  tensor<T, 2> dh_;     // backward: dLoss/dh of the step being processed, [B, H]
  tensor<T, 2> dx_;     // backward: dx time-major
  tensor<T, 1> zeros_;  // stands for a null dy
  typename backend_ops<cpu>::template packed_b<T> w_hh_packed_;  // W_hh^T (forward) or W_hh (backward)
};

}  // namespace cantus::nn::rnn_detail
