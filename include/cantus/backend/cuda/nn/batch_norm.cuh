// nn::tt::batch_norm on CUDA (contract in nn/tt/batch_norm.hpp). Not cuDNN's batch norm: the layer
// also runs backward after an evaluation-mode forward (frozen statistics, no mean-correction terms),
// without affine parameters, and from a max-pool's sparse gradient (backward_scattered), none of which
// cuDNN's kernels take; and the CPU's statistics (shifted sums in double) are kept, so both backends
// normalise with the same numbers to rounding. Blocks of each channel sum chunks of its elements
// (two doubles, tree in shared memory), the host adds the chunks in order; the per-channel arithmetic then runs on the host exactly as in
// the CPU kernel (C values); the element-wise passes are a thread per element.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "cantus/backend/cuda/cuda_backend.hpp"
#include "cantus/core/tensor.hpp"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt {

template <class T>
class batch_norm<T, cuda> {
 public:
  void forward(const batch_norm_config& c, index_t batch, index_t inner, const T* x, const T* weight, const T* bias,
               T* running_mean, T* running_var, bool training, T* y, const batch_norm_sync* sync = nullptr);

  void backward(const batch_norm_config& c, index_t batch, index_t inner, const T* x, const T* weight, const T* dy,
                T* dweight, T* dbias, T* dx, const batch_norm_sync* sync = nullptr);

  void backward_scattered(const batch_norm_config& c, index_t batch, index_t inner, const T* x, const T* weight,
                          const T* val, const std::int32_t* pos, index_t per_plane, T* dweight, T* dbias, T* dx,
                          const batch_norm_sync* sync = nullptr, bool distinct_positions = false);

 private:
  template <class Body>
  static std::vector<double> channel_sums(index_t ch, index_t batch, index_t count, const Body& body);
  // A backward() before any forward() reads zero statistics, as on the CPU.
  void ensure_stats(index_t ch) {
    if (stats_.size() != 2 * ch) stats_ = tensor<T, 1, cuda>({2 * ch}, T(0)), invstd_.assign(ch, T(0));
  }
  // Accumulates dweight/dbias from the sums and returns the device rows k, mdy, mdyx.
  // With sync (the forward was synchronised) the mean-correction terms are the whole batch's, as in
  // the CPU kernel's backward_synced.
  const T* coefficients(const batch_norm_config& c, index_t n, const T* weight, const std::vector<double>& sums,
                        T* dweight, T* dbias, const batch_norm_sync* sync) {
    const index_t ch = c.num_features;
    std::vector<T> gamma(ch, T(1)), rows(3 * ch);
    if (weight) backend_ops<cuda>::download(gamma.data(), weight, gamma.size());
    const std::vector<T>& invstd = invstd_;
    if (dweight) {
      std::vector<T> dw(ch), db(ch);
      backend_ops<cuda>::download(dw.data(), dweight, dw.size());
      backend_ops<cuda>::download(db.data(), dbias, db.size());
      for (index_t k = 0; k < ch; ++k) dw[k] += T(sums[2 * k + 1]), db[k] += T(sums[2 * k]);
      backend_ops<cuda>::upload(dweight, dw.data(), dw.size());
      backend_ops<cuda>::upload(dbias, db.data(), db.size());
    }
    if (sync) {
      std::vector<double> g(static_cast<std::size_t>(2 * ch));
      for (index_t k = 0; k < ch; ++k) g[k] = share_ * sums[2 * k], g[ch + k] = share_ * sums[2 * k + 1];
      (*sync)(g.data(), g.size());
      const double total = double(n) / share_;
      for (index_t k = 0; k < ch; ++k) {
        rows[k] = gamma[k] * invstd[k];
        rows[ch + k] = T(g[k] / total / share_);
        rows[2 * ch + k] = T(g[ch + k] / total / share_);
      }
    } else {
      for (index_t k = 0; k < ch; ++k) {
        rows[k] = gamma[k] * invstd[k];
        rows[ch + k] = last_training_ ? T(sums[2 * k] / double(n)) : T(0);
        rows[2 * ch + k] = last_training_ ? T(sums[2 * k + 1] / double(n)) : T(0);
      }
    }
    coefficients_ = tensor<T, 1, cuda>({3 * ch});
    backend_ops<cuda>::upload(coefficients_.data(), rows.data(), rows.size());
    return coefficients_.data();
  }

