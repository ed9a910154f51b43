#pragma once
// Run-time dispatch of the CPU kernels. Each instruction-set level (baseline, AVX2+FMA, AVX-512)
// compiles the same kernel source (isa_kernels.inl) into a table of function pointers; the tables
// register themselves at start-up and cpu_backend.hpp's `active_isa()` picks the best one the
// processor runs.
#include <array>
#include <cstdint>

#include "cantus/core/config.hpp"
#include "cantus/core/functors.hpp"

namespace cantus::cpu_kernels {

enum class isa : int { baseline = 0, avx2 = 1, avx512 = 2 };
inline constexpr int isa_count = 3;

template <class T>
using unary_ops_for = ops::op_list<ops::identity, ops::negate, ops::absolute, ops::square, ops::square_root,
                                   ops::exponential, ops::logarithm, ops::tanh_fn, ops::sigmoid, ops::relu,
                                   ops::scale_by<T>, ops::add_scalar<T>, ops::leaky_relu<T>>;
using binary_ops_for = ops::binary_ops;

// Kernels work on one contiguous range on one thread; the backend splits work across threads.
template <class T>
struct kernel_table {
  using unary_fn = void (*)(const T*, T*, std::size_t, const void* functor);
  using binary_fn = void (*)(const T*, const T*, T*, std::size_t, const void* functor);
  std::array<unary_fn, unary_ops_for<T>::size> unary{};
  std::array<binary_fn, binary_ops_for::size> binary{};
  void (*axpy)(T alpha, const T* x, T* y, std::size_t n) = nullptr;
  T (*sum)(const T* x, std::size_t n) = nullptr;
  T (*dot)(const T* a, const T* b, std::size_t n) = nullptr;
  T (*max)(const T* x, std::size_t n) = nullptr;
  // One output row of a 2x2, stride-2 max pooling: out[j] = the first maximum of r0[2j], r0[2j+1],
  // r1[2j], r1[2j+1] (a NaN wins and stays), where[j] its index, counting r0[0] as `base` and r1[0]
  // as base + w. The layer's own loop, compiled for the baseline, was 12 % of the CNN's step.
  // One row of a 1-D im2col over nb samples: dst[b * out + t] = x[b * sample_stride + t * stride + off]
  // for t in [lo, hi), 0 elsewhere in [0, out). Compiled for the baseline, the strided loop was 10 %
  // of a step-VAE step.
  void (*im2col_1d_row)(const T* x, index_t sample_stride, index_t nb, index_t out, index_t lo, index_t hi,
                        index_t stride, index_t off, T* dst) = nullptr;
  // col2im for one channel (col: its kernel rows, each n = nb * out long; dst: the channel's first
  // row, samples sample_stride apart), adding tap by tap in tap order.
  void (*col2im_1d_channel)(const T* col, index_t n, index_t nb, index_t in, index_t out, index_t kernel,
                            index_t stride, index_t pad, index_t dilation, T* dst, index_t sample_stride) = nullptr;
  void (*max_pool_2x2_row)(const T* r0, const T* r1, index_t count, std::int32_t base, std::int32_t w, T* out,
                           std::int32_t* where) = nullptr;
  // Peak probe: `iterations` rounds of independent FMA chains over registers; returns a checksum so
  // the work cannot be optimised away. Flops = iterations * fma_probe_flops_per_iteration.
  T (*fma_probe)(std::size_t iterations) = nullptr;
  int fma_probe_flops_per_iteration = 0;
  void (*gemm)(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda, const T* b,
               index_t ldb, T beta, T* c, index_t ldc) = nullptr;
  // A right-hand side used by many products (a recurrent layer's weights, once per time step) is
  // packed once into this level's panel layout (gemm_kernel.inl); the buffer holds
  // packed_b_size(k, n) values, and only the level that packed it may read it.
  std::size_t (*packed_b_size)(index_t k, index_t n) = nullptr;
  void (*pack_b)(bool tb, index_t k, index_t n, const T* b, index_t ldb, T* packed) = nullptr;
  // Returns false when the thread's scratch memory could not be allocated.
  bool (*gemm_packed_b)(bool ta, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda, const T* packed,
                        T beta, T* c, index_t ldc) = nullptr;
};

struct isa_tables {
  const char* name = nullptr;       // e.g. "avx512bw"
  int simd_bytes = 0;               // register width
  const kernel_table<float>* f32 = nullptr;
  const kernel_table<double>* f64 = nullptr;
};

// A level registers the function that builds its tables, not the tables: code compiled for a level
// may use that level's instructions anywhere, the construction of its tables included (GCC fills the
// AVX-512 table with zmm moves), so its static initialiser does nothing but store this pointer, and
// the tables are built by cpu_backend.hpp's choose_isa only for levels the processor runs. (Building
// them at start-up killed every program with SIGILL on an AVX2-only processor.)
using isa_tables_builder = isa_tables (*)();

// Constant-initialised, so registration from any translation unit's static initialiser is safe.
inline std::array<isa_tables_builder, isa_count> registered_builders{};
// Every registered level the processor runs, built once by choose_isa (the others stay empty).
inline std::array<isa_tables, isa_count> registered_isas{};

inline bool register_isa(isa level, isa_tables_builder build) {
  registered_builders[static_cast<int>(level)] = build;
  return true;
}

}  // namespace cantus::cpu_kernels
