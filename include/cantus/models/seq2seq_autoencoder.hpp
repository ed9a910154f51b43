#pragma once
// seq2seq_autoencoder<Encoder, Decoder, Head, Config>: a recurrent sequence autoencoder with teacher
// forcing, the model template behind the paper's naive GRU (raw audio) and LSTM (log-mel) models.
//   encoder  Encoder (nn::gru or nn::lstm) over a chunk of T steps of F features; z = its final hidden
//            state (the embedding of the chunk)
//   decoder  Decoder started from z (and a zero cell state), fed the previous true step:
//            input_t = x_{t-1}, input_0 = 0 (teacher forcing)
//   head     Head, a linear over the last dimension (hidden -> F) at every step; loss MSE (mean).
// Config fixes what data and flags decide at run time (T, F, hidden) and names the model:
//   static constexpr const char* name, *input_name;  static constexpr std::uint64_t seed_tag;
//   static constexpr std::size_t batch_rank;          2: [batch, T] (F = 1), 3: [batch, T, F]
//   index_t steps() const, features() const, hidden;  void validate() const;
// Every tensor lives on the layers' backend, and the glue between them is backend_ops calls.
#include <cstdint>
#include <string>
#include <type_traits>

#include "cantus/models/model_support.hpp"  // first: see the note there
#include "cantus/nn/layers/linear.hpp"
#include "cantus/nn/loss/mse.hpp"

namespace cantus::models {

template <class Encoder, class Decoder, class Head, class Config>
class seq2seq_autoencoder {
 public:
  using backend_type = typename Encoder::backend_type;
  using B = backend_type;
  using config_type = Config;
  static_assert(std::is_same_v<typename Decoder::backend_type, B> && std::is_same_v<typename Head::backend_type, B>,
                "seq2seq_autoencoder: encoder, decoder and head must run on the same backend");
  static constexpr std::size_t batch_rank = Config::batch_rank;
  using batch_type = tensor<float, batch_rank, B>;  // [batch, T] raw samples or [batch, T, F] frames

  explicit seq2seq_autoencoder(Config c = {}, std::uint64_t seed = 0)
      : c_(detail::validated(std::move(c))),
        enc_(cell_config<Encoder>(c_)),
        dec_(cell_config<Decoder>(c_)),
        out_(nn::linear_config{c_.hidden, c_.features()}) {
    init(random_stream(seed, Config::seed_tag));
  }
  const Config& config() const { return c_; }
  index_t latent_dim() const { return c_.hidden; }
  static constexpr const char* name() { return Config::name; }

  void init(random_stream rng) {
    enc_.init(rng.split(0));
    dec_.init(rng.split(1));
    out_.init(rng.split(2));
  }
  nn::parameter_list<float, B> parameters() {
    nn::parameter_list<float, B> ps;
    enc_.parameters(ps, "enc");
    dec_.parameters(ps, "dec");
    out_.parameters(ps, "out");
    return ps;
  }
  nn::parameter_list<float, B> buffers() { return {}; }
  void save_state(std::ostream& o) { save_model_state(*this, o); }
  void load_state(std::istream& i) { load_model_state(*this, i, Config::name); }

  double loss_and_backward(const batch_type& x, step_info = {}) { return run(x, true); }
  double validation_loss(const batch_type& x) { return run(x, false); }
  // MSE of the teacher-forced reconstruction (what the model is trained on).
  double reconstruction_error(const batch_type& x) { return run(x, false); }

  // z for every chunk: [batch, hidden].
  tensor<float, 2, B> encode(const batch_type& x) {
    const auto in = input_view(x);
    tensor<float, 3, B> y({in.extent(0), in.extent(1), c_.hidden});
    tensor<float, 2, B> z({in.extent(0), c_.hidden});
    run_cell(enc_, in, {}, y.view(), z.view());
    return z;
  }

 private:
  template <class Cell>
  static auto cell_config(const Config& c) {
    return typename Cell::config_type{c.features(), c.hidden};
  }

