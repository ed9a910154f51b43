#pragma once
// beta_vae<Encoder, Decoder, Config>: a beta-VAE with the capacity objective of Burgess et al. 2018
// ("Understanding disentangling in beta-VAE"), the model template behind the paper's step-based VAE.
//   encoder  Encoder: an nn::sequential [batch, 1, F] -> [batch, C, L], flattened
//            -> Linear "mu" and Linear "lv" (C * L -> latent)
//   z        mu + eps * exp(logvar / 2), eps ~ N(0, 1) from Philox keyed by (seed, step)
//   decoder  Linear "fc" (latent -> C * L) -> [batch, C, L] -> Decoder: an nn::sequential -> [batch, 1, F]
//   loss     sum-MSE / batch + gamma * |KL - C|, C annealed linearly 0 -> capacity_max, KL averaged
//            over the batch.
// The chains' run-time sizes come from the config: `make_encoder<Encoder>(config)` and
// `make_decoder<Decoder>(config)`, found next to the config type (step_vae.hpp has the convolutional
// ones). Parameter names are the chains' ("enc.0.weight", "dec.2.bias") and the heads'.
// Streams: the chains number their parameterised layers on from the model's count (see
// nn::sequential::init), so the encoder's convolutions draw splits 0, 1, 2, then mu, lv, fc, decoder.
// Config: name, seed_tag, n_mels (F), latent, encoded_channels(), encoded_length(), gamma,
// capacity_max, capacity_anneal_steps, validate().
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "cantus/models/model_support.hpp"  // first: see the note there
#include "cantus/core/random.hpp"
#include "cantus/nn/layers/linear.hpp"
#include "cantus/nn/loss/capacity.hpp"
#include "cantus/nn/sequential.hpp"
#include "cantus/nn/tt/reparameterize.hpp"

namespace cantus::models {

template <class Encoder, class Decoder, class Config>
class beta_vae {
 public:
  using backend_type = typename Encoder::backend_type;
  using B = backend_type;
  using config_type = Config;
  static_assert(std::is_same_v<typename Decoder::backend_type, B>, "beta_vae: encoder and decoder on different backends");
  static_assert(Encoder::in_rank == 3 && Encoder::out_rank == 3 && Decoder::in_rank == 3 && Decoder::out_rank == 3,
                "beta_vae: the chains map [batch, channels, length] to [batch, channels, length]");
  using batch_type = tensor<float, 3, B>;  // [batch, 1, n_mels] standardised log-mel frames

  explicit beta_vae(Config c = {}, std::uint64_t seed = 0)
      : c_(detail::validated(std::move(c))),
        enc_(make_encoder<Encoder>(c_)),
        dec_(make_decoder<Decoder>(c_)),
        mu_(nn::linear_config{flat(), c_.latent}),
        logvar_(nn::linear_config{flat(), c_.latent}),
        fc_(nn::linear_config{c_.latent, flat()}) {
    init(random_stream(seed, Config::seed_tag));
  }

  const Config& config() const { return c_; }
  index_t latent_dim() const { return c_.latent; }
  static constexpr const char* name() { return Config::name; }
  Encoder& encoder() { return enc_; }
  Decoder& decoder() { return dec_; }

  // Streams in order of appearance, one per layer with parameters (encoder, mu, lv, fc, decoder).
  void init(random_stream rng) {
    std::uint64_t k = 0;
    enc_.init(rng, k);
    mu_.init(rng.split(k++));
    logvar_.init(rng.split(k++));
    fc_.init(rng.split(k++));
    dec_.init(rng, k);
  }

  nn::parameter_list<float, B> parameters() {
    nn::parameter_list<float, B> ps;
    enc_.parameters(ps, "enc");
    mu_.parameters(ps, "mu");
    logvar_.parameters(ps, "lv");
    fc_.parameters(ps, "fc");
    dec_.parameters(ps, "dec");
    return ps;
  }
  nn::parameter_list<float, B> buffers() {
    nn::parameter_list<float, B> bs;
    enc_.buffers(bs, "enc");
    dec_.buffers(bs, "dec");
    return bs;
  }
  void save_state(std::ostream& o) { save_model_state(*this, o); }
  void load_state(std::istream& i) { load_model_state(*this, i, Config::name); }

  // The capacity schedule of the loss: C(step) rises linearly to capacity_max.
  nn::capacity_schedule schedule() const {
    return {.c_max = c_.capacity_max, .num_steps = c_.capacity_anneal_steps, .gamma = c_.gamma};
  }
  // C at an optimizer step.
  float capacity(std::int64_t step) const { return static_cast<float>(schedule().capacity(step)); }

  struct loss_terms {
    double total = 0, reconstruction = 0, kl = 0;
  };

