#pragma once
// The element-wise parts of one time step for one batch row, as free functions over restrict
// pointers so the compiler vectorises them (no aliasing, no branches in the loops). The
// transcendentals go through the dispatched SIMD kernels (rnn_detail::sigmoid_inplace/tanh_inplace).
// Gate k of unit j sits at [k * H + j].
#include "cantus/base/config.hpp"
#include "cantus/backend/cpu/nn/rnn_detail.hpp"

namespace cantus::nn::rnn_cells {

// GRU forward. gi = x W_ih^T row (3H), gh = h W_hh^T row (3H), bias_ih/bias_hh (3H), hp = h_{t-1};
// writes g = [r | z | n | W_hn h + b_hn] (4H) and h_t.
template <class T>
inline void gru_forward_row(const T* CANTUS_RESTRICT gi, const T* CANTUS_RESTRICT gh, const T* CANTUS_RESTRICT bih,
                            const T* CANTUS_RESTRICT bhh, const T* CANTUS_RESTRICT hp, T* CANTUS_RESTRICT g,
                            T* CANTUS_RESTRICT h, index_t H) {
  for (index_t k = 0; k < 2; ++k) {
    const index_t o = k * H;
    for (index_t j = 0; j < H; ++j) g[o + j] = (gi[o + j] + bih[o + j]) + (gh[o + j] + bhh[o + j]);
    rnn_detail::sigmoid_inplace(g + o, static_cast<std::size_t>(H));
  }
  for (index_t j = 0; j < H; ++j) {
    const T ghn = gh[2 * H + j] + bhh[2 * H + j];
    g[3 * H + j] = ghn;
    g[2 * H + j] = gi[2 * H + j] + bih[2 * H + j] + g[j] * ghn;
  }
  rnn_detail::tanh_inplace(g + 2 * H, static_cast<std::size_t>(H));
  for (index_t j = 0; j < H; ++j) {
    const T z = g[H + j], n = g[2 * H + j];
    h[j] = n + z * (hp[j] - n);
  }
}

// GRU backward. dy = dLoss/dh_t from the output (zeros when none), dh = from the step after (in),
// the direct part dLoss/dh_{t-1} through z (out); di / dr = gradients w.r.t. the input and
// recurrent projections (3H each).
template <class T>
inline void gru_backward_row(const T* CANTUS_RESTRICT g, const T* CANTUS_RESTRICT hp, const T* CANTUS_RESTRICT dy,
                             T* CANTUS_RESTRICT dh, T* CANTUS_RESTRICT di, T* CANTUS_RESTRICT dr, index_t H) {
  for (index_t j = 0; j < H; ++j) {
    const T r = g[j], z = g[H + j], n = g[2 * H + j], ghn = g[3 * H + j];
    const T d = dh[j] + dy[j];
    const T dn_pre = d * (T(1) - z) * (T(1) - n * n);
    const T dz_pre = d * (hp[j] - n) * z * (T(1) - z);
    const T dr_pre = dn_pre * ghn * r * (T(1) - r);
    di[j] = dr_pre;
    di[H + j] = dz_pre;
    di[2 * H + j] = dn_pre;
    dr[j] = dr_pre;
    dr[H + j] = dz_pre;
    dr[2 * H + j] = dn_pre * r;
    dh[j] = d * z;
  }
}

// LSTM forward. g holds x W_ih^T (4H) on entry and [i | f | g | o] on exit; gh = h W_hh^T; c is
// c_{t-1} on entry and c_t on exit (its old value is saved to cp); tc = tanh(c_t); h = h_t.
template <class T>
inline void lstm_forward_row(T* CANTUS_RESTRICT g, const T* CANTUS_RESTRICT gh, const T* CANTUS_RESTRICT bih,
                             const T* CANTUS_RESTRICT bhh, T* CANTUS_RESTRICT c, T* CANTUS_RESTRICT cp,
                             T* CANTUS_RESTRICT tc, T* CANTUS_RESTRICT h, index_t H) {
  for (index_t k = 0; k < 4; ++k) {
    const index_t o = k * H;
    for (index_t j = 0; j < H; ++j) g[o + j] = (g[o + j] + bih[o + j]) + (gh[o + j] + bhh[o + j]);
    if (k == 2) rnn_detail::tanh_inplace(g + o, static_cast<std::size_t>(H));
    else rnn_detail::sigmoid_inplace(g + o, static_cast<std::size_t>(H));
  }
  for (index_t j = 0; j < H; ++j) {
    cp[j] = c[j];
    c[j] = g[H + j] * c[j] + g[j] * g[2 * H + j];
    tc[j] = c[j];
  }
  rnn_detail::tanh_inplace(tc, static_cast<std::size_t>(H));
  for (index_t j = 0; j < H; ++j) h[j] = g[3 * H + j] * tc[j];
}

// LSTM backward. dh (in: from the step after; the caller's GEMM replaces it with dh_{t-1}), dc (in:
// from the step after, out: dc_{t-1}); d = gradient w.r.t. the 4H gate pre-activations.
template <class T>
inline void lstm_backward_row(const T* CANTUS_RESTRICT g, const T* CANTUS_RESTRICT tc, const T* CANTUS_RESTRICT cp,
                              const T* CANTUS_RESTRICT dy, const T* CANTUS_RESTRICT dh, T* CANTUS_RESTRICT dc,
                              T* CANTUS_RESTRICT d, index_t H) {
  for (index_t j = 0; j < H; ++j) {
    const T i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j];
    const T dhj = dh[j] + dy[j];
    const T dcj = dc[j] + dhj * o * (T(1) - tc[j] * tc[j]);
    d[j] = dcj * gg * i * (T(1) - i);
    d[H + j] = dcj * cp[j] * f * (T(1) - f);
    d[2 * H + j] = dcj * i * (T(1) - gg * gg);
    d[3 * H + j] = dhj * tc[j] * o * (T(1) - o);
    dc[j] = dcj * f;
  }
}

}  // namespace cantus::nn::rnn_cells
