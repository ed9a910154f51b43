// nn::tt::reparameterize on CUDA (contract in nn/tt/reparameterize.hpp): one thread per element.
#include "cantus/backend/cuda/nn/launch.cuh"

namespace cantus::nn::tt {

template <class T>
struct reparameterize<T, cuda> {
  static void forward(index_t n, const T* mu, const T* logvar, const T* eps, T* z) {
    cuda_launch::for_each(n, cuda_bodies::reparameterize_forward<T>{mu, logvar, eps, z});
  }
  static void normal(index_t n, const random_stream& rng, T* eps) {
    cuda_launch::for_each(n, cuda_bodies::normal_noise<T>{rng, eps});
  }
  static void backward(index_t n, const T* logvar, const T* eps, const T* dz, T* dmu, T* dlogvar) {
    cuda_launch::for_each(n, cuda_bodies::reparameterize_backward<T>{logvar, eps, dz, dmu, dlogvar});
  }
};

}  // namespace cantus::nn::tt
