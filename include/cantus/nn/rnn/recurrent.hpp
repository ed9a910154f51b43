#pragma once
// nn::recurrent<Cell, T, B, InputSize, HiddenSize>: the one-layer recurrent layer that nn::gru and
// nn::lstm are (nn/rnn/gru.hpp, lstm.hpp). Everything but the cell is the same for both: [batch, time,
// features] tensors (batch_first), PyTorch's parameter names and shapes (weight_ih_l0 [G H, I],
// weight_hh_l0 [G H, H], bias_ih_l0, bias_hh_l0 [G H] for G gates per unit) and initialisation, the
// argument checks and their messages, the static and dynamic forms. As in mlpack's recurrent layers,
// the cell is a parameter, here a traits type (recurrent_cell below, plus the name):
//   static constexpr const char* name;    the layer's name() ("gru"), which starts every message
//   static constexpr index_t gates;       G, the gate rows per hidden unit
//   static constexpr bool has_cell_state; whether a cell state c travels beside h (LSTM)
//   template <class T, class B> using kernel;   its nn::tt kernel class (arithmetic on backend B)
// The kernels share their frame too: rnn_detail::recurrent_steps (CPU), cuda_rnn::recurrent_steps (CUDA).
//
// Direct API, for seq2seq: forward(x, h0, y, h_n) and backward(dy, dh_n, dx, dh0), with c0, c_n and
// dc_n, dc0 after their h counterparts when the cell has a cell state. Null views ({}) stand for
// zeros (h0, c0, dy, dh_n, dc_n) or "not wanted" (h_n, c_n, dx, dh0, dc0). Parameter gradients
// accumulate; dx, dh0 and dc0 are overwritten.
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>

#include "cantus/core/tensor.hpp"
#include "cantus/nn/init.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/nn/parameter.hpp"
#include "cantus/nn/rnn/checks.hpp"

namespace cantus::nn {

// gru_config and lstm_config (the layers' config_type) are this one struct.
struct recurrent_config {
  index_t input_size = dyn;
  index_t hidden_size = dyn;
};

// A cell's traits but its name, which the cell adds: struct gru_cell : recurrent_cell<3, false, tt::gru>.
template <index_t Gates, bool HasCellState, template <class, class> class Kernel>
struct recurrent_cell {
  static constexpr index_t gates = Gates;
  static constexpr bool has_cell_state = HasCellState;
  template <class T, class B>
  using kernel = Kernel<T, B>;
};

// InputSize/HiddenSize fixed in the type (gru<float, cpu, 1, 32>) or given at run time
// (gru<float>({.input_size = 1, .hidden_size = 32})). Constructed layers are initialised from
// random_stream(0); init(rng) re-draws them.
template <class Cell, class T, class B, index_t InputSize, index_t HiddenSize>
class recurrent {
  static_assert(std::is_floating_point_v<T>, "nn::gru, nn::lstm (nn::recurrent): T must be float or double");
  static constexpr std::size_t states = Cell::has_cell_state ? 2 : 1;  // h, or h and c

 public:
  using value_type = T;
  using backend_type = B;
  using config_type = recurrent_config;
  using cell_type = Cell;
  static constexpr std::size_t in_rank = 3, out_rank = 3;
  static constexpr shape_t<3> static_input_shape{dyn, dyn, InputSize};
  static constexpr shape_t<3> static_output_shape(const shape_t<3>& in) {
    return {in[0], in[1], (InputSize != dyn && in[2] != dyn && in[2] != InputSize) ? shape_mismatch : HiddenSize};
  }

