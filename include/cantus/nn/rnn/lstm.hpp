#pragma once
// nn::lstm<T>: one-layer LSTM over [batch, time, features] (batch_first), PyTorch's equations, gate
// order (i, f, g, o) and parameter names/shapes, so weights load into and out of torch.nn.LSTM:
//   i = sigmoid(.)  f = sigmoid(.)  g = tanh(.)  o = sigmoid(.)   each of W_i* x + b_i* + W_h* h + b_h*
//   c' = f * c + i * g      h' = o * tanh(c')
//
// Fused kernels as in gru.hpp: one GEMM for the input projection of all steps, one GEMM plus one
// pass over the gates per step, one GEMM per step for dh in backward, weight gradients as single
// GEMMs over all steps.
//
// Direct API for seq2seq: forward(x, h0, c0, y, h_n, c_n) and backward(dy, dh_n, dc_n, dx, dh0, dc0).
// Null views ({}) stand for zeros (h0, c0, dy, dh_n, dc_n) or "not wanted" (h_n, c_n, dx, dh0, dc0).
// Parameter gradients accumulate; dx, dh0, dc0 are overwritten.
#include <cstdint>
#include <string>
#include <type_traits>

#include "cantus/core/tensor.hpp"
#include "cantus/nn/init.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/nn/parameter.hpp"
#include "cantus/nn/rnn/cells.hpp"
#include "cantus/nn/rnn/detail.hpp"

namespace cantus::nn {

struct lstm_config {
  index_t input_size = dyn;
  index_t hidden_size = dyn;
};

template <class T, index_t InputSize = dyn, index_t HiddenSize = dyn>
class lstm {
  static_assert(std::is_floating_point_v<T>, "nn::lstm: T must be float or double");

 public:
  using value_type = T;
  static constexpr std::size_t in_rank = 3, out_rank = 3;
  static constexpr shape_t<3> static_input_shape{dyn, dyn, InputSize};
  static constexpr shape_t<3> static_output_shape(const shape_t<3>& in) {
    return {in[0], in[1], (InputSize != dyn && in[2] != dyn && in[2] != InputSize) ? shape_mismatch : HiddenSize};
  }

  lstm() requires(InputSize != dyn && HiddenSize != dyn) : lstm(lstm_config{InputSize, HiddenSize}) {}
  explicit lstm(lstm_config c) : input_(c.input_size), hidden_(c.hidden_size) {
    if (input_ <= 0 || hidden_ <= 0)
      throw_value_error("lstm: input_size and hidden_size must be positive, got ", input_, " and ", hidden_);
    if ((InputSize != dyn && input_ != InputSize) || (HiddenSize != dyn && hidden_ != HiddenSize))
      throw_value_error("lstm: config (", input_, ", ", hidden_, ") contradicts the type's sizes (", InputSize, ", ",
                        HiddenSize, ")");
    const index_t G = 4 * hidden_;
    weight_ih = tensor<T, 2>({G, input_});
    weight_hh = tensor<T, 2>({G, hidden_});
    bias_ih = tensor<T, 1>({G});
    bias_hh = tensor<T, 1>({G});
    grad_weight_ih = tensor<T, 2>({G, input_}, T(0));
    grad_weight_hh = tensor<T, 2>({G, hidden_}, T(0));
    grad_bias_ih = tensor<T, 1>({G}, T(0));
    grad_bias_hh = tensor<T, 1>({G}, T(0));
    init(random_stream(0));
  }

