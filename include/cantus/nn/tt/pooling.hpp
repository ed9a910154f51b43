#pragma once
// nn::tt::pooling<T, B>: global average pooling on backend B (see nn/tt/conv1d.hpp for nn::tt).
//   static void mean_rows(index_t rows, index_t inner, const T* x, T* y);      y[r] = mean of row r (in double)
//   static void spread_rows(index_t rows, index_t inner, const T* dy, T* dx);  dx[r, :] = dy[r] / inner
#include "cantus/backend/backend.hpp"
#include "cantus/base/config.hpp"

namespace cantus::nn::tt {
template <class T, class B>
struct pooling;
}  // namespace cantus::nn::tt

#include "cantus/backend/cpu/nn/pooling.inl"
#if CANTUS_CUDA_DECLARE && __has_include("cantus/backend/cuda/nn/pooling.cuh")
#include "cantus/backend/cuda/nn/pooling.cuh"
#endif
