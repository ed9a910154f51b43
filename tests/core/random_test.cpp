#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <omp.h>

#include "cantus/core/random.hpp"

using namespace cantus;

BOOST_AUTO_TEST_SUITE(random_suite)

// Known-answer vectors of Random123's philox4x32-10 (kat_vectors).
BOOST_AUTO_TEST_CASE(philox_known_answers) {
  auto zero = philox4x32::generate(0, 0, 0);
  BOOST_TEST(zero.v[0] == 0x6627e8d5u);
  BOOST_TEST(zero.v[1] == 0xe169c58du);
  BOOST_TEST(zero.v[2] == 0xbc57ac4cu);
  BOOST_TEST(zero.v[3] == 0x9b00dbd8u);
  auto ones = philox4x32::generate(~0ull, ~0ull, ~0ull);
  BOOST_TEST(ones.v[0] == 0x408f276du);
  BOOST_TEST(ones.v[1] == 0x41c83b0eu);
  BOOST_TEST(ones.v[2] == 0xa20bc7c6u);
  BOOST_TEST(ones.v[3] == 0x6d5451fdu);
  auto pi = philox4x32::generate(0x299f31d0a4093822ull, 0x0370734413198a2eull, 0x85a308d3243f6a88ull);
  BOOST_TEST(pi.v[0] == 0xd16cfe09u);
  BOOST_TEST(pi.v[1] == 0x94fdccebu);
  BOOST_TEST(pi.v[2] == 0x5001e420u);
  BOOST_TEST(pi.v[3] == 0x24126ea1u);
}

BOOST_AUTO_TEST_CASE(values_do_not_depend_on_thread_count_or_order) {
  random_stream r(42, 7);
  std::vector<float> serial(10000), parallel(10000);
  for (int i = 0; i < 10000; ++i) serial[i] = r.uniform(i);
#pragma omp parallel for num_threads(3) schedule(dynamic, 17)
  for (int i = 9999; i >= 0; --i) parallel[i] = r.uniform(i);
  BOOST_TEST(serial == parallel, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(distributions_have_the_right_moments) {
  random_stream r(1);
  const int n = 200000;
  double su = 0, sn = 0, sn2 = 0;
  float umin = 1, umax = 0;
  for (int i = 0; i < n; ++i) {
    const float u = r.uniform(i);
    umin = std::min(umin, u);
    umax = std::max(umax, u);
    su += u;
    const double z = r.normal(i);
    sn += z;
    sn2 += z * z;
  }
  BOOST_TEST(umin >= 0.f);
  BOOST_TEST(umax < 1.f);
  BOOST_TEST(std::abs(su / n - 0.5) < 0.005);
  BOOST_TEST(std::abs(sn / n) < 0.01);
  BOOST_TEST(std::abs(sn2 / n - 1.0) < 0.02);
  std::vector<int> hist(10);
  for (int i = 0; i < 100000; ++i) ++hist[r.below(i, 10)];
  for (int h : hist) BOOST_TEST(std::abs(h - 10000) < 500);
}

BOOST_AUTO_TEST_CASE(streams_and_seeds_are_independent_and_reproducible) {
  random_stream a(5), b(5), c(6), d = a.split(0);
  BOOST_TEST(a.u32(3) == b.u32(3));
  BOOST_TEST(a.u32(3) != c.u32(3));
  BOOST_TEST(a.u32(3) != d.u32(3));
  random_engine e1(9), e2(9);
  std::vector<int> v1(50), v2(50);
  std::iota(v1.begin(), v1.end(), 0);
  v2 = v1;
  e1.shuffle(v1.begin(), v1.end());
  e2.shuffle(v2.begin(), v2.end());
  BOOST_TEST(v1 == v2, boost::test_tools::per_element());
  BOOST_TEST(!std::is_sorted(v1.begin(), v1.end()));
}

BOOST_AUTO_TEST_SUITE_END()
