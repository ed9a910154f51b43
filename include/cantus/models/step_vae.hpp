#pragma once
// (2) step_vae: the paper's step-based beta-VAE. Every log-mel frame (n_mels bins) is one sample:
//   encoder  Conv1d(1->32->64->128, k4 s2 p1) + ReLU  -> flatten -> Linear -> mu, Linear -> logvar
//   z        mu + eps * exp(logvar / 2), eps ~ N(0, 1) from Philox keyed by (seed, step)
//   decoder  Linear(z -> 128 * n_mels/8) -> [128, n_mels/8] -> ConvTranspose1d mirror (ReLU between)
//   loss     sum-MSE / batch + gamma * |KL - C|, C annealed linearly 0 -> capacity_max
// The PyTorch reference is StepVae (docs/models.md); the embedding of a frame is mu.
//
// The paper fixes three halving convolution stages: they are the types below. Their widths, the
// latent size and the frame size are run-time (step_vae_config), so --quick shrinks them.
#include <cstddef>
#include <type_traits>
#include <utility>

#include "cantus/models/beta_vae.hpp"
#include "cantus/models/config.hpp"
#include "cantus/nn/layers/activations.hpp"
#include "cantus/nn/layers/conv1d.hpp"
#include "cantus/nn/layers/conv_transpose1d.hpp"
#include "cantus/nn/sequential.hpp"

namespace cantus::models {

template <class B = cpu>
using vae_encoder = nn::sequential<nn::conv1d<float, B>, nn::relu<float, B>, nn::conv1d<float, B>, nn::relu<float, B>,
                                   nn::conv1d<float, B>, nn::relu<float, B>>;
template <class B = cpu>
using vae_decoder = nn::sequential<nn::conv_transpose1d<float, B>, nn::relu<float, B>, nn::conv_transpose1d<float, B>,
                                   nn::relu<float, B>, nn::conv_transpose1d<float, B>>;

template <class B = cpu>
using step_vae = beta_vae<vae_encoder<B>, vae_decoder<B>, step_vae_config>;

namespace detail {
template <class Chain, class Cfg>
void require_stages(const step_vae_config& c, const char* part) {
  constexpr std::size_t stages = stage_of<Chain, Cfg, Chain::size>();
  if (c.channels.size() != stages)
    throw_value_error("step_vae_config: the ", part, " type has ", stages, " convolution stages but channels lists ",
                      c.channels.size(), " widths");
}
}  // namespace detail

// The convolutional chains of a step-VAE: stage j of the encoder maps channels[j-1] (1 for j = 0)
// to channels[j]; the decoder mirrors it back to one channel. Any number of stages, any layers
// between them.
template <class Encoder>
Encoder make_encoder(const step_vae_config& c) {
  detail::require_stages<Encoder, nn::conv1d_config>(c, "encoder");
  return detail::build_stages<Encoder, nn::conv1d_config>([&](std::size_t j) {
    return nn::conv1d_config{j == 0 ? 1 : c.channels[j - 1], c.channels[j], c.kernel_size, c.stride, c.padding};
  });
}
template <class Decoder>
Decoder make_decoder(const step_vae_config& c) {
  detail::require_stages<Decoder, nn::conv_transpose1d_config>(c, "decoder");
  const std::size_t L = c.channels.size();
  return detail::build_stages<Decoder, nn::conv_transpose1d_config>([&](std::size_t j) {
    return nn::conv_transpose1d_config{c.channels[L - 1 - j], j + 1 == L ? 1 : c.channels[L - 2 - j], c.kernel_size,
                                       c.stride, c.padding};
  });
}

}  // namespace cantus::models
