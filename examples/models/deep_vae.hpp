#pragma once
// A model of your own is a declaration: a beta-VAE with five convolution stages instead of the paper's
// three, on any backend B (custom_model.cpp trains it on the CPU; test_cuda compiles and steps it on
// cuda). step_vae_config's chain builders build any number of stages from `channels`.
#include "cantus/models/beta_vae.hpp"
#include "cantus/models/config.hpp"
#include "cantus/nn/layers/layers.hpp"

namespace custom {

template <class B = cantus::cpu>
using deep_encoder =
    cantus::nn::sequential<cantus::nn::conv1d<float, B>, cantus::nn::relu<float, B>, cantus::nn::conv1d<float, B>,
                           cantus::nn::relu<float, B>, cantus::nn::conv1d<float, B>, cantus::nn::relu<float, B>,
                           cantus::nn::conv1d<float, B>, cantus::nn::relu<float, B>, cantus::nn::conv1d<float, B>,
                           cantus::nn::relu<float, B>>;
template <class B = cantus::cpu>
using deep_decoder =
    cantus::nn::sequential<cantus::nn::conv_transpose1d<float, B>, cantus::nn::relu<float, B>, cantus::nn::conv_transpose1d<float, B>,
                           cantus::nn::relu<float, B>, cantus::nn::conv_transpose1d<float, B>, cantus::nn::relu<float, B>,
                           cantus::nn::conv_transpose1d<float, B>, cantus::nn::relu<float, B>, cantus::nn::conv_transpose1d<float, B>>;
template <class B = cantus::cpu>
using deep_vae = cantus::models::beta_vae<deep_encoder<B>, deep_decoder<B>, cantus::models::step_vae_config>;

}  // namespace custom
