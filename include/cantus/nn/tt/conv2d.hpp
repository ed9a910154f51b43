#pragma once
// nn::tt::conv2d<T, B>: the arithmetic of nn::conv2d on backend B (see nn/tt/conv1d.hpp for nn::tt).
//
//   void forward(const conv2d_config& c, const shape_t<4>& in, const shape_t<4>& out, const T* x,
//                const T* w, const T* bias, T* y);
//       x [in], w [out_ch, in_ch, kh, kw], bias [out_ch] or null, y [out] (overwritten).
//   void backward(const conv2d_config& c, const shape_t<4>& in, const shape_t<4>& out, const T* x,
//                 const T* w, const T* dy, T* dw, T* dbias, T* dx);
//       ACCUMULATES dw (and dbias when not null), OVERWRITES dx unless it is null.
#include <array>

#include "cantus/backend/backend.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::nn {

struct conv2d_config {
  index_t in_channels = dyn, out_channels = dyn;
  std::array<index_t, 2> kernel_size{dyn, dyn}, stride{1, 1}, padding{0, 0}, dilation{1, 1};
  bool bias = true;
};

namespace tt {
template <class T, class B>
class conv2d;
}  // namespace tt

}  // namespace cantus::nn

#include "cantus/backend/cpu/nn/conv2d.inl"
#if CANTUS_CUDA_DECLARE && __has_include("cantus/backend/cuda/nn/conv2d.cuh")
#include "cantus/backend/cuda/nn/conv2d.cuh"
#endif
