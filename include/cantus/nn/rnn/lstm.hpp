#pragma once
// nn::lstm<T, B>: one-layer LSTM over [batch, time, features] (batch_first), PyTorch's equations, gate
// order (i, f, g, o) and parameter names/shapes, so weights load into and out of torch.nn.LSTM:
//   i = sigmoid(.)  f = sigmoid(.)  g = tanh(.)  o = sigmoid(.)   each of W_i* x + b_i* + W_h* h + b_h*
//   c' = f * c + i * g      h' = o * tanh(c')
//
// The layer is nn::recurrent (nn/rnn/recurrent.hpp) with the LSTM cell; the arithmetic (fused gate
// kernels, one GEMM per step) is nn::tt::lstm<T, B>.
//
// Direct API for seq2seq: forward(x, h0, c0, y, h_n, c_n) and backward(dy, dh_n, dc_n, dx, dh0, dc0).
// Null views ({}) stand for zeros (h0, c0, dy, dh_n, dc_n) or "not wanted" (h_n, c_n, dx, dh0, dc0).
// Parameter gradients accumulate; dx, dh0, dc0 are overwritten.
#include "cantus/nn/rnn/recurrent.hpp"
#include "cantus/nn/tt/lstm.hpp"

namespace cantus::nn {

// Four gate rows per unit (i, f, g, o) and the cell state c beside h.
struct lstm_cell : recurrent_cell<4, true, tt::lstm> {
  static constexpr const char* name = "lstm";
};

using lstm_config = recurrent_config;

// lstm<float, cpu, 128, 512> fixes the sizes in the type; lstm<float>({.input_size = 128,
// .hidden_size = 512}) takes them at run time.
template <class T, class B = cpu, index_t InputSize = dyn, index_t HiddenSize = dyn>
using lstm = recurrent<lstm_cell, T, B, InputSize, HiddenSize>;

}  // namespace cantus::nn
