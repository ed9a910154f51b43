#pragma once
// What one CUDA thread computes in the simple nn::tt kernels (optimizers, reparameterisation, dropout,
// activation gradients, the gated unit, pooling, lookups, losses, bias sums): a body per index,
// `CANTUS_HD void operator()(index_t i) const` or, for sums, `CANTUS_HD double operator()(index_t i)`.
// The .cuh files launch them over a grid (launch.cuh); being plain host/device code they also run on
// the CPU, where tests/nn/layers/cuda_bodies_test.cpp checks each against the CPU backend's kernel,
// so the arithmetic of the CUDA backend is tested on machines without a GPU.
//
// Each body follows its CPU kernel's operation order. Where the CPU sums serially into a lookup table,
// one thread owns one output and adds in the same order, so those results are the CPU's bits; bias
// gradients are summed in chunks (partial_column_sum) and the chunks in order; sums into one double (losses, norms) are combined per block on the device
// and the blocks in order on the host: reproducible run to run, equal to the CPU within rounding.
#include <cmath>
#include <cstdint>

#include "cantus/base/config.hpp"
#include "cantus/base/functors.hpp"
#include "cantus/core/random.hpp"

namespace cantus::nn::tt::cuda_bodies {

// ---- optimizers (Step: nn::tt::adam_step<T> / sgd_step<T>, named by the caller so that this header
// needs nothing from nn/) ----
template <class T, class Step>
struct adam {
  T *w, *m, *v, *vmax;
  const T* g;
  Step s;
  CANTUS_HD void operator()(index_t i) const {
    T gi = g[i];
    if (s.decoupled) w[i] *= s.decay;
    else if (s.weight_decay != T(0)) gi += s.weight_decay * w[i];
    m[i] = m[i] * s.beta1 + (T(1) - s.beta1) * gi;
    v[i] = v[i] * s.beta2 + (T(1) - s.beta2) * gi * gi;
    T vv = v[i];
    if (vmax) vv = vmax[i] = vmax[i] > v[i] ? vmax[i] : v[i];
    const T denom = std::sqrt(vv) / s.bc2_sqrt + s.eps;
    w[i] -= s.step_size * (m[i] / denom);
  }
};
template <class T, class Step>
struct sgd {
  T *w, *buf;
  const T* g;
  Step s;
  CANTUS_HD void operator()(index_t i) const {
    T d = g[i];
    if (s.weight_decay != T(0)) d += s.weight_decay * w[i];
    if (buf) {
      buf[i] = s.first ? d : s.momentum * buf[i] + s.damp * d;
      d = s.nesterov ? d + s.momentum * buf[i] : buf[i];
    }
    w[i] -= s.lr * d;
  }
};
template <class T>
struct square {
  const T* g;
  CANTUS_HD double operator()(index_t i) const { return double(g[i]) * double(g[i]); }
};

// ---- reparameterisation and dropout ----
template <class T>
struct reparameterize_forward {
  const T *mu, *logvar, *eps;
  T* z;
  CANTUS_HD void operator()(index_t i) const { z[i] = mu[i] + eps[i] * std::exp(T(0.5) * logvar[i]); }
};
template <class T>
struct reparameterize_backward {
  const T *logvar, *eps, *dz;
  T *dmu, *dlogvar;
  CANTUS_HD void operator()(index_t i) const {
    const T sd = std::exp(T(0.5) * logvar[i]);
    dmu[i] += dz[i];
    dlogvar[i] += dz[i] * eps[i] * T(0.5) * sd;
  }
};
template <class T>
struct normal_noise {  // eps[i] = value i of the stream's standard normals
  random_stream rng;
  T* eps;
  CANTUS_HD void operator()(index_t i) const { eps[i] = static_cast<T>(rng.normal(static_cast<std::uint64_t>(i))); }
};
template <class T>
struct dropout {
  const T* x;
  T* y;
  random_stream rng;
  float p;
  T scale;
  CANTUS_HD void operator()(index_t i) const { y[i] = rng.uniform(std::uint64_t(i)) < p ? T(0) : x[i] * scale; }
};

// ---- activations ----
template <class T, class Kind, bool Select>
struct activation_backward {
  Kind k;
  const T *x, *y, *dy;
  T* dx;
  CANTUS_HD void operator()(index_t i) const {
    if constexpr (Select) dx[i] = y[i] > T(0) ? dy[i] : T(0);  // relu: dy's NaNs pass only where y > 0
    else dx[i] = dy[i] * k.grad(x[i], y[i]);
  }
};
// Over [batch, half]: a = x[b, 0, j], g = x[b, 1, j].
template <class T>
struct gated_forward {
  index_t half;
  const T* x;
  T *t, *s, *y;
  CANTUS_HD void operator()(index_t i) const {
    const index_t b = i / half, j = i - b * half;
    t[i] = ops::tanh_fn{}(x[2 * b * half + j]);
    s[i] = ops::sigmoid{}(x[(2 * b + 1) * half + j]);
    y[i] = t[i] * s[i];
  }
};
template <class T>
struct gated_backward {
  index_t half;
  const T *t, *s, *dy;
  T* dx;
  CANTUS_HD void operator()(index_t i) const {
    const index_t b = i / half, j = i - b * half;
    const T ds = dy[i] * s[i], dt = dy[i] * t[i];
    dx[2 * b * half + j] = ds * (T(1) - t[i] * t[i]);
    dx[(2 * b + 1) * half + j] = dt * s[i] * (T(1) - s[i]);
  }
};

// ---- per-column sums: bias gradients ----
// out[j] += the sum over r, p of x[(r * cols + j) * positions + p] for x of [rows, cols, positions]
// (a linear layer's or RNN's dy: positions = 1; a convolution's: positions = its output length or
// plane). A thread per (column, chunk of that column's rows x positions) sums its chunk in double
// (partial_column_sum), then a thread per column adds its chunks in order (add_partials): thousands of
// threads where one thread per column left the GPU idle (the CNN's first bias gradient, 524288 values
// per channel, took 11 ms on an H200), and the same bits run to run. The chunking is
// column_sum_chunk's, for the launcher and the CPU replay alike.
inline index_t column_sum_chunk(index_t per_column, index_t cols) {
  // about 64k threads in all, chunks of 64 to 4096 values, and at most 256 chunks a column for the
  // one thread that adds them
  index_t chunk = per_column * cols / 65536;
  chunk = chunk < 64 ? 64 : (chunk > 4096 ? 4096 : chunk);
  const index_t fewest = (per_column + 255) / 256;
  return chunk < fewest ? fewest : chunk;
}
template <class T>
struct partial_column_sum {
  index_t cols, positions, per_column, chunk, chunks;  // per_column = rows * positions
  const T* x;
  double* partial;  // [cols, chunks]
  CANTUS_HD void operator()(index_t i) const {
    // positions == 1: neighbouring threads take neighbouring columns, so a warp reads one row's run
    const index_t j = positions == 1 ? i % cols : i / chunks, s = positions == 1 ? i / cols : i % chunks;
    index_t e = s * chunk;
    const index_t end = e + chunk < per_column ? e + chunk : per_column;
    index_t r = e / positions, p = e - r * positions;
    double acc = 0;
    for (; e < end; ++e) {
      acc += double(x[(r * cols + j) * positions + p]);
      if (++p == positions) p = 0, ++r;
    }
    partial[j * chunks + s] = acc;
  }
};
template <class T>
struct add_partials {  // out[j] += column j's chunks, in order
  index_t chunks;
  const double* partial;
  T* out;
  CANTUS_HD void operator()(index_t j) const {
    double s = 0;
    for (index_t k = 0; k < chunks; ++k) s += partial[j * chunks + k];
    out[j] += static_cast<T>(s);
  }
};

// ---- pooling ----
template <class T>
struct mean_row {  // one thread per row
  index_t inner;
  const T* x;
  T* y;
  CANTUS_HD void operator()(index_t r) const {
    double s = 0;
    for (const T *p = x + r * inner, *e = p + inner; p != e; ++p) s += *p;
    y[r] = static_cast<T>(s / double(inner));
  }
};
template <class T>
struct spread_row {
  index_t inner;
  const T* dy;
  T* dx;
  CANTUS_HD void operator()(index_t i) const { dx[i] = dy[i / inner] / T(inner); }
};

// ---- lookups ----
// Index checks: the position of a bad index, or `none` (the launcher takes the minimum).
inline constexpr index_t none = INT64_MAX;
template <class T>
struct bad_class_value {  // indices held as values of T: integral and in [0, classes)
  const T* x;
  index_t classes;
  CANTUS_HD index_t operator()(index_t i) const {
    const T v = x[i];
    return (v >= T(0) && v < T(classes) && v == std::floor(v)) ? none : i;
  }
};
template <class I>
struct bad_class_index {  // integer indices, rows of q_stride of which the first len count
  const I* q;
  index_t len, q_stride, classes;
  CANTUS_HD index_t operator()(index_t i) const {
    const index_t n = i / len, t = i - n * len;
    const auto k = static_cast<index_t>(q[n * q_stride + t]);
    return (k >= 0 && k < classes) ? none : i;
  }
};
template <class T>
struct one_hot {  // one thread per (b, t); y zeroed first
  index_t len, classes;
  const T* x;
  T* y;
  CANTUS_HD void operator()(index_t i) const {
    const index_t b = i / len, t = i - b * len;
    y[(b * classes + static_cast<index_t>(x[i])) * len + t] = T(1);
  }
};
template <class T>
struct gather_row {  // one thread per (i, j)
  index_t dim;
  const T *x, *table;
  T* y;
  CANTUS_HD void operator()(index_t e) const {
    const index_t i = e / dim, j = e - i * dim;
    y[e] = table[static_cast<index_t>(x[i]) * dim + j];
  }
};
template <class T>
struct scatter_add_column {  // one thread per column j, rows in order: the CPU's sums exactly
  index_t n, dim;
  const T *x, *dy;
  T* dtable;
  CANTUS_HD void operator()(index_t j) const {
    for (index_t i = 0; i < n; ++i) dtable[static_cast<index_t>(x[i]) * dim + j] += dy[i * dim + j];
  }
};
template <class T, class I>
struct gather_column {  // one thread per (n, r, t) of y [batch, dim, len]
  index_t len, q_stride, classes, dim;
  const I* q;
  const T *table, *bias;
  T* y;
  CANTUS_HD void operator()(index_t e) const {
    const index_t t = e % len, nr = e / len, r = nr % dim, n = nr / dim;
    y[e] = table[r * classes + static_cast<index_t>(q[n * q_stride + t])] + bias[r];
  }
};
template <class T, class I>
struct scatter_add_row_of_table {  // one thread per r, (n, t) in order: the CPU's sums exactly
  index_t batch, len, q_stride, classes, dim;
  const I* q;
  const T* dy;
  T *dtable, *dbias;
  CANTUS_HD void operator()(index_t r) const {
    for (index_t n = 0; n < batch; ++n)
      for (index_t t = 0; t < len; ++t) {
        const auto k = static_cast<index_t>(q[n * q_stride + t]);
        const T d = dy[(n * dim + r) * len + t];
        dtable[r * classes + k] += d;
        dbias[r] += d;
      }
  }
};

// ---- losses ----
template <class T>
struct squared_error {
  const T *x, *y;
  T two_scale;
  T* g;
  CANTUS_HD double operator()(index_t i) const {
    const T d = x[i] - y[i];
    g[i] = two_scale * d;
    return double(d) * double(d);
  }
};
template <class T>
struct gaussian_kl {
  const T *mu, *logvar;
  T inv_b;
  T *grad_mu, *grad_logvar;
  CANTUS_HD double operator()(index_t i) const {
    const T m = mu[i], lv = logvar[i], v = std::exp(lv);
    grad_mu[i] = m * inv_b;
    grad_logvar[i] = T(0.5) * (v - T(1)) * inv_b;
    return -0.5 * (1.0 + double(lv) - double(m) * double(m) - double(v));
  }
};
template <class I>
struct cross_entropy_target {  // a target outside [0, C) that is not ignore_index
  const I* y;
  index_t C, ignore_index;
  CANTUS_HD index_t operator()(index_t i) const {
    const auto k = static_cast<index_t>(y[i]);
    return (k == ignore_index || (k >= 0 && k < C)) ? none : i;
  }
};
template <class I>
struct cross_entropy_counted {
  const I* y;
  index_t ignore_index;
  CANTUS_HD double operator()(index_t i) const { return static_cast<index_t>(y[i]) == ignore_index ? 0.0 : 1.0; }
};
template <class T>
struct cross_entropy_nonfinite {  // a position whose largest logit is not finite
  const T* x;
  index_t C, S;
  CANTUS_HD index_t operator()(index_t p) const {
    const index_t n = p / S, t = p - n * S;
    const T* xn = x + n * C * S + t;
    T m = xn[0];
    for (index_t c = 1; c < C; ++c) m = m < xn[c * S] ? xn[c * S] : m;  // std::max's NaN behaviour
    return (m - m == T(0)) ? none : p;  // inf - inf and NaN are NaN
  }
};
// One thread per position (n, t): log-softmax over the C classes, the gradient softmax - one_hot
// times `scale` (1 / counted for a mean), and the position's loss.
template <class T, class I>
struct cross_entropy_position {
  index_t C, S, ignore_index;
  const T* x;
  const I* y;
  T scale;
  T* g;
  CANTUS_HD double operator()(index_t p) const {
    const index_t n = p / S, t = p - n * S;
    const T* xn = x + n * C * S + t;
    T* gn = g + n * C * S + t;
    T m = xn[0];
    for (index_t c = 1; c < C; ++c) m = m < xn[c * S] ? xn[c * S] : m;  // std::max's NaN behaviour
    T z = T(0);
    for (index_t c = 0; c < C; ++c) {
      gn[c * S] = ops::exponential{}(xn[c * S] - m);
      z += gn[c * S];
    }
    const auto k = static_cast<index_t>(y[n * S + t]);
    if (k == ignore_index) {
      for (index_t c = 0; c < C; ++c) gn[c * S] = T(0);
      return 0.0;
    }
    const double loss = double(m) + std::log(double(z)) - double(xn[k * S]);
    const T inv_z = T(1) / z;
    for (index_t c = 0; c < C; ++c) gn[c * S] *= inv_z;
    gn[k * S] -= T(1);
    if (scale != T(1))
      for (index_t c = 0; c < C; ++c) gn[c * S] *= scale;
    return loss;
  }
};

// ---- convolutions (cuDNN does the products) ----
template <class T>
struct add_channel_bias {  // y [batch, channels, inner] += bias[channel]
  index_t channels, inner;
  const T* bias;
  T* y;
  CANTUS_HD void operator()(index_t i) const { y[i] += bias[(i / inner) % channels]; }
};
// Rows of from_len -> rows of to_len: the first to_len values (to_len <= from_len), or the values
// followed by zeros (to_len >= from_len). A causal convolution is the symmetric one cropped.
template <class T>
struct resize_rows {
  index_t from_len, to_len;
  const T* src;
  T* dst;
  CANTUS_HD void operator()(index_t i) const {
    const index_t r = i / to_len, t = i - r * to_len;
    dst[i] = t < from_len ? src[r * from_len + t] : T(0);
  }
};

// ---- max-pooling ----
template <class T>
struct max_pool_output {  // one thread per output: the first maximum of its window, a NaN wins and stays
  index_t H, W, OH, OW, k, s, p;
  const T* x;
  T* y;
  std::int32_t* argmax;
  CANTUS_HD void operator()(index_t o) const {
    const index_t pl = o / (OH * OW), r = o - pl * OH * OW, oh = r / OW, ow = r - oh * OW;
    const T* in = x + pl * H * W;
    T best = T(0);
    index_t where = -1;
    for (index_t i = 0; i < k; ++i) {
      const index_t ih = oh * s - p + i;
      if (ih < 0 || ih >= H) continue;
      for (index_t j = 0; j < k; ++j) {
        const index_t iw = ow * s - p + j;
        if (iw < 0 || iw >= W) continue;
        const T v = in[ih * W + iw];
        if (where < 0 || v > best || (v != v && best == best)) {
          best = v;
          where = ih * W + iw;
        }
      }
    }
    y[o] = where < 0 ? -INFINITY : best;
    argmax[o] = static_cast<std::int32_t>(where);
  }
};
template <class T>
struct max_pool_plane_backward {  // one thread per plane, outputs in order: overlapping windows add as on the CPU
  index_t HW, OHW;
  const std::int32_t* argmax;
  const T* dy;
  T* dx;
  CANTUS_HD void operator()(index_t pl) const {
    T* d = dx + pl * HW;
    for (index_t i = 0; i < HW; ++i) d[i] = T(0);
    for (index_t o = 0; o < OHW; ++o) d[argmax[pl * OHW + o]] += dy[pl * OHW + o];
  }
};
// dy dense from a max-pool's (value, position) pairs: zero it first, one thread per plane adds its pairs in order.
template <class T>
struct scatter_plane {
  index_t inner, per_plane;
  const T* val;
  const std::int32_t* pos;
  T* dy;
  CANTUS_HD void operator()(index_t pl) const {
    for (index_t j = 0; j < per_plane; ++j) dy[pl * inner + pos[pl * per_plane + j]] += val[pl * per_plane + j];
  }
};

// ---- recurrent layers: layout changes, and one time step a thread per (row b, unit j) ----
template <class T>
struct swap_leading {  // [A, Bn, F] -> [Bn, A, F]: batch-major to time-major ({B, T, F}) and back ({T, B, F})
  index_t A, Bn, F;
  const T* src;
  T* dst;
  CANTUS_HD void operator()(index_t e) const {
    const index_t i = e / (A * F), r = e - i * A * F, a = r / F, f = r - a * F;
    dst[e] = src[(a * Bn + i) * F + f];
  }
};
template <class T>
struct copy_or_zero {  // dst = src, or zeros for a null src
  const T* src;
  T* dst;
  CANTUS_HD void operator()(index_t i) const { dst[i] = src ? src[i] : T(0); }
};
template <class T>
struct last_step {  // out [B, H] = y [B, T, H] at t = T - 1
  index_t Tn, H;
  const T* y;
  T* out;
  CANTUS_HD void operator()(index_t e) const {
    const index_t b = e / H, j = e - b * H;
    out[e] = y[(b * Tn + Tn - 1) * H + j];
  }
};
template <class T>
struct add_to_both {  // a[i] += s[i]; b[i] += s[i]
  const T* s;
  T *a, *b;
  CANTUS_HD void operator()(index_t i) const { a[i] += s[i], b[i] += s[i]; }
};

// GRU step t (rnn_cells::gru_forward_row per unit). gi [T*B, 3H], gh [B, 3H] = h_{t-1} W_hh^T;
// gates [T*B, 4H] <- r, z, n, W_hn h + b_hn; y [B, T, H]; hprev [T, B, H] gets h_t at t + 1.
template <class T>
struct gru_forward_unit {
  index_t t, B, Tn, H;
  const T *gi, *gh, *bih, *bhh;
  T *hprev, *gates, *y;
  CANTUS_HD void operator()(index_t e) const {
    const index_t b = e / H, j = e - b * H, row = t * B + b, G = 3 * H;
    const T *i = gi + row * G, *h = gh + b * G;
    T* g = gates + row * 4 * H;
    const T r = ops::sigmoid{}((i[j] + bih[j]) + (h[j] + bhh[j]));
    const T z = ops::sigmoid{}((i[H + j] + bih[H + j]) + (h[H + j] + bhh[H + j]));
    const T ghn = h[2 * H + j] + bhh[2 * H + j];
    const T n = ops::tanh_fn{}(i[2 * H + j] + bih[2 * H + j] + r * ghn);
    g[j] = r, g[H + j] = z, g[2 * H + j] = n, g[3 * H + j] = ghn;
    const T out = n + z * (hprev[row * H + j] - n);
    y[(b * Tn + t) * H + j] = out;
    if (t + 1 < Tn) hprev[(row + B) * H + j] = out;
  }
};
// GRU step t backwards (rnn_cells::gru_backward_row per unit): dh [B, H] in = from step t + 1, out =
// the part through z (the caller's GEMM adds dgh_t W_hh); dy null stands for zeros.
template <class T>
struct gru_backward_unit {
  index_t t, B, Tn, H;
  const T *gates, *hprev, *dy;
  T *dh, *dgi, *dgh;
  CANTUS_HD void operator()(index_t e) const {
    const index_t b = e / H, j = e - b * H, row = t * B + b, G = 3 * H;
    const T* g = gates + row * 4 * H;
    const T r = g[j], z = g[H + j], n = g[2 * H + j], ghn = g[3 * H + j];
    const T d = dh[b * H + j] + (dy ? dy[(b * Tn + t) * H + j] : T(0));
    const T dn_pre = d * (T(1) - z) * (T(1) - n * n);
    const T dz_pre = d * (hprev[row * H + j] - n) * z * (T(1) - z);
    const T dr_pre = dn_pre * ghn * r * (T(1) - r);
    T *di = dgi + row * G, *dr = dgh + row * G;
    di[j] = dr_pre, di[H + j] = dz_pre, di[2 * H + j] = dn_pre;
    dr[j] = dr_pre, dr[H + j] = dz_pre, dr[2 * H + j] = dn_pre * r;
    dh[b * H + j] = d * z;
  }
};
// LSTM step t (rnn_cells::lstm_forward_row per unit). gates [T*B, 4H] hold x W_ih^T and become
// i, f, g, o; c [B, H] is c_{t-1} in and c_t out; cprev, tanh_c [T, B, H].
template <class T>
struct lstm_forward_unit {
  index_t t, B, Tn, H;
  const T *gh, *bih, *bhh;
  T *gates, *c, *cprev, *tanh_c, *hprev, *y;
  CANTUS_HD void operator()(index_t e) const {
    const index_t b = e / H, j = e - b * H, row = t * B + b, G = 4 * H;
    T* g = gates + row * G;
    const T* h = gh + b * G;
    for (index_t k = 0; k < 4; ++k) {
      const index_t o = k * H + j;
      const T pre = (g[o] + bih[o]) + (h[o] + bhh[o]);
      g[o] = k == 2 ? ops::tanh_fn{}(pre) : ops::sigmoid{}(pre);
    }
    const T cp = c[b * H + j];
    cprev[row * H + j] = cp;
    const T cn = g[H + j] * cp + g[j] * g[2 * H + j];
    c[b * H + j] = cn;
    const T tc = ops::tanh_fn{}(cn);
    tanh_c[row * H + j] = tc;
    const T out = g[3 * H + j] * tc;
    y[(b * Tn + t) * H + j] = out;
    if (t + 1 < Tn) hprev[(row + B) * H + j] = out;
  }
};
// LSTM step t backwards (rnn_cells::lstm_backward_row per unit): dh from step t + 1 (the caller's
// GEMM then replaces it with dg_t W_hh), dc in and out; dg [T*B, 4H].
template <class T>
struct lstm_backward_unit {
  index_t t, B, Tn, H;
  const T *gates, *tanh_c, *cprev, *dy, *dh;
  T *dc, *dg;
  CANTUS_HD void operator()(index_t e) const {
    const index_t b = e / H, j = e - b * H, row = t * B + b, G = 4 * H;
    const T* g = gates + row * G;
    const T i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j], tc = tanh_c[row * H + j];
    const T dhj = dh[b * H + j] + (dy ? dy[(b * Tn + t) * H + j] : T(0));
    const T dcj = dc[b * H + j] + dhj * o * (T(1) - tc * tc);
    T* d = dg + row * G;
    d[j] = dcj * gg * i * (T(1) - i);
    d[H + j] = dcj * cprev[row * H + j] * f * (T(1) - f);
    d[2 * H + j] = dcj * i * (T(1) - gg * gg);
    d[3 * H + j] = dhj * tc * o * (T(1) - o);
    dc[b * H + j] = dcj * f;
  }
};

// ---- linear ----
template <class T>
struct broadcast_row {  // y[r, j] = bias[j]
  index_t cols;
  const T* bias;
  T* y;
  CANTUS_HD void operator()(index_t i) const { y[i] = bias[i % cols]; }
};

}  // namespace cantus::nn::tt::cuda_bodies
