#pragma once
// conv_pool_stack<T, B, Stages>: Stages blocks of [Conv2d 3x3 pad 1 -> BatchNorm2d -> ReLU ->
// MaxPool2d 2] over [batch, channels, height, width], one layer. It is the body of the paper's
// supervised CNN; parameters and buffers are named like a torch.nn.Sequential of the 4 * Stages
// layers ("4i.weight" the convolution of block i, "4i+1.*" its BatchNorm), so torch weights load as
// they are.
//
// Why one layer and not a sequential of 16: each block runs pool-then-ReLU, which equals
// ReLU-then-pool (relu(max(x)) = max(relu(x)), and the gradient reaches the same element: the first
// maximum, or none when it is <= 0) with the ReLU over a tensor four times smaller; and BatchNorm's
// backward takes the pool's gradient in its scattered form (one value per window, at the window's
// maximum) instead of a full-size dy written out and read twice.
//
// Static form: the number of blocks is in the type; the widths are run-time:
// conv_pool_stack<float, cpu, 4>(conv_pool_stack_config{.in_channels = 1, .channels = {32, 64, 128, 128}}).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cantus/nn/layer.hpp"
#include "cantus/nn/layers/activations.hpp"
#include "cantus/nn/layers/batch_norm.hpp"
#include "cantus/nn/layers/conv2d.hpp"
#include "cantus/nn/layers/max_pool2d.hpp"

namespace cantus::nn {

struct conv_pool_stack_config {
  index_t in_channels = 1;
  std::vector<index_t> channels;  // one width per block
};

template <class T, class B = cpu, std::size_t Stages = 4>
class conv_pool_stack {
  static_assert(Stages >= 1, "conv_pool_stack: needs at least one block");

 public:
  using value_type = T;
  using backend_type = B;
  static constexpr std::size_t in_rank = 4, out_rank = 4;
  static constexpr std::size_t stages = Stages;
  static constexpr shape_t<4> static_input_shape{dyn, dyn, dyn, dyn};
  static constexpr shape_t<4> static_output_shape(const shape_t<4>& in) {
    auto shrink = [](index_t d) { return d == dyn ? dyn : (d >> Stages) < 1 ? shape_mismatch : d >> Stages; };
    return {in[0], dyn, shrink(in[2]), shrink(in[3])};
  }

  explicit conv_pool_stack(const conv_pool_stack_config& c) : c_(c) {
    if (c.channels.size() != Stages)
      throw_value_error(describe(), ": ", Stages, " blocks need ", Stages, " widths, got ", c.channels.size());
    if (c.in_channels < 1) throw_value_error(describe(), ": in_channels must be positive, got ", c.in_channels);
    index_t in = c.in_channels;
    for (auto ch : c.channels) {
      if (ch < 1) throw_value_error(describe(), ": widths must be positive");
      blocks_.push_back(block{conv2d<T, B>(conv2d_config{in, ch, {3, 3}, {1, 1}, {1, 1}}),
                              batch_norm<T, B, 4>(batch_norm_config{ch}), max_pool2d<T, B>(max_pool2d_config{2, 2, 0})});
      in = ch;
    }
  }

  const conv_pool_stack_config& config() const { return c_; }
  index_t out_channels() const { return c_.channels.back(); }

  shape_t<4> output_shape(const shape_t<4>& in) const {
    shape_t<4> s = in;
    for (const auto& b : blocks_) s = b.pool.output_shape(b.conv.output_shape(s));
    return s;
  }

