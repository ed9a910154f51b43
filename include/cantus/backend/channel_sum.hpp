#pragma once
// The sum over samples and positions of one channel of a [batch, channels, positions] tensor, in the
// one order both backends use for bias gradients: sixteen interleaved partial sums per sample
// (independent chains the CPU vectorises; one running sum is an add's latency per element), combined
// in a fixed order. The CPU kernel (backend/cpu/nn/im2col.hpp) and the CUDA body
// (backend/cuda/nn/element_bodies.hpp) both call it, so their bias gradients are the same bits.
#include "cantus/core/config.hpp"

namespace cantus::detail {

template <class T>
CANTUS_HD T channel_sum(const T* x, index_t batch, index_t channels, index_t positions, index_t c) {
  T s = 0;
  for (index_t b = 0; b < batch; ++b) {
    const T* d = x + (b * channels + c) * positions;
    constexpr index_t lanes = 16;
    T acc[lanes] = {};
    index_t p = 0;
    for (; p + lanes <= positions; p += lanes)
      for (index_t j = 0; j < lanes; ++j) acc[j] += d[p + j];
    T part = 0;
    for (; p < positions; ++p) part += d[p];
    for (index_t j = 0; j < lanes; ++j) part += acc[j];
    s += part;
  }
  return s;
}

}  // namespace cantus::detail
