#pragma once
// CPU building blocks of the nn kernels (backend/cpu/nn/*.inl): the data movement that turns
// convolutions into GEMMs, and GEMMs split into blocks for OpenMP threads. Columns run over (sample, output position)
// of a chunk of samples, so one GEMM covers many small samples (the step-VAE's 512 frames of 64
// positions) as well as one long one (WaveNet's 8192 samples):
//   col[(c, k), (b, t)]        = x[b, c, t * stride - pad + k * dilation]    (0 outside)
//   channel_major[c, (b, t)]   = y[b, c, t]
// All loops are OpenMP-parallel over channels, so no two threads write the same element.
#include <omp.h>

#include <algorithm>
#include <type_traits>
#include <vector>

#include "cantus/backend/channel_sum.hpp"
#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/base/config.hpp"

namespace cantus::nn::detail {

// Geometry of one spatial axis of a convolution: input extent, kernel, stride, left padding,
// dilation and output extent (the right padding is implied by out).
struct axis_geometry {
  index_t in, kernel, stride, pad, dilation, out;
  // First and one-past-last output positions whose tap k reads inside the input.
  void valid_range(index_t k, index_t& lo, index_t& hi) const {
    const index_t off = k * dilation - pad;  // input = t * stride + off
    lo = off >= 0 ? 0 : (-off + stride - 1) / stride;
    hi = in - off <= 0 ? 0 : std::min(out, (in - off + stride - 1) / stride);
    if (hi < lo) hi = lo;
  }
};

// Threads only when there is enough work to amortise a parallel region.
inline bool worth_parallel(index_t work) { return work >= (index_t(1) << 15) && !omp_in_parallel(); }

// x: [nb, C, g.in] contiguous; col: [C * K, nb * g.out]. Rows through the dispatched kernel for float
// and double.
template <class T>
void im2col_1d(const T* x, index_t nb, index_t channels, const axis_geometry& g, T* col) {
  const index_t n = nb * g.out, rows = channels * g.kernel;
#pragma omp parallel for schedule(static) if (worth_parallel(rows * n))
  for (index_t r = 0; r < rows; ++r) {
    const index_t c = r / g.kernel, k = r % g.kernel;
    index_t lo, hi;
    g.valid_range(k, lo, hi);
    const index_t off = k * g.dilation - g.pad;
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      cpu_kernels::active_kernels<T>().im2col_1d_row(x + c * g.in, channels * g.in, nb, g.out, lo, hi, g.stride, off,
                                                     col + r * n);
    } else {
      for (index_t b = 0; b < nb; ++b) {
        T* dst = col + r * n + b * g.out;
        const T* src = x + (b * channels + c) * g.in;
        std::fill(dst, dst + lo, T(0));
        for (index_t t = lo; t < hi; ++t) dst[t] = src[t * g.stride + off];
        std::fill(dst + hi, dst + g.out, T(0));
      }
    }
  }
}

// dx[b, c, t * stride - pad + k * dilation] += col[(c, k), (b, t)]; dx: [nb, C, g.in].
template <class T>
void col2im_add_1d(const T* col, index_t nb, index_t channels, const axis_geometry& g, T* dx) {
  const index_t n = nb * g.out;
#pragma omp parallel for schedule(static) if (worth_parallel(channels * g.kernel * n))
  for (index_t c = 0; c < channels; ++c) {
    const T* src = col + c * g.kernel * n;
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      cpu_kernels::active_kernels<T>().col2im_1d_channel(src, n, nb, g.in, g.out, g.kernel, g.stride, g.pad, g.dilation,
                                                         dx + c * g.in, channels * g.in);
    } else {
      for (index_t k = 0; k < g.kernel; ++k) {
        index_t lo, hi;
        g.valid_range(k, lo, hi);
        const index_t off = k * g.dilation - g.pad;
        for (index_t b = 0; b < nb; ++b) {
          T* dst = dx + (b * channels + c) * g.in;
          const T* s = src + k * n + b * g.out;
          for (index_t t = lo; t < hi; ++t) dst[t * g.stride + off] += s[t];
        }
      }
    }
  }
}

