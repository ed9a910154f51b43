// The layer contract compiles on its own and its helpers behave.
#include <boost/test/unit_test.hpp>

#include "cantus/nn.hpp"
#include "layer_concepts.hpp"

using namespace cantus;

BOOST_AUTO_TEST_SUITE(contract)

// Compile-time: the whole layer list on the CPU backend (tests/cuda checks it for CUDA with nvcc).
static_assert(cantus::testing::every_layer_satisfies_the_contract<cpu>());

BOOST_AUTO_TEST_CASE(static_shape_helpers) {
  static_assert(nn::static_compatible<3>({dyn, 1, dyn}, {8, 1, 128}));
  static_assert(!nn::static_compatible<3>({dyn, 1, dyn}, {8, 2, 128}));
  static_assert(nn::static_merge<3>({dyn, 1, dyn}, {8, dyn, 128}) == shape_t<3>{8, 1, 128});
  BOOST_CHECK_THROW(nn::check_input_shape<3>("conv1d(1->32)", {dyn, 1, dyn}, {8, 3, 16}), shape_error);
  try {
    nn::check_input_shape<3>("conv1d(1->32)", {dyn, 1, dyn}, {8, 3, 16});
  } catch (const shape_error& e) {
    BOOST_TEST(std::string(e.what()) == "conv1d(1->32): input expected shape [?, 1, ?] but found [8, 3, 16]");
  }
}

BOOST_AUTO_TEST_CASE(default_init_bounds) {
  std::vector<float> w(1000);
  nn::init::default_weight(tensor_view<float, 1>(w.data(), {1000}), 16, random_stream(1));
  float lo = 1, hi = -1;
  for (float v : w) lo = std::min(lo, v), hi = std::max(hi, v);
  BOOST_TEST(lo >= -0.25f);
  BOOST_TEST(hi <= 0.25f);
  BOOST_TEST(lo < -0.24f);
  BOOST_TEST(hi > 0.24f);
}

BOOST_AUTO_TEST_SUITE_END()
