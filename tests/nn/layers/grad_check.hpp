#pragma once
// A generic finite-difference gradient checker for any nn::layer in double precision.
// Loss = sum(forward(x) * w) with fixed random weights w, so dLoss/dy = w. The analytic gradients
// from backward() (input and every parameter) are compared with central differences
// (L(v + h) - L(v - h)) / 2h on every element, or on an evenly spread subset of large tensors.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "cantus/nn/layers/layers.hpp"
#include "cantus/nn/sequential.hpp"

namespace cantus::testing {

struct grad_check_options {
  bool training = true;
  bool check_input = true;      // false for integer inputs (embedding, one_hot)
  index_t max_checks = 400;     // elements checked per tensor
  double step = 1e-6;
  std::uint64_t seed = 7;
};

// Fills a tensor with N(0, 1) values, kept away from 0 by `margin` (ReLU/max-pool kinks, ties).
template <class T, std::size_t R>
tensor<T, R> random_tensor(const shape_t<R>& shape, std::uint64_t seed, double scale = 1.0, double margin = 0.0) {
  tensor<T, R> t(shape);
  random_stream rng(seed, 11);
  for (index_t i = 0; i < t.size(); ++i) {
    double v = rng.normal(std::uint64_t(i)) * scale;
    if (std::abs(v) < margin) v = v < 0 ? v - margin : v + margin;
    t.data()[i] = T(v);
  }
  return t;
}

struct grad_check_report {
  double worst = 0;
  std::string where;
  index_t checked = 0;
  void note(double err, const std::string& what) {
    ++checked;
    if (err > worst || std::isnan(err)) worst = std::isnan(err) ? INFINITY : err, where = what;
  }
};

// `before_forward` runs before every forward (e.g. dropout.set_step(0) so each pass uses one mask).
template <nn::layer L, class Hook = void (*)(L&)>
grad_check_report check_gradients(L& layer, tensor<double, L::in_rank> x, const grad_check_options& o = {},
                                  Hook before_forward = nullptr) {
  static_assert(std::is_same_v<typename L::value_type, double>, "gradient checks run in double");
  auto run = [&](const tensor<double, L::in_rank>& in) {
    if constexpr (std::is_pointer_v<Hook>) {
      if (before_forward) before_forward(layer);
    } else {
      before_forward(layer);
    }
    return nn::forward(layer, in.view(), o.training);
  };
  auto y = run(x);
  const auto w = random_tensor<double>(y.shape(), o.seed + 1);
  auto loss = [&](const tensor<double, L::in_rank>& in) {
    auto out = run(in);
    double s = 0;
    for (index_t i = 0; i < out.size(); ++i) s += out.data()[i] * w.data()[i];
    return s;
  };

  auto params = nn::parameters_of(layer);
  nn::zero_grad(params);
  y = run(x);
  tensor<double, L::in_rank> dx(x.shape(), 1e30);  // backward must overwrite every element
  layer.backward(x.view(), y.view(), w.view(), o.check_input ? dx.view() : tensor_view<double, L::in_rank>());
  std::vector<std::vector<double>> analytic;
  for (auto& p : params) analytic.emplace_back(p.grad.data(), p.grad.data() + p.grad.size());

  grad_check_report r;
  auto compare = [&](double* v, index_t n, auto analytic_at, const std::string& name) {
    const index_t stride = std::max<index_t>(1, n / o.max_checks);
    for (index_t i = 0; i < n; i += stride) {
      const double keep = v[i];
      v[i] = keep + o.step;
      const double lp = loss(x);
      v[i] = keep - o.step;
      const double lm = loss(x);
      v[i] = keep;
      const double numeric = (lp - lm) / (2 * o.step), a = analytic_at(i);
      r.note(std::abs(a - numeric) / std::max(1.0, std::abs(numeric)),
             detail::concat(name, "[", i, "]: analytic ", a, " numeric ", numeric));
    }
  };
  if (o.check_input) compare(x.data(), x.size(), [&](index_t i) { return dx.data()[i]; }, "input");
  for (std::size_t k = 0; k < params.size(); ++k)
    compare(params[k].value.data(), params[k].value.size(), [&](index_t i) { return analytic[k][i]; }, params[k].name);
  return r;
}

#define CANTUS_CHECK_GRADIENTS(...)                                                                \
  do {                                                                                             \
    const auto report_ = ::cantus::testing::check_gradients(__VA_ARGS__);                          \
    BOOST_TEST_INFO("worst: " << report_.where << " (" << report_.checked << " elements checked)"); \
    BOOST_TEST(report_.worst < 1e-6);                                                              \
    BOOST_TEST(report_.checked > 0);                                                               \
  } while (0)

}  // namespace cantus::testing
