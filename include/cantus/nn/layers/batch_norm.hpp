#pragma once
// batch_norm: torch.nn.BatchNorm1d ([batch, C] or [batch, C, L]) and BatchNorm2d ([batch, C, H, W]),
// statistics per channel over every other dimension.
//   training = true : normalise with the batch mean and biased variance; update
//                     running = (1 - momentum) * running + momentum * batch statistic, the variance
//                     unbiased (n / (n - 1)) as PyTorch does; num_batches_tracked += 1.
//   training = false: normalise with the running statistics.
// Parameters "weight" (gamma, 1) and "bias" (beta, 0); buffers (non-trainable, saved by checkpoints
// through buffers()): "running_mean" (0), "running_var" (1), "num_batches_tracked" (0, kept in T).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cantus/nn/layer.hpp"
#include "cantus/backend/cpu/nn/im2col.hpp"

namespace cantus::nn {

namespace bn_detail {
// Two sums over eight interleaved double accumulators each, in one pass over memory: independent
// chains that vectorise, where one running sum is a single dependency chain (an add's latency per
// element, which made these reductions the slowest part of the CNN's step). The combination order
// is fixed, so results do not depend on threads.
template <class F, class G>
std::pair<double, double> lane_sums(index_t n, F&& f, G&& g) {
  constexpr index_t lanes = 8;
  double a[lanes] = {}, b[lanes] = {};
  index_t i = 0;
  for (; i + lanes <= n; i += lanes)
    for (index_t j = 0; j < lanes; ++j) a[j] += f(i + j), b[j] += g(i + j);
  double sa = 0, sb = 0;
  for (; i < n; ++i) sa += f(i), sb += g(i);
  for (index_t j = 0; j < lanes; ++j) sa += a[j], sb += b[j];
  return {sa, sb};
}
}  // namespace bn_detail

struct batch_norm_config {
  index_t num_features = dyn;
  double eps = 1e-5, momentum = 0.1;
  bool affine = true;
};

template <class T, std::size_t Rank, index_t C = dyn>
class batch_norm {
  static_assert(Rank >= 2 && Rank <= 4, "nn::batch_norm: input is [batch, C], [batch, C, L] or [batch, C, H, W]");

 public:
  using value_type = T;
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
    const auto n = static_cast<std::size_t>(c.num_features);
    weight_.assign(n, T(1));
    bias_.assign(n, T(0));
    weight_grad_.assign(n, T(0));
    bias_grad_.assign(n, T(0));
    running_mean_.assign(n, T(0));
    running_var_.assign(n, T(1));
    mean_.assign(n, T(0));
    invstd_.assign(n, T(0));
  }

  shape_t<Rank> output_shape(const shape_t<Rank>& in) const {
    auto e = all_dyn<Rank>();
    e[1] = c_.num_features;
    check_input_shape(describe(), e, in);
    return in;
  }

