#pragma once
// A kernel-size-1 convolution (conv1d_config::is_pointwise) over [batch, channels, length] as matrix
// products on backend B, for backends whose convolution library is slow at it (cuDNN's deterministic
// backward-filter kernels took 0.4-0.5 ms for WaveNet's 1x1 convolutions on an H200, where one GEMM
// over all samples is a few microseconds):
//   forward:         y[n] = W x[n]               (one strided-batched GEMM, W shared: stride 0)
//   backward_data:   dx[n] = W^T dy[n]           (the same)
//   backward_filter: dW += dy' x'^T              (one GEMM over batch x length; x', dy' are x and dy
//                                                 as [channels, batch * length], made by `to_channel_major`
//                                                 into the scratch given when batch > 1)
// y and dx are overwritten, dW accumulated, as nn::tt::conv1d's contract says.
#include "cantus/backend/backend.hpp"

namespace cantus::nn::tt::pointwise {

template <class B, class T>
void forward(index_t batch, index_t cin, index_t cout, index_t len, const T* x, const T* w, T* y) {
  backend_ops<B>::gemm_strided_batched(transpose::no, transpose::no, cout, len, cin, T(1), w, cin, 0, x, len, cin * len,
                                       T(0), y, len, cout * len, batch);
}

template <class B, class T>
void backward_data(index_t batch, index_t cin, index_t cout, index_t len, const T* w, const T* dy, T* dx) {
  backend_ops<B>::gemm_strided_batched(transpose::yes, transpose::no, cin, len, cout, T(1), w, cin, 0, dy, len,
                                       cout * len, T(0), dx, len, cin * len, batch);
}

// to_channel_major(batch, channels, len, src, dst): [batch, channels, len] -> [channels, batch, len].
template <class B, class T, class ToChannelMajor>
void backward_filter(index_t batch, index_t cin, index_t cout, index_t len, const T* x, const T* dy, T* dw, T* x_scratch,
                     T* dy_scratch, const ToChannelMajor& to_channel_major) {
  if (batch > 1) {
    to_channel_major(batch, cin, len, x, x_scratch);
    to_channel_major(batch, cout, len, dy, dy_scratch);
    x = x_scratch, dy = dy_scratch;
  }
  const index_t k = batch * len;
  backend_ops<B>::gemm(transpose::no, transpose::yes, cout, cin, k, T(1), dy, k, x, k, T(1), dw, cin);
}

}  // namespace cantus::nn::tt::pointwise
