#pragma once
// (2) step_vae: the paper's step-based beta-VAE. Every log-mel frame (n_mels bins) is one sample:
//   encoder  Conv1d(1->32->64->128, k4 s2 p1) + ReLU  -> flatten -> Linear -> mu, Linear -> logvar
//   z        mu + eps * exp(logvar / 2), eps ~ N(0, 1) from Philox keyed by (seed, step)
//   decoder  Linear(z -> 128 * n_mels/8) -> [128, n_mels/8] -> ConvTranspose1d mirror (ReLU between)
//   loss     sum-MSE / batch + gamma * |KL - C|, C annealed linearly 0 -> capacity_max
//            (Burgess et al. 2018, "Understanding disentangling in beta-VAE"), KL averaged over batch.
// Exactly StepVae of ../shared/anchor_models.py; the embedding of a frame is mu.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "cantus/models/model_support.hpp"  // first: see the note there
#include "cantus/core/random.hpp"
#include "cantus/models/config.hpp"
#include "cantus/nn/layers/activations.hpp"
#include "cantus/nn/layers/conv1d.hpp"
#include "cantus/nn/layers/conv_transpose1d.hpp"
#include "cantus/nn/layers/linear.hpp"
#include "cantus/nn/loss/capacity.hpp"

namespace cantus::models {

class step_vae {
 public:
  using batch_type = tensor<float, 3>;  // [batch, 1, n_mels] standardised log-mel frames

  explicit step_vae(step_vae_config c = {}, std::uint64_t seed = 0) : c_(std::move(c)) {
    c_.validate();
    const index_t L = static_cast<index_t>(c_.channels.size());
    index_t in = 1;
    for (index_t i = 0; i < L; ++i) {
      enc_.emplace_back(nn::conv1d_config{in, c_.channels[i], c_.kernel_size, c_.stride, c_.padding});
      in = c_.channels[i];
    }
    const index_t flat = in * c_.encoded_length();
    mu_ = nn::linear<float>(nn::linear_config{flat, c_.latent});
    logvar_ = nn::linear<float>(nn::linear_config{flat, c_.latent});
    fc_ = nn::linear<float>(nn::linear_config{c_.latent, flat});
    for (index_t j = 0; j < L; ++j) {
      const index_t out = j == L - 1 ? 1 : c_.channels[static_cast<std::size_t>(L - 2 - j)];
      dec_.emplace_back(nn::conv_transpose1d_config{c_.channels[static_cast<std::size_t>(L - 1 - j)], out, c_.kernel_size,
                                                    c_.stride, c_.padding});
    }
    init(random_stream(seed, 0x5645));
  }

  const step_vae_config& config() const { return c_; }
  index_t latent_dim() const { return c_.latent; }

  void init(random_stream rng) {
    std::uint64_t k = 0;
    for (auto& l : enc_) l.init(rng.split(k++));
    mu_.init(rng.split(k++));
    logvar_.init(rng.split(k++));
    fc_.init(rng.split(k++));
    for (auto& l : dec_) l.init(rng.split(k++));
  }

  nn::parameter_list<float> parameters() {
    nn::parameter_list<float> ps;
    for (std::size_t i = 0; i < enc_.size(); ++i) enc_[i].parameters(ps, "enc." + std::to_string(2 * i));
    mu_.parameters(ps, "mu");
    logvar_.parameters(ps, "lv");
    fc_.parameters(ps, "fc");
    for (std::size_t j = 0; j < dec_.size(); ++j) dec_[j].parameters(ps, "dec." + std::to_string(2 * j));
    return ps;
  }
  nn::parameter_list<float> buffers() { return {}; }
  void save_state(std::ostream& o) { save_model_state(*this, o); }
  void load_state(std::istream& i) { load_model_state(*this, i, "step_vae"); }

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
    tensor<float, 2> eps({x.extent(0), c_.latent});
    const random_stream noise = random_stream(s.seed, 0x5645'0000ULL).split(static_cast<std::uint64_t>(s.step));
    for (index_t i = 0; i < eps.size(); ++i) eps.data()[i] = static_cast<float>(noise.normal(static_cast<std::uint64_t>(i)));
    return run(x, true, &eps, capacity(s.step)).total;
  }
  // The same with the noise given ([batch, latent]) and C fixed: for reproducing a reference exactly.
  loss_terms loss_and_backward_with_noise(const batch_type& x, const tensor<float, 2>& eps, float capacity_now) {
    if (eps.extent(0) != x.extent(0) || eps.extent(1) != c_.latent)
      throw_shape_mismatch("step_vae", "noise eps", shape_t<2>{x.extent(0), c_.latent}, eps.shape());
    return run(x, true, &eps, capacity_now);
  }
  // Validation: the same loss with eps = 0 (z = mu), so it does not depend on noise.
  double validation_loss(const batch_type& x) { return run(x, false, nullptr, capacity(step_)).total; }
  loss_terms loss_parts(const batch_type& x) { return run(x, false, nullptr, capacity(step_)); }

