#pragma once
// Cross-entropy with logits over class indices, torch.nn.functional.cross_entropy(input, target,
// ignore_index=-100, reduction='mean'|'sum'), class dimension 1:
//   input [N, C] with target [N], or per time step input [N, C, T] with target [N, T].
// Stable log-softmax (max subtracted); 'mean' divides by the number of targets not ignored.
// Gradient: softmax - one_hot(target), scaled like the reduction, zero where ignored.
#include <cmath>
#include <cstdint>
#include <vector>

#include "cantus/nn/loss/common.hpp"

namespace cantus::nn {

template <host_array In, host_array Tg>
  requires std::is_integral_v<element_t<Tg>> && (In::rank == Tg::rank + 1) && (In::rank == 2 || In::rank == 3)
loss_result<element_t<In>, In::rank> cross_entropy(const In& input, const Tg& target, reduction r = reduction::mean,
                                                   index_t ignore_index = -100) {
  using T = element_t<In>;
  constexpr std::size_t R = In::rank;
  loss_detail::require_contiguous("cross_entropy", "input", input);
  loss_detail::require_contiguous("cross_entropy", "target", target);
  const auto& s = input.shape();
  const index_t N = s[0], C = s[1], S = R == 3 ? s[2] : 1;
  shape_t<R - 1> expected{};
  expected[0] = N;
  if constexpr (R == 3) expected[1] = S;
  if (target.shape() != expected)
    throw_shape_mismatch("cross_entropy", "target (input is [N, C] or [N, C, T])", expected, target.shape());
  if (C <= 0) throw value_error("cross_entropy: input has no classes");
  loss_result<T, R> out{T(0), tensor<T, R>(s)};
  const T* x = input.data();
  const auto* y = target.data();
  T* g = out.grad.data();
  double total = 0;
  index_t counted = 0;
  std::vector<T> e(static_cast<std::size_t>(C));
  for (index_t n = 0; n < N; ++n)
    for (index_t t = 0; t < S; ++t) {
      const index_t base = n * C * S + t;  // element (n, c, t) is at base + c * S
      const index_t k = static_cast<index_t>(y[n * S + t]);
      if (k == ignore_index) {
        for (index_t c = 0; c < C; ++c) g[base + c * S] = T(0);
        continue;
      }
      if (k < 0 || k >= C)
        throw value_error(detail::concat("cross_entropy: target ", k, " at position ", n * S + t, " is outside [0, ", C,
                                         ") (and is not ignore_index ", ignore_index, ")"));
      T m = x[base];
      for (index_t c = 1; c < C; ++c) m = std::max(m, x[base + c * S]);
      if (!std::isfinite(m))
        throw value_error(detail::concat("cross_entropy: non-finite logit at position ", n * S + t));
      T z = 0;
      for (index_t c = 0; c < C; ++c) z += (e[c] = std::exp(x[base + c * S] - m));
      const T lse = m + std::log(z);
      total += static_cast<double>(lse - x[base + k * S]);
      for (index_t c = 0; c < C; ++c) g[base + c * S] = e[c] / z;
      g[base + k * S] -= T(1);
      ++counted;
    }
  const double scale = r == reduction::mean ? (counted ? 1.0 / double(counted) : 0.0) : 1.0;
  if (r == reduction::mean && counted == 0) {
    out.value = std::numeric_limits<T>::quiet_NaN();  // torch: mean over zero targets is NaN
    return out;
  }
  if (scale != 1.0)
    for (index_t i = 0; i < out.grad.size(); ++i) g[i] *= static_cast<T>(scale);
  out.value = static_cast<T>(total * scale);
  return out;
}

}  // namespace cantus::nn
