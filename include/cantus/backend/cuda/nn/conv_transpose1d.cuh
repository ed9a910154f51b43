// nn::tt::conv_transpose1d on CUDA (contract in nn/tt/conv_transpose1d.hpp): the transposed
// convolution is cuDNN's convolution run backwards, H = 1. Its weight [in, out, kernel] is the filter
// of the convolution that maps y [out channels] to x [in channels]: forward = backward-data, the input
// gradient = forward, the weight gradient = backward-filter with dy as that convolution's input.
#include "cantus/backend/cuda/nn/cudnn_conv.cuh"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt {

template <class T>
class conv_transpose1d<T, cuda> {
 public:
  void forward(const conv_transpose1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x, const T* w,
               const T* bias, T* y);
  void backward(const conv_transpose1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x,
                const T* w, const T* dy, T* dw, T* dbias, T* dx);

 private:
  // The convolution y [batch, out, 1, out_len] -> x [batch, in, 1, in_len] with filter [in, out, 1, k].
  static cuda_conv::geometry geometry(const conv_transpose1d_config& c, index_t batch, index_t in_len, index_t out_len) {
    return cuda_conv::geometry::one_d(batch, c.out_channels, out_len, c.in_channels, in_len, c.kernel_size, c.padding,
                                      c.stride, c.dilation);
  }
  cuda_conv::convolution<T> conv_;
};

#if CANTUS_CUDA_DEFINE
template <class T>
void conv_transpose1d<T, cuda>::forward(const conv_transpose1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x, const T* w,
             const T* bias, T* y) {
  conv_.backward_data(geometry(c, batch, in_len, out_len), w, x, y, T(0));
  if (bias)
    cuda_launch::for_each(batch * c.out_channels * out_len,
                          cuda_bodies::add_channel_bias<T>{c.out_channels, out_len, bias, y});
}
template <class T>
void conv_transpose1d<T, cuda>::backward(const conv_transpose1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x,
              const T* w, const T* dy, T* dw, T* dbias, T* dx) {
  const auto g = geometry(c, batch, in_len, out_len);
  if (dbias)
    cuda_launch::add_column_sums(batch, c.out_channels, out_len, dy, dbias);
  conv_.backward_filter(g, dy, x, dw, T(1));
  if (dx) conv_.forward(g, dy, w, dx, T(0));
}
#endif

}  // namespace cantus::nn::tt
