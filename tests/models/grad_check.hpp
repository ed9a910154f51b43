#pragma once
// Finite-difference check of a model's analytic gradients: for a few parameter entries, compare
// dLoss/dw from loss_and_backward with (L(w + h) - L(w - h)) / 2h (same batch, same step => same noise).
#include <cmath>
#include <cstdio>
#include <vector>

#include "cantus/core/random.hpp"
#include "cantus/models/trainer.hpp"
#include "cantus_test.hpp"

namespace cantus::testing {

template <class Model, class Batch>
void check_gradients(Model& m, const Batch& batch, int probes_per_parameter = 3, float h = 1e-2f, double rtol = 0.05,
                     double atol = 2e-3) {
  models::step_info s{11, 0, 3, true};
  auto ps = m.parameters();
  nn::zero_grad(ps);
  m.loss_and_backward(batch, s);
  std::vector<std::vector<float>> grads;  // snapshot: the probes below overwrite the gradient storage
  for (auto& p : ps) grads.emplace_back(p.grad.data(), p.grad.data() + p.grad.size());
  random_engine pick(5);
  int checked = 0, bad = 0;
  for (std::size_t q = 0; q < ps.size(); ++q) {
    auto& p = ps[q];
    for (int k = 0; k < probes_per_parameter; ++k) {
      const index_t i = static_cast<index_t>(pick.below(static_cast<std::uint64_t>(p.value.size())));
      const float analytic = grads[q][static_cast<std::size_t>(i)];
      const float w = p.value.data()[i];
      auto loss_at = [&](float v) {
        p.value.data()[i] = v;
        auto ps2 = m.parameters();
        nn::zero_grad(ps2);
        return m.loss_and_backward(batch, s);
      };
      const double up = loss_at(w + h), down = loss_at(w - h);
      p.value.data()[i] = w;
      const double numeric = (up - down) / (2.0 * h);
      ++checked;
      if (std::abs(numeric - analytic) > atol + rtol * std::max(std::abs(numeric), std::abs(double(analytic)))) {
        ++bad;
        BOOST_TEST_MESSAGE(p.name << "[" << i << "]: analytic " << analytic << " numeric " << numeric);
        std::printf("grad mismatch %s[%ld]: analytic %g numeric %g\n", p.name.c_str(), long(i), analytic, numeric);
      }
    }
  }
  nn::zero_grad(ps);
  // float32 central differences are noisy: allow one outlier in every 20 probes, never more.
  BOOST_TEST(bad * 20 <= checked);
}

}  // namespace cantus::testing
