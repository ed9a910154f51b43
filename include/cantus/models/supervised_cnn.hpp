#pragma once
// (5) supervised_cnn: the paper's supervised baseline on log-mel chunks [batch, 1, n_mels, frames]:
//   4 x [Conv2d 3x3 pad 1 (32, 64, 128, 128) + BatchNorm2d + ReLU + MaxPool2d 2] -> mean over (H, W)
//   -> Linear -> genre logits; loss cross-entropy (mean). The PyTorch reference is Cnn (docs/models.md).
// A track's prediction is the argmax of its chunks' mean softmax.
#include <vector>

#include "cantus/models/model_support.hpp"  // first: see the note there
#include "cantus/models/config.hpp"
#include "cantus/nn/layers/activations.hpp"
#include "cantus/nn/layers/batch_norm.hpp"
#include "cantus/nn/layers/conv2d.hpp"
#include "cantus/nn/layers/linear.hpp"
#include "cantus/nn/layers/max_pool2d.hpp"
#include "cantus/nn/loss/cross_entropy.hpp"

namespace cantus::models {

template <class B = cpu>
struct labelled_chunks {
  tensor<float, 4, B> x;    // [batch, 1, n_mels, frames]
  tensor<index_t, 1> y;     // [batch] genre index (host)
};

// Still a hand-written class over the backend's layers (its global average pooling is a host
// loop), so it runs on host-memory backends only for now.
template <class B = cpu>
class supervised_cnn {
  static_assert(B::host_accessible, "models::supervised_cnn: the pooling still runs on the host");

 public:
  using backend_type = B;
  using batch_type = labelled_chunks<B>;

  explicit supervised_cnn(supervised_cnn_config c = {}, std::uint64_t seed = 0) : c_(std::move(c)) {
    c_.validate();
    index_t in = 1;
    for (auto ch : c_.channels) {
      blocks_.push_back(block{nn::conv2d<float, B>(nn::conv2d_config{in, ch, {3, 3}, {1, 1}, {1, 1}}),
                              nn::batch_norm<float, B, 4>(nn::batch_norm_config{ch}),
                              nn::max_pool2d<float, B>(nn::max_pool2d_config{2, 2, 0})});
      in = ch;
    }
    head_ = nn::linear<float>(nn::linear_config{in, c_.genres});
    init(random_stream(seed, 0x434E));
  }
  const supervised_cnn_config& config() const { return c_; }
  index_t latent_dim() const { return c_.channels.back(); }

  void init(random_stream rng) {
    std::uint64_t k = 0;
    for (auto& b : blocks_) {
      b.conv.init(rng.split(k++));
      b.bn.init(rng.split(k++));
    }
    head_.init(rng.split(k++));
  }
  // Names as torch's state_dict of Cnn: body.{4i}.weight (conv), body.{4i+1}.* (BatchNorm), head.*
  nn::parameter_list<float, B> parameters() {
    nn::parameter_list<float, B> ps;
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      blocks_[i].conv.parameters(ps, "body." + std::to_string(4 * i));
      blocks_[i].bn.parameters(ps, "body." + std::to_string(4 * i + 1));
    }
    head_.parameters(ps, "head");
    return ps;
  }
  nn::parameter_list<float, B> buffers() {
    nn::parameter_list<float, B> bs;
    for (std::size_t i = 0; i < blocks_.size(); ++i) blocks_[i].bn.buffers(bs, "body." + std::to_string(4 * i + 1));
    return bs;
  }
  void save_state(std::ostream& o) { save_model_state(*this, o); }
  void load_state(std::istream& i) { load_model_state(*this, i, "supervised_cnn"); }

  double loss_and_backward(const batch_type& b, step_info = {}) { return run(b, true); }
  double validation_loss(const batch_type& b) { return run(b, false); }

  // Logits in evaluation mode (BatchNorm running statistics): [batch, genres].
  tensor<float, 2, B> logits(const tensor<float, 4, B>& x) {
    forward(x, false);
    return logits_;
  }
  // The pooled features before the classifier: [batch, channels.back()].
  tensor<float, 2, B> encode(const tensor<float, 4, B>& x) {
    forward(x, false);
    return pooled_;
  }
  tensor<float, 2, B> encode(const labelled_chunks<B>& b) { return encode(b.x); }

 private:
  struct block {
    nn::conv2d<float, B> conv;
    nn::batch_norm<float, B, 4> bn;
    nn::max_pool2d<float, B> pool;
    tensor<float, 4, B> conv_out, bn_out, pool_out, relu_out;  // kept between steps (same shapes)
    tensor<float, 4, B> d_relu, d_conv, d_in;                // d_relu: the gradient at the pool's output
  };

