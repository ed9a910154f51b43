#include <boost/test/unit_test.hpp>
#include <cmath>
#include <omp.h>

#include "cantus/cantus.hpp"

using namespace cantus;
namespace utf = boost::unit_test;

namespace {
template <class T>
std::vector<T> ramp(std::size_t n, std::uint64_t seed) {
  random_stream r(seed);
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<T>(r.uniform_double(i) * 4.0 - 2.0);
  return v;
}

// Every instruction-set level that is compiled in and that this processor runs.
std::vector<const cpu_kernels::isa_tables*> runnable_levels() {
  cpu_kernels::active_isa();  // registers the baseline
  std::vector<const cpu_kernels::isa_tables*> out;
  for (int l = 0; l < cpu_kernels::isa_count; ++l)
    if (cpu_kernels::registered_isas[l].f32 && cpu_kernels::detail::cpu_supports(static_cast<cpu_kernels::isa>(l))) out.push_back(&cpu_kernels::registered_isas[l]);
  return out;
}

template <class T>
void naive_gemm(bool ta, bool tb, int m, int n, int k, const std::vector<T>& a, const std::vector<T>& b,
                std::vector<T>& c, T alpha, T beta) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int p = 0; p < k; ++p) s += double(ta ? a[p * m + i] : a[i * k + p]) * double(tb ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = static_cast<T>(alpha * s + beta * c[i * n + j]);
    }
}
}  // namespace

BOOST_AUTO_TEST_SUITE(backend_cpu)

BOOST_AUTO_TEST_CASE(dispatch_registers_the_instruction_sets_present) {
  auto levels = runnable_levels();
  BOOST_TEST_MESSAGE("active SIMD level: " << cpu_kernels::simd_name());
  BOOST_TEST(levels.size() >= 1u);
#if defined(CANTUS_SIMD_DISPATCH)
  if (cpu_kernels::detail::cpu_supports(cpu_kernels::isa::avx2)) BOOST_TEST(cpu_kernels::registered_isas[1].f32 != nullptr);
  if (cpu_kernels::detail::cpu_supports(cpu_kernels::isa::avx512)) BOOST_TEST(std::string(cpu_kernels::simd_name()).find("avx512") == 0u);
#endif
}

BOOST_AUTO_TEST_CASE(elementwise_kernels_match_scalar_reference_at_every_level) {
  const std::size_t n = 1037;  // not a multiple of any vector width: exercises the tails
  auto x = ramp<float>(n, 1), y = ramp<float>(n, 2);
  for (auto* lv : runnable_levels()) {
    BOOST_TEST_CONTEXT("level " << lv->name) {
      const auto& k = *lv->f32;
      std::vector<float> out(n);
      ops::sigmoid sig;
      k.unary[cpu_kernels::unary_ops_for<float>::index_of<ops::sigmoid>()](x.data(), out.data(), n, &sig);
      for (std::size_t i = 0; i < n; ++i) BOOST_TEST(out[i] == 1.f / (1.f + std::exp(-x[i])), boost::test_tools::tolerance(2e-6f));
      ops::tanh_fn th;
      k.unary[cpu_kernels::unary_ops_for<float>::index_of<ops::tanh_fn>()](x.data(), out.data(), n, &th);
      for (std::size_t i = 0; i < n; ++i) BOOST_TEST(out[i] == std::tanh(x[i]), boost::test_tools::tolerance(2e-6f));
      ops::leaky_relu<float> lr{0.1f};
      k.unary[cpu_kernels::unary_ops_for<float>::index_of<ops::leaky_relu<float>>()](x.data(), out.data(), n, &lr);
      for (std::size_t i = 0; i < n; ++i) BOOST_TEST(out[i] == (x[i] > 0 ? x[i] : 0.1f * x[i]));
      ops::maximum mx;
      k.binary[cpu_kernels::binary_ops_for::index_of<ops::maximum>()](x.data(), y.data(), out.data(), n, &mx);
      for (std::size_t i = 0; i < n; ++i) BOOST_TEST(out[i] == std::max(x[i], y[i]));
      double ref = 0, refdot = 0;
      float refmax = -INFINITY;
      for (std::size_t i = 0; i < n; ++i) ref += x[i], refdot += double(x[i]) * y[i], refmax = std::max(refmax, x[i]);
      BOOST_TEST(k.sum(x.data(), n) == ref, boost::test_tools::tolerance(1e-4));
      BOOST_TEST(k.dot(x.data(), y.data(), n) == refdot, boost::test_tools::tolerance(1e-4));
      BOOST_TEST(k.max(x.data(), n) == refmax);
      std::vector<float> z = y;
      k.axpy(0.5f, x.data(), z.data(), n);
      for (std::size_t i = 0; i < n; ++i) BOOST_TEST(z[i] == y[i] + 0.5f * x[i], boost::test_tools::tolerance(1e-6f));
    }
  }
}

