#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cantus/cantus.hpp"
#include "device_ops.hpp"

using namespace cantus;
namespace ct = cantus::cuda_test;

#define CANTUS_REQUIRE_CUDA_DEVICE()                      \
  do {                                                    \
    if (!ct::device_present()) {                          \
      std::printf("skipped: no CUDA device\n");           \
      BOOST_TEST_MESSAGE("skipped: no CUDA device");      \
      return;                                             \
    }                                                     \
  } while (0)

namespace {
std::vector<float> values(std::size_t n, std::uint64_t seed) {
  random_stream r(seed);
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = r.uniform(i) * 4.f - 2.f;
  return v;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(cuda_backend)

BOOST_AUTO_TEST_CASE(device_and_libraries) {
  CANTUS_REQUIRE_CUDA_DEVICE();
  BOOST_TEST_MESSAGE("device: " << ct::device_description());
  BOOST_TEST(!ct::device_description().empty());
}

// Every device result is compared with the CPU backend on the same inputs.
BOOST_AUTO_TEST_CASE(elementwise_matches_cpu) {
  CANTUS_REQUIRE_CUDA_DEVICE();
  auto a = values(100003, 1), b = values(100003, 2);
  auto s = ct::map_sigmoid(a);
  std::vector<float> ref(a.size());
  backend_ops<cpu>::map(a.data(), ref.data(), a.size(), ops::sigmoid{});
  for (std::size_t i = 0; i < a.size(); i += 97) BOOST_TEST(s[i] == ref[i], boost::test_tools::tolerance(1e-6f));
  auto z = ct::zip_plus_axpy(a, b, 0.5f);
  for (std::size_t i = 0; i < a.size(); i += 97) BOOST_TEST(z[i] == a[i] + b[i] + 0.5f * a[i], boost::test_tools::tolerance(1e-6f));
}

BOOST_AUTO_TEST_CASE(reductions_match_cpu_and_are_reproducible) {
  CANTUS_REQUIRE_CUDA_DEVICE();
  auto a = values(1 << 20, 3), b = values(1 << 20, 4);
  BOOST_TEST(ct::sum(a) == backend_ops<cpu>::sum(a.data(), a.size()), boost::test_tools::tolerance(1e-3f));
  BOOST_TEST(ct::dot(a, b) == backend_ops<cpu>::dot(a.data(), b.data(), a.size()), boost::test_tools::tolerance(1e-3f));
  BOOST_TEST(ct::max(a) == backend_ops<cpu>::max(a.data(), a.size()));
  BOOST_TEST(ct::sum(a) == ct::sum(a));  // bitwise the same run to run
}

BOOST_AUTO_TEST_CASE(gemm_matches_cpu_for_all_transposes) {
  CANTUS_REQUIRE_CUDA_DEVICE();
  const int m = 33, n = 47, k = 65;
  auto a = values(m * k, 5), b = values(k * n, 6);
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      auto c = ct::gemm(ta, tb, m, n, k, a, b);
      std::vector<float> ref(m * n);
      backend_ops<cpu>::gemm(ta ? transpose::yes : transpose::no, tb ? transpose::yes : transpose::no, m, n, k, 1.f,
                             a.data(), ta ? m : k, b.data(), tb ? k : n, 0.f, ref.data(), n);
      for (int i = 0; i < m * n; ++i) BOOST_TEST(std::abs(c[i] - ref[i]) < 1e-3f);
    }
  std::vector<double> ad(3 * 4 * 5), bd(3 * 5 * 6);
  for (std::size_t i = 0; i < ad.size(); ++i) ad[i] = 0.1 * i;
  for (std::size_t i = 0; i < bd.size(); ++i) bd[i] = 1.0 - 0.05 * i;
  auto cd = ct::gemm_batched(3, 4, 6, 5, ad, bd);
  std::vector<double> refd(3 * 4 * 6);
  backend_ops<cpu>::gemm_strided_batched(transpose::no, transpose::no, 4, 6, 5, 1.0, ad.data(), 5, 20, bd.data(), 6, 30,
                                         0.0, refd.data(), 6, 24, 3);
  // Relative to the largest entry: some entries cancel to ~1e-17, where any other summation order
  // differs by 100 % of the entry and by nothing of the product's scale.
  double scale = 0;
  for (double v : refd) scale = std::max(scale, std::abs(v));
  for (std::size_t i = 0; i < refd.size(); ++i) BOOST_TEST(std::abs(cd[i] - refd[i]) <= 1e-13 * scale, i << ": " << cd[i] << " vs " << refd[i]);
}

BOOST_AUTO_TEST_CASE(out_of_memory_names_the_call) {
  CANTUS_REQUIRE_CUDA_DEVICE();
  try {
    ct::allocate_too_much();
    BOOST_FAIL("expected memory_error");
  } catch (const memory_error& e) {
    BOOST_TEST(std::string(e.what()).find("cudaMalloc") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(nccl_reduces_weighted_gradients_on_the_device) {
  CANTUS_REQUIRE_CUDA_DEVICE();
  const std::vector<float> g{1.f, -2.f, 0.5f, 4.f};
  const auto r = ct::nccl_weighted_sum(g, 0.25f);
  if (r.empty()) {
    std::printf("skipped: this build has no NCCL\n");
    return;
  }
  BOOST_REQUIRE_EQUAL(r.size(), g.size());
  for (std::size_t i = 0; i < g.size(); ++i) BOOST_TEST(r[i] == 0.25f * g[i]);
}

BOOST_AUTO_TEST_SUITE_END()
