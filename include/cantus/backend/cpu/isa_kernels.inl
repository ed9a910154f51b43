// The CPU kernels, compiled once per instruction-set level. Deliberately without include guard:
// it is included by the baseline header (cpu_backend.hpp) and by each dispatch translation unit
// (dispatch/simd_*.cpp), which first enables the instruction set and renames Eigen's namespace so
// that no inline function compiled for AVX can be merged into baseline code by the linker.
//
// Expects CANTUS_ISA_NS (the namespace for this level) to be defined.
#include <Eigen/Core>
#include <xsimd/xsimd.hpp>

#include "cantus/backend/cpu/kernel_table.hpp"
#include "cantus/base/functors.hpp"

namespace cantus::cpu_kernels::CANTUS_ISA_NS {

// Unoptimised GCC builds (Debug, or no build type) with AVX-512BW enabled: GCC's avx512bwintrin.h
// defines _mm512_mask_blend_epi8/_epi16 as macros with C-style vector casts when __OPTIMIZE__ is
// unset, and xsimd before 10 picks between them and the 32/64-bit blend with a run-time
// switch (sizeof(T)) in its avx512bw select. xsimd's log on float/double batches selects on
// batch<int32>/batch<int64>, so the 8/16-bit branches are compiled for those batches too, and the
// cast of a batch to __v64qi is ill-formed ("invalid cast to type __v64qi"); with optimisation the
// intrinsics are inline functions and the batch converts implicitly. Fixed in xsimd 10 (PR #852).
// The float and double kernels use nothing from BW (it only adds 8- and 16-bit integer operations), so
// such builds take the AVX-512DQ architecture: same instructions, only simd_name() reads "avx512dq".
// This concerns the dispatch unit simd_avx512.cpp and any program compiled with -mavx512bw at -O0.
#if defined(__GNUC__) && !defined(__clang__) && !defined(__OPTIMIZE__) && defined(__AVX512BW__) && \
    defined(__AVX512DQ__) && XSIMD_VERSION_MAJOR < 10
using arch = xsimd::avx512dq;
#else
using arch = xsimd::default_arch;
#endif

template <class T, class F>
void map_kernel(const T* x, T* y, std::size_t n, const void* functor) {
  const F& f = *static_cast<const F*>(functor);
  using batch = xsimd::batch<T, arch>;
  constexpr std::size_t w = batch::size;
  std::size_t i = 0;
  for (; i + w <= n; i += w) f(batch::load_unaligned(x + i)).store_unaligned(y + i);
  for (; i < n; ++i) y[i] = f(x[i]);
}

template <class T, class F>
void zip_kernel(const T* a, const T* b, T* y, std::size_t n, const void* functor) {
  const F& f = *static_cast<const F*>(functor);
  using batch = xsimd::batch<T, arch>;
  constexpr std::size_t w = batch::size;
  std::size_t i = 0;
  for (; i + w <= n; i += w) f(batch::load_unaligned(a + i), batch::load_unaligned(b + i)).store_unaligned(y + i);
  for (; i < n; ++i) y[i] = f(a[i], b[i]);
}

template <class T>
void axpy_kernel(T alpha, const T* x, T* y, std::size_t n) {
  using batch = xsimd::batch<T, arch>;
  constexpr std::size_t w = batch::size;
  const batch va(alpha);
  std::size_t i = 0;
  for (; i + w <= n; i += w) xsimd::fma(va, batch::load_unaligned(x + i), batch::load_unaligned(y + i)).store_unaligned(y + i);
  for (; i < n; ++i) y[i] += alpha * x[i];
}

// Two accumulators hide the add latency; the summation order is fixed for a given level.
template <class T>
T sum_kernel(const T* x, std::size_t n) {
  using batch = xsimd::batch<T, arch>;
  constexpr std::size_t w = batch::size;
  batch s0(T(0)), s1(T(0));
  std::size_t i = 0;
  for (; i + 2 * w <= n; i += 2 * w) {
    s0 += batch::load_unaligned(x + i);
    s1 += batch::load_unaligned(x + i + w);
  }
  for (; i + w <= n; i += w) s0 += batch::load_unaligned(x + i);
  T s = xsimd::hadd(s0 + s1);
  for (; i < n; ++i) s += x[i];
  return s;
}

template <class T>
T dot_kernel(const T* a, const T* b, std::size_t n) {
  using batch = xsimd::batch<T, arch>;
  constexpr std::size_t w = batch::size;
  batch s0(T(0)), s1(T(0));
  std::size_t i = 0;
  for (; i + 2 * w <= n; i += 2 * w) {
    s0 = xsimd::fma(batch::load_unaligned(a + i), batch::load_unaligned(b + i), s0);
    s1 = xsimd::fma(batch::load_unaligned(a + i + w), batch::load_unaligned(b + i + w), s1);
  }
  for (; i + w <= n; i += w) s0 = xsimd::fma(batch::load_unaligned(a + i), batch::load_unaligned(b + i), s0);
  T s = xsimd::hadd(s0 + s1);
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

template <class T>
T max_kernel(const T* x, std::size_t n) {
  using batch = xsimd::batch<T, arch>;
  constexpr std::size_t w = batch::size;
  T m = -std::numeric_limits<T>::infinity();
  std::size_t i = 0;
  if (n >= w) {
    batch acc = batch::load_unaligned(x);
    for (i = w; i + w <= n; i += w) acc = xsimd::max(acc, batch::load_unaligned(x + i));
    alignas(64) T lanes[w];
    acc.store_aligned(lanes);
    for (std::size_t l = 0; l < w; ++l) m = lanes[l] > m ? lanes[l] : m;
  }
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

// The strides the models use (1, and 2 in the step-VAE) get loops of their own, which the compiler
// vectorises at this level; others stay scalar.
template <class T>
void im2col_1d_row_kernel(const T* __restrict x, index_t sample_stride, index_t nb, index_t out, index_t lo,
                          index_t hi, index_t stride, index_t off, T* __restrict dst) {
  for (index_t b = 0; b < nb; ++b, dst += out, x += sample_stride) {
    for (index_t t = 0; t < lo; ++t) dst[t] = T(0);
    if (stride == 1) {
      for (index_t t = lo; t < hi; ++t) dst[t] = x[t + off];
    } else if (stride == 2) {
      for (index_t t = lo; t < hi; ++t) dst[t] = x[2 * t + off];
    } else {
      for (index_t t = lo; t < hi; ++t) dst[t] = x[t * stride + off];
    }
    for (index_t t = hi; t < out; ++t) dst[t] = T(0);
  }
}

// The adjoint of im2col for one channel: dst[b * sample_stride + t * stride - pad + k * dilation] +=
// col[k * n + b * out + t] over the taps k in order. The step-VAE's halving convolution (kernel 4,
// stride 2, padding 1) runs gathered by output position instead, so that the stores are contiguous
// and vectorise: even positions 2u take taps 1 then 3, odd ones 2u + 1 taps 0 then 2, which is the
// order (and so the rounding) of the tap-by-tap loop.
template <class T>
void col2im_1d_channel_kernel(const T* __restrict col, index_t n, index_t nb, index_t in, index_t out,
                              index_t kernel, index_t stride, index_t pad, index_t dilation, T* __restrict dst,
                              index_t sample_stride) {
  if (kernel == 4 && stride == 2 && pad == 1 && dilation == 1 && in == 2 * out && out >= 2) {
    for (index_t b = 0; b < nb; ++b) {
      const T *s0 = col + b * out, *s1 = s0 + n, *s2 = s1 + n, *s3 = s2 + n;
      T* d = dst + b * sample_stride;
      d[0] += s1[0];
      d[1] = (d[1] + s0[1]) + s2[0];
      for (index_t u = 1; u + 1 < out; ++u) {
        d[2 * u] = (d[2 * u] + s1[u]) + s3[u - 1];
        d[2 * u + 1] = (d[2 * u + 1] + s0[u + 1]) + s2[u];
      }
      const index_t u = out - 1;
      d[2 * u] = (d[2 * u] + s1[u]) + s3[u - 1];
      d[2 * u + 1] += s2[u];
    }
    return;
  }
  for (index_t k = 0; k < kernel; ++k) {
    const index_t off = k * dilation - pad;  // input = t * stride + off
    const index_t lo = off >= 0 ? 0 : (-off + stride - 1) / stride;
    index_t hi = in - off <= 0 ? 0 : (in - off + stride - 1) / stride;  // no std::min: see gemm_scratch
    hi = hi > out ? out : hi;
    if (hi < lo) hi = lo;
    for (index_t b = 0; b < nb; ++b) {
      const T* s = col + k * n + b * out;
      T* d = dst + b * sample_stride;
      for (index_t t = lo; t < hi; ++t) d[t * stride + off] += s[t];
    }
  }
}

// Written so that GCC vectorises it at this level (stride-2 loads become an even/odd de-interleave
// per vector): conditional assignments, and `!(v <= best) && best == best`, which is "v > best, or v
// is the first NaN". The window is visited in the general pooling loop's order.
template <class T>
void max_pool_2x2_row_kernel(const T* __restrict r0, const T* __restrict r1, index_t count, std::int32_t base,
                             std::int32_t w, T* __restrict out, std::int32_t* __restrict where) {
  for (index_t j = 0; j < count; ++j) {
    const std::int32_t at = base + 2 * static_cast<std::int32_t>(j);
    T best = r0[2 * j];
    std::int32_t idx = at;
    const T v1 = r0[2 * j + 1], v2 = r1[2 * j], v3 = r1[2 * j + 1];
    if (!(v1 <= best) && best == best) best = v1, idx = at + 1;
    if (!(v2 <= best) && best == best) best = v2, idx = at + w;
    if (!(v3 <= best) && best == best) best = v3, idx = at + w + 1;
    out[j] = best;
    where[j] = idx;
  }
}

// Twelve independent accumulators cover the FMA latency (4 cycles) times two FMA ports.
inline constexpr int probe_chains = 12;
template <class T>
T fma_probe_kernel(std::size_t iterations) {
  using batch = xsimd::batch<T, arch>;
  batch acc[probe_chains];
  for (int c = 0; c < probe_chains; ++c) acc[c] = batch(T(1) + T(c) * T(1e-3));
  const batch a(T(0.999999)), b(T(1e-7));
  for (std::size_t i = 0; i < iterations; ++i)
    for (int c = 0; c < probe_chains; ++c) acc[c] = xsimd::fma(acc[c], a, b);
  batch s(T(0));
  for (int c = 0; c < probe_chains; ++c) s += acc[c];
  return xsimd::hadd(s);
}

#include "cantus/backend/cpu/gemm_kernel.inl"

// Row-major GEMM, compiled with this level's instruction set: the blocked kernel of gemm_kernel.inl,
// or Eigen where packing cannot pay (tiny products, fewer than 8 columns, and few rows against a
// transposed B, whose packing costs more than the product). The AVX2 and AVX-512 levels are built with
// EIGEN_DONT_PARALLELIZE (dispatch/isa_prelude.hpp): one thread, callers split the work; the
// baseline level follows the including program's Eigen settings. The choice depends on the shape
// only, so results stay the same for any thread count.
template <class T>
void eigen_gemm(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda, const T* b,
                index_t ldb, T beta, T* c, index_t ldc) {
  using mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using stride = Eigen::OuterStride<>;
  Eigen::Map<mat, Eigen::Unaligned, stride> C(c, m, n, stride(ldc));
  Eigen::Map<const mat, Eigen::Unaligned, stride> A(a, ta ? k : m, ta ? m : k, stride(lda));
  Eigen::Map<const mat, Eigen::Unaligned, stride> B(b, tb ? n : k, tb ? k : n, stride(ldb));
  if (m == 0 || n == 0) return;
  if (beta == T(0)) C.setZero();  // beta = 0 ignores whatever C held, NaN included, as BLAS does
  else if (beta != T(1)) C *= beta;
  if (k == 0 || alpha == T(0)) return;
  if (!ta && !tb) C.noalias() += alpha * A * B;
  else if (ta && !tb) C.noalias() += alpha * A.transpose() * B;
  else if (!ta && tb) C.noalias() += alpha * A * B.transpose();
  else C.noalias() += alpha * A.transpose() * B.transpose();
}

template <class T>
void gemm_kernel(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda, const T* b,
                 index_t ldb, T beta, T* c, index_t ldc) {
  const double work = double(m) * double(n) * double(k);
  // A few columns (n < 8: the GRU's weight gradient for one input feature is 16 x 1 x 65536) would be
  // padded to a whole register panel, 32 or 48 columns: Eigen's matrix-vector path instead.
  const bool blocked = work >= double(1 << 18) && n >= 8 && !(tb && m < 4 * gemm_blocking<T, 2>::mr);
  if (blocked && gemm_blocked(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)) return;
  eigen_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

template <class T, class... Fs>
void fill_unary(kernel_table<T>& t, ops::op_list<Fs...>) {
  std::size_t i = 0;
  ((t.unary[i++] = &map_kernel<T, Fs>), ...);
}
template <class T, class... Fs>
void fill_binary(kernel_table<T>& t, ops::op_list<Fs...>) {
  std::size_t i = 0;
  ((t.binary[i++] = &zip_kernel<T, Fs>), ...);
}

template <class T>
const kernel_table<T>& table() {
  static const kernel_table<T> t = [] {
    kernel_table<T> k;
    fill_unary(k, unary_ops_for<T>{});
    fill_binary(k, binary_ops_for{});
    k.axpy = &axpy_kernel<T>;
    k.sum = &sum_kernel<T>;
    k.dot = &dot_kernel<T>;
    k.max = &max_kernel<T>;
    k.max_pool_2x2_row = &max_pool_2x2_row_kernel<T>;
    k.im2col_1d_row = &im2col_1d_row_kernel<T>;
    k.col2im_1d_channel = &col2im_1d_channel_kernel<T>;
    k.gemm = &gemm_kernel<T>;
    k.packed_b_size = &gemm_packed_b_size<T>;
    k.pack_b = &gemm_pack_b_all<T>;
    k.gemm_packed_b = &gemm_with_packed_b<T>;
    k.fma_probe = &fma_probe_kernel<T>;
    k.fma_probe_flops_per_iteration = probe_chains * 2 * static_cast<int>(xsimd::batch<T, arch>::size);
    return k;
  }();
  return t;
}

inline isa_tables tables() {
  return {arch::name(), static_cast<int>(arch::alignment()), &table<float>(), &table<double>()};
}

}  // namespace cantus::cpu_kernels::CANTUS_ISA_NS
