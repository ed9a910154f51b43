// nn::tt::dropout on CUDA (contract in nn/tt/dropout.hpp): element i draws value i of the same Philox
// stream as the CPU, so a seed drops the same elements on both backends.
#include "cantus/backend/cuda/cuda_backend.hpp"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt {

template <class T>
struct dropout<T, cuda> {
  static void apply(index_t n, const T* x, T* y, const random_stream& rng, float p, T scale);
};

#if CANTUS_CUDA_DEFINE
template <class T>
void dropout<T, cuda>::apply(index_t n, const T* x, T* y, const random_stream& rng, float p, T scale) {
  cuda_launch::for_each(n, cuda_bodies::dropout<T>{x, y, rng, p, scale});
}
#endif

}  // namespace cantus::nn::tt
