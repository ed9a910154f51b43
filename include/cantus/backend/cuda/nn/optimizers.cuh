// nn::tt::optimizers on CUDA (contract in nn/tt/optimizers.hpp): one thread per element, the CPU's
// operation order (cuda_bodies::adam, sgd); the squared norm summed in double.
#include "cantus/backend/cuda/cuda_backend.hpp"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt {

template <class T>
struct optimizers<T, cuda> {
  static void adam(index_t n, T* w, const T* g, T* m, T* v, T* vmax, const adam_step<T>& s);
  static void sgd(index_t n, T* w, const T* g, T* buf, const sgd_step<T>& s);
  static double sum_of_squares(index_t n, const T* g);
};

#if CANTUS_CUDA_DEFINE
template <class T>
void optimizers<T, cuda>::adam(index_t n, T* w, const T* g, T* m, T* v, T* vmax, const adam_step<T>& s) {
  cuda_launch::for_each(n, cuda_bodies::adam<T, adam_step<T>>{w, m, v, vmax, g, s});
}
template <class T>
void optimizers<T, cuda>::sgd(index_t n, T* w, const T* g, T* buf, const sgd_step<T>& s) {
  cuda_launch::for_each(n, cuda_bodies::sgd<T, sgd_step<T>>{w, buf, g, s});
}
template <class T>
double optimizers<T, cuda>::sum_of_squares(index_t n, const T* g) {
  return cuda_launch::sum(n, cuda_bodies::square<T>{g});
}
#endif

}  // namespace cantus::nn::tt
