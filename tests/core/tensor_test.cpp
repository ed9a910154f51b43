#include <boost/test/unit_test.hpp>

#include "cantus/cantus.hpp"
#if CANTUS_TEST_XTENSOR  // the opt-in xtensor bridges (target cantus::xtensor)
#include <xtensor/xarray.hpp>
#include <xtensor/xmath.hpp>

#include "cantus/core/xtensor_interop.hpp"
#endif

using namespace cantus;

BOOST_AUTO_TEST_SUITE(tensor_suite)

BOOST_AUTO_TEST_CASE(owning_storage_is_aligned_and_shaped) {
  tensor<float, 3> t({2, 3, 5}, 1.5f);
  BOOST_TEST(t.size() == 30);
  BOOST_TEST(reinterpret_cast<std::uintptr_t>(t.data()) % 64 == 0u);
  BOOST_TEST(t(1, 2, 4) == 1.5f);
  t(1, 2, 4) = 7.f;
  BOOST_TEST(t.data()[29] == 7.f);
  tensor<float, 3> copy = t;  // deep copy
  copy(0, 0, 0) = -1.f;
  BOOST_TEST(t(0, 0, 0) == 1.5f);
  auto moved = std::move(copy);
  BOOST_TEST(moved(0, 0, 0) == -1.f);
}

BOOST_AUTO_TEST_CASE(views_slices_and_reshape) {
  tensor<int, 2> t({4, 3});
  for (int i = 0; i < 12; ++i) t.data()[i] = i;
  auto row = t[2];
  BOOST_TEST(row.size() == 3);
  BOOST_TEST(row(1) == 7);
  auto cols = t.view().slice(1, 1, 3);  // columns 1..2, strided
  BOOST_TEST(!cols.is_contiguous());
  BOOST_TEST(cols(3, 0) == 10);
  auto gathered = tensor<int, 2>::copy_of(cols);
  BOOST_TEST(gathered.to_vector() == (std::vector<int>{1, 2, 4, 5, 7, 8, 10, 11}), boost::test_tools::per_element());
  auto r = t.view().reshape<3>({2, 2, 3});
  BOOST_TEST(r(1, 1, 2) == 11);
  BOOST_CHECK_THROW(cols.reshape<1>({8}), shape_error);
  BOOST_CHECK_THROW(t.view().reshape<1>({13}), shape_error);
  BOOST_CHECK_THROW(t.view().slice(0, 2, 5), shape_error);
  auto flat = std::move(t).reshaped<1>({12});
  BOOST_TEST(flat(11) == 11);
}

BOOST_AUTO_TEST_CASE(fixed_and_static_shapes) {
  fixed_tensor<float, cpu, 4, 8> w(0.25f);
  static_assert(decltype(w)::static_size == 32);
  static_assert(decltype(w)::static_extents[1] == 8);
  BOOST_TEST(w.size() == 32);
  using frame = static_shape<dyn, 128>;
  BOOST_CHECK_NO_THROW(frame::check("step_vae", {17, 128}));
  try {
    frame::check("step_vae", {17, 64});
    BOOST_FAIL("expected a shape_error");
  } catch (const shape_error& e) {
    const std::string m = e.what();
    BOOST_TEST(m.find("step_vae") != std::string::npos);
    BOOST_TEST(m.find("[?, 128]") != std::string::npos);
    BOOST_TEST(m.find("[17, 64]") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(zero_copy_eigen_and_xtensor) {
  tensor<float, 2> t({3, 4}, 0.f);
  auto m = as_eigen(t);
  m(1, 2) = 5.f;
  BOOST_TEST(t(1, 2) == 5.f);
  BOOST_TEST(m.data() == t.data());
#if CANTUS_TEST_XTENSOR
  auto x = as_xtensor(t);
  x(2, 3) = 9.f;
  BOOST_TEST(t(2, 3) == 9.f);
  BOOST_TEST(xt::sum(x)() == 14.f);
#endif
  // strided view through both
  auto col = t.view().slice(1, 2, 3);
  BOOST_TEST(as_eigen(col)(1, 0) == 5.f);
#if CANTUS_TEST_XTENSOR
  BOOST_TEST(as_xtensor(col)(1, 0) == 5.f);
#endif
  // memory owned by Eigen / xtensor viewed as tensors
  eigen_row_matrix<double> e(2, 2);
  e << 1, 2, 3, 4;
  auto ev = view_of(e);
  BOOST_TEST(ev(1, 0) == 3.0);
#if CANTUS_TEST_XTENSOR
  xt::xarray<float> xa = {{1.f, 2.f}, {3.f, 4.f}};
  auto xv = view_of_xtensor<2>(xa);
  BOOST_TEST(xv(1, 1) == 4.f);
#else
  BOOST_TEST_MESSAGE("xtensor bridges not tested: built without cantus::xtensor");
#endif
}

BOOST_AUTO_TEST_CASE(host_data_count_must_match_shape) {
  std::vector<float> v(5);
  try {
    tensor<float, 2> t({2, 3}, std::span<const float>(v));
    BOOST_FAIL("expected a shape_error");
  } catch (const shape_error& e) {
    BOOST_TEST(std::string(e.what()).find("[2, 3]") != std::string::npos);
  }
  BOOST_CHECK_THROW((tensor<float, 1>(shape_t<1>{-2})), shape_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tensor_memory)
BOOST_AUTO_TEST_CASE(out_of_memory_is_a_clear_error) {
  try {
    tensor<float, 1> huge({index_t(1) << 50});
    BOOST_FAIL("expected memory_error");
  } catch (const memory_error& e) {
    BOOST_TEST(std::string(e.what()).find("aligned_alloc") != std::string::npos);
  }
}
BOOST_AUTO_TEST_SUITE_END()
