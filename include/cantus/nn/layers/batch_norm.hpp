#pragma once
// batch_norm: torch.nn.BatchNorm1d ([batch, C] or [batch, C, L]) and BatchNorm2d ([batch, C, H, W]),
// statistics per channel over every other dimension.
//   training = true : normalise with the batch mean and biased variance; update
//                     running = (1 - momentum) * running + momentum * batch statistic, the variance
//                     unbiased (n / (n - 1)) as PyTorch does; num_batches_tracked += 1.
//   training = false: normalise with the running statistics.
// Parameters "weight" (gamma, 1) and "bias" (beta, 0); buffers (non-trainable, saved by checkpoints
// through buffers()): "running_mean" (0), "running_var" (1), "num_batches_tracked" (0, kept in T).
// batch_norm<T, B, Rank, C>: Rank 4 (BatchNorm2d) unless given; the aliases below name the usual
// forms. The arithmetic is nn::tt::batch_norm<T, B>.
#include <cstdint>
#include <string>

#include "cantus/base/functors.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/nn/tt/batch_norm.hpp"

namespace cantus::nn {

template <class T, class B = cpu, std::size_t Rank = 4, index_t C = dyn>
class batch_norm {
  static_assert(Rank >= 2 && Rank <= 4, "nn::batch_norm: input is [batch, C], [batch, C, L] or [batch, C, H, W]");

 public:
  using value_type = T;
  using backend_type = B;
  static constexpr std::size_t in_rank = Rank, out_rank = Rank;
  static constexpr bool is_static = C != dyn;
  static constexpr shape_t<Rank> static_input_shape = [] {
    auto s = all_dyn<Rank>();
    s[1] = C;
    return s;
  }();
  static constexpr shape_t<Rank> static_output_shape(const shape_t<Rank>& in) {
    auto s = in;
    if (C != dyn && in[1] != dyn && in[1] != C)
      for (auto& d : s) d = shape_mismatch;
    else if (C != dyn)
      s[1] = C;
    return s;
  }

  batch_norm() requires is_static : batch_norm(batch_norm_config{C}) {}
  explicit batch_norm(const batch_norm_config& c) : c_(c) {
    if (is_static && c.num_features != C) throw_value_error(describe(), ": the config contradicts the type's size");
    if (c.num_features <= 0 || !(c.eps > 0) || !(c.momentum >= 0 && c.momentum <= 1))
      throw_value_error(describe(), ": num_features must be positive, eps > 0 and momentum in [0, 1]");
    weight_ = trainable<T, B>(c.num_features);
    bias_ = trainable<T, B>(c.num_features);
    running_mean_ = tensor<T, 1, B>({c.num_features});
    running_var_ = tensor<T, 1, B>({c.num_features});
    num_batches_tracked_ = tensor<T, 1, B>({1});
    init(random_stream(0));
  }

  shape_t<Rank> output_shape(const shape_t<Rank>& in) const {
    auto e = all_dyn<Rank>();
    e[1] = c_.num_features;
    check_input_shape(describe(), e, in);
    return in;
  }

  void forward(tensor_view<const T, Rank, B> x, tensor_view<T, Rank, B> y, bool training) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    const index_t batch = x.extent(0), inner = plane_size(x), n = batch * inner;
    if (training && n <= 1)
      throw value_error(detail::concat(describe(), ": training needs more than one value per channel, input shape ",
                                       shape_string(x.shape())));
    kernel_.forward(c_, batch, inner, x.data(), c_.affine ? weight_.data() : nullptr, c_.affine ? bias_.data() : nullptr,
                    running_mean_.data(), running_var_.data(), training, y.data(), sync_ ? &sync_ : nullptr);
    if (training) backend_ops<B>::map(num_batches_tracked_.data(), num_batches_tracked_.data(), 1, ops::add_scalar<T>{T(1)});
  }

  void backward(tensor_view<const T, Rank, B> x, tensor_view<const T, Rank, B> y, tensor_view<const T, Rank, B> dy,
                tensor_view<T, Rank, B> dx) {
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    if (dx.data() != nullptr) check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    kernel_.backward(c_, x.extent(0), plane_size(x), x.data(), c_.affine ? weight_.data() : nullptr, dy.data(),
                     c_.affine ? weight_.grad_data() : nullptr, c_.affine ? bias_.grad_data() : nullptr, dx.data(),
                     sync_ ? &sync_ : nullptr);
  }

