#pragma once
// nn::tt::reparameterize<T, B>: a VAE's sampling step z = mu + eps * exp(logvar / 2) on backend B
// (see nn/tt/conv1d.hpp for nn::tt), and its adjoint.
//
//   static void forward(index_t n, const T* mu, const T* logvar, const T* eps, T* z);
//   static void backward(index_t n, const T* logvar, const T* eps, const T* dz, T* dmu, T* dlogvar);
//       ACCUMULATES dmu += dz and dlogvar += dz * eps * exp(logvar / 2) / 2.
//   static void normal(index_t n, const random_stream& rng, T* eps);
//       eps[i] = T(rng.normal(i)): the noise, drawn where it is used, the same numbers on every backend.
#include "cantus/backend/backend.hpp"
#include "cantus/base/config.hpp"
#include "cantus/core/random.hpp"

namespace cantus::nn::tt {
template <class T, class B>
struct reparameterize;
}  // namespace cantus::nn::tt

#include "cantus/backend/cpu/nn/reparameterize.inl"
#if CANTUS_CUDA_DECLARE && __has_include("cantus/backend/cuda/nn/reparameterize.cuh")
#include "cantus/backend/cuda/nn/reparameterize.cuh"
#endif
