#pragma once
// conv_transpose1d: torch.nn.ConvTranspose1d over [batch, channels, length] (stride, padding,
// output_padding, dilation, bias). Output length
//   (L - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1.
// Weight [in, out, kernel] and bias [out] as in PyTorch.
//
// Static form: conv_transpose1d<float, cpu, 128, 64, 4, 2, 1> (in, out, kernel, stride, padding,
// output_padding = 0, dilation = 1); dynamic form: conv_transpose1d<float>(conv_transpose1d_config{...}).
//
// The arithmetic is nn::tt::conv_transpose1d<T, B>.
#include <string>

#include "cantus/nn/init.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/nn/tt/conv_transpose1d.hpp"

namespace cantus::nn {

template <class T, class B = cpu, index_t In = dyn, index_t Out = dyn, index_t K = dyn, index_t S = 1, index_t P = 0,
          index_t OP = 0, index_t D = 1>
class conv_transpose1d {
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
      len = (in[2] - 1) * S - 2 * P + D * (K - 1) + OP + 1;
      if (len <= 0) len = shape_mismatch;
    }
    return {in[0], Out, len};
  }

  conv_transpose1d() requires is_static : conv_transpose1d(conv_transpose1d_config{In, Out, K, S, P, OP, D, true}) {}
  explicit conv_transpose1d(const conv_transpose1d_config& c) : c_(c) {
    if (is_static && (c.in_channels != In || c.out_channels != Out || c.kernel_size != K || c.stride != S ||
                      c.padding != P || c.output_padding != OP || c.dilation != D))
      throw_value_error(describe(), ": the config contradicts the sizes fixed by the type");
    if (c.in_channels <= 0 || c.out_channels <= 0 || c.kernel_size <= 0 || c.stride <= 0 || c.dilation <= 0 ||
        c.padding < 0 || c.output_padding < 0)
      throw_value_error(describe(), ": channels, kernel_size, stride and dilation must be positive, paddings "
                                    "non-negative");
    if (c.output_padding >= c.stride && c.output_padding >= c.dilation)
      throw_value_error(describe(), ": output_padding must be smaller than stride or dilation (as in PyTorch)");
    weight_ = trainable<T, B>(c.in_channels * c.out_channels * c.kernel_size);
    if (c.bias) bias_ = trainable<T, B>(c.out_channels);
    init(random_stream(0));
  }

  const conv_transpose1d_config& config() const { return c_; }

  shape_t<3> output_shape(const shape_t<3>& in) const {
    check_input_shape(describe(), shape_t<3>{dyn, c_.in_channels, dyn}, in);
    const index_t len =
        (in[2] - 1) * c_.stride - 2 * c_.padding + c_.dilation * (c_.kernel_size - 1) + c_.output_padding + 1;
    if (in[2] <= 0 || len <= 0)
      throw shape_error(detail::concat(describe(), ": input shape ", shape_string(in),
                                       " gives a non-positive output length ", len));
    return {in[0], c_.out_channels, len};
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
                     bias_.grad_data(), dx.data());
  }

  void parameters(parameter_list<T, B>& out, const std::string& prefix) {
    add_parameter(out, prefix, "weight", weight_, {c_.in_channels, c_.out_channels, c_.kernel_size});
    add_parameter(out, prefix, "bias", bias_, {c_.out_channels});
  }
  void buffers(parameter_list<T, B>&, const std::string&) {}
  // PyTorch computes fan_in from weight.size(1) = out_channels for transposed convolutions.
  void init(random_stream rng) {
    const index_t fan_in = c_.out_channels * c_.kernel_size;
    weight_.set_from_host([&](tensor_view<T, 1> w) { init::default_weight(w, fan_in, rng.split(0)); });
    bias_.set_from_host([&](tensor_view<T, 1> b) { init::default_bias(b, fan_in, rng.split(1)); });
  }

  std::string name() const { return "conv_transpose1d"; }
  std::string describe() const {
    auto s = detail::concat(name(), "(", c_.in_channels, "->", c_.out_channels, ", k=", c_.kernel_size);
    if (c_.stride != 1) s += detail::concat(", s=", c_.stride);
    if (c_.padding != 0) s += detail::concat(", p=", c_.padding);
    if (c_.output_padding != 0) s += detail::concat(", output_padding=", c_.output_padding);
    if (c_.dilation != 1) s += detail::concat(", d=", c_.dilation);
    if (!c_.bias) s += ", bias=false";
    return s + ")";
  }

 private:
  conv_transpose1d_config c_;
  trainable<T, B> weight_, bias_;
  tt::conv_transpose1d<T, B> kernel_;
};

}  // namespace cantus::nn
