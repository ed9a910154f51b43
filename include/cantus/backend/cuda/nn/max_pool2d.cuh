// nn::tt::max_pool2d on CUDA (contract in nn/tt/max_pool2d.hpp): a thread per output for the forward
// pass (the CPU's first-maximum and NaN rule, window in the same order), a thread per plane for the
// backward pass (outputs in order, so overlapping windows add as on the CPU).
#include <cstdint>

#include "cantus/backend/cuda/cuda_backend.hpp"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt {

template <class T>
struct max_pool2d<T, cuda> {
  static void forward(const max_pool2d_config& c, index_t planes, index_t H, index_t W, index_t OH, index_t OW,
                      const T* x, T* y, std::int32_t* argmax);
  static void backward(index_t planes, index_t HW, index_t OHW, const std::int32_t* argmax, const T* dy, T* dx);
};

#if CANTUS_CUDA_DEFINE
template <class T>
void max_pool2d<T, cuda>::forward(const max_pool2d_config& c, index_t planes, index_t H, index_t W, index_t OH,
                                  index_t OW, const T* x, T* y, std::int32_t* argmax) {
  cuda_launch::for_each(planes * OH * OW, cuda_bodies::max_pool_output<T>{H, W, OH, OW, c.kernel_size, c.stride,
                                                                          c.padding, x, y, argmax});
}
template <class T>
void max_pool2d<T, cuda>::backward(index_t planes, index_t HW, index_t OHW, const std::int32_t* argmax, const T* dy,
                                   T* dx) {
  cuda_launch::for_each(planes, cuda_bodies::max_pool_plane_backward<T>{HW, OHW, argmax, dy, dx});
}
#endif

}  // namespace cantus::nn::tt