  // mu for every frame: [batch, latent].
  tensor<float, 2> encode(const batch_type& x) {
    forward_encoder(x, false);
    return mu_out_;
  }
  // Decoder(mu): the deterministic reconstruction [batch, 1, n_mels].
  tensor<float, 3> reconstruct(const batch_type& x) {
    forward_encoder(x, false);
    z_ = mu_out_;
    forward_decoder(false);
    return dec_out_.back();
  }

 private:
  void check_input(const batch_type& x) const {
    if (x.extent(1) != 1 || x.extent(2) != c_.n_mels)
      throw_shape_mismatch("step_vae", "input frames", shape_t<3>{x.extent(0), 1, c_.n_mels}, x.shape());
  }

  void forward_encoder(const batch_type& x, bool training) {
    check_input(x);
    const index_t B = x.extent(0);
    enc_pre_.resize(enc_.size());
    enc_out_.resize(enc_.size());
    tensor_view<const float, 3> in = x.view();
    for (std::size_t i = 0; i < enc_.size(); ++i) {
      detail::ensure_shape(enc_pre_[i], enc_[i].output_shape(in.shape()));
      enc_[i].forward(in, enc_pre_[i].view(), training);
      detail::ensure_shape(enc_out_[i], enc_pre_[i].shape());
      relu_.forward(detail::cview(enc_pre_[i]), enc_out_[i].view(), training);
      in = enc_out_[i].view();
    }
    const auto h = detail::as_shape<2>(std::as_const(enc_out_.back()), shape_t<2>{B, in.size() / B});
    mu_out_ = tensor<float, 2>({B, c_.latent});
    lv_out_ = tensor<float, 2>({B, c_.latent});
    mu_.forward(h, mu_out_.view(), training);
    logvar_.forward(h, lv_out_.view(), training);
  }

  void forward_decoder(bool training) {
    const index_t B = z_.extent(0), C = c_.channels.back(), L = c_.encoded_length();
    fc_out_ = tensor<float, 2>({B, C * L});
    fc_.forward(detail::cview(z_), fc_out_.view(), training);
    dec_pre_.resize(dec_.size());
    dec_out_.resize(dec_.size());
    tensor_view<const float, 3> in = detail::as_shape<3>(std::as_const(fc_out_), shape_t<3>{B, C, L});
    for (std::size_t j = 0; j < dec_.size(); ++j) {
      detail::ensure_shape(dec_pre_[j], dec_[j].output_shape(in.shape()));
      dec_[j].forward(in, dec_pre_[j].view(), training);
      if (j + 1 < dec_.size()) {
        detail::ensure_shape(dec_out_[j], dec_pre_[j].shape());
        relu_.forward(detail::cview(dec_pre_[j]), dec_out_[j].view(), training);
      } else {
        dec_out_[j] = dec_pre_[j];
      }
      in = dec_out_[j].view();
    }
  }

  loss_terms run(const batch_type& x, bool backward, const tensor<float, 2>* eps, float C) {
    forward_encoder(x, backward);
    const index_t B = x.extent(0), Z = c_.latent;
    eps_ = eps ? *eps : tensor<float, 2>({B, Z}, 0.0f);
    z_ = tensor<float, 2>({B, Z});
    for (index_t i = 0; i < B * Z; ++i) {
      z_.data()[i] = mu_out_.data()[i] + eps_.data()[i] * std::exp(0.5f * lv_out_.data()[i]);
    }
    forward_decoder(backward);
    // A diverged network returns NaN (the trainer stops with its message) instead of the loss's throw.
    const auto& y = dec_out_.back();
    if (!detail::all_finite(y.data(), y.size()) || !detail::all_finite(mu_out_.data(), mu_out_.size()) ||
        !detail::all_finite(lv_out_.data(), lv_out_.size())) {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      return {nan, nan, nan};
    }
    // The loss of the building blocks (nn/loss/capacity.hpp), with C fixed to the step's value.
    const nn::capacity_schedule at_c{.c_max = C, .num_steps = 0, .gamma = c_.gamma};
    auto loss = nn::beta_vae_capacity_loss(y, x, mu_out_, lv_out_, at_c, 0);
    loss_terms out{double(loss.total), double(loss.recon), double(loss.kl)};
    if (backward) backward_pass(x, loss);
    return out;
  }

