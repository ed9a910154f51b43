#pragma once
// nn::tt::losses<T, B>: the arithmetic of the losses (nn/loss/*.hpp) on backend B (see
// nn/tt/conv1d.hpp for nn::tt). Sums are accumulated in double; each returns the unscaled sum and
// writes the gradient, so the loss functions only validate and scale.
//
//   static double squared_error(index_t n, const T* x, const T* y, T grad_scale, T* grad);
//       sum (x - y)^2; grad = (2 * grad_scale) * (x - y)
//   static double gaussian_kl(index_t n, const T* mu, const T* logvar, T inv_b, T* grad_mu, T* grad_logvar);
//       sum -1/2 (1 + logvar - mu^2 - exp(logvar)); grad_mu = mu * inv_b,
//       grad_logvar = 1/2 (exp(logvar) - 1) * inv_b
//   template <class I> static double cross_entropy(index_t N, index_t C, index_t S, const T* x, const I* y,
//                                                   index_t ignore_index, bool mean, T* grad, index_t& counted);
//       logits x [N, C, S], targets y [N, S]: sum of -log softmax at the targets; grad = softmax -
//       one_hot, 0 where ignored, divided by `counted` (targets not ignored) when `mean`. Throws
//       value_error for a target outside [0, C), a non-finite logit, or a mean over no target.
#include "cantus/backend/backend.hpp"
#include "cantus/base/config.hpp"

namespace cantus::nn::tt {
template <class T, class B>
struct losses;
}  // namespace cantus::nn::tt

#include "cantus/backend/cpu/nn/losses.inl"
#if CANTUS_CUDA_DECLARE && __has_include("cantus/backend/cuda/nn/losses.cuh")
#include "cantus/backend/cuda/nn/losses.cuh"
#endif
