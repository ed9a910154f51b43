// Losses: values and gradients equal PyTorch's; finite differences in double.
#include <boost/test/unit_test.hpp>

#include "cantus/nn/loss/mse.hpp"
#include "support.hpp"

using namespace cantus;
using namespace cantus::training_test;

BOOST_AUTO_TEST_SUITE(losses)

BOOST_AUTO_TEST_CASE(mse_matches_torch) {
  auto a = golden<float, 2>("mse_input");
  auto b = golden<float, 2>("mse_target");
  for (auto [red, tag] : {std::pair{nn::reduction::mean, "mean"}, std::pair{nn::reduction::sum, "sum"}}) {
    auto l = nn::mse_loss(a, b, red);
    BOOST_TEST(std::abs(l.value - golden_values<double>(std::string("mse_") + tag)[0]) < 1e-5);
    check_close<float>(std::string("mse grad ") + tag, l.grad, std::string("mse_grad_") + tag, 1e-6);
  }
}

BOOST_AUTO_TEST_CASE(mse_finite_differences) {
  auto a = golden<double, 2>("mse_input");
  auto b = golden<double, 2>("mse_target");
  for (auto red : {nn::reduction::mean, nn::reduction::sum}) {
    auto l = nn::mse_loss(a, b, red);
    check_gradient("mse", a.data(), a.size(), l.grad.data(), [&] { return nn::mse_loss(a, b, red).value; });
  }
}

BOOST_AUTO_TEST_CASE(mse_shape_mismatch) {
  tensor<float, 2> a({2, 3}, 0.f), b({3, 2}, 0.f);
  BOOST_CHECK_THROW(nn::mse_loss(a, b), shape_error);
}

BOOST_AUTO_TEST_SUITE_END()
