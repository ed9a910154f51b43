// nn::tt::pooling on CUDA (contract in nn/tt/pooling.hpp): a thread per row sums it in double, in the
// CPU's order, so the means are the CPU's bits.
#include "cantus/backend/cuda/cuda_backend.hpp"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt {

template <class T>
struct pooling<T, cuda> {
  static void mean_rows(index_t rows, index_t inner, const T* x, T* y);
  static void spread_rows(index_t rows, index_t inner, const T* dy, T* dx);
};

#if CANTUS_CUDA_DEFINE
template <class T>
void pooling<T, cuda>::mean_rows(index_t rows, index_t inner, const T* x, T* y) {
  cuda_launch::for_each(rows, cuda_bodies::mean_row<T>{inner, x, y});
}
template <class T>
void pooling<T, cuda>::spread_rows(index_t rows, index_t inner, const T* dy, T* dx) {
  cuda_launch::for_each(rows * inner, cuda_bodies::spread_row<T>{inner, dy, dx});
}
#endif

}  // namespace cantus::nn::tt
