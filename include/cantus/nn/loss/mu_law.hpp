#pragma once
// mu-law companding and quantisation for WaveNet targets, torchaudio.functional.mu_law_encoding /
// mu_law_decoding with quantization_channels = 256 (mu = 255):
//   encode: y = sign(x) log(1 + mu |x|) / log(1 + mu);  class = floor((y + 1) / 2 * mu + 0.5)
//   decode: y = class / mu * 2 - 1;  x = sign(y) ((1 + mu)^|y| - 1) / mu
// Inputs are expected in [-1, 1] and clamped there (torchaudio leaves values outside unclamped).
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "cantus/nn/loss/common.hpp"

namespace cantus::nn {

inline constexpr index_t mu_law_classes = 256;

template <class T>
  requires std::is_floating_point_v<T>
index_t mu_law_encode(T x, index_t quantization_channels = mu_law_classes) {
  if (!std::isfinite(x)) throw value_error(detail::concat("mu_law_encode: non-finite sample ", x));
  if (quantization_channels < 2) throw_value_error("mu_law_encode: quantization_channels must be >= 2, got ", quantization_channels);
  // In T like torchaudio (which works in the input's dtype), so class boundaries fall identically.
  const T mu = static_cast<T>(quantization_channels - 1);
  const T v = std::clamp(x, T(-1), T(1));
  const T y = (v > 0 ? T(1) : v < 0 ? T(-1) : T(0)) * std::log1p(mu * std::abs(v)) / std::log1p(mu);
  return static_cast<index_t>((y + T(1)) / T(2) * mu + T(0.5));
}

template <class T = float>
T mu_law_decode(index_t c, index_t quantization_channels = mu_law_classes) {
  if (c < 0 || c >= quantization_channels)
    throw value_error(detail::concat("mu_law_decode: class ", c, " outside [0, ", quantization_channels, ")"));
  const T mu = static_cast<T>(quantization_channels - 1);
  const T y = static_cast<T>(c) / mu * T(2) - T(1);
  return (y > 0 ? T(1) : y < 0 ? T(-1) : T(0)) * (std::exp(std::abs(y) * std::log1p(mu)) - T(1)) / mu;
}

// Element-wise over tensors/views of any rank.
template <any_array In>
  requires std::is_floating_point_v<element_t<In>>
tensor<index_t, In::rank> mu_law_encode(const In& x, index_t quantization_channels = mu_law_classes) {
  loss_detail::require_contiguous("mu_law_encode", "input", x);
  tensor<index_t, In::rank> out(x.shape());
  for (index_t i = 0; i < x.size(); ++i) out.data()[i] = mu_law_encode(x.data()[i], quantization_channels);
  return out;
}
template <class T, any_array In>
  requires std::is_integral_v<element_t<In>>
tensor<T, In::rank> mu_law_decode(const In& classes, index_t quantization_channels = mu_law_classes) {
  loss_detail::require_contiguous("mu_law_decode", "input", classes);
  tensor<T, In::rank> out(classes.shape());
  for (index_t i = 0; i < classes.size(); ++i) out.data()[i] = mu_law_decode<T>(classes.data()[i], quantization_channels);
  return out;
}

}  // namespace cantus::nn
