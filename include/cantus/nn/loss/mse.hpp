#pragma once
// Mean squared error, torch.nn.functional.mse_loss(input, target, reduction='mean'|'sum').
#include "cantus/nn/loss/common.hpp"

namespace cantus::nn {

template <any_array In, any_array Tg>
  requires std::is_same_v<element_t<In>, element_t<Tg>> && (In::rank == Tg::rank) &&
           std::is_same_v<backend_t<In>, backend_t<Tg>>
loss_result<element_t<In>, In::rank, backend_t<In>> mse_loss(const In& input, const Tg& target,
                                                              reduction r = reduction::mean) {
  using T = element_t<In>;
  using B = backend_t<In>;
  if (input.shape() != target.shape()) throw_shape_mismatch("mse_loss", "target", input.shape(), target.shape());
  loss_detail::require_contiguous("mse_loss", "input", input);
  loss_detail::require_contiguous("mse_loss", "target", target);
  const index_t n = input.size();
  if (n == 0) throw value_error("mse_loss: input is empty");
  loss_result<T, In::rank, B> out{T(0), tensor<T, In::rank, B>(input.shape())};
  const T scale = r == reduction::mean ? T(1) / static_cast<T>(n) : T(1);
  const double acc = tt::losses<T, B>::squared_error(n, input.data(), target.data(), scale, out.grad.data());
  out.value = static_cast<T>(r == reduction::mean ? acc / static_cast<double>(n) : acc);
  return out;
}

}  // namespace cantus::nn
