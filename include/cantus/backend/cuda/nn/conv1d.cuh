// nn::tt::conv1d on CUDA (contract in nn/tt/conv1d.hpp): cuDNN with H = 1. cuDNN pads symmetrically,
// so a causal convolution (WaveNet's dilated ones) runs with its left padding on both sides and keeps
// the first out_len outputs; its backward pass pads dy with zeros to match. Bias in a kernel of its
// own; the bias gradient a chunked column sum (cuda_launch::add_column_sums). Kernel-size-1
// convolutions are cuBLAS GEMMs instead (pointwise_conv1d.hpp).
#include "cantus/backend/cuda/nn/cudnn_conv.cuh"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#include "cantus/backend/cuda/nn/pointwise_conv1d.hpp"
#endif

namespace cantus::nn::tt {

template <class T>
class conv1d<T, cuda> {
 public:
  void forward(const conv1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x, const T* w,
               const T* bias, T* y);
  void backward(const conv1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x, const T* w,
                const T* dy, T* dw, T* dbias, T* dx);

 private:
  static cuda_conv::geometry geometry(const conv1d_config& c, index_t batch, index_t in_len) {
    const index_t pad = c.pad_left();  // == pad_right() unless causal
    const index_t full = (in_len + 2 * pad - c.dilation * (c.kernel_size - 1) - 1) / c.stride + 1;
    return cuda_conv::geometry::one_d(batch, c.in_channels, in_len, c.out_channels, full, c.kernel_size, pad, c.stride,
                                      c.dilation);
  }
  T* scratch(index_t n) {
    if (scratch_.size() < n) scratch_ = tensor<T, 1, cuda>({n});
    return scratch_.data();
  }
  T* scratch2(index_t n) {
    if (scratch2_.size() < n) scratch2_ = tensor<T, 1, cuda>({n});
    return scratch2_.data();
  }
  cuda_conv::convolution<T> conv_;
  tensor<T, 1, cuda> scratch_, scratch2_;
};

#if CANTUS_CUDA_DEFINE
template <class T>
void conv1d<T, cuda>::forward(const conv1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x, const T* w,
             const T* bias, T* y) {
  if (c.is_pointwise()) {
    pointwise::forward<cuda>(batch, c.in_channels, c.out_channels, in_len, x, w, y);
    if (bias) cuda_launch::for_each(batch * c.out_channels * out_len, cuda_bodies::add_channel_bias<T>{c.out_channels, out_len, bias, y});
    return;
  }
  const auto g = geometry(c, batch, in_len);
  const index_t full = g.y[3], rows = batch * c.out_channels;
  T* target = full == out_len ? y : scratch(rows * full);
  conv_.forward(g, x, w, target, T(0));
  if (target != y) cuda_launch::for_each(rows * out_len, cuda_bodies::resize_rows<T>{full, out_len, target, y});
  if (bias) cuda_launch::for_each(rows * out_len, cuda_bodies::add_channel_bias<T>{c.out_channels, out_len, bias, y});
}
template <class T>
void conv1d<T, cuda>::backward(const conv1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x, const T* w,
              const T* dy, T* dw, T* dbias, T* dx) {
  if (c.is_pointwise()) {
    if (dbias) cuda_launch::add_column_sums(batch, c.out_channels, out_len, dy, dbias);
    T* xs = batch > 1 ? scratch(batch * c.in_channels * in_len) : nullptr;
    T* dys = batch > 1 ? scratch2(batch * c.out_channels * out_len) : nullptr;
    pointwise::backward_filter<cuda>(batch, c.in_channels, c.out_channels, in_len, x, dy, dw, xs, dys,
                                     [](index_t nb, index_t ch, index_t len, const T* src, T* dst) {
                                       cuda_launch::for_each(nb * ch * len, cuda_bodies::swap_leading<T>{nb, ch, len, src, dst});
                                     });
    if (dx) pointwise::backward_data<cuda>(batch, c.in_channels, c.out_channels, in_len, w, dy, dx);
    return;
  }
  const auto g = geometry(c, batch, in_len);
  const index_t full = g.y[3], rows = batch * c.out_channels;
  const T* dy_full = dy;
  if (full != out_len) {
    T* p = scratch(rows * full);
    cuda_launch::for_each(rows * full, cuda_bodies::resize_rows<T>{out_len, full, dy, p});
    dy_full = p;
  }
  if (dbias) cuda_launch::add_column_sums(batch, c.out_channels, out_len, dy, dbias);
  conv_.backward_filter(g, x, dy_full, dw, T(1));
  if (dx) conv_.backward_data(g, w, dy_full, dx, T(0));
}
#endif

}  // namespace cantus::nn::tt
