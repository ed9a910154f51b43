// The CPU implementation of nn::tt::activations (contract in nn/tt/activations.hpp, which includes
// this file).
#include <omp.h>

#include <type_traits>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/backend/cpu/nn/im2col.hpp"
#include "cantus/base/functors.hpp"

namespace cantus::nn::tt {

template <class T>
struct activations<T, cpu> {
  template <class Kind>
  static void backward(const Kind& k, index_t n, const T* xs, const T* ys, const T* dys, T* dxs) {
    if constexpr (std::is_same_v<Kind, activation_kind::relu>) {
      // Through the dispatched SIMD table: compiled for the baseline, the loop stayed a scalar branch
      // that mispredicts on every other element (10 % of a step-VAE step).
      backend_ops<cpu>::zip(ys, dys, dxs, std::size_t(n), ops::relu_grad{});
    } else {
#pragma omp parallel for schedule(static) if (detail::worth_parallel(n))
      for (index_t i = 0; i < n; ++i) dxs[i] = dys[i] * k.grad(xs[i], ys[i]);
    }
  }

  // tanh and sigmoid run through the dispatched SIMD kernels (WaveNet applies this unit to
  // 20 x [batch, 128, 8192] tensors per step).
  static void gated_forward(index_t batch, index_t half, const T* x, T* t, T* s, T* y) {
    for (index_t b = 0; b < batch; ++b) {
      const T* a = x + 2 * b * half;
      backend_ops<cpu>::map(a, t + b * half, std::size_t(half), ops::tanh_fn{});
      backend_ops<cpu>::map(a + half, s + b * half, std::size_t(half), ops::sigmoid{});
    }
    backend_ops<cpu>::zip(t, s, y, std::size_t(batch * half), ops::multiplies{});
  }

  static void gated_backward(index_t batch, index_t half, const T* tanh_a, const T* sig_b, const T* dys, T* dxs) {
#pragma omp parallel for schedule(static) if (detail::worth_parallel(batch * half))
    for (index_t b = 0; b < batch; ++b) {
      const T *t = tanh_a + b * half, *s = sig_b + b * half, *d = dys + b * half;
      T *da = dxs + 2 * b * half, *dg = da + half;
      for (index_t i = 0; i < half; ++i) {
        const T ds = d[i] * s[i], dt = d[i] * t[i];
        da[i] = ds * (T(1) - t[i] * t[i]);
        dg[i] = dt * s[i] * (T(1) - s[i]);
      }
    }
  }
};

}  // namespace cantus::nn::tt
