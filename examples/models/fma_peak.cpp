// The machine's single-precision FMA peak, measured: independent chains of fused multiply-adds on the
// widest vectors the processor has (AVX-512 or AVX2 + FMA, chosen at run time), per thread and for a
// team of threads. Compiled with per-ISA flags in functions of their own (examples/models/CMakeLists.txt);
// bench_models divides a model step's GEMM FLOPs by its time and reports the share of this peak.
#include <immintrin.h>
#include <omp.h>

#include <chrono>

namespace bench {
namespace {

// 12 chains (two FMA units x a latency of 4, with room), `iters` FMAs on each; returns FLOPs done.
// Written out per instruction set: a target attribute does not reach into lambdas or templates.
__attribute__((target("avx512f"))) double chains_avx512(long iters, volatile float* sink) {
  __m512 acc[12];
  for (int j = 0; j < 12; ++j) acc[j] = _mm512_set1_ps(1.0f + j);
  const __m512 a = _mm512_set1_ps(0.9999999f), b = _mm512_set1_ps(1e-7f);
  for (long i = 0; i < iters; ++i)
    for (int j = 0; j < 12; ++j) acc[j] = _mm512_fmadd_ps(acc[j], a, b);
  __m512 s = acc[0];
  for (int j = 1; j < 12; ++j) s = _mm512_add_ps(s, acc[j]);
  *sink = _mm512_reduce_add_ps(s);
  return 2.0 * 12 * 16 * static_cast<double>(iters);
}
__attribute__((target("avx2,fma"))) double chains_avx2(long iters, volatile float* sink) {
  __m256 acc[12];
  for (int j = 0; j < 12; ++j) acc[j] = _mm256_set1_ps(1.0f + j);
  const __m256 a = _mm256_set1_ps(0.9999999f), b = _mm256_set1_ps(1e-7f);
  for (long i = 0; i < iters; ++i)
    for (int j = 0; j < 12; ++j) acc[j] = _mm256_fmadd_ps(acc[j], a, b);
  float out[8];
  __m256 s = acc[0];
  for (int j = 1; j < 12; ++j) s = _mm256_add_ps(s, acc[j]);
  _mm256_storeu_ps(out, s);
  *sink = out[0] + out[7];
  return 2.0 * 12 * 8 * static_cast<double>(iters);
}

}  // namespace

// GFLOP/s of `threads` threads each running FMA chains for about `seconds`; 0 without AVX2 + FMA.
double fma_peak_gflops(int threads, double seconds, const char** isa) {
  const bool avx512 = __builtin_cpu_supports("avx512f"), avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (isa) *isa = avx512 ? "AVX-512" : avx2 ? "AVX2+FMA" : "none";
  if (!avx512 && !avx2) return 0;
  volatile float sink = 0;
  auto once = [&](long iters) { return avx512 ? chains_avx512(iters, &sink) : chains_avx2(iters, &sink); };
  once(1 << 16);  // warm-up: clocks up, code in cache
  long iters = 1 << 20;
  for (;;) {  // size the run to about `seconds` on one thread
    const auto t0 = std::chrono::steady_clock::now();
    once(iters);
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (dt > seconds / 4) {
      iters = static_cast<long>(static_cast<double>(iters) * seconds / dt);
      break;
    }
    iters *= 4;
  }
  double flops = 0;
  const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : flops)
  flops += once(iters);
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return flops / dt / 1e9;
}

}  // namespace bench
