#pragma once
// (1) naive_seq2seq: the paper's GRU sequence-to-sequence autoencoder on raw audio.
//   encoder  GRU(1 -> H) over a chunk of T samples; z = its final hidden state (H = 8, 16 or 32)
//   decoder  GRU(1 -> H) started from z, fed the previous true sample (teacher forcing: x_{t-1}, x_{-1} = 0)
//   output   Linear(H -> 1) per step; loss MSE (mean) against the chunk.
// Exactly GruSeq2Seq of ../shared/anchor_models.py; the embedding of a chunk is z.
#include "cantus/models/model_support.hpp"  // first: see the note there
#include "cantus/models/config.hpp"
#include "cantus/nn/layers/linear.hpp"
#include "cantus/nn/loss/mse.hpp"
#include "cantus/nn/rnn/gru.hpp"

namespace cantus::models {

class naive_seq2seq {
 public:
  using batch_type = tensor<float, 2>;  // [batch, chunk_samples] raw audio

  explicit naive_seq2seq(naive_seq2seq_config c = {}, std::uint64_t seed = 0)
      : c_(c), enc_(nn::gru_config{1, c.hidden}), dec_(nn::gru_config{1, c.hidden}), out_(nn::linear_config{c.hidden, 1}) {
    c_.validate();
    init(random_stream(seed, 0x4E53));
  }
  const naive_seq2seq_config& config() const { return c_; }
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
  void load_state(std::istream& i) { load_model_state(*this, i, "naive_seq2seq"); }

  double loss_and_backward(const batch_type& x, step_info = {}) { return run(x, true); }
  double validation_loss(const batch_type& x) { return run(x, false); }
  // MSE of the teacher-forced reconstruction (what the model is trained on).
  double reconstruction_error(const batch_type& x) { return run(x, false); }

  // z for every chunk: [batch, hidden].
  tensor<float, 2> encode(const batch_type& x) {
    check(x);
    const index_t B = x.extent(0), T = x.extent(1), H = c_.hidden;
    tensor<float, 3> y({B, T, H});
    tensor<float, 2> z({B, H});
    enc_.forward(input_view(x), {}, y.view(), z.view());
    return z;
  }

 private:
  void check(const batch_type& x) const {
    if (x.extent(1) != c_.chunk_samples)
      throw_shape_mismatch("naive_seq2seq", "input chunks", shape_t<2>{x.extent(0), c_.chunk_samples}, x.shape());
  }
  static tensor_view<const float, 3> input_view(const batch_type& x) {
    return x.view().reshape<3>({x.extent(0), x.extent(1), 1});
  }

  double run(const batch_type& x, bool backward) {
    check(x);
    const index_t B = x.extent(0), T = x.extent(1), H = c_.hidden;
    tensor<float, 3> enc_y({B, T, H}), dec_y({B, T, H}), prev({B, T, 1}), y({B, T, 1});
    tensor<float, 2> z({B, H});
    enc_.forward(input_view(x), {}, enc_y.view(), z.view());
    for (index_t b = 0; b < B; ++b) {
      prev(b, 0, 0) = 0.0f;
      for (index_t t = 1; t < T; ++t) prev(b, t, 0) = x(b, t - 1);
    }
    dec_.forward(detail::cview(prev), detail::cview(z), dec_y.view());
    out_.forward(detail::cview(dec_y), y.view(), backward);
    auto loss = nn::mse_loss(y, input_view(x));
    if (backward) {
      tensor<float, 3> ddec({B, T, H});
      out_.backward(detail::cview(dec_y), detail::cview(y), detail::cview(loss.grad), ddec.view());
      tensor<float, 2> dz({B, H});
      dec_.backward(detail::cview(ddec), {}, {}, dz.view());
      enc_.backward({}, detail::cview(dz), {}, {});
    }
    return loss.value;
  }

  naive_seq2seq_config c_;
  nn::gru<float> enc_, dec_;
  nn::linear<float, dyn, dyn, 3> out_;
};

}  // namespace cantus::models
