#pragma once
// conv_transpose1d: torch.nn.ConvTranspose1d over [batch, channels, length] (stride, padding,
// output_padding, dilation, bias). Output length
//   (L - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1.
// Weight [in, out, kernel] and bias [out] as in PyTorch.
//
// Static form: conv_transpose1d<float, cpu, 128, 64, 4, 2, 1> (in, out, kernel, stride, padding,
// output_padding = 0, dilation = 1); dynamic form: conv_transpose1d<float>(conv_transpose1d_config{...}).
//
// The arithmetic is nn::tt::conv_transpose1d<T, B>; parameters, buffer checks and the kernel calls are
// nn::conv1d_base (shared with conv1d).
#include <string>
#include <vector>

#include "cantus/nn/layers/conv1d_base.hpp"
#include "cantus/nn/tt/conv_transpose1d.hpp"

namespace cantus::nn {

template <class T, class B = cpu, index_t In = dyn, index_t Out = dyn, index_t K = dyn, index_t S = 1, index_t P = 0,
          index_t OP = 0, index_t D = 1>
class conv_transpose1d
    : public conv1d_base<conv_transpose1d<T, B, In, Out, K, S, P, OP, D>, T, B, conv_transpose1d_config,
                         tt::conv_transpose1d<T, B>, In, Out, K> {
  using base = conv1d_base<conv_transpose1d, T, B, conv_transpose1d_config, tt::conv_transpose1d<T, B>, In, Out, K>;
  friend base;

 public:
  using base::is_static;

  static constexpr shape_t<3> static_output_shape(const shape_t<3>& in) {
    return base::static_output(in, [](index_t len) {
      const index_t out = (len - 1) * S - 2 * P + D * (K - 1) + OP + 1;
      return out <= 0 ? shape_mismatch : out;
    });
  }

  conv_transpose1d() requires is_static : conv_transpose1d(conv_transpose1d_config{In, Out, K, S, P, OP, D, true}) {}
  explicit conv_transpose1d(const conv_transpose1d_config& c) : base(c) {
    if (!this->matches_type(S, P, D, c.output_padding == OP))
      throw_value_error(describe(), ": the config contradicts the sizes fixed by the type");
    if (!this->sizes_valid() || c.output_padding < 0)
      throw_value_error(describe(), ": channels, kernel_size, stride and dilation must be positive, paddings "
                                    "non-negative");
    if (c.output_padding >= c.stride && c.output_padding >= c.dilation)
      throw_value_error(describe(), ": output_padding must be smaller than stride or dilation (as in PyTorch)");
    this->allocate();
  }

  shape_t<3> output_shape(const shape_t<3>& in) const {
    const auto& c = this->c_;
    check_input_shape(describe(), shape_t<3>{dyn, c.in_channels, dyn}, in);
    const index_t len = (in[2] - 1) * c.stride - 2 * c.padding + c.dilation * (c.kernel_size - 1) + c.output_padding + 1;
    if (in[2] <= 0 || len <= 0)
      throw shape_error(detail::concat(describe(), ": input shape ", shape_string(in),
                                       " gives a non-positive output length ", len));
    return {in[0], c.out_channels, len};
  }

  std::string name() const { return "conv_transpose1d"; }
  std::string describe() const {
    const auto& c = this->c_;
    return this->describe_as(name(), c.output_padding != 0 ? detail::concat(", output_padding=", c.output_padding) : "");
  }

 private:
  std::vector<index_t> weight_shape() const { return {this->c_.in_channels, this->c_.out_channels, this->c_.kernel_size}; }
  // PyTorch computes fan_in from weight.size(1) = out_channels for transposed convolutions.
  index_t fan_in() const { return this->c_.out_channels * this->c_.kernel_size; }
};

}  // namespace cantus::nn
