// nn::tt::conv2d on CUDA (contract in nn/tt/conv2d.hpp): cuDNN's convolution; bias and its gradient
// in kernels of their own.
#include "cantus/backend/cuda/nn/cudnn_conv.cuh"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt {

template <class T>
class conv2d<T, cuda> {
 public:
  void forward(const conv2d_config& c, const shape_t<4>& in, const shape_t<4>& out, const T* x, const T* w,
               const T* bias, T* y);
  void backward(const conv2d_config& c, const shape_t<4>& in, const shape_t<4>& out, const T* x, const T* w,
                const T* dy, T* dw, T* dbias, T* dx);

 private:
  static cuda_conv::geometry geometry(const conv2d_config& c, const shape_t<4>& in, const shape_t<4>& out) {
    cuda_conv::geometry g;
    g.x = {int(in[0]), int(in[1]), int(in[2]), int(in[3])};
    g.w = {int(c.out_channels), int(c.in_channels), int(c.kernel_size[0]), int(c.kernel_size[1])};
    g.y = {int(out[0]), int(out[1]), int(out[2]), int(out[3])};
    g.pad = {int(c.padding[0]), int(c.padding[1])};
    g.stride = {int(c.stride[0]), int(c.stride[1])};
    g.dilation = {int(c.dilation[0]), int(c.dilation[1])};
    return g;
  }
  cuda_conv::convolution<T> conv_;
};

#if CANTUS_CUDA_DEFINE
template <class T>
void conv2d<T, cuda>::forward(const conv2d_config& c, const shape_t<4>& in, const shape_t<4>& out, const T* x, const T* w,
             const T* bias, T* y) {
  conv_.forward(geometry(c, in, out), x, w, y, T(0));
  if (bias)
    cuda_launch::for_each(element_count(out), cuda_bodies::add_channel_bias<T>{out[1], out[2] * out[3], bias, y});
}
template <class T>
void conv2d<T, cuda>::backward(const conv2d_config& c, const shape_t<4>& in, const shape_t<4>& out, const T* x, const T* w,
              const T* dy, T* dw, T* dbias, T* dx) {
  const auto g = geometry(c, in, out);
  if (dbias) cuda_launch::add_column_sums(out[0], out[1], out[2] * out[3], dy, dbias);
  conv_.backward_filter(g, x, dy, dw, T(1));
  if (dx) conv_.backward_data(g, w, dy, dx, T(0));
}
#endif

}  // namespace cantus::nn::tt