  double loss_and_backward(const batch_type& x, step_info s) {
    step_ = s.step;
    const random_stream noise = random_stream(s.seed, Config::seed_tag << 16).split(static_cast<std::uint64_t>(s.step));
    // The noise of the whole batch, so that a shard of it (data parallel) draws its rows' own noise.
    const index_t rows = s.batch_rows > 0 ? s.batch_rows : x.extent(0), Z = c_.latent;
    if (s.row_offset < 0 || s.row_offset + x.extent(0) > rows)
      throw_value_error(Config::name, ": rows [", s.row_offset, ", ", s.row_offset + x.extent(0), ") are not in a batch of ", rows);
    tensor<float, 2, B> eps({rows, Z});
    nn::tt::reparameterize<float, B>::normal(eps.size(), noise, eps.data());
    if (rows != x.extent(0)) {
      tensor<float, 2, B> mine({x.extent(0), Z});
      backend_ops<B>::copy(mine.data(), eps.data() + s.row_offset * Z, static_cast<std::size_t>(mine.size()));
      eps = std::move(mine);
    }
    return run(x, true, &eps, capacity(s.step), s.sharded() ? &s : nullptr).total;
  }
  // The same with the noise given ([batch, latent]) and C fixed: for reproducing a reference exactly.
  loss_terms loss_and_backward_with_noise(const batch_type& x, const tensor<float, 2, B>& eps, float capacity_now) {
    if (eps.extent(0) != x.extent(0) || eps.extent(1) != c_.latent)
      throw_shape_mismatch(Config::name, "noise eps", shape_t<2>{x.extent(0), c_.latent}, eps.shape());
    return run(x, true, &eps, capacity_now);
  }
  // Validation: the same loss with eps = 0 (z = mu), so it does not depend on noise.
  double validation_loss(const batch_type& x) { return run(x, false, nullptr, capacity(step_)).total; }
  loss_terms loss_parts(const batch_type& x) { return run(x, false, nullptr, capacity(step_)); }

  // mu for every frame: [batch, latent].
  tensor<float, 2, B> encode(const batch_type& x) {
    forward_encoder(x, false);
    return mu_out_;
  }
  // MSE per bin of decoder(mu) against the frames (table2's measure for this model).
  double reconstruction_error(const batch_type& x) {
    const auto y = reconstruct(x).to_vector(), t = x.to_vector();
    double s = 0;
    for (std::size_t i = 0; i < y.size(); ++i) s += double(y[i] - t[i]) * double(y[i] - t[i]);
    return s / double(y.size());
  }
  // Decoder(z) for latents of your choosing [batch, latent]: frames [batch, 1, n_mels] (latent
  // traversals: vary one dimension of encode()'s mu and look at what comes out).
  tensor<float, 3, B> decode(const tensor<float, 2, B>& z) {
    if (z.extent(1) != c_.latent) throw_shape_mismatch(Config::name, "latents", shape_t<2>{z.extent(0), c_.latent}, z.shape());
    z_ = z;
    forward_decoder(false);
    return y_;
  }
  // Decoder(mu): the deterministic reconstruction [batch, 1, n_mels].
  tensor<float, 3, B> reconstruct(const batch_type& x) {
    forward_encoder(x, false);
    z_ = mu_out_;
    forward_decoder(false);
    return y_;
  }

 private:
  index_t flat() const { return c_.encoded_channels() * c_.encoded_length(); }

  void forward_encoder(const batch_type& x, bool training) {
    if (x.extent(1) != 1 || x.extent(2) != c_.n_mels)
      throw_shape_mismatch(Config::name, "input frames", shape_t<3>{x.extent(0), 1, c_.n_mels}, x.shape());
    const index_t Bn = x.extent(0);
    detail::ensure_shape(h_, enc_.output_shape(x.shape()));
    enc_.forward(x.view(), h_.view(), training);
    const auto h = detail::as_shape<2>(std::as_const(h_), shape_t<2>{Bn, flat()});
    detail::ensure_shape(mu_out_, {Bn, c_.latent});
    detail::ensure_shape(lv_out_, {Bn, c_.latent});
    mu_.forward(h, mu_out_.view(), training);
    logvar_.forward(h, lv_out_.view(), training);
  }

  void forward_decoder(bool training) {
    const index_t Bn = z_.extent(0);
    detail::ensure_shape(fc_out_, {Bn, flat()});
    fc_.forward(detail::cview(z_), fc_out_.view(), training);
    const auto in = fc_in();
    detail::ensure_shape(y_, dec_.output_shape(in.shape()));
    dec_.forward(in, y_.view(), training);
  }
  tensor_view<const float, 3, B> fc_in() const {
    return detail::as_shape<3>(fc_out_, shape_t<3>{fc_out_.extent(0), c_.encoded_channels(), c_.encoded_length()});
  }