  tensor<T, 1, cuda> stats_, coefficients_;  // mean and invstd of the last forward(); k, mdy, mdyx
  std::vector<T> invstd_;                     // invstd on the host, for the coefficients
  bool last_training_ = false;
  bool synced_ = false;                       // the last forward() used the group's statistics
  double share_ = 1;                          // this rank's part of the batch's values (synced)
};

#if CANTUS_CUDA_DEFINE
namespace cuda_bn {

inline constexpr int threads = 256;

struct two {
  double a, b;
};

// Block (s, c): the sums of body(c, b, i) over chunk s of channel c's (b, i) in [0, batch) x [0, count)
// -> out[2 (c S + s)], out[2 (c S + s) + 1]; the host adds the S chunks in order. Several blocks per
// channel: one block per channel left most of the GPU idle (a CNN's 32 channels, 1 ms a pass).
template <class Body>
__global__ void channel_sums(index_t batch, index_t count, index_t chunk, Body body, double* out) {
  __shared__ double sa[threads], sb[threads];
  const index_t c = blockIdx.y, s = blockIdx.x, total = batch * count;
  const index_t begin = s * chunk, end = begin + chunk < total ? begin + chunk : total;
  double a = 0, b = 0;
  for (index_t e = begin + threadIdx.x; e < end; e += blockDim.x) {
    const two v = body(c, e / count, e % count);
    a += v.a, b += v.b;
  }
  sa[threadIdx.x] = a, sb[threadIdx.x] = b;
  __syncthreads();
  for (int w = threads / 2; w > 0; w /= 2) {
    if (threadIdx.x < w) sa[threadIdx.x] += sa[threadIdx.x + w], sb[threadIdx.x] += sb[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    const index_t at = c * gridDim.x + s;
    out[2 * at] = sa[0], out[2 * at + 1] = sb[0];
  }
}

template <class T>
struct shifted_moments {  // (x - k0, (x - k0)^2) around the channel's first value, as the CPU
  index_t ch, inner;
  const T* x;
  CANTUS_HD two operator()(index_t c, index_t b, index_t i) const {
    const double k0 = double(x[c * inner]), d = double(x[(b * ch + c) * inner + i]) - k0;
    return {d, d * d};
  }
};
template <class T>
struct shifted_moments_by {  // the same around given shifts (the running mean: synchronised statistics)
  index_t ch, inner;
  const T *x, *shift;
  CANTUS_HD two operator()(index_t c, index_t b, index_t i) const {
    const double d = double(x[(b * ch + c) * inner + i]) - double(shift[c]);
    return {d, d * d};
  }
};
template <class T>
struct dense_grad_sums {  // (dy, dy * xhat)
  index_t ch, inner;
  const T *x, *dy, *mean, *invstd;
  CANTUS_HD two operator()(index_t c, index_t b, index_t i) const {
    const index_t at = (b * ch + c) * inner + i;
    return {double(dy[at]), double(dy[at]) * double((x[at] - mean[c]) * invstd[c])};
  }
};
template <class T>
struct scattered_grad_sums {  // the same over a max-pool's (value, position) pairs
  index_t ch, inner, per_plane;
  const T *x, *val, *mean, *invstd;
  const std::int32_t* pos;
  CANTUS_HD two operator()(index_t c, index_t b, index_t j) const {
    const index_t plane = b * ch + c, at = plane * per_plane + j;
    return {double(val[at]), double(val[at]) * double((x[plane * inner + pos[at]] - mean[c]) * invstd[c])};
  }
};

template <class T>
struct channel_first {  // out[c] = x[0, c, 0]: the shift of channel c's sums
  index_t inner;
  const T* x;
  T* out;
  CANTUS_HD void operator()(index_t c) const { out[c] = x[c * inner]; }
};
template <class T>
struct normalize {  // y = (x - mean) * (invstd * gamma) + beta
  index_t ch, inner;
  const T *x, *mean, *invstd, *weight, *bias;
  T* y;
  CANTUS_HD void operator()(index_t e) const {
    const index_t c = (e / inner) % ch;
    const T scale = invstd[c] * (weight ? weight[c] : T(1)), shift = bias ? bias[c] : T(0);
    y[e] = (x[e] - mean[c]) * scale + shift;
  }
};
// coefficient rows: k, mdy, mdyx (per channel)
template <class T>
struct dense_dx {
  index_t ch, inner;
  const T *x, *dy, *mean, *invstd, *k, *mdy, *mdyx;
  T* dx;
  CANTUS_HD void operator()(index_t e) const {
    const index_t c = (e / inner) % ch;
    dx[e] = k[c] * (dy[e] - mdy[c] - (x[e] - mean[c]) * invstd[c] * mdyx[c]);
  }
};
template <class T>
struct scattered_dx_base {
  index_t ch, inner;
  const T *x, *mean, *invstd, *k, *mdy, *mdyx;
  T* dx;
  CANTUS_HD void operator()(index_t e) const {
    const index_t c = (e / inner) % ch;
    dx[e] = k[c] * (-mdy[c] - (x[e] - mean[c]) * invstd[c] * mdyx[c]);
  }
};
template <class T>
struct scattered_dx_pair {  // one thread per pair, when no position repeats within a plane
  index_t ch, inner, per_plane;
  const T *val, *k;
  const std::int32_t* pos;
  T* dx;
  CANTUS_HD void operator()(index_t e) const {
    const index_t plane = e / per_plane;
    dx[plane * inner + pos[e]] += k[plane % ch] * val[e];
  }
};
template <class T>
struct scattered_dx_pairs {  // one thread per plane, pairs in order (positions may repeat)
  index_t ch, inner, per_plane;
  const T *val, *k;
  const std::int32_t* pos;
  T* dx;
  CANTUS_HD void operator()(index_t plane) const {
    const T kc = k[plane % ch];
    for (index_t j = 0; j < per_plane; ++j) dx[plane * inner + pos[plane * per_plane + j]] += kc * val[plane * per_plane + j];
  }
};

}  // namespace cuda_bn

template <class T>
void batch_norm<T, cuda>::forward(const batch_norm_config& c, index_t batch, index_t inner, const T* x, const T* weight, const T* bias,
             T* running_mean, T* running_var, bool training, T* y, const batch_norm_sync* sync) {
  const index_t ch = c.num_features, n = batch * inner;
  last_training_ = training;
  synced_ = training && sync && *sync;
  share_ = 1;
  std::vector<T> mean(ch), invstd(ch), rm(ch), rv(ch);
  backend_ops<cuda>::download(rm.data(), running_mean, rm.size());
  backend_ops<cuda>::download(rv.data(), running_var, rv.size());
  if (synced_) {  // the CPU kernel's forward_synced: the running mean as the common shift
    auto sums = channel_sums(ch, batch, inner, cuda_bn::shifted_moments_by<T>{ch, inner, x, running_mean});
    std::vector<double> all(static_cast<std::size_t>(2 * ch + 1));
    for (index_t k = 0; k < ch; ++k) all[k] = sums[2 * k], all[ch + k] = sums[2 * k + 1];
    all[2 * ch] = double(n);
    (*sync)(all.data(), all.size());
    const double total = all[2 * ch];
    share_ = double(n) / total;
    for (index_t k = 0; k < ch; ++k) {
      const double s = all[k], v2 = all[ch + k];
      const double m = double(rm[k]) + s / total;
      const double var = std::max(0.0, v2 - s * s / total) / total;
      mean[k] = T(m);
      invstd[k] = T(1.0 / std::sqrt(var + c.eps));
      rm[k] = T((1 - c.momentum) * rm[k] + c.momentum * m);
      rv[k] = T((1 - c.momentum) * rv[k] + c.momentum * var * total / (total - 1));
    }
    backend_ops<cuda>::upload(running_mean, rm.data(), rm.size());
    backend_ops<cuda>::upload(running_var, rv.data(), rv.size());
  } else if (training) {
    const auto sums = channel_sums(ch, batch, inner, cuda_bn::shifted_moments<T>{ch, inner, x});
    tensor<T, 1, cuda> first_d({ch});
    cuda_launch::for_each(ch, cuda_bn::channel_first<T>{inner, x, first_d.data()});
    const std::vector<T> first = first_d.to_vector();
    for (index_t k = 0; k < ch; ++k) {  // the CPU kernel's arithmetic, channel by channel
      const double s = sums[2 * k], v2 = sums[2 * k + 1];
      const double m = double(first[k]) + s / double(n);
      const double var = std::max(0.0, v2 - s * s / double(n)) / double(n);
      mean[k] = T(m);
      invstd[k] = T(1.0 / std::sqrt(var + c.eps));
      rm[k] = T((1 - c.momentum) * rm[k] + c.momentum * m);
      rv[k] = T((1 - c.momentum) * rv[k] + c.momentum * var * double(n) / double(n - 1));
    }
    backend_ops<cuda>::upload(running_mean, rm.data(), rm.size());
    backend_ops<cuda>::upload(running_var, rv.data(), rv.size());
  } else {
    for (index_t k = 0; k < ch; ++k) mean[k] = rm[k], invstd[k] = T(1.0 / std::sqrt(double(rv[k]) + c.eps));
  }
  invstd_ = invstd;
  stats_ = tensor<T, 1, cuda>({2 * ch});
  backend_ops<cuda>::upload(stats_.data(), mean.data(), mean.size());
  backend_ops<cuda>::upload(stats_.data() + ch, invstd.data(), invstd.size());
  cuda_launch::for_each(batch * ch * inner,
                        cuda_bn::normalize<T>{ch, inner, x, stats_.data(), stats_.data() + ch, weight, bias, y});
}
template <class T>
void batch_norm<T, cuda>::backward(const batch_norm_config& c, index_t batch, index_t inner, const T* x, const T* weight, const T* dy,
              T* dweight, T* dbias, T* dx, const batch_norm_sync* sync) {
  const index_t ch = c.num_features;
  ensure_stats(ch);
  const T *mean = stats_.data(), *invstd = stats_.data() + ch;
  const auto sums = channel_sums(ch, batch, inner, cuda_bn::dense_grad_sums<T>{ch, inner, x, dy, mean, invstd});
  const T* k = coefficients(c, batch * inner, weight, sums, dweight, dbias, synced_ ? sync : nullptr);
  if (dx)
    cuda_launch::for_each(batch * ch * inner,
                          cuda_bn::dense_dx<T>{ch, inner, x, dy, mean, invstd, k, k + ch, k + 2 * ch, dx});
}
template <class T>
void batch_norm<T, cuda>::backward_scattered(const batch_norm_config& c, index_t batch, index_t inner, const T* x, const T* weight,
                        const T* val, const std::int32_t* pos, index_t per_plane, T* dweight, T* dbias, T* dx,
                        const batch_norm_sync* sync, bool distinct_positions) {
  const index_t ch = c.num_features;
  ensure_stats(ch);
  const T *mean = stats_.data(), *invstd = stats_.data() + ch;
  const auto sums = channel_sums(ch, batch, per_plane,
                                 cuda_bn::scattered_grad_sums<T>{ch, inner, per_plane, x, val, mean, invstd, pos});
  const T* k = coefficients(c, batch * inner, weight, sums, dweight, dbias, synced_ ? sync : nullptr);
  if (!dx) return;
  cuda_launch::for_each(batch * ch * inner,
                        cuda_bn::scattered_dx_base<T>{ch, inner, x, mean, invstd, k, k + ch, k + 2 * ch, dx});
  if (distinct_positions)  // a thread per pair: no two write one place
    cuda_launch::for_each(batch * ch * per_plane, cuda_bn::scattered_dx_pair<T>{ch, inner, per_plane, val, k, pos, dx});
  else
    cuda_launch::for_each(batch * ch, cuda_bn::scattered_dx_pairs<T>{ch, inner, per_plane, val, k, pos, dx});
}
template <class T>
template <class Body>
std::vector<double> batch_norm<T, cuda>::channel_sums(index_t ch, index_t batch, index_t count, const Body& body) {
  // about 512 blocks in all, each at least 4096 values
  const index_t total = batch * count, want = std::max<index_t>(1, 512 / std::max<index_t>(ch, 1));
  const index_t chunk = std::max<index_t>(4096, (total + want - 1) / want), splits = std::max<index_t>(1, (total + chunk - 1) / chunk);
  tensor<double, 1, cuda> out({2 * ch * splits});
  cuda_bn::channel_sums<<<dim3(unsigned(splits), unsigned(ch)), cuda_bn::threads>>>(batch, count, chunk, body, out.data());
  cuda_launch::check_launch("batch_norm channel_sums");
  std::vector<double> parts(static_cast<std::size_t>(2 * ch * splits)), host(static_cast<std::size_t>(2 * ch), 0.0);
  backend_ops<cuda>::download(parts.data(), out.data(), parts.size());
  for (index_t c = 0; c < ch; ++c)
    for (index_t s = 0; s < splits; ++s)
      host[2 * c] += parts[2 * (c * splits + s)], host[2 * c + 1] += parts[2 * (c * splits + s) + 1];
  return host;
}
#endif

}  // namespace cantus::nn::tt