  // An LSTM's calls carry a cell state next to the hidden state; it starts at zero and its gradient
  // is not needed.
  template <class Cell>
  static constexpr bool has_cell_state = requires(Cell& cell, tensor_view<const float, 3, B> x,
                                                  tensor_view<const float, 2, B> h, tensor_view<float, 3, B> y,
                                                  tensor_view<float, 2, B> hn) { cell.forward(x, h, h, y, hn); };
  template <class Cell>
  static void run_cell(Cell& cell, tensor_view<const float, 3, B> x, tensor_view<const float, 2, B> h0,
                       tensor_view<float, 3, B> y, tensor_view<float, 2, B> hn) {
    if constexpr (has_cell_state<Cell>) cell.forward(x, h0, {}, y, hn);
    else cell.forward(x, h0, y, hn);
  }
  // dy -> dh0 (decoder), or dh_n -> nothing (encoder: its input gradient is not needed).
  template <class Cell>
  static void back_cell(Cell& cell, tensor_view<const float, 3, B> dy, tensor_view<const float, 2, B> dh_n,
                        tensor_view<float, 2, B> dh0) {
    if constexpr (has_cell_state<Cell>) cell.backward(dy, dh_n, {}, {}, dh0, {});
    else cell.backward(dy, dh_n, {}, dh0);
  }

  tensor_view<const float, 3, B> input_view(const batch_type& x) const {
    const index_t T = c_.steps(), F = c_.features();
    shape_t<batch_rank> want{};
    want[0] = x.extent(0);
    want[1] = T;
    if constexpr (batch_rank == 3) want[2] = F;
    if (x.shape() != want) throw_shape_mismatch(Config::name, Config::input_name, want, x.shape());
    return x.view().template reshape<3>({x.extent(0), T, F});
  }

  double run(const batch_type& batch, bool backward) {
    const auto x = input_view(batch);
    const index_t Bn = x.extent(0), T = x.extent(1), F = x.extent(2), H = c_.hidden;
    // Kept between steps (each is overwritten): fresh multi-megabyte buffers cost page faults every step.
    auto& enc_y = detail::ensure_shape(enc_y_, {Bn, T, H});
    auto& dec_y = detail::ensure_shape(dec_y_, {Bn, T, H});
    auto& prev = detail::ensure_shape(prev_, {Bn, T, F});
    auto& y = detail::ensure_shape(y_, {Bn, T, F});
    auto& z = detail::ensure_shape(z_, {Bn, H});
    run_cell(enc_, x, {}, enc_y.view(), z.view());
    // Teacher forcing: the decoder reads the chunk shifted one step later, zeros first.
    for (index_t b = 0; b < Bn; ++b) {
      float* p = prev.data() + b * T * F;
      backend_ops<B>::fill(p, std::size_t(F), 0.0f);
      backend_ops<B>::copy(p + F, x.data() + b * T * F, std::size_t((T - 1) * F));
    }
    run_cell(dec_, detail::cview(prev), detail::cview(z), dec_y.view(), {});
    out_.forward(detail::cview(dec_y), y.view(), backward);
    auto loss = nn::mse_loss(detail::cview(y), x);
    if (backward) {
      auto& ddec = detail::ensure_shape(ddec_, {Bn, T, H});
      out_.backward(detail::cview(dec_y), detail::cview(y), detail::cview(loss.grad), ddec.view());
      auto& dz = detail::ensure_shape(dz_, {Bn, H});
      back_cell(dec_, detail::cview(ddec), {}, dz.view());
      back_cell(enc_, {}, detail::cview(dz), {});
    }
    return loss.value;
  }

  Config c_;
  Encoder enc_;
  Decoder dec_;
  Head out_;
  tensor<float, 3, B> enc_y_, dec_y_, prev_, y_, ddec_;
  tensor<float, 2, B> z_, dz_;
};

}  // namespace cantus::models
