#pragma once
// max_pool2d: torch.nn.MaxPool2d(kernel_size, stride = kernel_size, padding = 0) over
// [batch, channels, height, width] (floor mode, padding counts as -inf). forward remembers where
// each maximum came from (the first one on ties, as PyTorch's CPU kernel); backward routes dy there.
// Static form max_pool2d<float, cpu, 2>; the arithmetic is nn::tt::max_pool2d<T, B>.
#include <cstdint>
#include <string>

#include "cantus/nn/layer.hpp"
#include "cantus/nn/tt/max_pool2d.hpp"

namespace cantus::nn {

template <class T, class B = cpu, index_t K = dyn, index_t S = K, index_t P = 0>
class max_pool2d : public stateless_layer<T, B> {
 public:
  static constexpr std::size_t in_rank = 4, out_rank = 4;
  static constexpr bool is_static = K != dyn;
  static constexpr shape_t<4> static_input_shape = all_dyn<4>();
  static constexpr shape_t<4> static_output_shape(const shape_t<4>& in) {
    auto pooled = [](index_t n) { return n == dyn || K == dyn ? dyn : (n + 2 * P - K) / S + 1; };
    return {in[0], in[1], pooled(in[2]), pooled(in[3])};
  }

  max_pool2d() requires is_static : max_pool2d(max_pool2d_config{K, S, P}) {}
  explicit max_pool2d(max_pool2d_config c) : c_(c) {
    if (c_.stride == dyn) c_.stride = c_.kernel_size;
    if (is_static && (c_.kernel_size != K || c_.stride != S || c_.padding != P))
      throw_value_error(describe(), ": the config contradicts the sizes fixed by the type");
    if (c_.kernel_size <= 0 || c_.stride <= 0 || c_.padding < 0 || 2 * c_.padding > c_.kernel_size)
      throw_value_error(describe(), ": kernel_size and stride must be positive and padding at most half the kernel");
  }

  shape_t<4> output_shape(const shape_t<4>& in) const {
    check_input_shape(describe(), all_dyn<4>(), in);
    const index_t h = (in[2] + 2 * c_.padding - c_.kernel_size), w = (in[3] + 2 * c_.padding - c_.kernel_size);
    if (h < 0 || w < 0)
      throw shape_error(detail::concat(describe(), ": input shape ", shape_string(in), " is smaller than the kernel"));
    return {in[0], in[1], h / c_.stride + 1, w / c_.stride + 1};
  }

  void forward(tensor_view<const T, 4, B> x, tensor_view<T, 4, B> y, bool /*training*/) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    if (argmax_.size() != y.size()) argmax_ = tensor<std::int32_t, 1, B>({y.size()});
    tt::max_pool2d<T, B>::forward(c_, x.extent(0) * x.extent(1), x.extent(2), x.extent(3), y.extent(2), y.extent(3),
                                  x.data(), y.data(), argmax_.data());
    last_shape_ = x.shape();
  }

  void backward(tensor_view<const T, 4, B> x, tensor_view<const T, 4, B> y, tensor_view<const T, 4, B> dy,
                tensor_view<T, 4, B> dx) {
    if (dx.data() == nullptr) return;
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    if (x.shape() != last_shape_ || argmax_.size() != y.size())
      throw value_error(describe() + ": backward() without a matching forward()");
    tt::max_pool2d<T, B>::backward(x.extent(0) * x.extent(1), x.extent(2) * x.extent(3), y.extent(2) * y.extent(3),
                                   argmax_.data(), dy.data(), dx.data());
  }

  // Where each output of the last forward() came from: the index within its input plane (H * W),
  // one per output element in output order. For fused backward passes (batch_norm::backward_scattered).
  const tensor<std::int32_t, 1, B>& argmax() const { return argmax_; }
  // Windows overlap (stride < kernel_size): an input position can be the maximum of two outputs.
  bool windows_overlap() const { return c_.stride < c_.kernel_size; }

  std::string name() const { return "max_pool2d"; }
  std::string describe() const {
    auto s = detail::concat("max_pool2d(k=", c_.kernel_size);
    if (c_.stride != c_.kernel_size) s += detail::concat(", s=", c_.stride);
    if (c_.padding) s += detail::concat(", p=", c_.padding);
    return s + ")";
  }

 private:
  max_pool2d_config c_;
  tensor<std::int32_t, 1, B> argmax_;
  shape_t<4> last_shape_{};
};

}  // namespace cantus::nn
