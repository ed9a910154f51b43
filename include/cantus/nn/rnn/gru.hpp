#pragma once
// nn::gru<T, B>: one-layer GRU over [batch, time, features] (batch_first), PyTorch's equations, gate
// order (r, z, n) and parameter names/shapes, so weights load into and out of torch.nn.GRU unchanged:
//   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)      z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))   h' = (1 - z) * n + z * h
//
// The layer is nn::recurrent (nn/rnn/recurrent.hpp) with the GRU cell; the arithmetic (fused gate
// kernels, one GEMM per step) is nn::tt::gru<T, B>.
//
// Direct API for seq2seq: forward(x, h0, y, h_n) and backward(dy, dh_n, dx, dh0). Null views ({})
// stand for zeros (h0, dy, dh_n) or "not wanted" (h_n, dx, dh0). Parameter gradients accumulate.
#include "cantus/nn/rnn/recurrent.hpp"
#include "cantus/nn/tt/gru.hpp"

namespace cantus::nn {

// Three gate rows per unit (r, z, n) and no cell state.
struct gru_cell : recurrent_cell<3, false, tt::gru> {
  static constexpr const char* name = "gru";
};

using gru_config = recurrent_config;

// gru<float, cpu, 1, 32> fixes the sizes in the type; gru<float>({.input_size = 1, .hidden_size = 32})
// takes them at run time.
template <class T, class B = cpu, index_t InputSize = dyn, index_t HiddenSize = dyn>
using gru = recurrent<gru_cell, T, B, InputSize, HiddenSize>;

}  // namespace cantus::nn