  template <class Loss>
  void backward_pass(const batch_type& x, Loss& loss) {
    const index_t B = x.extent(0), Z = c_.latent, C = c_.channels.back(), L = c_.encoded_length();
    tensor<float, 3> dy = std::move(loss.grad_recon);
    for (std::size_t j = dec_.size(); j-- > 0;) {
      tensor_view<const float, 3> in =
          j == 0 ? detail::as_shape<3>(std::as_const(fc_out_), shape_t<3>{B, C, L}) : detail::cview(dec_out_[j - 1]);
      if (j + 1 < dec_.size()) {  // through the ReLU after this layer
        tensor<float, 3> dpre(dy.shape());
        relu_.backward(detail::cview(dec_pre_[j]), detail::cview(dec_out_[j]), detail::cview(dy), dpre.view());
        dy = std::move(dpre);
      }
      tensor<float, 3> din(in.shape());
      dec_[j].backward(in, detail::cview(dec_pre_[j]), detail::cview(dy), din.view());
      dy = std::move(din);
    }
    tensor<float, 2> dz({B, Z});
    fc_.backward(detail::cview(z_), detail::cview(fc_out_), detail::as_shape<2>(std::as_const(dy), shape_t<2>{B, C * L}),
                 dz.view());
    // z = mu + eps * exp(lv / 2): the decoder's gradient reaches mu directly and logvar through the
    // noise; the loss already holds the gradient of gamma * |KL - C|.
    tensor<float, 2> dmu = std::move(loss.grad_mu), dlv = std::move(loss.grad_logvar);
    for (index_t i = 0; i < B * Z; ++i) {
      const float sd = std::exp(0.5f * lv_out_.data()[i]);
      dmu.data()[i] += dz.data()[i];
      dlv.data()[i] += dz.data()[i] * eps_.data()[i] * 0.5f * sd;
    }
    const index_t flat = C * L;
    const auto h = detail::as_shape<2>(std::as_const(enc_out_.back()), shape_t<2>{B, flat});
    tensor<float, 2> dh({B, flat}), dh2({B, flat});
    mu_.backward(h, detail::cview(mu_out_), detail::cview(dmu), dh.view());
    logvar_.backward(h, detail::cview(lv_out_), detail::cview(dlv), dh2.view());
    for (index_t i = 0; i < dh.size(); ++i) dh.data()[i] += dh2.data()[i];
    tensor<float, 3> da = std::move(dh).reshaped<3>(enc_out_.back().shape());
    for (std::size_t i = enc_.size(); i-- > 0;) {
      tensor<float, 3> dpre(da.shape());
      relu_.backward(detail::cview(enc_pre_[i]), detail::cview(enc_out_[i]), detail::cview(da), dpre.view());
      if (i == 0) {
        enc_[i].backward(x.view(), detail::cview(enc_pre_[i]), detail::cview(dpre), tensor_view<float, 3>());
      } else {
        tensor<float, 3> din(enc_out_[i - 1].shape());
        enc_[i].backward(detail::cview(enc_out_[i - 1]), detail::cview(enc_pre_[i]), detail::cview(dpre), din.view());
        da = std::move(din);
      }
    }
  }

  step_vae_config c_;
  std::vector<nn::conv1d<float>> enc_;
  nn::linear<float> mu_{nn::linear_config{1, 1}}, logvar_{nn::linear_config{1, 1}}, fc_{nn::linear_config{1, 1}};
  std::vector<nn::conv_transpose1d<float>> dec_;
  nn::relu<float, 3> relu_;
  std::int64_t step_ = 0;
  // activations of the most recent forward pass
  std::vector<tensor<float, 3>> enc_pre_, enc_out_, dec_pre_, dec_out_;
  tensor<float, 2> mu_out_, lv_out_, eps_, z_, fc_out_;
};

}  // namespace cantus::models
