#pragma once
// PyTorch's default initialisers (torch.nn.init), drawn from a counter-based Philox stream so a
// model's initial weights depend only on the seed: value i of a tensor is stream.uniform(i).
//
// PyTorch's layer defaults:
//   Linear, Conv1d/2d, ConvTranspose1d weight: kaiming_uniform_(a = sqrt(5))
//       = U(-1/sqrt(fan_in), 1/sqrt(fan_in)); bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
//   fan_in = weight.size(1) * receptive field: in_channels * kernel for Conv, in_features for
//       Linear, and out_channels * kernel for ConvTranspose (its weight is [in, out, k]).
//   GRU / LSTM: every weight and bias U(-1/sqrt(hidden), 1/sqrt(hidden)).
//   BatchNorm: weight 1, bias 0; Embedding: N(0, 1).
#include <cmath>

#include "cantus/base/error.hpp"
#include "cantus/core/random.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::nn::init {

// x[i] = U(low, high) from stream value i.
template <class T>
void uniform(tensor_view<T, 1> x, double low, double high, random_stream rng) {
  if (!(high >= low)) throw_value_error("nn::init::uniform: high (", high, ") must be >= low (", low, ")");
  T* p = x.data();
  for (index_t i = 0; i < x.size(); ++i) {
    const double u = std::is_same_v<T, float> ? double(rng.uniform(std::uint64_t(i))) : rng.uniform_double(std::uint64_t(i));
    p[i] = static_cast<T>(low + (high - low) * u);
  }
}

template <class T>
void normal(tensor_view<T, 1> x, double mean, double std, random_stream rng) {
  T* p = x.data();
  for (index_t i = 0; i < x.size(); ++i) p[i] = static_cast<T>(mean + std * rng.normal(std::uint64_t(i)));
}

template <class T>
void constant(tensor_view<T, 1> x, T value) {
  std::fill(x.data(), x.data() + x.size(), value);
}

// torch.nn.init.calculate_gain for leaky_relu with negative slope a.
inline double leaky_relu_gain(double a) { return std::sqrt(2.0 / (1.0 + a * a)); }

// kaiming_uniform_(mode='fan_in', nonlinearity='leaky_relu', a): U(-b, b), b = gain * sqrt(3 / fan_in).
template <class T>
void kaiming_uniform(tensor_view<T, 1> x, index_t fan_in, double a, random_stream rng) {
  if (fan_in <= 0) throw_value_error("nn::init::kaiming_uniform: fan_in must be positive, got ", fan_in);
  const double bound = leaky_relu_gain(a) * std::sqrt(3.0 / double(fan_in));
  uniform(x, -bound, bound, rng);
}

// xavier_uniform_(gain): U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)).
template <class T>
void xavier_uniform(tensor_view<T, 1> x, index_t fan_in, index_t fan_out, double gain, random_stream rng) {
  if (fan_in + fan_out <= 0) throw_value_error("nn::init::xavier_uniform: fan_in + fan_out must be positive");
  const double bound = gain * std::sqrt(6.0 / double(fan_in + fan_out));
  uniform(x, -bound, bound, rng);
}

// PyTorch's default for Linear/Conv weights.
template <class T>
void default_weight(tensor_view<T, 1> w, index_t fan_in, random_stream rng) {
  kaiming_uniform(w, fan_in, std::sqrt(5.0), rng);
}
// PyTorch's default for Linear/Conv biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
template <class T>
void default_bias(tensor_view<T, 1> b, index_t fan_in, random_stream rng) {
  if (fan_in <= 0) throw_value_error("nn::init::default_bias: fan_in must be positive, got ", fan_in);
  const double bound = 1.0 / std::sqrt(double(fan_in));
  uniform(b, -bound, bound, rng);
}

}  // namespace cantus::nn::init
