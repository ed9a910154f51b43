#pragma once
// Gradient clipping by global norm, torch.nn.utils.clip_grad_norm_(parameters, max_norm,
// norm_type=2): total = || (||g_1||, ..., ||g_n||) ||_2; when total > max_norm every gradient is
// scaled by max_norm / (total + 1e-6). Returns the total norm before clipping.
#include <cmath>

#include "cantus/base/error.hpp"
#include "cantus/base/functors.hpp"
#include "cantus/nn/parameter.hpp"
#include "cantus/nn/tt/optimizers.hpp"

namespace cantus::nn {

template <class T, class B>
double clip_grad_norm(parameter_list<T, B>& params, double max_norm, bool error_if_nonfinite = false) {
  if (!(max_norm >= 0)) throw_value_error("clip_grad_norm: max_norm must be >= 0, got ", max_norm);
  double sq = 0;
  for (auto& p : params)
    if (p.grad.data() != nullptr) sq += tt::optimizers<T, B>::sum_of_squares(p.grad.size(), p.grad.data());
  const double total = std::sqrt(sq);
  if (error_if_nonfinite && !std::isfinite(total))
    throw value_error(detail::concat("clip_grad_norm: the total gradient norm is ", total,
                                     "; a parameter's gradient has NaN or infinite entries"));
  const double coef = max_norm / (total + 1e-6);
  if (coef < 1.0) {
    const T c = static_cast<T>(coef);
    for (auto& p : params)
      if (p.grad.data() != nullptr)
        backend_ops<B>::map(p.grad.data(), p.grad.data(), static_cast<std::size_t>(p.grad.size()), ops::scale_by<T>{c});
  }
  return total;
}

}  // namespace cantus::nn
