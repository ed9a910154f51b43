#pragma once
// The beta-VAE objective with a controlled capacity (Burgess et al. 2018, "Understanding
// disentangling in beta-VAE"):
//   loss = recon + gamma * |KL - C|,   C = C_max * min(1, step / num_steps)
// recon = squared error summed over each sample, KL = Gaussian KL to N(0, I) summed over latent
// dimensions; both averaged over the batch (dimension 0).
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "cantus/base/functors.hpp"
#include "cantus/nn/loss/common.hpp"
#include "cantus/nn/loss/kl.hpp"

namespace cantus::nn {

struct capacity_schedule {
  double c_max = 5.0;            // nats, reached after num_steps
  std::int64_t num_steps = 10000;
  double gamma = 100.0;

  // C(step): linear from 0 at step 0 to c_max at num_steps, constant after.
  double capacity(std::int64_t step) const {
    if (num_steps <= 0) return c_max;
    return c_max * std::clamp(double(step) / double(num_steps), 0.0, 1.0);
  }
};

template <class T, std::size_t RankX, std::size_t RankZ, class B = cpu>
struct capacity_loss_result {
  T total{}, recon{}, kl{}, capacity{};
  tensor<T, RankX, B> grad_recon;          // d total / d reconstruction
  tensor<T, RankZ, B> grad_mu, grad_logvar;
};

template <any_array Rec, any_array Tg, any_array Mu, any_array LogVar>
  requires std::is_same_v<element_t<Rec>, element_t<Tg>> && std::is_same_v<element_t<Rec>, element_t<Mu>> &&
           (Rec::rank == Tg::rank) && std::is_same_v<backend_t<Rec>, backend_t<Tg>> &&
           std::is_same_v<backend_t<Rec>, backend_t<Mu>>
capacity_loss_result<element_t<Rec>, Rec::rank, Mu::rank, backend_t<Rec>> beta_vae_capacity_loss(const Rec& reconstruction, const Tg& target,
                                                                                const Mu& mu, const LogVar& logvar,
                                                                                const capacity_schedule& schedule,
                                                                                std::int64_t step) {
  using T = element_t<Rec>;
  using B = backend_t<Rec>;
  if (reconstruction.shape() != target.shape())
    throw_shape_mismatch("beta_vae_capacity_loss", "target (same as reconstruction)", reconstruction.shape(), target.shape());
  if (reconstruction.shape()[0] != mu.shape()[0])
    throw shape_error(detail::concat("beta_vae_capacity_loss: reconstruction ", shape_string(reconstruction.shape()),
                                     " and mu ", shape_string(mu.shape()), " disagree on the batch size"));
  if (!(schedule.gamma >= 0) || !(schedule.c_max >= 0))
    throw_value_error("beta_vae_capacity_loss: gamma and c_max must be >= 0, got ", schedule.gamma, " and ", schedule.c_max);
  loss_detail::require_contiguous("beta_vae_capacity_loss", "reconstruction", reconstruction);
  loss_detail::require_contiguous("beta_vae_capacity_loss", "target", target);
  auto kl = gaussian_kl(mu, logvar);
  const index_t batch = reconstruction.shape()[0], n = reconstruction.size();
  capacity_loss_result<T, Rec::rank, Mu::rank, B> out;
  out.grad_recon = tensor<T, Rec::rank, B>(reconstruction.shape());
  const T inv_b = T(1) / static_cast<T>(batch);
  const double acc = tt::losses<T, B>::squared_error(n, reconstruction.data(), target.data(), inv_b, out.grad_recon.data());
  out.recon = static_cast<T>(acc / double(batch));
  out.kl = kl.value;
  out.capacity = static_cast<T>(schedule.capacity(step));
  const double gap = double(out.kl) - double(out.capacity);
  out.total = static_cast<T>(double(out.recon) + schedule.gamma * std::abs(gap));
  // d|u|/du = sign(u), 0 at 0 (as torch.abs)
  const T coef = static_cast<T>(schedule.gamma * (gap > 0 ? 1.0 : gap < 0 ? -1.0 : 0.0));
  out.grad_mu = std::move(kl.grad_mu);
  out.grad_logvar = std::move(kl.grad_logvar);
  const auto nz = static_cast<std::size_t>(out.grad_mu.size());
  backend_ops<B>::map(out.grad_mu.data(), out.grad_mu.data(), nz, ops::scale_by<T>{coef});
  backend_ops<B>::map(out.grad_logvar.data(), out.grad_logvar.data(), nz, ops::scale_by<T>{coef});
  if (!std::isfinite(out.total)) throw value_error(detail::concat("beta_vae_capacity_loss: loss is not finite (recon ",
                                                                  out.recon, ", kl ", out.kl, ")"));
  return out;
}

}  // namespace cantus::nn
