// The CPU implementation of nn::tt::batch_norm (contract in nn/tt/batch_norm.hpp, which includes
// this file).
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "cantus/backend/cpu/cpu_backend.hpp"
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

namespace tt {

template <class T>
class batch_norm<T, cpu> {
 public:
  void forward(const batch_norm_config& c_, index_t batch, index_t inner, const T* xs, const T* weight, const T* bias,
               T* running_mean, T* running_var, bool training, T* ys, const batch_norm_sync* sync = nullptr) {
    const index_t ch = c_.num_features, n = batch * inner;
    mean_.resize(static_cast<std::size_t>(ch));
    invstd_.resize(static_cast<std::size_t>(ch));
    last_training_ = training;
    share_ = 1;
    synced_ = training && sync && *sync;
    if (synced_) {
      forward_synced(c_, batch, inner, xs, weight, bias, running_mean, running_var, ys, *sync);
      return;
    }
#pragma omp parallel for schedule(static) if (detail::worth_parallel(batch * ch * inner))
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
        running_mean[c] = T((1 - c_.momentum) * running_mean[c] + c_.momentum * m);
        running_var[c] = T((1 - c_.momentum) * running_var[c] + c_.momentum * var * double(n) / double(n - 1));
      } else {
        mean = running_mean[c];
        invstd = T(1.0 / std::sqrt(double(running_var[c]) + c_.eps));
      }
      mean_[cu] = mean;
      invstd_[cu] = invstd;
      const T scale = invstd * (weight ? weight[c] : T(1)), shift = bias ? bias[c] : T(0);
      for (index_t b = 0; b < batch; ++b) {
        const T* p = xs + (b * ch + c) * inner;
        T* q = ys + (b * ch + c) * inner;
        for (index_t i = 0; i < inner; ++i) q[i] = (p[i] - mean) * scale + shift;
      }
    }
  }

  void backward(const batch_norm_config& c, index_t batch, index_t inner, const T* x, const T* weight, const T* dys,
                T* dweight, T* dbias, T* dx, const batch_norm_sync* sync = nullptr) {
    sync_ = synced_ ? sync : nullptr;
    backward_planes(
        c, batch, inner, x, weight, dweight, dbias, dx,
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

  // Without writing the dense dy out and reading it twice (the full-size passes dominated the CNN's
  // first block).
  void backward_scattered(const batch_norm_config& c, index_t batch, index_t inner, const T* x, const T* weight,
                          const T* val, const std::int32_t* pos, index_t per_plane, T* dweight, T* dbias, T* dx,
                          const batch_norm_sync* sync = nullptr, bool /*distinct_positions: in order either way*/ = false) {
    sync_ = synced_ ? sync : nullptr;
    backward_planes(
        c, batch, inner, x, weight, dweight, dbias, dx,
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

 private:
  // dx = k (dy - mdy - xhat mdyx) per channel, with xhat = (x - mean) invstd.
  struct plane_coefficients {
    T k, mdy, mdyx, mean, invstd;
  };
  // The shared part of both backward passes, channel by channel: sums(plane, x, mean, invstd) gives
  // (sum dy, sum dy xhat) of one (sample, channel) plane, write(plane, x, dx, coefficients) its dx.
  template <class Sums, class Write>
  void backward_planes(const batch_norm_config& c_, index_t batch, index_t inner, const T* xs, const T* weight,
                       T* dweight, T* dbias, T* dxs, Sums&& sums, Write&& write) {
    const index_t ch = c_.num_features, n = batch * inner;
    // A backward() before any forward() (outside the layer contract) reads zero statistics, as the
    // layer did before nn::tt, instead of indexing empty vectors.
    mean_.resize(static_cast<std::size_t>(ch));
    invstd_.resize(static_cast<std::size_t>(ch));
    if (sync_) {
      backward_synced(c_, batch, inner, xs, weight, dweight, dbias, dxs, sums, write);
      return;
    }
#pragma omp parallel for schedule(static) if (detail::worth_parallel(batch * ch * inner))
    for (index_t c = 0; c < ch; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      const T mean = mean_[cu], invstd = invstd_[cu], gamma = weight ? weight[c] : T(1);
      double sum_dy = 0, sum_dy_xhat = 0;
      for (index_t b = 0; b < batch; ++b) {
        const auto [s1, s2] = sums(b * ch + c, xs + (b * ch + c) * inner, mean, invstd);
        sum_dy += s1, sum_dy_xhat += s2;
      }
      if (dweight) {
        dweight[c] += T(sum_dy_xhat);
        dbias[c] += T(sum_dy);
      }
      if (!dxs) continue;
      // Training: the batch statistics depend on x, giving the two mean-correction terms.
      const plane_coefficients g{gamma * invstd, last_training_ ? T(sum_dy / double(n)) : T(0),
                                 last_training_ ? T(sum_dy_xhat / double(n)) : T(0), mean, invstd};
      for (index_t b = 0; b < batch; ++b) write(b * ch + c, xs + (b * ch + c) * inner, dxs + (b * ch + c) * inner, g);
    }
  }

  // Synchronised statistics (nn/tt/batch_norm.hpp): the same arithmetic in two passes over the
  // channels with the group's sums between them. The shift is the running mean, the same on every
  // rank (the trainer keeps the buffers identical), where the local kernel uses the channel's first
  // value.
  void forward_synced(const batch_norm_config& c_, index_t batch, index_t inner, const T* xs, const T* weight, const T* bias,
                      T* running_mean, T* running_var, T* ys, const batch_norm_sync& sync) {
    const index_t ch = c_.num_features, n = batch * inner;
    std::vector<double> sums(static_cast<std::size_t>(2 * ch + 1));
#pragma omp parallel for schedule(static) if (detail::worth_parallel(batch * ch * inner))
    for (index_t c = 0; c < ch; ++c) {
      const double k0 = double(running_mean[c]);
      double s = 0, v2 = 0;
      for (index_t b = 0; b < batch; ++b) {
        const T* p = xs + (b * ch + c) * inner;
        const auto [s1, s2] = bn_detail::lane_sums(inner, [p, k0](index_t i) { return double(p[i]) - k0; },
                                                   [p, k0](index_t i) { return (double(p[i]) - k0) * (double(p[i]) - k0); });
        s += s1, v2 += s2;
      }
      sums[static_cast<std::size_t>(c)] = s;
      sums[static_cast<std::size_t>(ch + c)] = v2;
    }
    sums[static_cast<std::size_t>(2 * ch)] = double(n);
    sync(sums.data(), sums.size());
    const double total = sums[static_cast<std::size_t>(2 * ch)];
    share_ = double(n) / total;
    for (index_t c = 0; c < ch; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      const double s = sums[cu], v2 = sums[static_cast<std::size_t>(ch + c)];
      const double m = double(running_mean[c]) + s / total;
      const double var = std::max(0.0, v2 - s * s / total) / total;
      mean_[cu] = T(m);
      invstd_[cu] = T(1.0 / std::sqrt(var + c_.eps));
      running_mean[c] = T((1 - c_.momentum) * running_mean[c] + c_.momentum * m);
      running_var[c] = T((1 - c_.momentum) * running_var[c] + c_.momentum * var * total / (total - 1));
    }
#pragma omp parallel for schedule(static) if (detail::worth_parallel(batch * ch * inner))
    for (index_t c = 0; c < ch; ++c) {
      const T mean = mean_[static_cast<std::size_t>(c)];
      const T scale = invstd_[static_cast<std::size_t>(c)] * (weight ? weight[c] : T(1)), shift = bias ? bias[c] : T(0);
      for (index_t b = 0; b < batch; ++b) {
        const T* p = xs + (b * ch + c) * inner;
        T* q = ys + (b * ch + c) * inner;
        for (index_t i = 0; i < inner; ++i) q[i] = (p[i] - mean) * scale + shift;
      }
    }
  }

  // The mean-correction terms are means over every rank's values of the whole batch's gradient;
  // this rank's dy is its own loss's, which enters the batch's loss with weight share_ (its part of
  // the rows), so the sums are taken weighted and brought back to this rank's scale.
  template <class Sums, class Write>
  void backward_synced(const batch_norm_config& c_, index_t batch, index_t inner, const T* xs, const T* weight, T* dweight,
                       T* dbias, T* dxs, Sums& sums, Write& write) {
    const index_t ch = c_.num_features, n = batch * inner;
    std::vector<double> g(static_cast<std::size_t>(2 * ch));
#pragma omp parallel for schedule(static) if (detail::worth_parallel(batch * ch * inner))
    for (index_t c = 0; c < ch; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      double sum_dy = 0, sum_dy_xhat = 0;
      for (index_t b = 0; b < batch; ++b) {
        const auto [s1, s2] = sums(b * ch + c, xs + (b * ch + c) * inner, mean_[cu], invstd_[cu]);
        sum_dy += s1, sum_dy_xhat += s2;
      }
      if (dweight) {
        dweight[c] += T(sum_dy_xhat);
        dbias[c] += T(sum_dy);
      }
      g[cu] = share_ * sum_dy;
      g[static_cast<std::size_t>(ch + c)] = share_ * sum_dy_xhat;
    }
    (*sync_)(g.data(), g.size());
    if (!dxs) return;
    const double total = double(n) / share_;
#pragma omp parallel for schedule(static) if (detail::worth_parallel(batch * ch * inner))
    for (index_t c = 0; c < ch; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      const T mean = mean_[cu], invstd = invstd_[cu], gamma = weight ? weight[c] : T(1);
      const plane_coefficients co{gamma * invstd, T(g[cu] / total / share_), T(g[static_cast<std::size_t>(ch + c)] / total / share_),
                                  mean, invstd};
      for (index_t b = 0; b < batch; ++b) write(b * ch + c, xs + (b * ch + c) * inner, dxs + (b * ch + c) * inner, co);
    }
  }

  std::vector<T> mean_, invstd_;  // the statistics the last forward() normalised with
  bool last_training_ = false;
  bool synced_ = false;                     // the last forward() used the group's statistics
  double share_ = 1;                        // this rank's part of the batch's values (synced)
  const batch_norm_sync* sync_ = nullptr;   // the current backward's group sum (synced only)
};

}  // namespace tt
}  // namespace cantus::nn