// 2-D: x [nb, C, H, W]; col [(c, kh, kw), (b, oh, ow)].
template <class T>
void im2col_2d(const T* x, index_t nb, index_t channels, const axis_geometry& gh, const axis_geometry& gw, T* col) {
  const index_t plane_out = gh.out * gw.out, n = nb * plane_out, rows = channels * gh.kernel * gw.kernel;
#pragma omp parallel for schedule(static) if (worth_parallel(rows * n))
  for (index_t r = 0; r < rows; ++r) {
    const index_t c = r / (gh.kernel * gw.kernel), kh = (r / gw.kernel) % gh.kernel, kw = r % gw.kernel;
    index_t wlo, whi;
    gw.valid_range(kw, wlo, whi);
    const index_t hoff = kh * gh.dilation - gh.pad, woff = kw * gw.dilation - gw.pad;
    for (index_t b = 0; b < nb; ++b) {
      const T* plane = x + (b * channels + c) * gh.in * gw.in;
      T* dst = col + r * n + b * plane_out;
      for (index_t oh = 0; oh < gh.out; ++oh) {
        T* d = dst + oh * gw.out;
        const index_t ih = oh * gh.stride + hoff;
        if (ih < 0 || ih >= gh.in) {
          std::fill(d, d + gw.out, T(0));
          continue;
        }
        const T* src = plane + ih * gw.in;
        std::fill(d, d + wlo, T(0));
        if (gw.stride == 1) std::copy(src + wlo + woff, src + whi + woff, d + wlo);
        else
          for (index_t ow = wlo; ow < whi; ++ow) d[ow] = src[ow * gw.stride + woff];
        std::fill(d + whi, d + gw.out, T(0));
      }
    }
  }
}

template <class T>
void col2im_add_2d(const T* col, index_t nb, index_t channels, const axis_geometry& gh, const axis_geometry& gw,
                   T* dx) {
  const index_t plane_out = gh.out * gw.out, n = nb * plane_out;
#pragma omp parallel for schedule(static) if (worth_parallel(channels * gh.kernel * gw.kernel * n))
  for (index_t c = 0; c < channels; ++c)
    for (index_t kh = 0; kh < gh.kernel; ++kh)
      for (index_t kw = 0; kw < gw.kernel; ++kw) {
        const index_t r = (c * gh.kernel + kh) * gw.kernel + kw;
        index_t wlo, whi;
        gw.valid_range(kw, wlo, whi);
        const index_t hoff = kh * gh.dilation - gh.pad, woff = kw * gw.dilation - gw.pad;
        for (index_t b = 0; b < nb; ++b) {
          T* plane = dx + (b * channels + c) * gh.in * gw.in;
          const T* src = col + r * n + b * plane_out;
          for (index_t oh = 0; oh < gh.out; ++oh) {
            const index_t ih = oh * gh.stride + hoff;
            if (ih < 0 || ih >= gh.in) continue;
            T* d = plane + ih * gw.in;
            const T* s = src + oh * gw.out;
            for (index_t ow = wlo; ow < whi; ++ow) d[ow * gw.stride + woff] += s[ow];
          }
        }
      }
}

// y [nb, C, P] <-> m [C, nb * P] (P = positions per sample).
template <class T>
void to_channel_major(const T* y, index_t nb, index_t channels, index_t positions, T* m) {
#pragma omp parallel for schedule(static) if (worth_parallel(nb * channels * positions))
  for (index_t c = 0; c < channels; ++c)
    for (index_t b = 0; b < nb; ++b)
      std::copy(y + (b * channels + c) * positions, y + (b * channels + c + 1) * positions, m + (c * nb + b) * positions);
}
// y[b, c, p] = m[c, (b, p)] + bias[c] (bias may be null).
template <class T>
void from_channel_major(const T* m, index_t nb, index_t channels, index_t positions, const T* bias, T* y) {
#pragma omp parallel for schedule(static) if (worth_parallel(nb * channels * positions))
  for (index_t c = 0; c < channels; ++c) {
    const T bc = bias ? bias[c] : T(0);
    for (index_t b = 0; b < nb; ++b) {
      const T* s = m + (c * nb + b) * positions;
      T* d = y + (b * channels + c) * positions;
      for (index_t p = 0; p < positions; ++p) d[p] = s[p] + bc;
    }
  }
}

// y[c, p] = bias[c] for one sample's [channels, positions] output (0 without a bias): the start of a
// GEMM that accumulates into y with beta = 1.
template <class T>
void fill_with_bias(T* y, index_t channels, index_t positions, const T* bias) {
  for (index_t c = 0; c < channels; ++c) std::fill(y + c * positions, y + (c + 1) * positions, bias ? bias[c] : T(0));
}

// grad_bias[c] += sum over b, p of dy[b, c, p].
template <class T>
void accumulate_bias_grad(const T* dy, index_t nb, index_t channels, index_t positions, T* grad_bias) {
#pragma omp parallel for schedule(static) if (worth_parallel(nb * channels * positions))
  for (index_t c = 0; c < channels; ++c) grad_bias[c] += cantus::detail::channel_sum(dy, nb, channels, positions, c);
}