// ReLU's gradient and the 2x2 max-pool row kernel: vector bodies and tails, ties, zeros and NaNs,
// against the scalar rules (dy where y > 0; the first maximum of the window in reading order, a NaN
// winning and staying).
BOOST_AUTO_TEST_CASE(relu_gradient_and_max_pool_rows_at_every_level) {
  const std::size_t n = 1037;
  std::vector<float> y(n), dy(n);
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = float(int(i * 7 % 5) - 2);  // -2..2: zeros and negatives in every vector
    dy[i] = float(i % 11) - 5.5f;
  }
  y[20] = NAN, dy[21] = NAN, y[21] = 1.f, dy[22] = NAN, y[22] = 0.f;
  const index_t count = 77, w = 2 * count + 3;  // rows longer than the two-row window
  std::vector<float> rows(2 * w);
  for (index_t i = 0; i < 2 * w; ++i) rows[i] = float((i * 13) % 4);  // few values: ties everywhere
  rows[2 * 5 + 1] = NAN, rows[w + 2 * 5] = NAN;                      // two NaNs in one window
  rows[w + 2 * 40 + 1] = NAN, rows[w + 2 * 60] = NAN, rows[2 * 70] = -INFINITY, rows[2 * 70 + 1] = -INFINITY;
  for (auto* lv : runnable_levels()) {
    BOOST_TEST_CONTEXT("level " << lv->name) {
      const auto& k = *lv->f32;
      std::vector<float> out(n);
      ops::relu_grad rg;
      k.binary[cpu_kernels::binary_ops_for::index_of<ops::relu_grad>()](y.data(), dy.data(), out.data(), n, &rg);
      for (std::size_t i = 0; i < n; ++i) {
        const float want = y[i] > 0.f ? dy[i] : 0.f;
        BOOST_TEST((std::isnan(want) ? std::isnan(out[i]) : out[i] == want), "element " << i);
      }
      std::vector<float> best(count);
      std::vector<std::int32_t> where(count);
      k.max_pool_2x2_row(rows.data(), rows.data() + w, count, 1000, std::int32_t(w), best.data(), where.data());
      for (index_t j = 0; j < count; ++j) {
        const index_t at[4] = {2 * j, 2 * j + 1, w + 2 * j, w + 2 * j + 1};
        index_t pick = at[0];
        for (int q = 1; q < 4; ++q) {
          const float v = rows[at[q]], b = rows[pick];
          if (v > b || (std::isnan(v) && !std::isnan(b))) pick = at[q];
        }
        BOOST_TEST(where[j] == 1000 + pick, "window " << j);
        BOOST_TEST((std::isnan(rows[pick]) ? std::isnan(best[j]) : best[j] == rows[pick]), "window " << j);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(gemm_all_transposes_at_every_level) {
  const int m = 37, n = 29, k = 53;
  auto a = ramp<double>(m * k, 3), b = ramp<double>(k * n, 4), c0 = ramp<double>(m * n, 5);
  for (auto* lv : runnable_levels())
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) {
        BOOST_TEST_CONTEXT("level " << lv->name << " ta " << ta << " tb " << tb) {
          std::vector<double> c = c0, ref = c0;
          lv->f64->gemm(ta, tb, m, n, k, 0.75, a.data(), ta ? m : k, b.data(), tb ? k : n, 0.5, c.data(), n);
          naive_gemm<double>(ta, tb, m, n, k, a, b, ref, 0.75, 0.5);
          for (int i = 0; i < m * n; ++i) BOOST_TEST(c[i] == ref[i], boost::test_tools::tolerance(1e-12));
        }
      }
}

// Shapes big enough for the blocked kernel (gemm_kernel.inl) and crossing its blocks: m past MC
// (192 rows on AVX-512), k past KC (256), n past NC (4096), with row and column tails.
template <class T>
void check_blocked_gemm(const cpu_kernels::isa_tables& lv, const cpu_kernels::kernel_table<T>& kt, double tol) {
  struct shape { int m, n, k; };
  for (shape s : {shape{203, 77, 300}, shape{40, 4133, 9}, shape{16, 600, 520}}) {
    auto a = ramp<T>(std::size_t(s.m) * s.k, 11), b = ramp<T>(std::size_t(s.k) * s.n, 12),
         c0 = ramp<T>(std::size_t(s.m) * s.n, 13);
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb)
        for (T beta : {T(0), T(1), T(0.5)}) {
          BOOST_TEST_CONTEXT("level " << lv.name << " " << s.m << "x" << s.n << "x" << s.k << " ta " << ta << " tb " << tb
                                      << " beta " << beta) {
            std::vector<T> c = c0, ref = c0;
            if (beta == T(0)) std::fill(c.begin(), c.end(), T(NAN));  // beta = 0 never reads C
            kt.gemm(ta, tb, s.m, s.n, s.k, T(0.75), a.data(), ta ? s.m : s.k, b.data(), tb ? s.k : s.n, beta, c.data(), s.n);
            naive_gemm<T>(ta, tb, s.m, s.n, s.k, a, b, ref, T(0.75), beta);
            double worst = 0;
            for (std::size_t i = 0; i < c.size(); ++i) worst = std::max(worst, std::abs(double(c[i]) - double(ref[i])));
            BOOST_TEST(worst < tol);
            // The same product with B packed once (the recurrent layers' path).
            std::vector<T> packed(kt.packed_b_size(s.k, s.n)), cp = c0;
            kt.pack_b(tb, s.k, s.n, b.data(), tb ? s.k : s.n, packed.data());
            if (beta == T(0)) std::fill(cp.begin(), cp.end(), T(NAN));
            BOOST_TEST(kt.gemm_packed_b(ta, s.m, s.n, s.k, T(0.75), a.data(), ta ? s.m : s.k, packed.data(), beta, cp.data(), s.n));
            worst = 0;
            for (std::size_t i = 0; i < cp.size(); ++i) worst = std::max(worst, std::abs(double(cp[i]) - double(ref[i])));
            BOOST_TEST(worst < tol);
          }
        }
  }
}

BOOST_AUTO_TEST_CASE(blocked_and_packed_gemm_at_every_level) {
  for (auto* lv : runnable_levels()) {
    check_blocked_gemm<float>(*lv, *lv->f32, 2e-3);  // sums of up to 520 products of values in [-2, 2]
    check_blocked_gemm<double>(*lv, *lv->f64, 1e-10);
  }
}

BOOST_AUTO_TEST_CASE(packed_gemm_refuses_a_b_of_another_shape) {
  backend_ops<cpu>::packed_b<float> p;
  std::vector<float> b(12, 1.f), a(8, 1.f), c(6, 0.f);
  p.pack(transpose::no, 4, 3, b.data(), 3);
  BOOST_CHECK_THROW(backend_ops<cpu>::gemm_packed(transpose::no, 2, 3, 5, 1.f, a.data(), 4, p, 0.f, c.data(), 3),
                    shape_error);
  backend_ops<cpu>::gemm_packed(transpose::no, 2, 3, 4, 1.f, a.data(), 4, p, 0.f, c.data(), 3);
  for (float x : c) BOOST_TEST(x == 4.f);
}

BOOST_AUTO_TEST_CASE(gemm_beta_zero_ignores_garbage_and_batched_matches) {
  const int batch = 5, m = 8, n = 6, k = 4;
  tensor<float, 3> a({batch, m, k}), b({batch, k, n}), c({batch, m, n}, NAN);
  auto av = ramp<float>(a.size(), 6), bv = ramp<float>(b.size(), 7);
  std::copy(av.begin(), av.end(), a.data());
  std::copy(bv.begin(), bv.end(), b.data());
  batched_matmul<float, cpu>(a, b, c);
  for (int i = 0; i < batch; ++i) {
    std::vector<float> ai(a[i].span().begin(), a[i].span().end()), bi(b[i].span().begin(), b[i].span().end()),
        ref(m * n, 0.f);
    naive_gemm<float>(false, false, m, n, k, ai, bi, ref, 1.f, 0.f);
    for (int j = 0; j < m * n; ++j) BOOST_TEST(std::abs(c[i].span()[j] - ref[j]) < 1e-5f);
  }
}

BOOST_AUTO_TEST_CASE(matmul_shape_mismatch_names_both_shapes) {
  tensor<float, 2> a({3, 4}), b({5, 2}), c({3, 2});
  try {
    matmul<float, cpu>(a, b, c);
    BOOST_FAIL("expected shape_error");
  } catch (const shape_error& e) {
    const std::string m = e.what();
    BOOST_TEST(m.find("matmul") != std::string::npos);
    BOOST_TEST(m.find("[3, 4]") != std::string::npos);
    BOOST_TEST(m.find("[5, 2]") != std::string::npos);
  }
  tensor<float, 2> x({2, 2}), y({2, 3});
  BOOST_CHECK_THROW((zip<float, 2, cpu>(x, x, y, ops::plus{})), shape_error);
}

BOOST_AUTO_TEST_CASE(reductions_are_identical_for_any_thread_count) {
  const std::size_t n = (1 << 20) + 123;
  auto x = ramp<float>(n, 8);
  tensor<float, 1> t({static_cast<index_t>(n)}, std::span<const float>(x));
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const float s1 = sum<float, 1, cpu>(t), d1 = dot<float, 1, cpu>(t, t);
  omp_set_num_threads(2);
  const float s2 = sum<float, 1, cpu>(t), d2 = dot<float, 1, cpu>(t, t);
  omp_set_num_threads(4);
  const float s4 = sum<float, 1, cpu>(t);
  omp_set_num_threads(saved);
  BOOST_TEST(s1 == s2);
  BOOST_TEST(s1 == s4);
  BOOST_TEST(d1 == d2);
}

BOOST_AUTO_TEST_CASE(map_with_custom_functor_and_large_parallel_map) {
  struct cube {
    float operator()(float v) const { return v * v * v; }
  };
  tensor<float, 1> x({300000}, 2.f), y({300000});
  backend_ops<cpu>::map(x.data(), y.data(), 300000, cube{});  // scalar-only functor: generic path
  BOOST_TEST(y(299999) == 8.f);
  map<float, 1, cpu>(x, y, ops::scale_by<float>{3.f});
  BOOST_TEST(y(123456) == 6.f);
  fill<float, 1, cpu>(y, 0.5f);
  BOOST_TEST((sum<float, 1, cpu>(y)) == 150000.f);
}

BOOST_AUTO_TEST_SUITE_END()
