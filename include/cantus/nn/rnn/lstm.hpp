#pragma once
// nn::lstm<T, B>: one-layer LSTM over [batch, time, features] (batch_first), PyTorch's equations, gate
// order (i, f, g, o) and parameter names/shapes, so weights load into and out of torch.nn.LSTM:
//   i = sigmoid(.)  f = sigmoid(.)  g = tanh(.)  o = sigmoid(.)   each of W_i* x + b_i* + W_h* h + b_h*
//   c' = f * c + i * g      h' = o * tanh(c')
//
// The arithmetic (fused gate kernels, one GEMM per step) is nn::tt::lstm<T, B>.
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
#include "cantus/nn/rnn/checks.hpp"
#include "cantus/nn/tt/lstm.hpp"

namespace cantus::nn {

struct lstm_config {
  index_t input_size = dyn;
  index_t hidden_size = dyn;
};

template <class T, class B = cpu, index_t InputSize = dyn, index_t HiddenSize = dyn>
class lstm {
  static_assert(std::is_floating_point_v<T>, "nn::lstm: T must be float or double");

 public:
  using value_type = T;
  using backend_type = B;
  using config_type = lstm_config;
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
    weight_ih = tensor<T, 2, B>({G, input_});
    weight_hh = tensor<T, 2, B>({G, hidden_});
    bias_ih = tensor<T, 1, B>({G});
    bias_hh = tensor<T, 1, B>({G});
    grad_weight_ih = tensor<T, 2, B>({G, input_}, T(0));
    grad_weight_hh = tensor<T, 2, B>({G, hidden_}, T(0));
    grad_bias_ih = tensor<T, 1, B>({G}, T(0));
    grad_bias_hh = tensor<T, 1, B>({G}, T(0));
    init(random_stream(0));
  }