// The convolutions' GEMMs, split across OpenMP threads by this code rather than inside Eigen: the
// columns are cut into blocks fixed by the problem size alone (never by the thread count), threads
// take blocks dynamically and run single-threaded GEMMs on them, and weight gradients are summed per
// block then added in block order. So results are bitwise the same for any thread count, and a thread
// that the OS deschedules (the 2 cores are shared) only delays the blocks it holds, where Eigen's
// internal threading spins in lock-step and ran 5x slower than one thread under load (measured).
// When products are split: at least min_flops and 2 * min_columns columns, blocks of >= min_columns.
// Tests lower these to run the blocked paths on small, finite-difference-checkable problems.
struct gemm_blocking {
  static inline index_t min_flops = index_t(1) << 22;
  static inline index_t min_columns = 256;
};
inline index_t column_blocks(index_t m, index_t n, index_t k) {
  if (2 * m * n * k < gemm_blocking::min_flops || n < 2 * gemm_blocking::min_columns) return 1;
  return std::min<index_t>(16, n / gemm_blocking::min_columns);
}
inline void column_block(index_t n, index_t block, index_t blocks, index_t& c0, index_t& c1) {
  const index_t per = ((n + blocks - 1) / blocks + 15) / 16 * 16;  // whole SIMD widths per block
  c0 = std::min(n, block * per);
  c1 = std::min(n, c0 + per);
}

