// The CPU implementation of nn::tt::reparameterize (contract in nn/tt/reparameterize.hpp). Scalar
// std::exp on purpose: these are [batch, latent] tensors, and the libm value keeps results identical
// to the reference runs recorded in docs/results.md.
#include <cmath>

#include "cantus/backend/cpu/cpu_backend.hpp"

namespace cantus::nn::tt {

template <class T>
struct reparameterize<T, cpu> {
  static void forward(index_t n, const T* mu, const T* logvar, const T* eps, T* z) {
    for (index_t i = 0; i < n; ++i) z[i] = mu[i] + eps[i] * std::exp(T(0.5) * logvar[i]);
  }
  static void normal(index_t n, const random_stream& rng, T* eps) {
    for (index_t i = 0; i < n; ++i) eps[i] = static_cast<T>(rng.normal(static_cast<std::uint64_t>(i)));
  }
  static void backward(index_t n, const T* logvar, const T* eps, const T* dz, T* dmu, T* dlogvar) {
    for (index_t i = 0; i < n; ++i) {
      const T sd = std::exp(T(0.5) * logvar[i]);
      dmu[i] += dz[i];
      dlogvar[i] += dz[i] * eps[i] * T(0.5) * sd;
    }
  }
};

}  // namespace cantus::nn::tt
