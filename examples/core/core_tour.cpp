// A tour of cantus' core: tensors and views, the CPU backend's dispatched kernels, counter-based
// random numbers, GEMM, and .npy interchange. Run: build/examples/core_tour [--out DIR]
#include <cstdio>
#include <filesystem>

#include "cantus/cantus.hpp"
#include "cli.hpp"

int main(int argc, char** argv) {
  using namespace cantus;
  std::filesystem::path out = "out/core_tour";
  cli::app app{"A tour of cantus' core: tensors and views, dispatched kernels, random numbers, GEMM, .npy.", "core_tour"};
  cli::value_option(app, "--out", "writes DIR/product.npy (default out/core_tour)", "DIR",
                    [&out](const std::string&, const std::string& t) { out = t; });
  cli::parse_or_exit(app, argc, argv);
  try {
    std::printf("cantus %s, CPU kernels: %s, OpenMP threads: %d\n", version, cpu_kernels::simd_name(), omp_get_max_threads());
    // A 256 x 128 random matrix from a counter-based stream: the same numbers for any thread count.
    random_stream rng(2019);
    tensor<float, 2> a({256, 128});
    for (index_t i = 0; i < a.size(); ++i) a.data()[i] = static_cast<float>(rng.normal(i));
    tensor<float, 2> gram({128, 128});
    matmul<float, cpu>(a, a, gram, transpose::yes, transpose::no, 1.f / 256);  // A^T A / n ~ identity
    double diag = 0, off = 0;
    for (index_t i = 0; i < 128; ++i)
      for (index_t j = 0; j < 128; ++j) (i == j ? diag : off) += std::abs(gram(i, j));
    std::printf("A^T A / n: mean |diagonal| %.3f, mean |off-diagonal| %.3f (expect ~1 and ~0.05)\n", diag / 128,
                off / (128 * 127));
    tensor<float, 2> act({256, 128});
    map<float, 2, cpu>(a, act, ops::tanh_fn{});
    std::printf("mean tanh(A) = %+.4f, max = %.4f\n", sum<float, 2, cpu>(act) / act.size(), max<float, 2, cpu>(act));
    // Zero-copy view through Eigen (cantus/core/xtensor_interop.hpp does the same for xtensor).
    std::printf("trace via Eigen: %.3f\n", as_eigen(gram).trace());
    npy::write(out / "product.npy", gram);
    auto back = npy::load<float, 2>(out / "product.npy");
    std::printf("wrote %s, shape [%lld, %lld], round trip exact: %s\n", (out / "product.npy").c_str(),
                static_cast<long long>(back.extent(0)), static_cast<long long>(back.extent(1)),
                back.to_vector() == gram.to_vector() ? "yes" : "no");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "core_tour: %s\n", e.what());
    return 1;
  }
}