// C[m, n] = alpha op(A)[m, k] B[k, n] + beta C, by blocks of columns of B and C.
template <class T>
void gemm_by_columns(transpose ta, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda, const T* b,
                     index_t ldb, T beta, T* c, index_t ldc) {
  const index_t blocks = column_blocks(m, n, k);
  if (blocks <= 1) {
    backend_ops<cpu>::gemm(ta, transpose::no, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
#pragma omp parallel for schedule(dynamic, 1) if (!omp_in_parallel())
  for (index_t blk = 0; blk < blocks; ++blk) {
    index_t c0, c1;
    column_block(n, blk, blocks, c0, c1);
    if (c1 > c0) backend_ops<cpu>::gemm(ta, transpose::no, m, c1 - c0, k, alpha, a, lda, b + c0, ldb, beta, c + c0, ldc);
  }
}

// C[m, p] += a sum over n positions, by blocks of positions whose products go to `partial` and are
// added in block order. product(k0, k1, out, ldo, beta) computes the product over positions [k0, k1).
template <class T, class Product>
void accumulate_by_blocks(index_t m, index_t p, index_t n, T* c, index_t ldc, std::vector<T>& partial, Product&& product) {
  const index_t blocks = column_blocks(m, n, p);
  if (blocks <= 1) {
    product(index_t(0), n, c, ldc, T(1));
    return;
  }
  partial.resize(static_cast<std::size_t>(blocks * m * p));
#pragma omp parallel for schedule(dynamic, 1) if (!omp_in_parallel())
  for (index_t blk = 0; blk < blocks; ++blk) {
    index_t k0, k1;
    column_block(n, blk, blocks, k0, k1);
    T* part = partial.data() + blk * m * p;
    if (k1 > k0) product(k0, k1, part, p, T(0));
    else std::fill(part, part + m * p, T(0));
  }
#pragma omp parallel for schedule(static) if (worth_parallel(blocks * m * p))
  for (index_t i = 0; i < m; ++i) {
    T* dst = c + i * ldc;
    for (index_t blk = 0; blk < blocks; ++blk) {
      const T* src = partial.data() + (blk * m + i) * p;
      for (index_t j = 0; j < p; ++j) dst[j] += src[j];
    }
  }
}

// C[m, n] = alpha A[m, k] op(B) + beta C by blocks of rows of A and C (linear layers: rows are samples).
template <class T>
void gemm_by_rows(transpose tb, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda, const T* b,
                  index_t ldb, T beta, T* c, index_t ldc) {
  const index_t blocks = column_blocks(n, m, k);
  if (blocks <= 1) {
    backend_ops<cpu>::gemm(transpose::no, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
#pragma omp parallel for schedule(dynamic, 1) if (!omp_in_parallel())
  for (index_t blk = 0; blk < blocks; ++blk) {
    index_t r0, r1;
    column_block(m, blk, blocks, r0, r1);
    if (r1 > r0) backend_ops<cpu>::gemm(transpose::no, tb, r1 - r0, n, k, alpha, a + r0 * lda, lda, b, ldb, beta, c + r0 * ldc, ldc);
  }
}

// C[m, p] += A[n, m]^T B[n, p] summed over the n rows (a linear layer's weight gradient), by blocks of
// rows added in block order.
template <class T>
void gemm_tn_accumulate(index_t m, index_t p, index_t n, const T* a, index_t lda, const T* b, index_t ldb, T* c,
                        index_t ldc, std::vector<T>& partial) {
  accumulate_by_blocks(m, p, n, c, ldc, partial, [&](index_t k0, index_t k1, T* out, index_t ldo, T beta) {
    backend_ops<cpu>::gemm(transpose::yes, transpose::no, m, p, k1 - k0, T(1), a + k0 * lda, lda, b + k0 * ldb, ldb, beta,
                           out, ldo);
  });
}

// Scratch memory a layer keeps between calls (grows, never shrinks).
template <class T>
struct workspace {
  std::vector<T> buffer;
  T* get(index_t n) {
    if (static_cast<index_t>(buffer.size()) < n) buffer.resize(static_cast<std::size_t>(n));
    return buffer.data();
  }
};

// Scratch of the calling thread, one per slot (threads working on different chunks of one layer
// each need their own; a thread works on one chunk at a time).
template <class T, int Slot>
T* thread_scratch(index_t n) {
  static thread_local std::vector<T> buffer;
  if (static_cast<index_t>(buffer.size()) < n) buffer.resize(static_cast<std::size_t>(n));
  return buffer.data();
}

// The 1-D convolutions over many short samples (the step-VAE's 512 frames) in chunks of samples whose
// column matrix fits the core's L2, rather than the whole batch's columns through memory and back
// (8 MB per layer there; steps ran 1.3x faster in chunks of 32 Ki elements at one thread). Threads
// take chunks one at a time. Weight gradients are summed chunk by chunk within a fixed group of
// chunks, then group by group in order, so the bits depend on the problem size alone, never on the
// thread count. `budget` is a variable so that tests can force many chunks on small problems.
struct cache_chunking {
  static inline index_t budget = index_t(1) << 15;
  static constexpr index_t max_groups = 16;
  index_t chunk = 1, chunks = 1, groups = 1;
  cache_chunking(index_t batch, index_t elements_per_sample) {
    chunk = std::clamp<index_t>(budget / std::max<index_t>(elements_per_sample, 1), 1, std::max<index_t>(batch, 1));
    chunks = (batch + chunk - 1) / chunk;
    groups = std::min(chunks, max_groups);
  }
  // Chunks [first(g), first(g + 1)) make group g.
  index_t first(index_t group) const { return group * chunks / groups; }
  index_t samples(index_t batch, index_t q) const { return std::min(chunk, batch - q * chunk); }

  // Forward: body(b0, nb) for the chunk of samples [b0, b0 + nb), every chunk, taken by threads.
  template <class Body>
  void for_each_chunk(index_t batch, Body&& body) const {
#pragma omp parallel for schedule(dynamic, 1) if (chunks > 1 && !omp_in_parallel())
    for (index_t q = 0; q < chunks; ++q) body(q * chunk, samples(batch, q));
  }

  // Backward: body(b0, nb, part, first) for every chunk, where part is its group's weight-gradient
  // sum of wsize values (in `partial`), which the group's first chunk overwrites (first) and the
  // others add to; then dw += the groups' sums in group order. Threads take groups; a group's chunks
  // run in order on one thread.
  template <class T, class Body>
  void sum_by_groups(index_t batch, index_t wsize, std::vector<T>& partial, T* dw, Body&& body) const;
};

// dst[i] += sum over groups g of parts[g * size + i], in group order.
template <class T>
void add_group_sums(const T* parts, index_t groups, index_t size, T* dst) {
#pragma omp parallel for schedule(static) if (worth_parallel(groups * size))
  for (index_t i = 0; i < size; ++i) {
    T s = dst[i];
    for (index_t g = 0; g < groups; ++g) s += parts[g * size + i];
    dst[i] = s;
  }
}

template <class T, class Body>
void cache_chunking::sum_by_groups(index_t batch, index_t wsize, std::vector<T>& partial, T* dw, Body&& body) const {
  partial.resize(static_cast<std::size_t>(groups * wsize));
#pragma omp parallel for schedule(dynamic, 1) if (groups > 1 && !omp_in_parallel())
  for (index_t grp = 0; grp < groups; ++grp) {
    T* part = partial.data() + grp * wsize;
    for (index_t q = first(grp); q < first(grp + 1); ++q) body(q * chunk, samples(batch, q), part, q == first(grp));
  }
  add_group_sums(partial.data(), groups, wsize, dw);
}

}  // namespace cantus::nn::detail
