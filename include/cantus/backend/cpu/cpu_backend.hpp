#pragma once
// backend_ops<cpu>: host memory (64-byte aligned), a blocked GEMM (gemm_kernel.inl) and xsimd kernels chosen at
// run time for the best instruction set present, OpenMP across cores.
//
// Parallel work is split into fixed-size blocks whose boundaries do not depend on the thread count,
// and reductions combine the block results in block order: the same inputs give the same bits for
// any number of threads on one machine.
#include <atomic>
#include <chrono>
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <string_view>
#include <vector>

#include "cantus/backend/backend.hpp"
#include "cantus/core/error.hpp"

#define CANTUS_ISA_NS isa_baseline
#include "cantus/backend/cpu/isa_kernels.inl"
#undef CANTUS_ISA_NS

#if defined(CANTUS_SIMD_DISPATCH) && CANTUS_SIMD_DISPATCH
// The project compiles the dispatch units (cmake/CantusSimdDispatch.cmake), and with them the
// baseline table once (dispatch/simd_baseline.cpp): Eigen's GEMM and every kernel of the table then
// cost one translation unit instead of every file that includes the backend (about a quarter of a
// typical file's compile time).
namespace cantus::cpu_kernels::isa_baseline {
extern template const kernel_table<float>& table<float>();
extern template const kernel_table<double>& table<double>();
}  // namespace cantus::cpu_kernels::isa_baseline
#endif

namespace cantus {
namespace cpu_kernels {
namespace detail {
inline bool cpu_supports(isa level) {
  const auto a = xsimd::available_architectures();
  switch (level) {
    case isa::baseline: return true;
    case isa::avx2: return a.avx2 && a.fma3_avx2;
    case isa::avx512: return a.avx512bw && a.avx512dq && a.avx512cd;
  }
  return false;
}

inline int isa_cap_from_environment() {
  const char* cap = std::getenv("CANTUS_SIMD");
  if (!cap || !*cap) return isa_count - 1;
  std::string_view s(cap);
  if (s == "baseline" || s == "sse2") return 0;
  if (s == "avx2") return 1;
  return isa_count - 1;
}

// Functors written for scalars only take the scalar loop; those that accept xsimd batches get SIMD.
template <class T, class F, int Arity>
concept simd_callable = (std::is_same_v<T, float> || std::is_same_v<T, double>) &&
                        ((Arity == 1 && std::is_invocable_r_v<xsimd::batch<T>, const F&, xsimd::batch<T>>) ||
                         (Arity == 2 && std::is_invocable_r_v<xsimd::batch<T>, const F&, xsimd::batch<T>, xsimd::batch<T>>));

// Block size for splitting element-wise work: big enough to amortise a task, small enough to balance.
inline constexpr std::size_t block = 1 << 14;
inline constexpr std::size_t parallel_threshold = 1 << 16;

template <class Body>
void for_blocks(std::size_t n, Body&& body) {
  const std::size_t blocks = (n + block - 1) / block;
  if (n < parallel_threshold || omp_in_parallel()) {
    for (std::size_t b = 0; b < blocks; ++b) body(b * block, std::min(n, (b + 1) * block));
    return;
  }
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < static_cast<std::int64_t>(blocks); ++b)
    body(static_cast<std::size_t>(b) * block, std::min(n, (static_cast<std::size_t>(b) + 1) * block));
}

template <class T, class Kernel>
T reduce_blocks(std::size_t n, Kernel&& kernel, T (*combine)(T, T)) {
  const std::size_t blocks = (n + block - 1) / block;
  if (blocks <= 1) return kernel(0, n);
  std::vector<T> partial(blocks);
  for_blocks(n, [&](std::size_t lo, std::size_t hi) { partial[lo / block] = kernel(lo, hi); });
  T r = partial[0];
  for (std::size_t b = 1; b < blocks; ++b) r = combine(r, partial[b]);
  return r;
}
}  // namespace detail

// The best registered level the processor supports, capped by `CANTUS_SIMD=baseline|avx2|avx512`
// in the environment (for benchmarks and cross-checks). Levels register from static initialisers;
// the baseline is registered here too so the choice never depends on initialisation order.
namespace detail {
// Never inlined: xsimd's CPU detection is an `asm("cpuid")` without `volatile`, which GCC may hoist out
// of the one-time initialisation into whatever inlined it. Inlined into an OpenMP region it ran cpuid
// at every entry, and cpuid traps to the hypervisor in a virtual machine: the naive GRU trained 20 %
// slower (bench_models, 2 threads) until this was a call.
[[gnu::noinline, gnu::cold]] inline const isa_tables* choose_isa() {
  register_isa(isa::baseline, &isa_baseline::tables);
  for (int level = 0; level < isa_count; ++level)
    if (registered_builders[level] && cpu_supports(static_cast<isa>(level))) registered_isas[level] = registered_builders[level]();
  const int cap = isa_cap_from_environment();
  for (int level = cap; level > 0; --level)
    if (registered_isas[level].f32) return &registered_isas[level];
  return &registered_isas[0];
}
}  // namespace detail

inline const isa_tables& active_isa() {
  static const isa_tables* const chosen = detail::choose_isa();
  return *chosen;
}

template <class T>
const kernel_table<T>& active_kernels() {
  if constexpr (std::is_same_v<T, float>) return *active_isa().f32;
  else return *active_isa().f64;
}

// Which instruction set the CPU backend runs ("avx512bw", "avx2", "sse2", ...).
inline const char* simd_name() { return active_isa().name; }
}  // namespace cpu_kernels

