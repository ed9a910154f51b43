#pragma once
// Every layer of cantus::nn satisfies the layer contract on backend B, in its dynamic and static
// forms: one list, checked at compile time for the CPU (tests/nn) and, compiled by nvcc, for CUDA
// (tests/cuda). A layer that named a backend in its body would fail here for the other one.
#include "cantus/backend/backend.hpp"
#include "cantus/nn.hpp"

namespace cantus::testing {

template <class B>
constexpr bool every_layer_satisfies_the_contract() {
  static_assert(backend<B>);
  static_assert(nn::layer<nn::linear<float, B>>);
  static_assert(nn::layer<nn::linear<double, B, 5, 3>>);
  static_assert(nn::layer<nn::linear<float, B, dyn, dyn, 3>>);
  static_assert(nn::layer<nn::conv1d<float, B>>);
  static_assert(nn::layer<nn::conv1d<float, B, 1, 32, 4, 2, 1>>);
  static_assert(nn::layer<nn::causal_conv1d<float, B, 64, 128, 2, 512>>);
  static_assert(nn::layer<nn::conv2d<float, B>>);
  static_assert(nn::layer<nn::conv2d<float, B, 1, 32, 3, 1, 1>>);
  static_assert(nn::layer<nn::conv_transpose1d<float, B>>);
  static_assert(nn::layer<nn::conv_transpose1d<float, B, 128, 64, 4, 2, 1>>);
  static_assert(nn::layer<nn::relu<float, B, 3>>);
  static_assert(nn::layer<nn::leaky_relu<float, B, 2>>);
  static_assert(nn::layer<nn::tanh<float, B, 3>>);
  static_assert(nn::layer<nn::sigmoid<float, B, 4>>);
  static_assert(nn::layer<nn::gated_activation<float, B, 3>>);
  static_assert(nn::layer<nn::batch_norm<float, B, 4>>);
  static_assert(nn::layer<nn::batch_norm1d<float, B, 16>>);
  static_assert(nn::layer<nn::batch_norm2d<float, B>>);
  static_assert(nn::layer<nn::max_pool2d<float, B>>);
  static_assert(nn::layer<nn::max_pool2d<float, B, 2>>);
  static_assert(nn::layer<nn::global_avg_pool<float, B, 4>>);
  static_assert(nn::layer<nn::dropout<float, B, 2>>);
  static_assert(nn::layer<nn::one_hot<float, B, 256>>);
  static_assert(nn::layer<nn::embedding<float, B>>);
  static_assert(nn::layer<nn::embedding<float, B, 10, 4>>);
  static_assert(nn::layer<nn::flatten<float, B, 3>>);
  static_assert(nn::layer<nn::reshape<float, B, static_shape<8, 4>, 2>>);
  static_assert(nn::layer<nn::gru<float, B>>);
  static_assert(nn::layer<nn::gru<float, B, 1, 32>>);
  static_assert(nn::layer<nn::lstm<float, B>>);
  static_assert(nn::layer<nn::lstm<float, B, 128, 512>>);
  static_assert(nn::layer<nn::conv_pool_stack<float, B, 4>>);
  static_assert(nn::layer<nn::sequential<nn::conv1d<float, B, 1, 32, 4, 2, 1>, nn::relu<float, B>,
                                         nn::conv1d<float, B, 32, 64, 4, 2, 1>, nn::relu<float, B>,
                                         nn::flatten<float, B>, nn::linear<float, B, 2048, 100>>>);
  return true;
}

}  // namespace cantus::testing
