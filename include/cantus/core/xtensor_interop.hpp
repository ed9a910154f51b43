#pragma once
// Zero-copy bridges between cantus tensors on the CPU and xtensor. Opt-in: the umbrella
// cantus/cantus.hpp does not include it, so only code that includes this header needs xtensor
// (target cantus::xtensor links it). The Eigen bridges are in cantus/core/interop.hpp.
#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <xtensor/xadapt.hpp>

#include "cantus/base/error.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus {

// Any CPU view as an xtensor expression sharing the memory.
template <class T, std::size_t Rank>
auto as_xtensor(tensor_view<T, Rank, cpu> v) {
  std::array<std::size_t, Rank> shape, strides;
  for (std::size_t d = 0; d < Rank; ++d) {
    shape[d] = static_cast<std::size_t>(v.shape()[d]);
    strides[d] = static_cast<std::size_t>(v.strides()[d]);
  }
  return xt::adapt(v.data(), static_cast<std::size_t>(v.size()), xt::no_ownership(), shape, strides);
}
template <class T, std::size_t Rank>
auto as_xtensor(tensor<T, Rank, cpu>& t) { return as_xtensor(t.view()); }

// A view of memory owned by an xtensor container (which must outlive the view), of known rank
// (xt::xtensor<T, N>); for xt::xarray give the rank explicitly.
template <std::size_t Rank = 0, class XContainer>
auto view_of_xtensor(XContainer& x) {
  using T = typename XContainer::value_type;
  constexpr std::size_t rank = [] {
    if constexpr (Rank != 0) return Rank;
    else return std::tuple_size_v<std::decay_t<decltype(std::declval<XContainer&>().shape())>>;
  }();
  if (x.dimension() != rank)
    throw shape_error(detail::concat("view_of_xtensor: expected rank ", rank, " but the container has rank ", x.dimension()));
  shape_t<rank> s, st;
  for (std::size_t d = 0; d < rank; ++d) s[d] = static_cast<index_t>(x.shape()[d]), st[d] = static_cast<index_t>(x.strides()[d]);
  return tensor_view<T, rank, cpu>(x.data(), s, st);
}

}  // namespace cantus
