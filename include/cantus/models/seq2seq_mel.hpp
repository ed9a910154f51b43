#pragma once
// (3) seq2seq_mel: the paper's LSTM sequence-to-sequence autoencoder on log-mel chunks.
//   encoder  LSTM(n_mels -> 512) over T frames; z = its final hidden state h_T (512-d)
//   decoder  LSTM(n_mels -> 512) started from (h_T, 0), fed the previous true frame (teacher forcing)
//   output   Linear(512 -> n_mels) per frame; loss MSE (mean) against the chunk.
// The PyTorch reference is LstmSeq2Seq (docs/models.md); the embedding of a chunk is z.
#include "cantus/models/config.hpp"
#include "cantus/models/seq2seq_autoencoder.hpp"
#include "cantus/nn/rnn/lstm.hpp"

namespace cantus::models {

template <class B = cpu>
using seq2seq_mel = seq2seq_autoencoder<nn::lstm<float, B>, nn::lstm<float, B>, nn::linear<float, B, dyn, dyn, 3>,
                                        seq2seq_mel_config>;

}  // namespace cantus::models
