#pragma once
// (1) naive_seq2seq: the paper's GRU sequence-to-sequence autoencoder on raw audio.
//   encoder  GRU(1 -> H) over a chunk of T samples; z = its final hidden state (H = 8, 16 or 32)
//   decoder  GRU(1 -> H) started from z, fed the previous true sample (teacher forcing: x_{t-1}, x_{-1} = 0)
//   output   Linear(H -> 1) per step; loss MSE (mean) against the chunk.
// The PyTorch reference is GruSeq2Seq (docs/models.md); the embedding of a chunk is z.
#include "cantus/models/config.hpp"
#include "cantus/models/seq2seq_autoencoder.hpp"
#include "cantus/nn/rnn/gru.hpp"

namespace cantus::models {

template <class B = cpu>
using naive_seq2seq = seq2seq_autoencoder<nn::gru<float, B>, nn::gru<float, B>, nn::linear<float, B, dyn, dyn, 3>,
                                          naive_seq2seq_config>;

}  // namespace cantus::models
