#pragma once
// nn::tt::dropout<T, B>: y[i] = 0 where Philox value i of `rng` is below p, else x[i] * scale, on
// backend B (see nn/tt/conv1d.hpp for nn::tt). The same call applies the mask to dy in backward.
//   static void apply(index_t n, const T* x, T* y, const random_stream& rng, float p, T scale);
#include "cantus/backend/backend.hpp"
#include "cantus/base/config.hpp"
#include "cantus/core/random.hpp"

namespace cantus::nn::tt {
template <class T, class B>
struct dropout;
}  // namespace cantus::nn::tt

#include "cantus/backend/cpu/nn/dropout.inl"
#if CANTUS_CUDA_DECLARE && __has_include("cantus/backend/cuda/nn/dropout.cuh")
#include "cantus/backend/cuda/nn/dropout.cuh"
#endif