  // U(-1/sqrt(H), 1/sqrt(H)) for every parameter, as torch.nn.LSTM.reset_parameters.
  void init(random_stream rng) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_));
    rnn_checks::init_uniform(weight_ih, bound, rng.split(0));
    rnn_checks::init_uniform(weight_hh, bound, rng.split(1));
    rnn_checks::init_uniform(bias_ih, bound, rng.split(2));
    rnn_checks::init_uniform(bias_hh, bound, rng.split(3));
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
  void parameters(parameter_list<T, B>& out, const std::string& prefix) {
    add_parameter(out, prefix, "weight_ih_l0", weight_ih.data(), grad_weight_ih.data(), {4 * hidden_, input_});
    add_parameter(out, prefix, "weight_hh_l0", weight_hh.data(), grad_weight_hh.data(), {4 * hidden_, hidden_});
    add_parameter(out, prefix, "bias_ih_l0", bias_ih.data(), grad_bias_ih.data(), {4 * hidden_});
    add_parameter(out, prefix, "bias_hh_l0", bias_hh.data(), grad_bias_hh.data(), {4 * hidden_});
  }
  parameter_list<T, B> parameters(const std::string& prefix = "") {
    parameter_list<T, B> ps;
    parameters(ps, prefix);
    return ps;
  }
  void buffers(parameter_list<T, B>&, const std::string&) {}

  // Layer-contract form (inside nn::sequential): zero initial state, final state discarded.
  // Templates only so that a call that fits both forms equally well picks the direct form below.
  template <int = 0>
  void forward(tensor_view<const T, 3, B> x, tensor_view<T, 3, B> y, bool /*training*/) {
    forward(x, {}, {}, y, {}, {});
  }
  template <int = 0>
  void backward(tensor_view<const T, 3, B> /*x*/, tensor_view<const T, 3, B> /*y*/, tensor_view<const T, 3, B> dy,
                tensor_view<T, 3, B> dx) {
    backward(dy, {}, {}, dx, {}, {});
  }

  // x [B, T, I] -> y [B, T, H]; h0, c0, h_n, c_n [B, H] or null.
  void forward(tensor_view<const T, 3, B> x, tensor_view<const T, 2, B> h0, tensor_view<const T, 2, B> c0,
               tensor_view<T, 3, B> y, tensor_view<T, 2, B> h_n = {}, tensor_view<T, 2, B> c_n = {}) {
    const std::string where = describe();
    output_shape(x.shape());
    const index_t Bn = x.extent(0), Tn = x.extent(1), H = hidden_;
    rnn_checks::require_shape<3>(where, "input", x, x.shape());
    rnn_checks::require_shape<3>(where, "output", y, {Bn, Tn, H});
    if (!rnn_checks::is_null(h0)) rnn_checks::require_shape<2>(where, "initial state h0", h0, {Bn, H});
    if (!rnn_checks::is_null(c0)) rnn_checks::require_shape<2>(where, "initial cell state c0", c0, {Bn, H});
    if (!rnn_checks::is_null(h_n)) rnn_checks::require_shape<2>(where, "final state h_n", h_n, {Bn, H});
    if (!rnn_checks::is_null(c_n)) rnn_checks::require_shape<2>(where, "final cell state c_n", c_n, {Bn, H});
    if (Bn == 0 || Tn == 0)
      throw shape_error(detail::concat(where, ": input ", shape_string(x.shape()), " has no batch rows or no time steps"));
    kernel_.forward(Bn, Tn, input_, H, x.data(), h0.data(), c0.data(), weight_ih.data(), weight_hh.data(), bias_ih.data(),
                    bias_hh.data(), y.data(), h_n.data(), c_n.data());
  }

  // dy [B, T, H], dh_n, dc_n [B, H] (each or null) -> dx [B, T, I], dh0, dc0 [B, H] (each or null).
  void backward(tensor_view<const T, 3, B> dy, tensor_view<const T, 2, B> dh_n, tensor_view<const T, 2, B> dc_n,
                tensor_view<T, 3, B> dx, tensor_view<T, 2, B> dh0 = {}, tensor_view<T, 2, B> dc0 = {}) {
    const std::string where = describe() + " backward";
    if (!kernel_.has_forward()) throw value_error(where + ": backward() called before forward()");
    const index_t Bn = kernel_.batch(), Tn = kernel_.time(), H = hidden_, I = input_;
    if (!rnn_checks::is_null(dy)) rnn_checks::require_shape<3>(where, "output gradient dy", dy, {Bn, Tn, H});
    if (!rnn_checks::is_null(dh_n)) rnn_checks::require_shape<2>(where, "final state gradient dh_n", dh_n, {Bn, H});
    if (!rnn_checks::is_null(dc_n)) rnn_checks::require_shape<2>(where, "final cell state gradient dc_n", dc_n, {Bn, H});
    if (!rnn_checks::is_null(dx)) rnn_checks::require_shape<3>(where, "input gradient dx", dx, {Bn, Tn, I});
    if (!rnn_checks::is_null(dh0)) rnn_checks::require_shape<2>(where, "initial state gradient dh0", dh0, {Bn, H});
    if (!rnn_checks::is_null(dc0)) rnn_checks::require_shape<2>(where, "initial cell state gradient dc0", dc0, {Bn, H});
    kernel_.backward(I, H, dy.data(), dh_n.data(), dc_n.data(), weight_ih.data(), weight_hh.data(), grad_weight_ih.data(),
                     grad_weight_hh.data(), grad_bias_ih.data(), grad_bias_hh.data(), dx.data(), dh0.data(), dc0.data());
  }

  tensor<T, 2, B> weight_ih, weight_hh;
  tensor<T, 1, B> bias_ih, bias_hh;
  tensor<T, 2, B> grad_weight_ih, grad_weight_hh;
  tensor<T, 1, B> grad_bias_ih, grad_bias_hh;

 private:
  index_t input_, hidden_;
  tt::lstm<T, B> kernel_;
};

}  // namespace cantus::nn
