// nn::tt::reparameterize on CUDA (contract in nn/tt/reparameterize.hpp): one thread per element.
#include "cantus/backend/cuda/cuda_backend.hpp"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt {

template <class T>
struct reparameterize<T, cuda> {
  static void forward(index_t n, const T* mu, const T* logvar, const T* eps, T* z);
  static void normal(index_t n, const random_stream& rng, T* eps);
  static void backward(index_t n, const T* logvar, const T* eps, const T* dz, T* dmu, T* dlogvar);
};

#if CANTUS_CUDA_DEFINE
template <class T>
void reparameterize<T, cuda>::forward(index_t n, const T* mu, const T* logvar, const T* eps, T* z) {
  cuda_launch::for_each(n, cuda_bodies::reparameterize_forward<T>{mu, logvar, eps, z});
}
template <class T>
void reparameterize<T, cuda>::normal(index_t n, const random_stream& rng, T* eps) {
  cuda_launch::for_each(n, cuda_bodies::normal_noise<T>{rng, eps});
}
template <class T>
void reparameterize<T, cuda>::backward(index_t n, const T* logvar, const T* eps, const T* dz, T* dmu, T* dlogvar) {
  cuda_launch::for_each(n, cuda_bodies::reparameterize_backward<T>{logvar, eps, dz, dmu, dlogvar});
}
#endif

}  // namespace cantus::nn::tt
