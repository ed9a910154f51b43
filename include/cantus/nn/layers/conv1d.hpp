#pragma once
// conv1d: torch.nn.Conv1d over [batch, channels, length] (stride, padding, dilation, bias), plus a
// causal mode that pads (kernel - 1) * dilation on the left only (WaveNet): output t sees inputs
// <= t and the length is kept.
//
// Static form: conv1d<float, cpu, 1, 32, 4, 2, 1> (in, out, kernel, stride, padding, dilation = 1);
// causal_conv1d<float, cpu, 64, 128, 2, 512>. Dynamic form: conv1d<float>(conv1d_config{...}).
// Weight [out, in, kernel] and bias [out] as in PyTorch. The arithmetic is nn::tt::conv1d<T, B>;
// parameters, buffer checks and the kernel calls are nn::conv1d_base (shared with conv_transpose1d).
#include <string>
#include <vector>

#include "cantus/nn/layers/conv1d_base.hpp"
#include "cantus/nn/tt/conv1d.hpp"

namespace cantus::nn {

template <class T, class B = cpu, index_t In = dyn, index_t Out = dyn, index_t K = dyn, index_t S = 1, index_t P = 0,
          index_t D = 1, bool Causal = false>
class conv1d : public conv1d_base<conv1d<T, B, In, Out, K, S, P, D, Causal>, T, B, conv1d_config, tt::conv1d<T, B>, In,
                                  Out, K> {
  using base = conv1d_base<conv1d, T, B, conv1d_config, tt::conv1d<T, B>, In, Out, K>;
  friend base;

 public:
  using base::is_static;

  static constexpr shape_t<3> static_output_shape(const shape_t<3>& in) {
    return base::static_output(in, [](index_t len) {
      const index_t pads = Causal ? (K - 1) * D : 2 * P;
      const index_t span = len + pads - D * (K - 1) - 1;
      return span < 0 ? shape_mismatch : span / S + 1;
    });
  }

  conv1d() requires is_static : conv1d(conv1d_config{In, Out, K, S, P, D, Causal, true}) {}
  explicit conv1d(const conv1d_config& c) : base(c) {
    if (!this->matches_type(S, P, D, c.causal == Causal))
      throw_value_error(describe(), ": the config contradicts the sizes fixed by the type");
    if (!this->sizes_valid())
      throw_value_error(describe(), ": in_channels, out_channels, kernel_size, stride and dilation must be positive "
                                    "and padding non-negative");
    if (c.causal && c.padding != 0) throw_value_error(describe(), ": causal mode takes no symmetric padding");
    this->allocate();
  }

  index_t pad_left() const { return this->c_.pad_left(); }
  index_t pad_right() const { return this->c_.pad_right(); }

  shape_t<3> output_shape(const shape_t<3>& in) const {
    const auto& c = this->c_;
    check_input_shape(describe(), shape_t<3>{dyn, c.in_channels, dyn}, in);
    const index_t span = in[2] + pad_left() + pad_right() - c.dilation * (c.kernel_size - 1) - 1;
    if (span < 0)
      throw shape_error(detail::concat(describe(), ": input length ", in[2], " is shorter than the dilated kernel (",
                                       c.dilation * (c.kernel_size - 1) + 1, ") after padding; input shape ",
                                       shape_string(in)));
    return {in[0], c.out_channels, span / c.stride + 1};
  }

  std::string name() const { return this->c_.causal ? "causal_conv1d" : "conv1d"; }
  std::string describe() const { return this->describe_as(name()); }

 private:
  std::vector<index_t> weight_shape() const { return {this->c_.out_channels, this->c_.in_channels, this->c_.kernel_size}; }
  index_t fan_in() const { return this->c_.in_channels * this->c_.kernel_size; }
};

// WaveNet's dilated causal convolution: causal_conv1d<float, cpu, 64, 128, 2, 512>.
template <class T, class B = cpu, index_t In = dyn, index_t Out = dyn, index_t K = dyn, index_t D = 1>
using causal_conv1d = conv1d<T, B, In, Out, K, 1, 0, D, true>;

}  // namespace cantus::nn
