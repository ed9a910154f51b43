#pragma once
// nn::tt::conv_transpose1d<T, B>: the arithmetic of nn::conv_transpose1d on backend B (see
// nn/tt/conv1d.hpp for nn::tt).
//
//   void forward(const conv_transpose1d_config& c, index_t batch, index_t in_len, index_t out_len,
//                const T* x, const T* w, const T* bias, T* y);
//       x [batch, in, in_len], w [in, out, kernel], bias [out] or null, y [batch, out, out_len] (overwritten).
//   void backward(const conv_transpose1d_config& c, index_t batch, index_t in_len, index_t out_len,
//                 const T* x, const T* w, const T* dy, T* dw, T* dbias, T* dx);
//       ACCUMULATES dw (and dbias when not null), OVERWRITES dx unless it is null.
#include "cantus/backend/backend.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::nn {

struct conv_transpose1d_config {
  index_t in_channels = dyn, out_channels = dyn, kernel_size = dyn;
  index_t stride = 1, padding = 0, output_padding = 0, dilation = 1;
  bool bias = true;
};

namespace tt {
template <class T, class B>
class conv_transpose1d;
}  // namespace tt

}  // namespace cantus::nn

#include "cantus/backend/cpu/nn/conv_transpose1d.inl"
#if CANTUS_CUDA_DECLARE && __has_include("cantus/backend/cuda/nn/conv_transpose1d.cuh")
#include "cantus/backend/cuda/nn/conv_transpose1d.cuh"
#endif
