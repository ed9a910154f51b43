#pragma once
// nn::tt::activations<T, B>: the arithmetic of the element-wise activations and WaveNet's gated unit
// on backend B (see nn/tt/conv1d.hpp for nn::tt). Forward passes of plain activations are a
// backend_ops<B>::map of the kind's functor and need nothing here.
//
//   template <class Kind> static void backward(const Kind& k, index_t n, const T* x, const T* y,
//                                              const T* dy, T* dx);
//       dx[i] = dy[i] * k.grad(x[i], y[i]) (relu: a select, so NaNs in dy pass only where y > 0).
//   static void gated_forward(index_t batch, index_t half, const T* x, T* tanh_a, T* sigmoid_b, T* y);
//       x [batch, 2, half] -> tanh_a = tanh(x[:, 0]), sigmoid_b = sigmoid(x[:, 1]), y = tanh_a * sigmoid_b.
//   static void gated_backward(index_t batch, index_t half, const T* tanh_a, const T* sigmoid_b,
//                              const T* dy, T* dx);
#include "cantus/backend/backend.hpp"
#include "cantus/base/config.hpp"

namespace cantus::nn {
namespace activation_kind {
struct relu;
}
namespace tt {
template <class T, class B>
struct activations;
}  // namespace tt
}  // namespace cantus::nn

#include "cantus/backend/cpu/nn/activations.inl"
#if CANTUS_CUDA_DECLARE && __has_include("cantus/backend/cuda/nn/activations.cuh")
#include "cantus/backend/cuda/nn/activations.cuh"
#endif