  recurrent() requires(InputSize != dyn && HiddenSize != dyn) : recurrent(recurrent_config{InputSize, HiddenSize}) {}
  explicit recurrent(recurrent_config c) : input_(c.input_size), hidden_(c.hidden_size) {
    if (input_ <= 0 || hidden_ <= 0)
      throw_value_error(Cell::name, ": input_size and hidden_size must be positive, got ", input_, " and ", hidden_);
    if ((InputSize != dyn && input_ != InputSize) || (HiddenSize != dyn && hidden_ != HiddenSize))
      throw_value_error(Cell::name, ": config (", input_, ", ", hidden_, ") contradicts the type's sizes (", InputSize,
                        ", ", HiddenSize, ")");
    const index_t G = Cell::gates * hidden_;
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

  // U(-1/sqrt(H), 1/sqrt(H)) for every parameter, as torch.nn.GRU / LSTM.reset_parameters.
  void init(random_stream rng) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_));
    rnn_checks::init_uniform(weight_ih, bound, rng.split(0));
    rnn_checks::init_uniform(weight_hh, bound, rng.split(1));
    rnn_checks::init_uniform(bias_ih, bound, rng.split(2));
    rnn_checks::init_uniform(bias_hh, bound, rng.split(3));
  }

  index_t input_size() const { return input_; }
  index_t hidden_size() const { return hidden_; }
  std::string name() const { return Cell::name; }
  std::string describe() const { return detail::concat(Cell::name, "(", input_, "->", hidden_, ")"); }

  shape_t<3> output_shape(const shape_t<3>& in) const {
    check_input_shape(describe(), shape_t<3>{dyn, dyn, input_}, in);
    return {in[0], in[1], hidden_};
  }

  void parameters(parameter_list<T, B>& out, const std::string& prefix) {
    const index_t G = Cell::gates * hidden_;
    add_parameter(out, prefix, "weight_ih_l0", weight_ih.data(), grad_weight_ih.data(), {G, input_});
    add_parameter(out, prefix, "weight_hh_l0", weight_hh.data(), grad_weight_hh.data(), {G, hidden_});
    add_parameter(out, prefix, "bias_ih_l0", bias_ih.data(), grad_bias_ih.data(), {G});
    add_parameter(out, prefix, "bias_hh_l0", bias_hh.data(), grad_bias_hh.data(), {G});
  }
  parameter_list<T, B> parameters(const std::string& prefix = "") {
    parameter_list<T, B> ps;
    parameters(ps, prefix);
    return ps;
  }
  void buffers(parameter_list<T, B>&, const std::string&) {}

  using state_in = tensor_view<const T, 2, B>;  // [B, H]
  using state_out = tensor_view<T, 2, B>;

  // Layer-contract form (inside nn::sequential): zero initial state, final state discarded.
  // Templates only so that a call that fits both forms equally well picks the direct form below.
  template <int = 0>
  void forward(tensor_view<const T, 3, B> x, tensor_view<T, 3, B> y, bool /*training*/) {
    forward_states(x, y, {}, {});
  }
  template <int = 0>
  void backward(tensor_view<const T, 3, B> /*x*/, tensor_view<const T, 3, B> /*y*/, tensor_view<const T, 3, B> dy,
                tensor_view<T, 3, B> dx) {
    backward_states(dy, {}, dx, {});
  }

  // x [B, T, I] -> y [B, T, H]; h0 [B, H] or null (zeros); h_n [B, H] or null.
  void forward(tensor_view<const T, 3, B> x, state_in h0, tensor_view<T, 3, B> y, state_out h_n = {})
    requires(!Cell::has_cell_state)
  {
    forward_states(x, y, {h0}, {h_n});
  }
  // The same with the cell state: c0 [B, H] or null (zeros), c_n [B, H] or null.
  void forward(tensor_view<const T, 3, B> x, state_in h0, state_in c0, tensor_view<T, 3, B> y, state_out h_n = {},
               state_out c_n = {})
    requires(Cell::has_cell_state)
  {
    forward_states(x, y, {h0, c0}, {h_n, c_n});
  }

  // dy [B, T, H] or null, dh_n [B, H] or null -> dx [B, T, I] or null, dh0 [B, H] or null; parameter
  // gradients accumulate. Needs the preceding forward().
  void backward(tensor_view<const T, 3, B> dy, state_in dh_n, tensor_view<T, 3, B> dx, state_out dh0 = {})
    requires(!Cell::has_cell_state)
  {
    backward_states(dy, {dh_n}, dx, {dh0});
  }
  // The same with the cell state: dc_n [B, H] or null -> dc0 [B, H] or null.
  void backward(tensor_view<const T, 3, B> dy, state_in dh_n, state_in dc_n, tensor_view<T, 3, B> dx,
                state_out dh0 = {}, state_out dc0 = {})
    requires(Cell::has_cell_state)
  {
    backward_states(dy, {dh_n, dc_n}, dx, {dh0, dc0});
  }

  tensor<T, 2, B> weight_ih, weight_hh;
  tensor<T, 1, B> bias_ih, bias_hh;
  tensor<T, 2, B> grad_weight_ih, grad_weight_hh;
  tensor<T, 1, B> grad_bias_ih, grad_bias_hh;

 private:
  // What the messages call each state, h first: [0] for h, [1] for c.
  static constexpr const char* initial_state[] = {"initial state h0", "initial cell state c0"};
  static constexpr const char* final_state[] = {"final state h_n", "final cell state c_n"};
  static constexpr const char* final_state_gradient[] = {"final state gradient dh_n", "final cell state gradient dc_n"};
  static constexpr const char* initial_state_gradient[] = {"initial state gradient dh0",
                                                           "initial cell state gradient dc0"};

  void forward_states(tensor_view<const T, 3, B> x, tensor_view<T, 3, B> y, std::array<state_in, states> s0,
                      std::array<state_out, states> sn) {
    const std::string where = describe();
    output_shape(x.shape());
    const index_t Bn = x.extent(0), Tn = x.extent(1), H = hidden_;
    rnn_checks::require_shape<3>(where, "input", x, x.shape());
    rnn_checks::require_shape<3>(where, "output", y, {Bn, Tn, H});
    for (std::size_t s = 0; s < states; ++s)
      if (!rnn_checks::is_null(s0[s])) rnn_checks::require_shape<2>(where, initial_state[s], s0[s], {Bn, H});
    for (std::size_t s = 0; s < states; ++s)
      if (!rnn_checks::is_null(sn[s])) rnn_checks::require_shape<2>(where, final_state[s], sn[s], {Bn, H});
    if (Bn == 0 || Tn == 0)
      throw shape_error(detail::concat(where, ": input ", shape_string(x.shape()), " has no batch rows or no time steps"));
    if constexpr (Cell::has_cell_state)
      kernel_.forward(Bn, Tn, input_, H, x.data(), s0[0].data(), s0[1].data(), weight_ih.data(), weight_hh.data(),
                      bias_ih.data(), bias_hh.data(), y.data(), sn[0].data(), sn[1].data());
    else
      kernel_.forward(Bn, Tn, input_, H, x.data(), s0[0].data(), weight_ih.data(), weight_hh.data(), bias_ih.data(),
                      bias_hh.data(), y.data(), sn[0].data());
  }

  void backward_states(tensor_view<const T, 3, B> dy, std::array<state_in, states> dsn, tensor_view<T, 3, B> dx,
                       std::array<state_out, states> ds0) {
    const std::string where = describe() + " backward";
    if (!kernel_.has_forward()) throw value_error(where + ": backward() called before forward()");
    const index_t Bn = kernel_.batch(), Tn = kernel_.time(), H = hidden_, I = input_;
    if (!rnn_checks::is_null(dy)) rnn_checks::require_shape<3>(where, "output gradient dy", dy, {Bn, Tn, H});
    for (std::size_t s = 0; s < states; ++s)
      if (!rnn_checks::is_null(dsn[s])) rnn_checks::require_shape<2>(where, final_state_gradient[s], dsn[s], {Bn, H});
    if (!rnn_checks::is_null(dx)) rnn_checks::require_shape<3>(where, "input gradient dx", dx, {Bn, Tn, I});
    for (std::size_t s = 0; s < states; ++s)
      if (!rnn_checks::is_null(ds0[s])) rnn_checks::require_shape<2>(where, initial_state_gradient[s], ds0[s], {Bn, H});
    if constexpr (Cell::has_cell_state)
      kernel_.backward(I, H, dy.data(), dsn[0].data(), dsn[1].data(), weight_ih.data(), weight_hh.data(),
                       grad_weight_ih.data(), grad_weight_hh.data(), grad_bias_ih.data(), grad_bias_hh.data(), dx.data(),
                       ds0[0].data(), ds0[1].data());
    else
      kernel_.backward(I, H, dy.data(), dsn[0].data(), weight_ih.data(), weight_hh.data(), grad_weight_ih.data(),
                       grad_weight_hh.data(), grad_bias_ih.data(), grad_bias_hh.data(), dx.data(), ds0[0].data());
  }

  index_t input_, hidden_;
  typename Cell::template kernel<T, B> kernel_;
};

}  // namespace cantus::nn
