#pragma once
// (3) seq2seq_mel: the paper's LSTM sequence-to-sequence autoencoder on log-mel chunks.
//   encoder  LSTM(n_mels -> 512) over T frames; z = its final hidden state h_T (512-d)
//   decoder  LSTM(n_mels -> 512) started from (h_T, 0), fed the previous true frame (teacher forcing)
//   output   Linear(512 -> n_mels) per frame; loss MSE (mean) against the chunk.
// Exactly LstmSeq2Seq of ../shared/anchor_models.py; the embedding of a chunk is z.
#include "cantus/models/model_support.hpp"  // first: see the note there
#include "cantus/models/config.hpp"
#include "cantus/nn/layers/linear.hpp"
#include "cantus/nn/loss/mse.hpp"
#include "cantus/nn/rnn/lstm.hpp"

namespace cantus::models {

class seq2seq_mel {
 public:
  using batch_type = tensor<float, 3>;  // [batch, frames, n_mels] (time-major chunks of log-mel)

  explicit seq2seq_mel(seq2seq_mel_config c = {}, std::uint64_t seed = 0)
      : c_(c),
        enc_(nn::lstm_config{c.n_mels, c.hidden}),
        dec_(nn::lstm_config{c.n_mels, c.hidden}),
        out_(nn::linear_config{c.hidden, c.n_mels}) {
    c_.validate();
    init(random_stream(seed, 0x534D));
  }
  const seq2seq_mel_config& config() const { return c_; }
  index_t latent_dim() const { return c_.hidden; }

  void init(random_stream rng) {
    enc_.init(rng.split(0));
    dec_.init(rng.split(1));
    out_.init(rng.split(2));
  }
  nn::parameter_list<float> parameters() {
    nn::parameter_list<float> ps;
    enc_.parameters(ps, "enc");
    dec_.parameters(ps, "dec");
    out_.parameters(ps, "out");
    return ps;
  }
  nn::parameter_list<float> buffers() { return {}; }
  void save_state(std::ostream& o) { save_model_state(*this, o); }
  void load_state(std::istream& i) { load_model_state(*this, i, "seq2seq_mel"); }

  double loss_and_backward(const batch_type& x, step_info = {}) { return run(x, true); }
  double validation_loss(const batch_type& x) { return run(x, false); }
  double reconstruction_error(const batch_type& x) { return run(x, false); }

  tensor<float, 2> encode(const batch_type& x) {
    check(x);
    const index_t B = x.extent(0), T = x.extent(1), H = c_.hidden;
    tensor<float, 3> y({B, T, H});
    tensor<float, 2> z({B, H});
    enc_.forward(x.view(), {}, {}, y.view(), z.view());
    return z;
  }

 private:
  void check(const batch_type& x) const {
    if (x.extent(1) != c_.frames || x.extent(2) != c_.n_mels)
      throw_shape_mismatch("seq2seq_mel", "input chunks [batch, frames, n_mels]",
                           shape_t<3>{x.extent(0), c_.frames, c_.n_mels}, x.shape());
  }

  double run(const batch_type& x, bool backward) {
    check(x);
    const index_t B = x.extent(0), T = x.extent(1), M = c_.n_mels, H = c_.hidden;
    tensor<float, 3> enc_y({B, T, H}), dec_y({B, T, H}), prev({B, T, M}, 0.0f), y({B, T, M});
    tensor<float, 2> z({B, H});
    enc_.forward(x.view(), {}, {}, enc_y.view(), z.view());
    for (index_t b = 0; b < B; ++b)
      std::copy_n(&x(b, 0, 0), (T - 1) * M, &prev(b, 1, 0));
    dec_.forward(detail::cview(prev), detail::cview(z), {}, dec_y.view());
    out_.forward(detail::cview(dec_y), y.view(), backward);
    auto loss = nn::mse_loss(y, x);
    if (backward) {
      tensor<float, 3> ddec({B, T, H});
      out_.backward(detail::cview(dec_y), detail::cview(y), detail::cview(loss.grad), ddec.view());
      tensor<float, 2> dz({B, H});
      dec_.backward(detail::cview(ddec), {}, {}, {}, dz.view(), {});
      enc_.backward({}, detail::cview(dz), {}, {}, {}, {});
    }
    return loss.value;
  }

  seq2seq_mel_config c_;
  nn::lstm<float> enc_, dec_;
  nn::linear<float, dyn, dyn, 3> out_;
};

}  // namespace cantus::models
