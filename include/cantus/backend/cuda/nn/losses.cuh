// nn::tt::losses on CUDA (contract in nn/tt/losses.hpp): gradients one thread per element (per
// position for cross-entropy, over its classes), the sums in double; targets checked on the device
// first, with the CPU backend's messages.
#include "cantus/backend/cuda/cuda_backend.hpp"
#include "cantus/base/error.hpp"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt {

template <class T>
struct losses<T, cuda> {
  static double squared_error(index_t n, const T* x, const T* y, T grad_scale, T* grad);
  static double gaussian_kl(index_t n, const T* mu, const T* logvar, T inv_b, T* grad_mu, T* grad_logvar);
  template <class I>
  static double cross_entropy(index_t N, index_t C, index_t S, const T* x, const I* y, index_t ignore_index, bool mean,
                              T* grad, index_t& counted);
};

#if CANTUS_CUDA_DEFINE
template <class T>
double losses<T, cuda>::squared_error(index_t n, const T* x, const T* y, T grad_scale, T* grad) {
  return cuda_launch::sum(n, cuda_bodies::squared_error<T>{x, y, T(2) * grad_scale, grad});
}
template <class T>
double losses<T, cuda>::gaussian_kl(index_t n, const T* mu, const T* logvar, T inv_b, T* grad_mu, T* grad_logvar) {
  return cuda_launch::sum(n, cuda_bodies::gaussian_kl<T>{mu, logvar, inv_b, grad_mu, grad_logvar});
}
template <class T>
template <class I>
double losses<T, cuda>::cross_entropy(index_t N, index_t C, index_t S, const T* x, const I* y, index_t ignore_index,
                                      bool mean, T* grad, index_t& counted) {
  const index_t positions = N * S;
  if (const index_t i = cuda_launch::first_bad(positions, cuda_bodies::cross_entropy_target<I>{y, C, ignore_index});
      i != cuda_bodies::none)
    throw value_error(cantus::detail::concat("cross_entropy: target ", static_cast<index_t>(cuda_launch::element(y, i)),
                                             " at position ", i, " is outside [0, ", C, ") (and is not ignore_index ",
                                             ignore_index, ")"));
  counted = static_cast<index_t>(cuda_launch::sum(positions, cuda_bodies::cross_entropy_counted<I>{y, ignore_index}));
  if (mean && counted == 0) throw value_error("cross_entropy: every target is ignore_index, the mean is undefined");
  if (const index_t p = cuda_launch::first_bad(positions, cuda_bodies::cross_entropy_nonfinite<T>{x, C, S});
      p != cuda_bodies::none)
    throw value_error(cantus::detail::concat("cross_entropy: non-finite logit at position ", p));
  const T scale = mean ? static_cast<T>(1.0 / double(counted)) : T(1);
  return cuda_launch::sum(positions, cuda_bodies::cross_entropy_position<T, I>{C, S, ignore_index, x, y, scale, grad});
}
#endif

}  // namespace cantus::nn::tt
