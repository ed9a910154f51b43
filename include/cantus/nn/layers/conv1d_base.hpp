#pragma once
// nn::conv1d_base: what conv1d and conv_transpose1d (nn/layers/conv1d.hpp, conv_transpose1d.hpp)
// share. Both map [batch, in_channels, length] to [batch, out_channels, length'] with a config of
// channels, kernel size, stride, padding, dilation and a bias flag, a weight of in x out x kernel
// values, a bias of out_channels, PyTorch's default initialisation and a tt kernel called as
// kernel.forward(config, batch, in_len, out_len, ...). The base holds the config, the parameters and
// the kernel, checks the buffers of forward() and backward() and calls the kernel; the layer (CRTP)
// says what differs between a convolution and its transpose:
//   shape_t<3> output_shape(const shape_t<3>& in) const;   the output length, and the message when there is none
//   std::string describe() const;                          (describe_as builds it)
//   std::vector<index_t> weight_shape() const;             [out, in, k] or [in, out, k], as PyTorch
//   index_t fan_in() const;                                what PyTorch's initialisation divides by
// and validates its config in its constructor before calling allocate().
#include <string>
#include <vector>

#include "cantus/nn/init.hpp"
#include "cantus/nn/layer.hpp"

namespace cantus::nn {

template <class Layer, class T, class B, class Config, class Kernel, index_t In, index_t Out, index_t K>
class conv1d_base {
 public:
  using value_type = T;
  using backend_type = B;
  static constexpr std::size_t in_rank = 3, out_rank = 3;
  static constexpr shape_t<3> static_input_shape{dyn, In, dyn};
  // Sizes given in the type: the layer is default-constructible and a config must agree with them.
  static constexpr bool is_static = In != dyn && Out != dyn && K != dyn;

  const Config& config() const { return c_; }

  void forward(tensor_view<const T, 3, B> x, tensor_view<T, 3, B> y, bool /*training*/) {
    const std::string where = layer().describe();
    check_buffer_shape(where, "output", layer().output_shape(x.shape()), y.shape());
    require_contiguous(where, x, y);
    kernel_.forward(c_, x.extent(0), x.extent(2), y.extent(2), x.data(), weight_.data(), bias_.data(), y.data());
  }

  void backward(tensor_view<const T, 3, B> x, tensor_view<const T, 3, B> y, tensor_view<const T, 3, B> dy,
                tensor_view<T, 3, B> dx) {
    const std::string where = layer().describe();
    check_buffer_shape(where, "output gradient", y.shape(), dy.shape());
    check_buffer_shape(where, "output", layer().output_shape(x.shape()), y.shape());
    if (dx.data() != nullptr) check_buffer_shape(where, "input gradient", x.shape(), dx.shape());
    require_contiguous(where, x, dy);
    kernel_.backward(c_, x.extent(0), x.extent(2), y.extent(2), x.data(), weight_.data(), dy.data(), weight_.grad_data(),
                     bias_.empty() ? nullptr : bias_.grad_data(), dx.data());
  }

  void parameters(parameter_list<T, B>& out, const std::string& prefix) {
    add_parameter(out, prefix, "weight", weight_, layer().weight_shape());
    add_parameter(out, prefix, "bias", bias_, {c_.out_channels});
  }
  void buffers(parameter_list<T, B>&, const std::string&) {}
  void init(random_stream rng) {
    const index_t fan_in = layer().fan_in();
    weight_.set_from_host([&](tensor_view<T, 1> w) { init::default_weight(w, fan_in, rng.split(0)); });
    bias_.set_from_host([&](tensor_view<T, 1> b) { init::default_bias(b, fan_in, rng.split(1)); });
  }

 protected:
  explicit conv1d_base(const Config& c) : c_(c) {}

  // static_output_shape: a contradiction of In marks every extent; the length is length(L) once K
  // and L are known.
  template <class Length>
  static constexpr shape_t<3> static_output(const shape_t<3>& in, Length length) {
    if (In != dyn && in[1] != dyn && in[1] != In) return {shape_mismatch, shape_mismatch, shape_mismatch};
    return {in[0], Out, (K != dyn && in[2] != dyn) ? length(in[2]) : dyn};
  }

  // Whether the config's values are those the type fixes (always, for the dynamic form); `rest`:
  // whether the layer's own fields match too.
  bool matches_type(index_t stride, index_t padding, index_t dilation, bool rest) const {
    return !is_static || (c_.in_channels == In && c_.out_channels == Out && c_.kernel_size == K && c_.stride == stride &&
                          c_.padding == padding && c_.dilation == dilation && rest);
  }
  // Channels, kernel size, stride and dilation positive, padding non-negative.
  bool sizes_valid() const {
    return c_.in_channels > 0 && c_.out_channels > 0 && c_.kernel_size > 0 && c_.stride > 0 && c_.dilation > 0 &&
           c_.padding >= 0;
  }
  // The parameters for a validated config, drawn from random_stream(0).
  void allocate() {
    weight_ = trainable<T, B>(c_.in_channels * c_.out_channels * c_.kernel_size);
    if (c_.bias) bias_ = trainable<T, B>(c_.out_channels);
    init(random_stream(0));
  }

  // "name(in->out, k=K, s=S, p=P<extra>, d=D, bias=false)", each of s, p, d only when not the default.
  std::string describe_as(const std::string& name, const std::string& extra = "") const {
    auto s = detail::concat(name, "(", c_.in_channels, "->", c_.out_channels, ", k=", c_.kernel_size);
    if (c_.stride != 1) s += detail::concat(", s=", c_.stride);
    if (c_.padding != 0) s += detail::concat(", p=", c_.padding);
    s += extra;
    if (c_.dilation != 1) s += detail::concat(", d=", c_.dilation);
    if (!c_.bias) s += ", bias=false";
    return s + ")";
  }

  Config c_;
  trainable<T, B> weight_, bias_;

 private:
  const Layer& layer() const { return static_cast<const Layer&>(*this); }
  Layer& layer() { return static_cast<Layer&>(*this); }
  Kernel kernel_;
};

}  // namespace cantus::nn
