#pragma once
// Cross-entropy with logits over class indices, torch.nn.functional.cross_entropy(input, target,
// ignore_index=-100, reduction='mean'|'sum'), class dimension 1:
//   input [N, C] with target [N], or per time step input [N, C, T] with target [N, T].
// Stable log-softmax (max subtracted); 'mean' divides by the number of targets not ignored.
// Gradient: softmax - one_hot(target), scaled like the reduction, zero where ignored. A mean over no
// targets at all (every one ignored) is a value_error rather than torch's NaN.
#include <cstdint>

#include "cantus/nn/loss/common.hpp"

namespace cantus::nn {

template <any_array In, any_array Tg>
  requires std::is_integral_v<element_t<Tg>> && std::is_same_v<backend_t<In>, backend_t<Tg>> &&
           (In::rank == Tg::rank + 1) && (In::rank == 2 || In::rank == 3)
loss_result<element_t<In>, In::rank, backend_t<In>> cross_entropy(const In& input, const Tg& target,
                                                                   reduction r = reduction::mean,
                                                                   index_t ignore_index = -100) {
  using T = element_t<In>;
  using B = backend_t<In>;
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
  loss_result<T, R, B> out{T(0), tensor<T, R, B>(s)};
  index_t counted = 0;
  const double total = tt::losses<T, B>::cross_entropy(N, C, S, input.data(), target.data(), ignore_index,
                                                       r == reduction::mean, out.grad.data(), counted);
  out.value = static_cast<T>(r == reduction::mean ? total * (1.0 / double(counted)) : total);
  return out;
}

}  // namespace cantus::nn