  void forward(tensor_view<const T, 4, B> x, tensor_view<T, 4, B> y, bool training) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    tensor_view<const T, 4, B> in = x;
    for (auto& b : blocks_) {
      ensure_shape(b.conv_out, b.conv.output_shape(in.shape()));
      b.conv.forward(in, b.conv_out.view(), training);
      ensure_shape(b.bn_out, b.conv_out.shape());
      b.bn.forward(b.conv_out.view(), b.bn_out.view(), training);
      ensure_shape(b.pool_out, b.pool.output_shape(b.bn_out.shape()));
      b.pool.forward(b.bn_out.view(), b.pool_out.view(), training);
      ensure_shape(b.relu_out, b.pool_out.shape());
      relu_.forward(b.pool_out.view(), b.relu_out.view(), training);
      in = b.relu_out.view();
    }
    backend_ops<B>::copy(y.data(), in.data(), static_cast<std::size_t>(y.size()));
  }

  void backward(tensor_view<const T, 4, B> x, tensor_view<const T, 4, B> y, tensor_view<const T, 4, B> dy,
                tensor_view<T, 4, B> dx) {
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    if (dx.data() != nullptr) check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    ensure_shape(d_, dy.shape());
    backend_ops<B>::copy(d_.data(), dy.data(), static_cast<std::size_t>(dy.size()));
    for (std::size_t k = blocks_.size(); k-- > 0;) {
      auto& bl = blocks_[k];
      ensure_shape(bl.d_relu, bl.pool_out.shape());
      ensure_shape(bl.d_conv, bl.conv_out.shape());
      relu_.backward(bl.pool_out.view(), bl.relu_out.view(), d_.view(), bl.d_relu.view());
      bl.bn.backward_scattered(bl.conv_out.view(), bl.d_relu.data(), bl.pool.argmax().data(),
                               bl.d_relu.extent(2) * bl.d_relu.extent(3), bl.d_conv.view(), !bl.pool.windows_overlap());
      if (k == 0) {
        bl.conv.backward(x, bl.conv_out.view(), bl.d_conv.view(), dx);
      } else {
        auto& din = ensure_shape(bl.d_in, blocks_[k - 1].relu_out.shape());
        bl.conv.backward(blocks_[k - 1].relu_out.view(), bl.conv_out.view(), bl.d_conv.view(), din.view());
        std::swap(d_, din);
      }
    }
  }

  // Every BatchNorm of the stack normalises with statistics summed by `sync` (data parallel).
  void set_batch_norm_sync(const batch_norm_sync& sync) {
    for (auto& b : blocks_) b.bn.set_sync(sync);
  }

  void parameters(parameter_list<T, B>& out, const std::string& prefix) {
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      blocks_[i].conv.parameters(out, qualified_name(prefix, std::to_string(4 * i)));
      blocks_[i].bn.parameters(out, qualified_name(prefix, std::to_string(4 * i + 1)));
    }
  }
  void buffers(parameter_list<T, B>& out, const std::string& prefix) {
    for (std::size_t i = 0; i < blocks_.size(); ++i) blocks_[i].bn.buffers(out, qualified_name(prefix, std::to_string(4 * i + 1)));
  }
  void init(random_stream rng) {
    std::uint64_t k = 0;
    init(rng, k);
  }
  // Each convolution and BatchNorm draws from rng.split(k++), in order (a model that owns this layer
  // continues the count for its own layers).
  void init(random_stream rng, std::uint64_t& k) {
    for (auto& b : blocks_) {
      b.conv.init(rng.split(k++));
      b.bn.init(rng.split(k++));
    }
  }

  std::string name() const { return "conv_pool_stack"; }
  std::string describe() const { return detail::concat("conv_pool_stack(", Stages, " x conv3x3-bn-relu-pool2)"); }

 private:
  struct block {
    conv2d<T, B> conv;
    batch_norm<T, B, 4> bn;
    max_pool2d<T, B> pool;
    tensor<T, 4, B> conv_out, bn_out, pool_out, relu_out;  // kept between steps (same shapes)
    tensor<T, 4, B> d_relu, d_conv, d_in;                 // d_relu: the gradient at the pool's output
  };

  conv_pool_stack_config c_;
  std::vector<block> blocks_;
  relu<T, B, 4> relu_;
  tensor<T, 4, B> d_;
};

}  // namespace cantus::nn