  void forward(const tensor<float, 4, B>& x, bool training) {
    if (x.extent(1) != 1 || x.extent(2) != c_.n_mels || x.extent(3) != c_.frames)
      throw_shape_mismatch("supervised_cnn", "input chunks [batch, 1, n_mels, frames]",
                           shape_t<4>{x.extent(0), 1, c_.n_mels, c_.frames}, x.shape());
    tensor_view<const float, 4, B> in = x.view();
    for (auto& b : blocks_) {
      detail::ensure_shape(b.conv_out, b.conv.output_shape(in.shape()));
      b.conv.forward(in, b.conv_out.view(), training);
      detail::ensure_shape(b.bn_out, b.conv_out.shape());
      b.bn.forward(detail::cview(b.conv_out), b.bn_out.view(), training);
      // Pool, then ReLU: relu(max(x)) = max(relu(x)), and the gradient reaches the same element (the
      // first maximum, or none when the maximum is <= 0), so this is the reference block exactly,
      // with the ReLU's passes over a tensor four times smaller.
      detail::ensure_shape(b.pool_out, b.pool.output_shape(b.bn_out.shape()));
      b.pool.forward(detail::cview(b.bn_out), b.pool_out.view(), training);
      detail::ensure_shape(b.relu_out, b.pool_out.shape());
      relu_.forward(detail::cview(b.pool_out), b.relu_out.view(), training);
      in = b.relu_out.view();
    }
    const auto& last = blocks_.back().relu_out;
    const index_t Bn = last.extent(0), C = last.extent(1), HW = last.extent(2) * last.extent(3);
    pooled_ = tensor<float, 2, B>({Bn, C});
    for (index_t i = 0; i < Bn * C; ++i) {
      double s = 0;
      for (index_t j = 0; j < HW; ++j) s += last.data()[i * HW + j];
      pooled_.data()[i] = static_cast<float>(s / double(HW));
    }
    logits_ = tensor<float, 2, B>({Bn, c_.genres});
    head_.forward(detail::cview(pooled_), logits_.view(), training);
  }

  double run(const batch_type& b, bool training) {
    if (b.y.extent(0) != b.x.extent(0))
      throw_shape_mismatch("supervised_cnn", "labels", shape_t<1>{b.x.extent(0)}, b.y.shape());
    forward(b.x, training);
    auto loss = nn::cross_entropy(logits_, b.y);
    if (!training) return loss.value;
    const auto& last = blocks_.back().relu_out;
    const index_t Bn = last.extent(0), C = last.extent(1), HW = last.extent(2) * last.extent(3);
    tensor<float, 2, B> dpooled({Bn, C});
    head_.backward(detail::cview(pooled_), detail::cview(logits_), detail::cview(loss.grad), dpooled.view());
    tensor<float, 4, B> d(last.shape());
    for (index_t i = 0; i < Bn * C; ++i)
      for (index_t j = 0; j < HW; ++j) d.data()[i * HW + j] = dpooled.data()[i] / float(HW);
    for (std::size_t k = blocks_.size(); k-- > 0;) {
      auto& bl = blocks_[k];
      auto& dpool = detail::ensure_shape(bl.d_relu, bl.pool_out.shape());
      auto& dconv = detail::ensure_shape(bl.d_conv, bl.conv_out.shape());
      relu_.backward(detail::cview(bl.pool_out), detail::cview(bl.relu_out), detail::cview(d), dpool.view());
      // Max-pool and BatchNorm backward in one: the pool's gradient is one value per window, placed
      // at the window's maximum; BatchNorm takes it in that scattered form (no full-size dy).
      bl.bn.backward_scattered(detail::cview(bl.conv_out), dpool.data(), bl.pool.argmax().data(),
                               dpool.extent(2) * dpool.extent(3), dconv.view());
      if (k == 0) {
        bl.conv.backward(b.x.view(), detail::cview(bl.conv_out), detail::cview(dconv), tensor_view<float, 4, B>());
      } else {
        auto& din = detail::ensure_shape(bl.d_in, blocks_[k - 1].relu_out.shape());
        bl.conv.backward(detail::cview(blocks_[k - 1].relu_out), detail::cview(bl.conv_out), detail::cview(dconv),
                         din.view());
        std::swap(d, din);
      }
    }
    return loss.value;
  }

  supervised_cnn_config c_;
  std::vector<block> blocks_;
  nn::linear<float, B> head_{nn::linear_config{1, 1}};
  nn::relu<float, B, 4> relu_;
  tensor<float, 2, B> pooled_, logits_;
};

}  // namespace cantus::models
