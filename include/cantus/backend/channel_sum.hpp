#pragma once
// The sum over samples and positions of one channel of a [batch, channels, positions] tensor, in the
// order the CPU backend's bias gradients use: sixteen interleaved partial sums per sample
// (independent chains the CPU vectorises; one running sum is an add's latency per element), combined
// in a fixed order (backend/cpu/nn/im2col.hpp). The CUDA backend sums in chunks instead, for
// parallelism (cuda_bodies::partial_column_sum).
#include "cantus/base/config.hpp"

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
