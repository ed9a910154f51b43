#pragma once
// KL divergence of the diagonal Gaussian N(mu, exp(logvar)) from N(0, I), summed over the latent
// dimensions and averaged over the batch (dimension 0):
//   KL = mean_b  -1/2 sum_j (1 + logvar - mu^2 - exp(logvar))
#include <cmath>

#include "cantus/nn/loss/common.hpp"

namespace cantus::nn {

template <class T, std::size_t Rank, class B = cpu>
struct gaussian_kl_result {
  T value{};
  tensor<T, Rank, B> grad_mu, grad_logvar;
};

template <any_array Mu, any_array LogVar>
  requires std::is_same_v<element_t<Mu>, element_t<LogVar>> && (Mu::rank == LogVar::rank) && (Mu::rank >= 1) &&
           std::is_same_v<backend_t<Mu>, backend_t<LogVar>>
gaussian_kl_result<element_t<Mu>, Mu::rank, backend_t<Mu>> gaussian_kl(const Mu& mu, const LogVar& logvar) {
  using T = element_t<Mu>;
  using B = backend_t<Mu>;
  if (mu.shape() != logvar.shape()) throw_shape_mismatch("gaussian_kl", "logvar (same as mu)", mu.shape(), logvar.shape());
  loss_detail::require_contiguous("gaussian_kl", "mu", mu);
  loss_detail::require_contiguous("gaussian_kl", "logvar", logvar);
  const index_t B0 = mu.shape()[0], n = mu.size();
  if (B0 <= 0 || n == 0) throw value_error("gaussian_kl: mu is empty");
  gaussian_kl_result<T, Mu::rank, B> out{T(0), tensor<T, Mu::rank, B>(mu.shape()), tensor<T, Mu::rank, B>(mu.shape())};
  const T inv_b = T(1) / static_cast<T>(B0);
  const double acc =
      tt::losses<T, B>::gaussian_kl(n, mu.data(), logvar.data(), inv_b, out.grad_mu.data(), out.grad_logvar.data());
  out.value = static_cast<T>(acc / double(B0));
  if (!std::isfinite(out.value))
    throw value_error(detail::concat("gaussian_kl: KL is not finite (", out.value, "); logvar or mu has overflowed"));
  return out;
}

}  // namespace cantus::nn
