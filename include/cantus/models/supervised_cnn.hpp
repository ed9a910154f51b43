#pragma once
// (5) supervised_cnn: the paper's supervised baseline on log-mel chunks [batch, 1, n_mels, frames]:
//   4 x [Conv2d 3x3 pad 1 (32, 64, 128, 128) + BatchNorm2d + ReLU + MaxPool2d 2] -> mean over (H, W)
//   -> Linear -> genre logits; loss cross-entropy (mean). The PyTorch reference is Cnn (docs/models.md).
// A track's prediction is the argmax of its chunks' mean softmax.
//
// The paper fixes four blocks: they are the type; widths, chunk size and genre count are run-time.
#include "cantus/models/classifier.hpp"
#include "cantus/models/config.hpp"
#include "cantus/nn/layers/conv_pool_stack.hpp"
#include "cantus/nn/layers/linear.hpp"

namespace cantus::models {

template <class B = cpu>
using supervised_cnn = classifier<nn::conv_pool_stack<float, B, 4>, nn::linear<float, B>, supervised_cnn_config>;

template <class Body>
Body make_body(const supervised_cnn_config& c) {
  return Body(nn::conv_pool_stack_config{.in_channels = 1, .channels = c.channels});
}

}  // namespace cantus::models