  void forward(tensor_view<const T, Rank> x, tensor_view<T, Rank> y, bool training) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    const index_t batch = x.extent(0), ch = c_.num_features, inner = x.size() / std::max<index_t>(batch * ch, 1),
                  n = batch * inner;
    if (training && n <= 1)
      throw value_error(detail::concat(describe(), ": training needs more than one value per channel, input shape ",
                                       shape_string(x.shape())));
    const T* xs = x.data();
    T* ys = y.data();
    last_training_ = training;
#pragma omp parallel for schedule(static) if (detail::worth_parallel(x.size()))
    for (index_t c = 0; c < ch; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      T mean, invstd;
      if (training) {
        // Sum and sum of squares in one pass, in double, around a shift (the channel's first value):
        // with the shift the variance does not cancel catastrophically even when |mean| >> std.
        const double k0 = double(xs[c * inner]);
        double s = 0, v2 = 0;
        for (index_t b = 0; b < batch; ++b) {
          const T* p = xs + (b * ch + c) * inner;
          const auto [s1, s2] = bn_detail::lane_sums(inner, [p, k0](index_t i) { return double(p[i]) - k0; },
                                                     [p, k0](index_t i) { return (double(p[i]) - k0) * (double(p[i]) - k0); });
          s += s1, v2 += s2;
        }
        const double m = k0 + s / double(n);
        const double v = std::max(0.0, v2 - s * s / double(n));
        const double var = v / double(n);
        mean = T(m);
        invstd = T(1.0 / std::sqrt(var + c_.eps));
        running_mean_[cu] = T((1 - c_.momentum) * running_mean_[cu] + c_.momentum * m);
        running_var_[cu] = T((1 - c_.momentum) * running_var_[cu] + c_.momentum * var * double(n) / double(n - 1));
      } else {
        mean = running_mean_[cu];
        invstd = T(1.0 / std::sqrt(double(running_var_[cu]) + c_.eps));
      }
      mean_[cu] = mean;
      invstd_[cu] = invstd;
      const T scale = invstd * (c_.affine ? weight_[cu] : T(1)), shift = c_.affine ? bias_[cu] : T(0);
      for (index_t b = 0; b < batch; ++b) {
        const T* p = xs + (b * ch + c) * inner;
        T* q = ys + (b * ch + c) * inner;
        for (index_t i = 0; i < inner; ++i) q[i] = (p[i] - mean) * scale + shift;
      }
    }
    if (training) num_batches_tracked_ += T(1);
  }

  void backward(tensor_view<const T, Rank> x, tensor_view<const T, Rank> y, tensor_view<const T, Rank> dy,
                tensor_view<T, Rank> dx) {
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    const index_t inner = plane_size(x);
    const T* dys = dy.data();
    backward_planes(
        x, dx,
        [&](index_t plane, const T* p, T mean, T invstd) {
          const T* d = dys + plane * inner;
          return bn_detail::lane_sums(inner, [d](index_t i) { return double(d[i]); },
                                      [p, d, mean, invstd](index_t i) { return double(d[i]) * double((p[i] - mean) * invstd); });
        },
        [&](index_t plane, const T* p, T* q, const plane_coefficients& g) {
          const T* d = dys + plane * inner;
          for (index_t i = 0; i < inner; ++i) q[i] = g.k * (d[i] - g.mdy - (p[i] - g.mean) * g.invstd * g.mdyx);
        });
  }

  // backward() for a dy that is zero except at `per_plane` entries of each (sample, channel) plane:
  // dy[plane][pos[plane * per_plane + j]] += val[plane * per_plane + j] — the gradient a max-pool
  // sends back. The same result as backward() on that dense dy, without writing it out and reading
  // it twice (the full-size passes dominated the CNN's first block).
  void backward_scattered(tensor_view<const T, Rank> x, const T* val, const std::int32_t* pos, index_t per_plane,
                          tensor_view<T, Rank> dx) {
    const index_t inner = plane_size(x);
    backward_planes(
        x, dx,
        [&](index_t plane, const T* p, T mean, T invstd) {
          const T* v = val + plane * per_plane;
          const std::int32_t* at = pos + plane * per_plane;
          return bn_detail::lane_sums(
              per_plane, [v](index_t j) { return double(v[j]); },
              [p, v, at, mean, invstd](index_t j) { return double(v[j]) * double((p[at[j]] - mean) * invstd); });
        },
        [&](index_t plane, const T* p, T* q, const plane_coefficients& g) {
          for (index_t i = 0; i < inner; ++i) q[i] = g.k * (-g.mdy - (p[i] - g.mean) * g.invstd * g.mdyx);
          const T* v = val + plane * per_plane;
          const std::int32_t* at = pos + plane * per_plane;
          for (index_t j = 0; j < per_plane; ++j) q[at[j]] += g.k * v[j];
        });
  }

  void parameters(parameter_list<T>& out, const std::string& prefix) {
    if (!c_.affine) return;
    add_parameter<T>(out, prefix, "weight", weight_.data(), weight_grad_.data(), {c_.num_features});
    add_parameter<T>(out, prefix, "bias", bias_.data(), bias_grad_.data(), {c_.num_features});
  }
  void buffers(parameter_list<T>& out, const std::string& prefix) {
    add_parameter<T>(out, prefix, "running_mean", running_mean_.data(), nullptr, {c_.num_features});
    add_parameter<T>(out, prefix, "running_var", running_var_.data(), nullptr, {c_.num_features});
    add_parameter<T>(out, prefix, "num_batches_tracked", &num_batches_tracked_, nullptr, {});
  }
  // PyTorch's reset_parameters(): gamma 1, beta 0, running statistics reset. No randomness.
  void init(random_stream) {
    std::fill(weight_.begin(), weight_.end(), T(1));
    std::fill(bias_.begin(), bias_.end(), T(0));
    std::fill(running_mean_.begin(), running_mean_.end(), T(0));
    std::fill(running_var_.begin(), running_var_.end(), T(1));
    num_batches_tracked_ = T(0);
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
  index_t plane_size(const tensor_view<const T, Rank>& x) const {
    return x.size() / std::max<index_t>(x.extent(0) * c_.num_features, 1);
  }
  // dx = k (dy - mdy - xhat mdyx) per channel, with xhat = (x - mean) invstd.
  struct plane_coefficients {
    T k, mdy, mdyx, mean, invstd;
  };
  // The shared part of both backward passes, channel by channel: sums(plane, x, mean, invstd) gives
  // (sum dy, sum dy xhat) of one (sample, channel) plane, write(plane, x, dx, coefficients) its dx.
  template <class Sums, class Write>
  void backward_planes(tensor_view<const T, Rank> x, tensor_view<T, Rank> dx, Sums&& sums, Write&& write) {
    const bool want_dx = dx.data() != nullptr;
    if (want_dx) check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    const index_t batch = x.extent(0), ch = c_.num_features, inner = plane_size(x), n = batch * inner;
    const T* xs = x.data();
    T* dxs = dx.data();
#pragma omp parallel for schedule(static) if (detail::worth_parallel(x.size()))
    for (index_t c = 0; c < ch; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      const T mean = mean_[cu], invstd = invstd_[cu], gamma = c_.affine ? weight_[cu] : T(1);
      double sum_dy = 0, sum_dy_xhat = 0;
      for (index_t b = 0; b < batch; ++b) {
        const auto [s1, s2] = sums(b * ch + c, xs + (b * ch + c) * inner, mean, invstd);
        sum_dy += s1, sum_dy_xhat += s2;
      }
      if (c_.affine) {
        weight_grad_[cu] += T(sum_dy_xhat);
        bias_grad_[cu] += T(sum_dy);
      }
      if (!want_dx) continue;
      // Training: the batch statistics depend on x, giving the two mean-correction terms.
      const plane_coefficients g{gamma * invstd, last_training_ ? T(sum_dy / double(n)) : T(0),
                                 last_training_ ? T(sum_dy_xhat / double(n)) : T(0), mean, invstd};
      for (index_t b = 0; b < batch; ++b) write(b * ch + c, xs + (b * ch + c) * inner, dxs + (b * ch + c) * inner, g);
    }
  }

  batch_norm_config c_;
  std::vector<T> weight_, bias_, weight_grad_, bias_grad_, running_mean_, running_var_;
  std::vector<T> mean_, invstd_;  // the statistics the last forward() normalised with
  T num_batches_tracked_ = T(0);
  bool last_training_ = false;
};

// batch_norm1d over [batch, C, L]; batch_norm1d<T, C, 2> over [batch, C].
template <class T, index_t C = dyn, std::size_t Rank = 3>
using batch_norm1d = batch_norm<T, Rank, C>;
template <class T, index_t C = dyn>
using batch_norm2d = batch_norm<T, 4, C>;

}  // namespace cantus::nn
