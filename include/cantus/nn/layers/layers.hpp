#pragma once
// Every layer of cantus::nn (the contract is in cantus/nn/layer.hpp).
#include "cantus/nn/layers/activations.hpp"
#include "cantus/nn/layers/batch_norm.hpp"
#include "cantus/nn/layers/conv1d.hpp"
#include "cantus/nn/layers/conv2d.hpp"
#include "cantus/nn/layers/conv_pool_stack.hpp"
#include "cantus/nn/layers/conv_transpose1d.hpp"
#include "cantus/nn/layers/dropout.hpp"
#include "cantus/nn/layers/embedding.hpp"
#include "cantus/nn/layers/global_avg_pool.hpp"
#include "cantus/nn/layers/linear.hpp"
#include "cantus/nn/layers/max_pool2d.hpp"
#include "cantus/nn/layers/reshape.hpp"
