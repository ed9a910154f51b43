#pragma once
// conv1d: torch.nn.Conv1d over [batch, channels, length] (stride, padding, dilation, bias), plus a
// causal mode that pads (kernel - 1) * dilation on the left only (WaveNet): output t sees inputs
// <= t and the length is kept.
//
// Static form: conv1d<float, cpu, 1, 32, 4, 2, 1> (in, out, kernel, stride, padding, dilation = 1);
// causal_conv1d<float, cpu, 64, 128, 2, 512>. Dynamic form: conv1d<float>(conv1d_config{...}).
// Weight [out, in, kernel] and bias [out] as in PyTorch. The arithmetic is nn::tt::conv1d<T, B>.
#include <string>

#include "cantus/nn/init.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/nn/tt/conv1d.hpp"

namespace cantus::nn {

template <class T, class B = cpu, index_t In = dyn, index_t Out = dyn, index_t K = dyn, index_t S = 1, index_t P = 0,
          index_t D = 1, bool Causal = false>
class conv1d {
 public:
  using value_type = T;
  using backend_type = B;
  static constexpr std::size_t in_rank = 3, out_rank = 3;
  static constexpr bool is_static = In != dyn && Out != dyn && K != dyn;
  static constexpr shape_t<3> static_input_shape{dyn, In, dyn};

  static constexpr shape_t<3> static_output_shape(const shape_t<3>& in) {
    if (In != dyn && in[1] != dyn && in[1] != In) return {shape_mismatch, shape_mismatch, shape_mismatch};
    index_t len = dyn;
    if (K != dyn && in[2] != dyn) {
      const index_t pads = Causal ? (K - 1) * D : 2 * P;
      const index_t span = in[2] + pads - D * (K - 1) - 1;
      len = span < 0 ? shape_mismatch : span / S + 1;
    }
    return {in[0], Out, len};
  }

  conv1d() requires is_static : conv1d(conv1d_config{In, Out, K, S, P, D, Causal, true}) {}
  explicit conv1d(const conv1d_config& c) : c_(c) {
    if (is_static && (c.in_channels != In || c.out_channels != Out || c.kernel_size != K || c.stride != S ||
                      c.padding != P || c.dilation != D || c.causal != Causal))
      throw_value_error(describe(), ": the config contradicts the sizes fixed by the type");
    if (c.in_channels <= 0 || c.out_channels <= 0 || c.kernel_size <= 0 || c.stride <= 0 || c.dilation <= 0 ||
        c.padding < 0)
      throw_value_error(describe(), ": in_channels, out_channels, kernel_size, stride and dilation must be positive "
                                    "and padding non-negative");
    if (c.causal && c.padding != 0) throw_value_error(describe(), ": causal mode takes no symmetric padding");
    weight_ = trainable<T, B>(c.out_channels * c.in_channels * c.kernel_size);
    if (c.bias) bias_ = trainable<T, B>(c.out_channels);
    init(random_stream(0));
  }

  const conv1d_config& config() const { return c_; }
  index_t pad_left() const { return c_.pad_left(); }
  index_t pad_right() const { return c_.pad_right(); }

  shape_t<3> output_shape(const shape_t<3>& in) const {
    check_input_shape(describe(), shape_t<3>{dyn, c_.in_channels, dyn}, in);
    const index_t span = in[2] + pad_left() + pad_right() - c_.dilation * (c_.kernel_size - 1) - 1;
    if (span < 0)
      throw shape_error(detail::concat(describe(), ": input length ", in[2], " is shorter than the dilated kernel (",
                                       c_.dilation * (c_.kernel_size - 1) + 1, ") after padding; input shape ",
                                       shape_string(in)));
    return {in[0], c_.out_channels, span / c_.stride + 1};
  }

  void forward(tensor_view<const T, 3, B> x, tensor_view<T, 3, B> y, bool /*training*/) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    require_contiguous(describe(), x, y);
    kernel_.forward(c_, x.extent(0), x.extent(2), y.extent(2), x.data(), weight_.data(), bias_.data(), y.data());
  }

  void backward(tensor_view<const T, 3, B> x, tensor_view<const T, 3, B> y, tensor_view<const T, 3, B> dy,
                tensor_view<T, 3, B> dx) {
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    if (dx.data() != nullptr) check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    require_contiguous(describe(), x, dy);
    kernel_.backward(c_, x.extent(0), x.extent(2), y.extent(2), x.data(), weight_.data(), dy.data(), weight_.grad_data(),
                     bias_.empty() ? nullptr : bias_.grad_data(), dx.data());
  }

  void parameters(parameter_list<T, B>& out, const std::string& prefix) {
    add_parameter(out, prefix, "weight", weight_, {c_.out_channels, c_.in_channels, c_.kernel_size});
    add_parameter(out, prefix, "bias", bias_, {c_.out_channels});
  }
  void buffers(parameter_list<T, B>&, const std::string&) {}
  void init(random_stream rng) {
    const index_t fan_in = c_.in_channels * c_.kernel_size;
    weight_.set_from_host([&](tensor_view<T, 1> w) { init::default_weight(w, fan_in, rng.split(0)); });
    bias_.set_from_host([&](tensor_view<T, 1> b) { init::default_bias(b, fan_in, rng.split(1)); });
  }

  std::string name() const { return c_.causal ? "causal_conv1d" : "conv1d"; }
  std::string describe() const {
    auto s = detail::concat(name(), "(", c_.in_channels, "->", c_.out_channels, ", k=", c_.kernel_size);
    if (c_.stride != 1) s += detail::concat(", s=", c_.stride);
    if (c_.padding != 0) s += detail::concat(", p=", c_.padding);
    if (c_.dilation != 1) s += detail::concat(", d=", c_.dilation);
    if (!c_.bias) s += ", bias=false";
    return s + ")";
  }

 private:
  conv1d_config c_;
  trainable<T, B> weight_, bias_;
  tt::conv1d<T, B> kernel_;
};

// WaveNet's dilated causal convolution: causal_conv1d<float, cpu, 64, 128, 2, 512>.
template <class T, class B = cpu, index_t In = dyn, index_t Out = dyn, index_t K = dyn, index_t D = 1>
using causal_conv1d = conv1d<T, B, In, Out, K, 1, 0, D, true>;

}  // namespace cantus::nn