  // shard: this batch is a shard of a data-parallel batch (step_info::sharded()).
  loss_terms run(const batch_type& x, bool backward, const tensor<float, 2, B>* eps, float C, const step_info* shard = nullptr) {
    forward_encoder(x, backward);
    const index_t Bn = x.extent(0), Z = c_.latent;
    eps_ = eps ? *eps : tensor<float, 2, B>({Bn, Z}, 0.0f);
    detail::ensure_shape(z_, {Bn, Z});
    nn::tt::reparameterize<float, B>::forward(Bn * Z, mu_out_.data(), lv_out_.data(), eps_.data(), z_.data());
    forward_decoder(backward);
    // A diverged network returns NaN (the trainer stops with its message) instead of the loss's throw.
    if (!detail::all_finite(y_) || !detail::all_finite(mu_out_) || !detail::all_finite(lv_out_)) {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      return {nan, nan, nan};
    }
    // The loss of the building blocks (nn/loss/capacity.hpp), with C fixed to the step's value.
    const nn::capacity_schedule at_c{.c_max = C, .num_steps = 0, .gamma = c_.gamma};
    auto loss = nn::beta_vae_capacity_loss(y_, x, mu_out_, lv_out_, at_c, 0);
    loss_terms out{double(loss.total), double(loss.recon), double(loss.kl)};
    if (shard) {
      // |KL - C| couples the rows: its value and its sign are the whole batch's. Each rank keeps its
      // rows' reconstruction term (the trainer weights the shards' losses by their rows).
      double kl_sum = double(loss.kl) * double(Bn);
      shard->group->all_reduce_sum(&kl_sum, 1);
      const double kl = kl_sum / double(shard->batch_rows), gap = kl - double(C);
      auto sign = [](double v) { return v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0; };
      const double coef = c_.gamma * sign(gap), local = c_.gamma * sign(double(loss.kl) - double(C));
      if (coef != local) {
        const auto nz = static_cast<std::size_t>(loss.grad_mu.size());
        if (local == 0) {  // the shard's own term had no gradient: take the KL's afresh
          auto k = nn::gaussian_kl(mu_out_, lv_out_);
          loss.grad_mu = std::move(k.grad_mu);
          loss.grad_logvar = std::move(k.grad_logvar);
        }
        const float f = static_cast<float>(local == 0 ? coef : coef / local);
        backend_ops<B>::map(loss.grad_mu.data(), loss.grad_mu.data(), nz, ops::scale_by<float>{f});
        backend_ops<B>::map(loss.grad_logvar.data(), loss.grad_logvar.data(), nz, ops::scale_by<float>{f});
      }
      out.kl = kl;
      out.total = double(loss.recon) + c_.gamma * std::abs(gap);
    }
    if (backward) backward_pass(x, loss);
    return out;
  }

  template <class Loss>
  void backward_pass(const batch_type& x, Loss& loss) {
    const index_t Bn = x.extent(0), Z = c_.latent, F = flat();
    // Kept between steps (each call overwrites them): fresh 4 MB buffers cost page faults every step.
    auto& dfc = detail::ensure_shape(dfc_, fc_in().shape());
    dec_.backward(fc_in(), detail::cview(y_), detail::cview(loss.grad_recon), dfc.view());
    auto& dz = detail::ensure_shape(dz_, {Bn, Z});
    fc_.backward(detail::cview(z_), detail::cview(fc_out_), detail::as_shape<2>(std::as_const(dfc), shape_t<2>{Bn, F}),
                 dz.view());
    // z = mu + eps * exp(lv / 2): the decoder's gradient reaches mu directly and logvar through the
    // noise; the loss already holds the gradient of gamma * |KL - C|.
    auto dmu = std::move(loss.grad_mu);
    auto dlv = std::move(loss.grad_logvar);
    nn::tt::reparameterize<float, B>::backward(Bn * Z, lv_out_.data(), eps_.data(), dz.data(), dmu.data(), dlv.data());
    const auto h = detail::as_shape<2>(std::as_const(h_), shape_t<2>{Bn, F});
    auto& dh = detail::ensure_shape(dh_, {Bn, F});
    auto& dh2 = detail::ensure_shape(dh2_, {Bn, F});
    mu_.backward(h, detail::cview(mu_out_), detail::cview(dmu), dh.view());
    logvar_.backward(h, detail::cview(lv_out_), detail::cview(dlv), dh2.view());
    backend_ops<B>::axpy(1.0f, dh2.data(), dh.data(), static_cast<std::size_t>(dh.size()));
    enc_.backward(x.view(), detail::cview(h_), detail::as_shape<3>(std::as_const(dh), h_.shape()),
                  tensor_view<float, 3, B>());
  }

  Config c_;
  Encoder enc_;
  Decoder dec_;
  nn::linear<float, B> mu_, logvar_, fc_;
  std::int64_t step_ = 0;
  // activations of the most recent forward pass
  tensor<float, 3, B> h_, y_;
  tensor<float, 2, B> mu_out_, lv_out_, eps_, z_, fc_out_;
  // gradients of the backward pass
  tensor<float, 3, B> dfc_;
  tensor<float, 2, B> dz_, dh_, dh2_;
};

}  // namespace cantus::models
