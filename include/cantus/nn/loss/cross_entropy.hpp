#pragma once
// Cross-entropy with logits over class indices, torch.nn.functional.cross_entropy(input, target,
// ignore_index=-100, reduction='mean'|'sum'), class dimension 1:
//   input [N, C] with target [N], or per time step input [N, C, T] with target [N, T].
// Stable log-softmax (max subtracted); 'mean' divides by the number of targets not ignored.
// Gradient: softmax - one_hot(target), scaled like the reduction, zero where ignored. A mean over no
// targets at all (every one ignored) is a value_error rather than torch's NaN.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/core/functors.hpp"
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
  index_t counted = 0;
  for (index_t i = 0; i < N * S; ++i) {
    const index_t k = static_cast<index_t>(y[i]);
    if (k == ignore_index) continue;
    if (k < 0 || k >= C)
      throw value_error(detail::concat("cross_entropy: target ", k, " at position ", i, " is outside [0, ", C,
                                       ") (and is not ignore_index ", ignore_index, ")"));
    ++counted;
  }
  // Per sample n the C x S block is walked class by class, each class a contiguous run over the S
  // positions, so per-time-step logits [N, 256, 8192] stream through memory and exp runs on SIMD.
  std::vector<T> m(static_cast<std::size_t>(S)), z(static_cast<std::size_t>(S));
  double total = 0;
  for (index_t n = 0; n < N; ++n) {
    const T* xn = x + n * C * S;
    T* gn = g + n * C * S;
    const auto* yn = y + n * S;
    std::copy(xn, xn + S, m.begin());
    for (index_t c = 1; c < C; ++c)
      for (index_t t = 0; t < S; ++t) m[t] = std::max(m[t], xn[c * S + t]);
    for (index_t t = 0; t < S; ++t)
      if (!std::isfinite(m[t])) throw value_error(detail::concat("cross_entropy: non-finite logit at position ", n * S + t));
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
  const double scale = r == reduction::mean ? (counted ? 1.0 / double(counted) : 0.0) : 1.0;
  if (r == reduction::mean && counted == 0)  // torch returns NaN here; a silent NaN would poison training
    throw value_error("cross_entropy: every target is ignore_index, the mean is undefined");
  if (scale != 1.0)
    for (index_t i = 0; i < out.grad.size(); ++i) g[i] *= static_cast<T>(scale);
  out.value = static_cast<T>(total * scale);
  return out;
}

}  // namespace cantus::nn
