#pragma once
// nn::tt::max_pool2d<T, B>: the arithmetic of nn::max_pool2d on backend B (see nn/tt/conv1d.hpp for
// nn::tt). Planes are [planes, H, W] in, [planes, OH, OW] out.
//
//   static void forward(const max_pool2d_config& c, index_t planes, index_t H, index_t W, index_t OH,
//                       index_t OW, const T* x, T* y, std::int32_t* argmax);
//       argmax: for each output, the index within its input plane that it came from (the first
//       maximum; a NaN wins and stays, as in PyTorch).
//   static void backward(index_t planes, index_t HW, index_t OHW, const std::int32_t* argmax,
//                        const T* dy, T* dx);      dx overwritten
#include <cstdint>

#include "cantus/backend/backend.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::nn {

struct max_pool2d_config {
  index_t kernel_size = 2, stride = dyn, padding = 0;  // stride dyn: = kernel_size
};

namespace tt {
template <class T, class B>
struct max_pool2d;
}  // namespace tt

}  // namespace cantus::nn

#include "cantus/backend/cpu/nn/max_pool2d.inl"
#if CANTUS_CUDA_DECLARE && __has_include("cantus/backend/cuda/nn/max_pool2d.cuh")
#include "cantus/backend/cuda/nn/max_pool2d.cuh"
#endif
