#pragma once
// conv2d: torch.nn.Conv2d over [batch, channels, height, width] (stride, padding, dilation, bias).
// Static form: conv2d<float, cpu, 1, 32, 3, 1, 1> (in, out, square kernel, stride, padding, dilation = 1);
// dynamic form: conv2d<float>(conv2d_config{...}) with separate height/width values.
// Weight [out, in, kh, kw], bias [out]. The arithmetic is nn::tt::conv2d<T, B>.
#include <array>
#include <string>

#include "cantus/nn/init.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/nn/tt/conv2d.hpp"

namespace cantus::nn {

template <class T, class B = cpu, index_t In = dyn, index_t Out = dyn, index_t K = dyn, index_t S = 1, index_t P = 0,
          index_t D = 1>
class conv2d {
 public:
  using value_type = T;
  using backend_type = B;
  static constexpr std::size_t in_rank = 4, out_rank = 4;
  static constexpr bool is_static = In != dyn && Out != dyn && K != dyn;
  static constexpr shape_t<4> static_input_shape{dyn, In, dyn, dyn};
  static constexpr shape_t<4> static_output_shape(const shape_t<4>& in) {
    if (In != dyn && in[1] != dyn && in[1] != In) return {shape_mismatch, shape_mismatch, shape_mismatch, shape_mismatch};
    auto out = [](index_t n) {
      if (n == dyn || K == dyn) return dyn;
      const index_t span = n + 2 * P - D * (K - 1) - 1;
      return span < 0 ? shape_mismatch : span / S + 1;
    };
    return {in[0], Out, out(in[2]), out(in[3])};
  }

  conv2d() requires is_static : conv2d(conv2d_config{In, Out, {K, K}, {S, S}, {P, P}, {D, D}, true}) {}
  explicit conv2d(const conv2d_config& c) : c_(c) {
    if (is_static && (c.in_channels != In || c.out_channels != Out || c.kernel_size != std::array<index_t, 2>{K, K} ||
                      c.stride != std::array<index_t, 2>{S, S} || c.padding != std::array<index_t, 2>{P, P} ||
                      c.dilation != std::array<index_t, 2>{D, D}))
      throw_value_error(describe(), ": the config contradicts the sizes fixed by the type");
    bool ok = c.in_channels > 0 && c.out_channels > 0;
    for (int a = 0; a < 2; ++a)
      ok = ok && c.kernel_size[a] > 0 && c.stride[a] > 0 && c.dilation[a] > 0 && c.padding[a] >= 0;
    if (!ok)
      throw_value_error(describe(), ": channels, kernel_size, stride and dilation must be positive, padding "
                                    "non-negative");
    weight_ = trainable<T, B>(c.out_channels * rows());
    if (c.bias) bias_ = trainable<T, B>(c.out_channels);
    init(random_stream(0));
  }

  const conv2d_config& config() const { return c_; }

  shape_t<4> output_shape(const shape_t<4>& in) const {
    check_input_shape(describe(), shape_t<4>{dyn, c_.in_channels, dyn, dyn}, in);
    index_t o[2];
    for (int a = 0; a < 2; ++a) {
      const index_t span = in[2 + a] + 2 * c_.padding[a] - c_.dilation[a] * (c_.kernel_size[a] - 1) - 1;
      if (span < 0)
        throw shape_error(detail::concat(describe(), ": input shape ", shape_string(in),
                                         " is smaller than the dilated kernel after padding"));
      o[a] = span / c_.stride[a] + 1;
    }
    return {in[0], c_.out_channels, o[0], o[1]};
  }

  void forward(tensor_view<const T, 4, B> x, tensor_view<T, 4, B> y, bool /*training*/) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    require_contiguous(describe(), x, y);
    kernel_.forward(c_, x.shape(), y.shape(), x.data(), weight_.data(), bias_.data(), y.data());
  }

  void backward(tensor_view<const T, 4, B> x, tensor_view<const T, 4, B> y, tensor_view<const T, 4, B> dy,
                tensor_view<T, 4, B> dx) {
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    if (dx.data() != nullptr) check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    require_contiguous(describe(), x, dy);
    kernel_.backward(c_, x.shape(), y.shape(), x.data(), weight_.data(), dy.data(), weight_.grad_data(), bias_.grad_data(),
                     dx.data());
  }

  void parameters(parameter_list<T, B>& out, const std::string& prefix) {
    add_parameter(out, prefix, "weight", weight_, {c_.out_channels, c_.in_channels, c_.kernel_size[0], c_.kernel_size[1]});
    add_parameter(out, prefix, "bias", bias_, {c_.out_channels});
  }
  void buffers(parameter_list<T, B>&, const std::string&) {}
  void init(random_stream rng) {
    weight_.set_from_host([&](tensor_view<T, 1> w) { init::default_weight(w, rows(), rng.split(0)); });
    bias_.set_from_host([&](tensor_view<T, 1> b) { init::default_bias(b, rows(), rng.split(1)); });
  }

  std::string name() const { return "conv2d"; }
  std::string describe() const {
    auto pair = [](const std::array<index_t, 2>& a) {
      return a[0] == a[1] ? std::to_string(a[0]) : detail::concat("(", a[0], ", ", a[1], ")");
    };
    auto s = detail::concat("conv2d(", c_.in_channels, "->", c_.out_channels, ", k=", pair(c_.kernel_size));
    if (c_.stride != std::array<index_t, 2>{1, 1}) s += ", s=" + pair(c_.stride);
    if (c_.padding != std::array<index_t, 2>{0, 0}) s += ", p=" + pair(c_.padding);
    if (c_.dilation != std::array<index_t, 2>{1, 1}) s += ", d=" + pair(c_.dilation);
    if (!c_.bias) s += ", bias=false";
    return s + ")";
  }

 private:
  index_t rows() const { return c_.in_channels * c_.kernel_size[0] * c_.kernel_size[1]; }

  conv2d_config c_;
  trainable<T, B> weight_, bias_;
  tt::conv2d<T, B> kernel_;
};

}  // namespace cantus::nn
