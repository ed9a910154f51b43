#pragma once
// (4) wavenet: the paper's WaveNet with local conditioning on the log-mel (the PyTorch reference is
// WaveNet, docs/models.md):
//   input      mu-law classes (256) through a 1x1 convolution (a column lookup)
//   condition  log-mel -> 3 x ConvTranspose1d(k16 s8 p4) (ReLU between) -> x512, cropped to T
//   layer l    gated residual layer, CausalConv1d(residual -> 2 residual, k2, dilation 2^(l mod 10))
//              + Conv1d(n_mels -> 2 residual, k1) of the condition, tanh * sigmoid, residual and skip 1x1s
//   output     Conv1d(skip -> 256)(relu(Conv1d(skip -> skip)(relu(skips)))); cross-entropy of the next sample
// The embedding of a chunk is the activations before the output layer averaged over time.
//
// The paper fixes three upsampling layers: they are the type. Layer count, widths and chunk length
// are run-time (wavenet_config), so --quick shrinks them.
#include "cantus/models/config.hpp"
#include "cantus/models/gated_residual.hpp"
#include "cantus/models/wavenet_stack.hpp"
#include "cantus/nn/layers/activations.hpp"
#include "cantus/nn/layers/conv_transpose1d.hpp"
#include "cantus/nn/sequential.hpp"

namespace cantus::models {

template <class B = cpu>
using wavenet_upsampler = nn::sequential<nn::conv_transpose1d<float, B>, nn::relu<float, B>, nn::conv_transpose1d<float, B>,
                                         nn::relu<float, B>, nn::conv_transpose1d<float, B>>;

template <class B = cpu>
using wavenet = wavenet_stack<gated_residual<B>, wavenet_upsampler<B>, wavenet_config>;

// Every stage of the upsampler maps n_mels channels to n_mels, multiplying the length by the stride.
template <class Upsampler>
Upsampler make_upsampler(const wavenet_config& c) {
  constexpr std::size_t stages = detail::stage_of<Upsampler, nn::conv_transpose1d_config, Upsampler::size>();
  if (static_cast<index_t>(stages) != c.upsample_layers)
    throw_value_error("wavenet_config: the upsampler type has ", stages, " transposed convolutions but upsample_layers is ",
                      c.upsample_layers);
  return detail::build_stages<Upsampler, nn::conv_transpose1d_config>([&](std::size_t) {
    return nn::conv_transpose1d_config{c.n_mels, c.n_mels, c.upsample_kernel, c.upsample_stride, c.upsample_padding};
  });
}

}  // namespace cantus::models
