// nn::tt::activations on CUDA (contract in nn/tt/activations.hpp): one thread per element; the gated
// unit reads its two halves and writes tanh, sigmoid and their product in one pass. Declared for every
// compiler, defined for nvcc (CANTUS_CUDA_DEFINE, base/config.hpp), as every file of this folder.
#include <type_traits>

#include "cantus/backend/cuda/cuda_backend.hpp"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt {

template <class T>
struct activations<T, cuda> {
  template <class Kind>
  static void backward(const Kind& k, index_t n, const T* x, const T* y, const T* dy, T* dx);
  static void gated_forward(index_t batch, index_t half, const T* x, T* tanh_a, T* sigmoid_b, T* y);
  static void gated_backward(index_t batch, index_t half, const T* tanh_a, const T* sigmoid_b, const T* dy, T* dx);
};

#if CANTUS_CUDA_DEFINE
template <class T>
template <class Kind>
void activations<T, cuda>::backward(const Kind& k, index_t n, const T* x, const T* y, const T* dy, T* dx) {
  constexpr bool select = std::is_same_v<Kind, activation_kind::relu>;
  cuda_launch::for_each(n, cuda_bodies::activation_backward<T, Kind, select>{k, x, y, dy, dx});
}
template <class T>
void activations<T, cuda>::gated_forward(index_t batch, index_t half, const T* x, T* tanh_a, T* sigmoid_b, T* y) {
  cuda_launch::for_each(batch * half, cuda_bodies::gated_forward<T>{half, x, tanh_a, sigmoid_b, y});
}
template <class T>
void activations<T, cuda>::gated_backward(index_t batch, index_t half, const T* tanh_a, const T* sigmoid_b, const T* dy,
                                          T* dx) {
  cuda_launch::for_each(batch * half, cuda_bodies::gated_backward<T>{half, tanh_a, sigmoid_b, dy, dx});
}
#endif

}  // namespace cantus::nn::tt
