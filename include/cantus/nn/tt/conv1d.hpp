#pragma once
// nn::tt::conv1d<T, B>: the arithmetic of nn::conv1d (and causal_conv1d) on backend B. nn::tt is the
// thin tensor-tools step between layers and backends (dlib's tt::): a layer checks shapes, owns its
// parameters and calls these kernels; each backend implements them in backend/<B>/nn/.
//
//   void forward(const conv1d_config& c, index_t batch, index_t in_len, index_t out_len,
//                const T* x, const T* w, const T* bias, T* y);
//       x [batch, in, in_len], w [out, in, kernel], bias [out] or null, y [batch, out, out_len]
//       (all contiguous, in B's memory); y is overwritten.
//   void backward(const conv1d_config& c, index_t batch, index_t in_len, index_t out_len,
//                 const T* x, const T* w, const T* dy, T* dw, T* dbias, T* dx);
//       ACCUMULATES dw (and dbias when not null), OVERWRITES dx unless it is null.
// A kernel object keeps scratch memory between calls, so one object serves one layer.
#include "cantus/backend/backend.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::nn {

struct conv1d_config {
  index_t in_channels = dyn, out_channels = dyn, kernel_size = dyn;
  index_t stride = 1, padding = 0, dilation = 1;
  bool causal = false;  // pad (kernel_size - 1) * dilation on the left only; `padding` must be 0
  bool bias = true;

  index_t pad_left() const { return causal ? (kernel_size - 1) * dilation : padding; }
  index_t pad_right() const { return causal ? 0 : padding; }
  bool is_pointwise() const { return kernel_size == 1 && stride == 1 && pad_left() == 0 && pad_right() == 0; }
};

namespace tt {
template <class T, class B>
class conv1d;
}  // namespace tt

}  // namespace cantus::nn

#include "cantus/backend/cpu/nn/conv1d.inl"
#if CANTUS_CUDA_DECLARE && __has_include("cantus/backend/cuda/nn/conv1d.cuh")
#include "cantus/backend/cuda/nn/conv1d.cuh"
#endif
