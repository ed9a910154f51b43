#pragma once
// Gradient clipping by global norm, torch.nn.utils.clip_grad_norm_(parameters, max_norm,
// norm_type=2): total = || (||g_1||, ..., ||g_n||) ||_2; when total > max_norm every gradient is
// scaled by max_norm / (total + 1e-6). Returns the total norm before clipping.
#include <cmath>

#include "cantus/core/error.hpp"
#include "cantus/nn/parameter.hpp"

namespace cantus::nn {

template <class T>
double clip_grad_norm(parameter_list<T>& params, double max_norm, bool error_if_nonfinite = false) {
  if (!(max_norm >= 0)) throw_value_error("clip_grad_norm: max_norm must be >= 0, got ", max_norm);
  double sq = 0;
  for (auto& p : params) {
    if (p.grad.data() == nullptr) continue;
    double s = 0;  // per-parameter in double: the norm of a big gradient must not lose digits
    const T* g = p.grad.data();
    for (index_t i = 0; i < p.grad.size(); ++i) s += double(g[i]) * double(g[i]);
    sq += s;
  }
  const double total = std::sqrt(sq);
  if (error_if_nonfinite && !std::isfinite(total))
    throw value_error(detail::concat("clip_grad_norm: the total gradient norm is ", total,
                                     "; a parameter's gradient has NaN or infinite entries"));
  const double coef = max_norm / (total + 1e-6);
  if (coef < 1.0) {
    const T c = static_cast<T>(coef);
    for (auto& p : params) {
      if (p.grad.data() == nullptr) continue;
      T* g = p.grad.data();
      for (index_t i = 0; i < p.grad.size(); ++i) g[i] *= c;
    }
  }
  return total;
}

}  // namespace cantus::nn
