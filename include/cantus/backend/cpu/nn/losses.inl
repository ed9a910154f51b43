// The CPU implementation of nn::tt::losses (contract in nn/tt/losses.hpp, which includes this file).
#include <algorithm>
#include <cmath>
#include <vector>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/base/error.hpp"
#include "cantus/base/functors.hpp"

namespace cantus::nn::tt {

template <class T>
struct losses<T, cpu> {
  static double squared_error(index_t n, const T* x, const T* y, T grad_scale, T* g) {
    const T two_scale = T(2) * grad_scale;
    double acc = 0;  // double accumulation: the value of a large sum must not drift with its length
    for (index_t i = 0; i < n; ++i) {
      const T d = x[i] - y[i];
      acc += static_cast<double>(d) * static_cast<double>(d);
      g[i] = two_scale * d;
    }
    return acc;
  }

  static double gaussian_kl(index_t n, const T* mu, const T* logvar, T inv_b, T* grad_mu, T* grad_logvar) {
    double acc = 0;
    for (index_t i = 0; i < n; ++i) {
      const T m = mu[i], lv = logvar[i], v = std::exp(lv);
      acc += -0.5 * (1.0 + double(lv) - double(m) * double(m) - double(v));
      grad_mu[i] = m * inv_b;
      grad_logvar[i] = T(0.5) * (v - T(1)) * inv_b;
    }
    return acc;
  }

  template <class I>
  static double cross_entropy(index_t N, index_t C, index_t S, const T* x, const I* y, index_t ignore_index, bool mean,
                              T* g, index_t& counted) {
    counted = 0;
    for (index_t i = 0; i < N * S; ++i) {
      const index_t k = static_cast<index_t>(y[i]);
      if (k == ignore_index) continue;
      if (k < 0 || k >= C)
        throw value_error(cantus::detail::concat("cross_entropy: target ", k, " at position ", i, " is outside [0, ", C,
                                                 ") (and is not ignore_index ", ignore_index, ")"));
      ++counted;
    }
    if (mean && counted == 0)  // torch returns NaN here; a silent NaN would poison training
      throw value_error("cross_entropy: every target is ignore_index, the mean is undefined");
    // Per sample n the C x S block is walked class by class, each class a contiguous run over the S
    // positions, so per-time-step logits [N, 256, 8192] stream through memory and exp runs on SIMD.
    std::vector<T> m(static_cast<std::size_t>(S)), z(static_cast<std::size_t>(S));
    double total = 0;
    for (index_t n = 0; n < N; ++n) {
      const T* xn = x + n * C * S;
      T* gn = g + n * C * S;
      const I* yn = y + n * S;
      std::copy(xn, xn + S, m.begin());
      for (index_t c = 1; c < C; ++c)
        for (index_t t = 0; t < S; ++t) m[t] = std::max(m[t], xn[c * S + t]);
      for (index_t t = 0; t < S; ++t)
        if (!std::isfinite(m[t]))
          throw value_error(cantus::detail::concat("cross_entropy: non-finite logit at position ", n * S + t));
      std::fill(z.begin(), z.end(), T(0));
      for (index_t c = 0; c < C; ++c) {
        T* gc = gn + c * S;
        for (index_t t = 0; t < S; ++t) gc[t] = xn[c * S + t] - m[t];
        backend_ops<cpu>::map(gc, gc, static_cast<std::size_t>(S), ops::exponential{});
        for (index_t t = 0; t < S; ++t) z[t] += gc[t];
      }
      for (index_t t = 0; t < S; ++t) {
        const index_t k = static_cast<index_t>(yn[t]);
        if (k == ignore_index) {
          z[t] = T(0);  // marks "no gradient" below
          continue;
        }
        total += double(m[t]) + std::log(double(z[t])) - double(xn[k * S + t]);
        z[t] = T(1) / z[t];
      }
      for (index_t c = 0; c < C; ++c)
        for (index_t t = 0; t < S; ++t) gn[c * S + t] *= z[t];
      for (index_t t = 0; t < S; ++t) {
        const index_t k = static_cast<index_t>(yn[t]);
        if (k != ignore_index) gn[k * S + t] -= T(1);
      }
    }
    const double scale = mean ? 1.0 / double(counted) : 1.0;
    if (scale != 1.0)
      for (index_t i = 0; i < N * C * S; ++i) g[i] *= static_cast<T>(scale);
    return total;
  }
};

}  // namespace cantus::nn::tt
