// Throughput of the CPU backend's kernels against plain Eigen (compiled with this program's own
// flags, as a user who writes Eigen code without -march gets it) and against the machine's measured
// peaks: an FMA-chain probe for GFLOP/s and memcpy for GB/s.
//   build/examples/bench_kernels [--threads N] [--seconds S] [--markdown]
#include <omp.h>

#include <Eigen/Core>
#include <chrono>
#include <cstdio>
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "cantus/cantus.hpp"
#include "cli.hpp"

using namespace cantus;
using clk = std::chrono::steady_clock;

namespace {
double min_seconds = 0.5;

// Best-of repetitions for at least `min_seconds`; returns seconds per call.
double time_it(const std::function<void()>& f) {
  f();  // warm-up
  double best = 1e30, total = 0;
  int reps = 0;
  while (total < min_seconds || reps < 3) {
    const auto t0 = clk::now();
    f();
    const double dt = std::chrono::duration<double>(clk::now() - t0).count();
    best = std::min(best, dt);
    total += dt;
    ++reps;
  }
  return best;
}

struct row {
  std::string what, unit;
  double cantus, eigen, peak;
};
std::vector<row> rows;

void report(const std::string& what, const std::string& unit, double c, double e, double peak) {
  rows.push_back({what, unit, c, e, peak});
  std::printf("%-44s %9.1f %-7s eigen %9.1f  x%.2f  (%.0f%% of peak)\n", what.c_str(), c, unit.c_str(), e, c / e,
              100.0 * c / peak);
  std::fflush(stdout);
}
}  // namespace

int main(int argc, char** argv) {
  int threads = std::min(omp_get_max_threads(), 1024);
  bool markdown = false;
  cli::app app{"Times the CPU backend's kernels (GEMM, convolutions, activations) against Eigen.", "bench_kernels"};
  cli::threads(app, threads, false, "threads (default: OpenMP's)");
  cli::real(app, "--seconds", min_seconds, 0.001, 3600, "least time per measurement (seconds)");
  app.add_flag("--markdown", markdown, "print markdown tables");
  return cli::run(app, argc, argv, [&] {
    omp_set_num_threads(threads);
    Eigen::setNbThreads(threads);
    const auto& k = cpu_kernels::active_kernels<float>();
    std::printf("cantus bench_kernels: SIMD %s, %d thread(s), Eigen SIMD (this program's flags): %s\n",
                cpu_kernels::simd_name(), threads, Eigen::SimdInstructionSetsInUse());

    // ---- peaks ------------------------------------------------------------------------------------
    const std::size_t probe_iters = 20'000'000;
    volatile float sink = 0;
    const double t_probe = time_it([&] {
      float s = 0;
  #pragma omp parallel reduction(+ : s)
      s += k.fma_probe(probe_iters);
      sink = s;
    });
    const double peak_gflops = double(probe_iters) * k.fma_probe_flops_per_iteration * threads / t_probe / 1e9;
    const std::size_t big = std::size_t(1) << 25;  // 128 MiB per float array: far beyond the caches
    std::vector<float> src(big, 1.f), dst(big), src2(big, 2.f);
    const double t_copy = time_it([&] {
  #pragma omp parallel for schedule(static)
      for (std::int64_t b = 0; b < 64; ++b)
        std::memcpy(dst.data() + b * (big / 64), src.data() + b * (big / 64), big / 64 * sizeof(float));
    });
    const double peak_gbs = 2.0 * big * sizeof(float) / t_copy / 1e9;
    std::printf("measured peak: %.1f GFLOP/s (FMA probe, float), %.1f GB/s (memcpy, read+write)\n\n", peak_gflops, peak_gbs);

    // ---- GEMM -------------------------------------------------------------------------------------
    for (int n : {128, 256, 512, 1024, 2048}) {
      using mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
      mat a = mat::Random(n, n), b = mat::Random(n, n), c(n, n);
      const double flops = 2.0 * n * n * n;
      const double tc = time_it([&] {
        backend_ops<cpu>::gemm(transpose::no, transpose::no, n, n, n, 1.f, a.data(), n, b.data(), n, 0.f, c.data(), n);
      });
      const double te = time_it([&] { c.noalias() = a * b; });
      report("sgemm " + std::to_string(n) + "^3", "GFLOP/s", flops / tc / 1e9, flops / te / 1e9, peak_gflops);
    }
    {  // the shape of a recurrent step: [B, H] x [H, 3H]
      const int m = 32, kk = 512, n = 2048;
      std::vector<float> a(m * kk, 0.5f), b(kk * n, 0.25f), c(m * n);
      using cmat = Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
      cmat A(a.data(), m, kk), B(b.data(), kk, n), C(c.data(), m, n);
      const double flops = 2.0 * m * n * kk;
      const double tc = time_it([&] {
        backend_ops<cpu>::gemm(transpose::no, transpose::no, m, n, kk, 1.f, a.data(), kk, b.data(), n, 0.f, c.data(), n);
      });
      const double te = time_it([&] { C.noalias() = A * B; });
      report("sgemm 32x512 * 512x2048 (RNN step)", "GFLOP/s", flops / tc / 1e9, flops / te / 1e9, peak_gflops);
    }

    // ---- element-wise -----------------------------------------------------------------------------
    Eigen::Map<Eigen::ArrayXf> X(src.data(), big), Y(dst.data(), big), X2(src2.data(), big);
    auto bytes2 = 2.0 * big * sizeof(float), bytes3 = 3.0 * big * sizeof(float);
    auto el = [&](const char* name, double bytes, const std::function<void()>& c, const std::function<void()>& e) {
      const double tc = time_it(c), te = time_it(e);
      report(name, "GB/s", bytes / tc / 1e9, bytes / te / 1e9, peak_gbs);
    };
    el("relu (map) 32M floats", bytes2, [&] { backend_ops<cpu>::map(src.data(), dst.data(), big, ops::relu{}); },
       [&] { Y = X.max(0.f); });
    el("sigmoid (map) 32M floats", bytes2, [&] { backend_ops<cpu>::map(src.data(), dst.data(), big, ops::sigmoid{}); },
       [&] { Y = 1.f / (1.f + (-X).exp()); });
    el("tanh (map) 32M floats", bytes2, [&] { backend_ops<cpu>::map(src.data(), dst.data(), big, ops::tanh_fn{}); },
       [&] { Y = X.tanh(); });
    el("a + b (zip) 32M floats", bytes3, [&] { backend_ops<cpu>::zip(src.data(), src2.data(), dst.data(), big, ops::plus{}); },
       [&] { Y = X + X2; });
    el("axpy 32M floats", bytes3, [&] { backend_ops<cpu>::axpy(0.5f, src.data(), dst.data(), big); },
       [&] { Y += 0.5f * X; });
    el("sum 32M floats", bytes2 / 2, [&] { sink = backend_ops<cpu>::sum(src.data(), big); }, [&] { sink = X.sum(); });

    if (markdown) {
      std::printf("\n| kernel | cantus | plain Eigen | cantus / Eigen | %% of measured peak |\n|---|---|---|---|---|\n");
      for (auto& r : rows)
        std::printf("| %s | %.1f %s | %.1f %s | %.2fx | %.0f%% |\n", r.what.c_str(), r.cantus, r.unit.c_str(), r.eigen,
                    r.unit.c_str(), r.cantus / r.eigen, 100 * r.cantus / r.peak);
    }
    return 0;
  });
}
