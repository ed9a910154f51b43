#pragma once
// Hand-written models with manual gradients for testing the training harness on its own.
#include <cmath>
#include <istream>
#include <ostream>
#include <span>
#include <vector>

#include "cantus/core/random.hpp"
#include "cantus/core/tensor.hpp"
#include "cantus/models/trainer.hpp"

namespace cantus::testing {

// y = X w_true + b_true + small noise.
struct regression_data {
  struct batch_type {
    std::vector<float> x, y;
    index_t rows = 0;
  };
  index_t n = 0, d = 0;
  std::vector<float> x, y;
  regression_data(index_t n_, index_t d_, std::uint64_t seed, float noise = 0.01f) : n(n_), d(d_) {
    random_stream r(seed);
    x.resize(static_cast<std::size_t>(n * d));
    y.resize(static_cast<std::size_t>(n));
    for (index_t i = 0; i < n * d; ++i) x[static_cast<std::size_t>(i)] = static_cast<float>(r.normal(static_cast<std::uint64_t>(i)));
    for (index_t i = 0; i < n; ++i) {
      double v = 0.5;
      for (index_t j = 0; j < d; ++j) v += (j + 1) * 0.25 * x[static_cast<std::size_t>(i * d + j)];
      y[static_cast<std::size_t>(i)] = static_cast<float>(v + noise * r.normal(1000000 + static_cast<std::uint64_t>(i)));
    }
  }
  index_t size() const { return n; }
  batch_type batch(std::span<const index_t> rows) const {
    batch_type b;
    b.rows = static_cast<index_t>(rows.size());
    for (auto r : rows) {
      b.x.insert(b.x.end(), x.begin() + r * d, x.begin() + (r + 1) * d);
      b.y.push_back(y[static_cast<std::size_t>(r)]);
    }
    return b;
  }
};

// Linear regression, MSE, gradients by hand. `poison_at_step` makes the loss NaN at that step.
struct linear_regression {
  index_t d;
  tensor<float, 1> w, b, gw, gb;
  std::int64_t poison_at_step = -1;
  explicit linear_regression(index_t d_) : d(d_), w({d_}, 0.0f), b({1}, 0.0f), gw({d_}, 0.0f), gb({1}, 0.0f) {}

  nn::parameter_list<float> parameters() {
    return {{"weight", w.view(), gw.view(), {d}}, {"bias", b.view(), gb.view(), {1}}};
  }
  double forward(const regression_data::batch_type& bt, bool backward) {
    double loss = 0;
    for (index_t i = 0; i < bt.rows; ++i) {
      double p = b(0);
      for (index_t j = 0; j < d; ++j) p += w(j) * bt.x[static_cast<std::size_t>(i * d + j)];
      const double e = p - bt.y[static_cast<std::size_t>(i)];
      loss += e * e;
      if (backward) {
        const float g = static_cast<float>(2 * e / bt.rows);
        for (index_t j = 0; j < d; ++j) gw(j) += g * bt.x[static_cast<std::size_t>(i * d + j)];
        gb(0) += g;
      }
    }
    return loss / bt.rows;
  }
  double loss_and_backward(const regression_data::batch_type& bt, models::step_info s) {
    const double l = forward(bt, true);
    if (s.step == poison_at_step) return std::nan("");
    return l;
  }
  double validation_loss(const regression_data::batch_type& bt) { return forward(bt, false); }
  void save_state(std::ostream& o) { models::save_parameters(o, parameters()); }
  void load_state(std::istream& i) {
    auto ps = parameters();
    models::load_parameters(i, ps);
  }
};

// SGD with momentum: has state, so resume must restore it to be exact.
struct momentum_sgd {
  nn::parameter_list<float> ps;
  float lr, momentum;
  std::vector<std::vector<float>> velocity;
  momentum_sgd(nn::parameter_list<float> p, float lr_, float m_ = 0.9f) : ps(std::move(p)), lr(lr_), momentum(m_) {
    for (auto& q : ps) velocity.emplace_back(static_cast<std::size_t>(q.value.size()), 0.0f);
  }
  void zero_grad() { nn::zero_grad(ps); }
  void step() {
    for (std::size_t k = 0; k < ps.size(); ++k)
      for (index_t i = 0; i < ps[k].value.size(); ++i) {
        float& v = velocity[k][static_cast<std::size_t>(i)];
        v = momentum * v + ps[k].grad.data()[i];
        ps[k].value.data()[i] -= lr * v;
      }
  }
  void save_state(std::ostream& o) {
    for (auto& v : velocity) o.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  }
  void load_state(std::istream& i) {
    for (auto& v : velocity) i.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  }
};

}  // namespace cantus::testing