  // U(-1/sqrt(H), 1/sqrt(H)) for every parameter, as torch.nn.LSTM.reset_parameters.
  void init(random_stream rng) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_));
    auto flat = [](auto& t) { return tensor_view<T, 1>(t.data(), {t.size()}); };
    init::uniform(flat(weight_ih), -bound, bound, rng.split(0));
    init::uniform(flat(weight_hh), -bound, bound, rng.split(1));
    init::uniform(flat(bias_ih), -bound, bound, rng.split(2));
    init::uniform(flat(bias_hh), -bound, bound, rng.split(3));
  }

  index_t input_size() const { return input_; }
  index_t hidden_size() const { return hidden_; }
  std::string name() const { return "lstm"; }
  std::string describe() const { return detail::concat("lstm(", input_, "->", hidden_, ")"); }

  shape_t<3> output_shape(const shape_t<3>& in) const {
    check_input_shape(describe(), shape_t<3>{dyn, dyn, input_}, in);
    return {in[0], in[1], hidden_};
  }

  // PyTorch names and shapes: weight_ih_l0 [4H, I], weight_hh_l0 [4H, H], bias_ih_l0, bias_hh_l0 [4H].
  void parameters(parameter_list<T>& out, const std::string& prefix) {
    add_parameter(out, prefix, "weight_ih_l0", weight_ih.data(), grad_weight_ih.data(), {4 * hidden_, input_});
    add_parameter(out, prefix, "weight_hh_l0", weight_hh.data(), grad_weight_hh.data(), {4 * hidden_, hidden_});
    add_parameter(out, prefix, "bias_ih_l0", bias_ih.data(), grad_bias_ih.data(), {4 * hidden_});
    add_parameter(out, prefix, "bias_hh_l0", bias_hh.data(), grad_bias_hh.data(), {4 * hidden_});
  }
  parameter_list<T> parameters(const std::string& prefix = "") {
    parameter_list<T> ps;
    parameters(ps, prefix);
    return ps;
  }
  void buffers(parameter_list<T>&, const std::string&) {}

  // Layer-contract form (inside nn::sequential): zero initial state, final state discarded.
  // Templates only so that a call that fits both forms equally well picks the direct form below.
  template <int = 0>
  void forward(tensor_view<const T, 3> x, tensor_view<T, 3> y, bool /*training*/) { forward(x, {}, {}, y, {}, {}); }
  template <int = 0>
  void backward(tensor_view<const T, 3> /*x*/, tensor_view<const T, 3> /*y*/, tensor_view<const T, 3> dy,
                tensor_view<T, 3> dx) {
    backward(dy, {}, {}, dx, {}, {});
  }

  // x [B, T, I] -> y [B, T, H]; h0, c0, h_n, c_n [B, H] or null.
  void forward(tensor_view<const T, 3> x, tensor_view<const T, 2> h0, tensor_view<const T, 2> c0, tensor_view<T, 3> y,
               tensor_view<T, 2> h_n = {}, tensor_view<T, 2> c_n = {}) {
    using ops = backend_ops<cpu>;
    const std::string where = describe();
    output_shape(x.shape());
    const index_t B = x.extent(0), Tn = x.extent(1), H = hidden_, G = 4 * H, I = input_;
    rnn_detail::require_shape<3>(where, "input", x, x.shape());
    rnn_detail::require_shape<3>(where, "output", y, {B, Tn, H});
    if (!rnn_detail::is_null(h0)) rnn_detail::require_shape<2>(where, "initial state h0", h0, {B, H});
    if (!rnn_detail::is_null(c0)) rnn_detail::require_shape<2>(where, "initial cell state c0", c0, {B, H});
    if (!rnn_detail::is_null(h_n)) rnn_detail::require_shape<2>(where, "final state h_n", h_n, {B, H});
    if (!rnn_detail::is_null(c_n)) rnn_detail::require_shape<2>(where, "final cell state c_n", c_n, {B, H});
    if (B == 0 || Tn == 0)
      throw shape_error(detail::concat(where, ": input ", shape_string(x.shape()), " has no batch rows or no time steps"));
    batch_ = B, time_ = Tn;

    rnn_detail::ensure_shape(x_, {Tn, B, I});
    rnn_detail::to_time_major(x.data(), B, Tn, I, x_.data());
    rnn_detail::ensure_shape(gates_, {Tn, B, G});  // x W_ih^T first, then i, f, g, o in place
    rnn_detail::gemm_row_blocks(transpose::no, transpose::yes, B * Tn, G, I, T(1), x_.data(), I, weight_ih.data(), I, T(0),
                                gates_.data(), G);
    rnn_detail::ensure_shape(hprev_, {Tn, B, H});
    rnn_detail::ensure_shape(cprev_, {Tn, B, H});
    rnn_detail::ensure_shape(tanh_c_, {Tn, B, H});
    rnn_detail::ensure_shape(gh_, {B, G});
    rnn_detail::ensure_shape(c_, {B, H});
    auto& c = c_;
    for (index_t b = 0; b < B; ++b)
      for (index_t j = 0; j < H; ++j) {
        hprev_(0, b, j) = rnn_detail::is_null(h0) ? T(0) : h0(b, j);
        c(b, j) = rnn_detail::is_null(c0) ? T(0) : c0(b, j);
      }

    const T* bih = bias_ih.data();
    const T* bhh = bias_hh.data();
    // Rows [b0, b0 + nb) through all steps: gh = h_{t-1} W_hh^T (one GEMM), then the gates row by row.
    auto run_rows = [&](index_t b0, index_t nb) {
      for (index_t t = 0; t < Tn; ++t) {
        ops::gemm(transpose::no, transpose::yes, nb, G, H, T(1), hprev_.data() + (t * B + b0) * H, H, weight_hh.data(), H,
                  T(0), gh_.data() + b0 * G, G);
        for (index_t b = b0; b < b0 + nb; ++b) {
          const index_t row = t * B + b;
          T* yb = y.data() + (b * Tn + t) * H;
          rnn_cells::lstm_forward_row(gates_.data() + row * G, gh_.data() + b * G, bih, bhh, c.data() + b * H,
                                      cprev_.data() + row * H, tanh_c_.data() + row * H, yb, H);
          if (t + 1 < Tn) ops::copy(hprev_.data() + (row + B) * H, yb, static_cast<std::size_t>(H));
        }
      }
    };
    rnn_detail::for_batch_blocks(B, double(B) * double(Tn) * double(H) * double(G), run_rows);
    for (index_t b = 0; b < B; ++b) {
      if (!rnn_detail::is_null(h_n)) ops::copy(h_n.data() + b * H, y.data() + (b * Tn + Tn - 1) * H, static_cast<std::size_t>(H));
      if (!rnn_detail::is_null(c_n)) ops::copy(c_n.data() + b * H, c.data() + b * H, static_cast<std::size_t>(H));
    }
  }

  // dy [B, T, H], dh_n, dc_n [B, H] (each or null) -> dx [B, T, I], dh0, dc0 [B, H] (each or null).
  void backward(tensor_view<const T, 3> dy, tensor_view<const T, 2> dh_n, tensor_view<const T, 2> dc_n,
                tensor_view<T, 3> dx, tensor_view<T, 2> dh0 = {}, tensor_view<T, 2> dc0 = {}) {
    using ops = backend_ops<cpu>;
    const std::string where = describe() + " backward";
    if (gates_.empty()) throw value_error(where + ": backward() called before forward()");
    const index_t B = batch_, Tn = time_, H = hidden_, G = 4 * H, I = input_;
    if (!rnn_detail::is_null(dy)) rnn_detail::require_shape<3>(where, "output gradient dy", dy, {B, Tn, H});
    if (!rnn_detail::is_null(dh_n)) rnn_detail::require_shape<2>(where, "final state gradient dh_n", dh_n, {B, H});
    if (!rnn_detail::is_null(dc_n)) rnn_detail::require_shape<2>(where, "final cell state gradient dc_n", dc_n, {B, H});
    if (!rnn_detail::is_null(dx)) rnn_detail::require_shape<3>(where, "input gradient dx", dx, {B, Tn, I});
    if (!rnn_detail::is_null(dh0)) rnn_detail::require_shape<2>(where, "initial state gradient dh0", dh0, {B, H});
    if (!rnn_detail::is_null(dc0)) rnn_detail::require_shape<2>(where, "initial cell state gradient dc0", dc0, {B, H});

    rnn_detail::ensure_shape(dh_, {B, H});
    rnn_detail::ensure_shape(dc_, {B, H});
    auto& dh = dh_;
    auto& dc = dc_;
    dh.fill(T(0));
    dc.fill(T(0));
    if (!rnn_detail::is_null(dh_n)) ops::copy(dh.data(), dh_n.data(), static_cast<std::size_t>(B * H));
    if (!rnn_detail::is_null(dc_n)) ops::copy(dc.data(), dc_n.data(), static_cast<std::size_t>(B * H));
    rnn_detail::ensure_shape(dg_, {Tn * B, G});
    auto& dg = dg_;  // gradient w.r.t. the gate pre-activations (same for W_ih and W_hh)
    const bool have_dy = !rnn_detail::is_null(dy);
    if (!have_dy) zeros_ = tensor<T, 1>({H}, T(0));
    // Rows [b0, b0 + nb) back through all steps: the gates row by row, then dh_{t-1} = dg_t W_hh
    // (h_{t-1} reaches the loss only through the gates).
    auto run_rows = [&](index_t b0, index_t nb) {
      for (index_t t = Tn; t-- > 0;) {
        for (index_t b = b0; b < b0 + nb; ++b) {
          const index_t row = t * B + b;
          rnn_cells::lstm_backward_row(gates_.data() + row * G, tanh_c_.data() + row * H, cprev_.data() + row * H,
                                       have_dy ? dy.data() + (b * Tn + t) * H : zeros_.data(), dh.data() + b * H,
                                       dc.data() + b * H, dg.data() + row * G, H);
        }
        ops::gemm(transpose::no, transpose::no, nb, H, G, T(1), dg.data() + (t * B + b0) * G, G, weight_hh.data(), H, T(0),
                  dh.data() + b0 * H, H);
      }
    };
    rnn_detail::for_batch_blocks(B, double(B) * double(Tn) * double(H) * double(G), run_rows);
    rnn_detail::gemm_row_blocks(transpose::yes, transpose::no, G, I, B * Tn, T(1), dg.data(), G, x_.data(), I, T(1),
                                grad_weight_ih.data(), I);
    rnn_detail::gemm_row_blocks(transpose::yes, transpose::no, G, H, B * Tn, T(1), dg.data(), G, hprev_.data(), H, T(1),
                                grad_weight_hh.data(), H);
    tensor<T, 1> db({G}, T(0));
    rnn_detail::add_column_sums(dg.data(), B * Tn, G, db.data());
    for (index_t j = 0; j < G; ++j) grad_bias_ih(j) += db(j), grad_bias_hh(j) += db(j);
    if (!rnn_detail::is_null(dx)) {
      rnn_detail::ensure_shape(dx_, {Tn * B, I});
      rnn_detail::gemm_row_blocks(transpose::no, transpose::no, Tn * B, I, G, T(1), dg.data(), G, weight_ih.data(), I, T(0),
                                  dx_.data(), I);
      rnn_detail::to_batch_major(dx_.data(), B, Tn, I, dx.data());
    }
    if (!rnn_detail::is_null(dh0)) ops::copy(dh0.data(), dh.data(), static_cast<std::size_t>(B * H));
    if (!rnn_detail::is_null(dc0)) ops::copy(dc0.data(), dc.data(), static_cast<std::size_t>(B * H));
  }

  tensor<T, 2> weight_ih, weight_hh;
  tensor<T, 1> bias_ih, bias_hh;
  tensor<T, 2> grad_weight_ih, grad_weight_hh;
  tensor<T, 1> grad_bias_ih, grad_bias_hh;

 private:
  index_t input_, hidden_;
  index_t batch_ = 0, time_ = 0;
  // Time-major [T, B, .] copies and per-step records of the last forward.
  tensor<T, 3> x_;       // the input
  tensor<T, 3> gates_;   // i, f, g, o per step, [T, B, 4H]
  tensor<T, 3> hprev_;   // h_{t-1} per step, [T, B, H]
  tensor<T, 3> cprev_;   // c_{t-1} per step
  tensor<T, 3> tanh_c_;  // tanh(c_t) per step
  tensor<T, 2> gh_, c_, dh_, dc_, dg_, dx_;  // step and backward workspaces
  tensor<T, 1> zeros_;                  // stands for a null dy
};

}  // namespace cantus::nn