  // backward() for a dy that is zero except at `per_plane` entries of each (sample, channel) plane:
  // dy[plane][pos[plane * per_plane + j]] += val[plane * per_plane + j] — the gradient a max-pool
  // sends back. The same result as backward() on that dense dy. distinct_positions: no position
  // repeats within a plane (a max-pool whose windows do not overlap; nn/tt/batch_norm.hpp).
  void backward_scattered(tensor_view<const T, Rank, B> x, const T* val, const std::int32_t* pos, index_t per_plane,
                          tensor_view<T, Rank, B> dx, bool distinct_positions = false) {
    if (dx.data() != nullptr) check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    kernel_.backward_scattered(c_, x.extent(0), plane_size(x), x.data(), c_.affine ? weight_.data() : nullptr, val, pos,
                               per_plane, c_.affine ? weight_.grad_data() : nullptr,
                               c_.affine ? bias_.grad_data() : nullptr, dx.data(), sync_ ? &sync_ : nullptr,
                               distinct_positions);
  }

  // Data parallel: while set, training statistics are the whole batch's across the processes that
  // `sync` sums over (torch.nn.SyncBatchNorm; nn/tt/batch_norm.hpp); empty: this batch's own.
  void set_sync(batch_norm_sync sync) { sync_ = std::move(sync); }

  void parameters(parameter_list<T, B>& out, const std::string& prefix) {
    if (!c_.affine) return;
    add_parameter(out, prefix, "weight", weight_, {c_.num_features});
    add_parameter(out, prefix, "bias", bias_, {c_.num_features});
  }
  void buffers(parameter_list<T, B>& out, const std::string& prefix) {
    add_parameter<T, B>(out, prefix, "running_mean", running_mean_.data(), nullptr, {c_.num_features});
    add_parameter<T, B>(out, prefix, "running_var", running_var_.data(), nullptr, {c_.num_features});
    add_parameter<T, B>(out, prefix, "num_batches_tracked", num_batches_tracked_.data(), nullptr, {});
  }
  // PyTorch's reset_parameters(): gamma 1, beta 0, running statistics reset. No randomness.
  void init(random_stream) {
    const auto n = static_cast<std::size_t>(c_.num_features);
    backend_ops<B>::fill(weight_.data(), n, T(1));
    backend_ops<B>::fill(bias_.data(), n, T(0));
    backend_ops<B>::fill(running_mean_.data(), n, T(0));
    backend_ops<B>::fill(running_var_.data(), n, T(1));
    backend_ops<B>::fill(num_batches_tracked_.data(), 1, T(0));
  }

  std::string name() const { return Rank == 4 ? "batch_norm2d" : "batch_norm1d"; }
  std::string describe() const {
    auto s = detail::concat(name(), "(", c_.num_features);
    if (c_.eps != 1e-5) s += detail::concat(", eps=", c_.eps);
    if (c_.momentum != 0.1) s += detail::concat(", momentum=", c_.momentum);
    if (!c_.affine) s += ", affine=false";
    return s + ")";
  }

 private:
  index_t plane_size(const tensor_view<const T, Rank, B>& x) const {
    return x.size() / std::max<index_t>(x.extent(0) * c_.num_features, 1);
  }

  batch_norm_config c_;
  trainable<T, B> weight_, bias_;
  tensor<T, 1, B> running_mean_, running_var_, num_batches_tracked_;
  tt::batch_norm<T, B> kernel_;
  batch_norm_sync sync_;
};

// batch_norm1d over [batch, C, L]; batch_norm1d<T, B, C, 2> over [batch, C].
template <class T, class B = cpu, index_t C = dyn, std::size_t Rank = 3>
using batch_norm1d = batch_norm<T, B, Rank, C>;
template <class T, class B = cpu, index_t C = dyn>
using batch_norm2d = batch_norm<T, B, 4, C>;

}  // namespace cantus::nn
