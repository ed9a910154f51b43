// The CPU implementation of nn::tt::optimizers (contract in nn/tt/optimizers.hpp, which includes
// this file). Scalar loops in PyTorch's operation order, so updates match torch bit for bit; split
// across threads by element (each element's arithmetic is unchanged, so the bits do not depend on the
// thread count).
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "cantus/backend/cpu/cpu_backend.hpp"

namespace cantus::nn::tt {

template <class T>
struct optimizers<T, cpu> {
  static void adam(index_t n, T* w, const T* gr, T* m, T* v, T* vmax, const adam_step<T>& s) {
#pragma omp parallel for schedule(static) if (n >= (index_t(1) << 15) && !omp_in_parallel())
    for (index_t i = 0; i < n; ++i) {
      T g = gr[i];
      if (s.decoupled) w[i] *= s.decay;
      else if (s.weight_decay != T(0)) g += s.weight_decay * w[i];
      m[i] = m[i] * s.beta1 + (T(1) - s.beta1) * g;
      v[i] = v[i] * s.beta2 + (T(1) - s.beta2) * g * g;
      T vv = v[i];
      if (vmax) vv = vmax[i] = std::max(vmax[i], v[i]);
      const T denom = std::sqrt(vv) / s.bc2_sqrt + s.eps;
      w[i] -= s.step_size * (m[i] / denom);  // addcdiv_: p + value * (m / denom)
    }
  }
  static void sgd(index_t n, T* w, const T* g, T* buf, const sgd_step<T>& s) {
#pragma omp parallel for schedule(static) if (n >= (index_t(1) << 15) && !omp_in_parallel())
    for (index_t i = 0; i < n; ++i) {
      T d = g[i];
      if (s.weight_decay != T(0)) d += s.weight_decay * w[i];
      if (buf) {
        buf[i] = s.first ? d : s.momentum * buf[i] + s.damp * d;
        d = s.nesterov ? d + s.momentum * buf[i] : buf[i];
      }
      w[i] -= s.lr * d;
    }
  }
  static double sum_of_squares(index_t n, const T* g) {
    double s = 0;  // in double: the norm of a big gradient must not lose digits
    for (index_t i = 0; i < n; ++i) s += double(g[i]) * double(g[i]);
    return s;
  }
};

}  // namespace cantus::nn::tt
