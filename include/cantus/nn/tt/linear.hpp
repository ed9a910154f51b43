#pragma once
// nn::tt::linear<T, B>: the arithmetic of nn::linear on backend B (see nn/tt/conv1d.hpp for nn::tt).
//
//   void forward(index_t rows, index_t in, index_t out, const T* x, const T* w, const T* bias, T* y);
//       x [rows, in], w [out, in], bias [out] or null, y [rows, out] = x w^T + bias (overwritten).
//   void backward(index_t rows, index_t in, index_t out, const T* x, const T* w, const T* dy,
//                 T* dw, T* dbias, T* dx);
//       ACCUMULATES dw (and dbias when not null), OVERWRITES dx unless it is null.
#include "cantus/backend/backend.hpp"
#include "cantus/base/config.hpp"

namespace cantus::nn::tt {
template <class T, class B>
class linear;
}  // namespace cantus::nn::tt

#include "cantus/backend/cpu/nn/linear.inl"
#if CANTUS_CUDA_DECLARE && __has_include("cantus/backend/cuda/nn/linear.cuh")
#include "cantus/backend/cuda/nn/linear.cuh"
#endif