template <>
struct backend_ops<cpu> {
  template <class T>
  static T* allocate(std::size_t n) {
    if (n == 0) return nullptr;
    const std::size_t bytes = ((n * sizeof(T) + cpu_alignment - 1) / cpu_alignment) * cpu_alignment;
    void* p = std::aligned_alloc(cpu_alignment, bytes);
    if (!p)
      throw memory_error(detail::concat("cpu backend: aligned_alloc(", cpu_alignment, ", ", bytes,
                                        ") failed: out of host memory"));
    return static_cast<T*>(p);
  }
  template <class T>
  static void deallocate(T* p) noexcept { std::free(p); }

  template <class T>
  static void upload(T* dst, const T* host_src, std::size_t n) { copy(dst, host_src, n); }
  template <class T>
  static void download(T* host_dst, const T* src, std::size_t n) { copy(host_dst, src, n); }
  template <class T>
  static void copy(T* dst, const T* src, std::size_t n) {
    if (n) std::memmove(dst, src, n * sizeof(T));
  }
  template <class T>
  static void fill(T* x, std::size_t n, T value) {
    cpu_kernels::detail::for_blocks(n, [&](std::size_t lo, std::size_t hi) { std::fill(x + lo, x + hi, value); });
  }

  template <class T, class F>
  static void map(const T* x, T* y, std::size_t n, const F& f) {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      constexpr int k = cpu_kernels::unary_ops_for<T>::template index_of<F>();
      if constexpr (k >= 0) {
        auto fn = cpu_kernels::active_kernels<T>().unary[k];
        cpu_kernels::detail::for_blocks(n, [&](std::size_t lo, std::size_t hi) { fn(x + lo, y + lo, hi - lo, &f); });
        return;
      }
    }
    // Functors outside the dispatched set: the consumer's own instruction set (xsimd's default).
    cpu_kernels::detail::for_blocks(n, [&](std::size_t lo, std::size_t hi) {
      if constexpr (cpu_kernels::detail::simd_callable<T, F, 1>)
        cpu_kernels::isa_baseline::map_kernel<T, F>(x + lo, y + lo, hi - lo, &f);
      else
        for (std::size_t i = lo; i < hi; ++i) y[i] = f(x[i]);
    });
  }

  template <class T, class F>
  static void zip(const T* a, const T* b, T* y, std::size_t n, const F& f) {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      constexpr int k = cpu_kernels::binary_ops_for::template index_of<F>();
      if constexpr (k >= 0) {
        auto fn = cpu_kernels::active_kernels<T>().binary[k];
        cpu_kernels::detail::for_blocks(n, [&](std::size_t lo, std::size_t hi) { fn(a + lo, b + lo, y + lo, hi - lo, &f); });
        return;
      }
    }
    cpu_kernels::detail::for_blocks(n, [&](std::size_t lo, std::size_t hi) {
      if constexpr (cpu_kernels::detail::simd_callable<T, F, 2>)
        cpu_kernels::isa_baseline::zip_kernel<T, F>(a + lo, b + lo, y + lo, hi - lo, &f);
      else
        for (std::size_t i = lo; i < hi; ++i) y[i] = f(a[i], b[i]);
    });
  }

  template <class T>
  static void axpy(T alpha, const T* x, T* y, std::size_t n) {
    auto fn = cpu_kernels::active_kernels<T>().axpy;
    cpu_kernels::detail::for_blocks(n, [&](std::size_t lo, std::size_t hi) { fn(alpha, x + lo, y + lo, hi - lo); });
  }

  template <class T>
  static T sum(const T* x, std::size_t n) {
    auto fn = cpu_kernels::active_kernels<T>().sum;
    return cpu_kernels::detail::reduce_blocks<T>(n, [&](std::size_t lo, std::size_t hi) { return fn(x + lo, hi - lo); },
                                         [](T a, T b) { return a + b; });
  }
  template <class T>
  static T dot(const T* a, const T* b, std::size_t n) {
    auto fn = cpu_kernels::active_kernels<T>().dot;
    return cpu_kernels::detail::reduce_blocks<T>(
        n, [&](std::size_t lo, std::size_t hi) { return fn(a + lo, b + lo, hi - lo); }, [](T x, T y) { return x + y; });
  }
  template <class T>
  static T max(const T* x, std::size_t n) {
    if (n == 0) throw value_error("cpu backend: max of an empty range");
    auto fn = cpu_kernels::active_kernels<T>().max;
    return cpu_kernels::detail::reduce_blocks<T>(n, [&](std::size_t lo, std::size_t hi) { return fn(x + lo, hi - lo); },
                                         [](T a, T b) { return a > b ? a : b; });
  }

  // Off unless a benchmark turns it on: the multiply-adds of every GEMM since, as 2 m n k FLOPs
  // (bench_models reports a step's FLOPs and their rate against the machine's measured peak).
  // The time inside GEMMs is summed over threads (thread-seconds), so that with the step's time it
  // splits a step into the products and everything else.
  //
  // With `record` on as well, every product is also logged with its shape and time, so that a
  // benchmark can run the same products again outside the step (bench_models --gemm-replay: how fast
  // they are with warm and with cold caches against inside the step).
  struct gemm_call {
    bool ta = false, tb = false, packed = false;  // packed: B came from packed_b (logged as k x n)
    index_t m = 0, n = 0, k = 0, lda = 0, ldb = 0, ldc = 0;
    double alpha = 1, beta = 0;
    std::uint64_t nanoseconds = 0;
  };
  struct flop_count {
    std::atomic<bool> on{false};
    std::atomic<std::uint64_t> flops{0};
    std::atomic<std::uint64_t> nanoseconds{0};
    std::atomic<bool> record{false};
    std::mutex log_mutex;
    std::vector<gemm_call> log;
  };
  static flop_count& gemm_flops() {
    static flop_count c;
    return c;
  }

  template <class T>
  static void gemm(transpose ta, transpose tb, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda,
                   const T* b, index_t ldb, T beta, T* c, index_t ldc) {
    const gemm_meter metered({ta == transpose::yes, tb == transpose::yes, false, m, n, k, lda, ldb, ldc, double(alpha),
                              double(beta)});
    cpu_kernels::active_kernels<T>().gemm(ta == transpose::yes, tb == transpose::yes, m, n, k, alpha, a, lda, b, ldb, beta, c,
                                  ldc);
  }

  // op(B) (k x n) packed once for many products that share it: a recurrent layer's weights against
  // each time step's rows. Bound to the instruction-set level active when packed.
  template <class T>
  class packed_b {
   public:
    void pack(transpose tb, index_t k, index_t n, const T* b, index_t ldb) {
      const auto& kt = cpu_kernels::active_kernels<T>();
      const std::size_t size = kt.packed_b_size(k, n);
      if (size > data_.size()) data_.resize(size);
      kt.pack_b(tb == transpose::yes, k, n, b, ldb, data_.data());
      k_ = k, n_ = n;
    }
    index_t k() const { return k_; }
    index_t n() const { return n_; }
    const T* data() const { return data_.data(); }

   private:
    std::vector<T> data_;
    index_t k_ = -1, n_ = -1;
  };

  // C (m x n) = alpha op(A) B + beta C with B from packed_b::pack (k and n must match it).
  template <class T>
  static void gemm_packed(transpose ta, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda,
                          const packed_b<T>& b, T beta, T* c, index_t ldc) {
    if (b.k() != k || b.n() != n)
      throw shape_error("cpu backend: gemm_packed: B was packed as " + std::to_string(b.k()) + " x " +
                        std::to_string(b.n()) + ", the product needs " + std::to_string(k) + " x " + std::to_string(n));
    const gemm_meter metered({ta == transpose::yes, false, true, m, n, k, lda, n, ldc, double(alpha), double(beta)});
    if (!cpu_kernels::active_kernels<T>().gemm_packed_b(ta == transpose::yes, m, n, k, alpha, a, lda, b.data(), beta, c,
                                                        ldc))
      throw std::bad_alloc();
  }

  // Many small products run one per thread; fewer than the threads run one after another.
  template <class T>
  static void gemm_strided_batched(transpose ta, transpose tb, index_t m, index_t n, index_t k, T alpha, const T* a,
                                   index_t lda, index_t stride_a, const T* b, index_t ldb, index_t stride_b, T beta,
                                   T* c, index_t ldc, index_t stride_c, index_t batch) {
    auto fn = cpu_kernels::active_kernels<T>().gemm;
    const bool ta_ = ta == transpose::yes, tb_ = tb == transpose::yes;
    auto one = [&](index_t i) {
      const gemm_meter metered({ta_, tb_, false, m, n, k, lda, ldb, ldc, double(alpha), double(beta)});
      fn(ta_, tb_, m, n, k, alpha, a + i * stride_a, lda, b + i * stride_b, ldb, beta, c + i * stride_c, ldc);
    };
    if (batch >= omp_get_max_threads() && !omp_in_parallel() && batch > 1) {
#pragma omp parallel for schedule(static)
      for (index_t i = 0; i < batch; ++i) one(i);
    } else {
      for (index_t i = 0; i < batch; ++i) one(i);
    }
  }

  static void synchronize() {}

 private:
  // While a benchmark counts: adds one product's 2 m n k FLOPs and the time until it goes out of scope.
  struct gemm_meter {
    bool on = gemm_flops().on.load(std::memory_order_relaxed);
    bool recording = on && gemm_flops().record.load(std::memory_order_relaxed);
    std::chrono::steady_clock::time_point t0 = on ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    gemm_call call;
    explicit gemm_meter(const gemm_call& c) {
      if (!on) return;
      gemm_flops().flops.fetch_add(
          2 * static_cast<std::uint64_t>(c.m) * static_cast<std::uint64_t>(c.n) * static_cast<std::uint64_t>(c.k),
          std::memory_order_relaxed);
      if (recording) call = c;
    }
    ~gemm_meter() {
      if (!on) return;
      const auto ns = static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
      gemm_flops().nanoseconds.fetch_add(ns, std::memory_order_relaxed);
      if (!recording) return;
      call.nanoseconds = ns;
      const std::lock_guard lock(gemm_flops().log_mutex);
      gemm_flops().log.push_back(call);
    }
  };
};

}  // namespace cantus
