#pragma once
// Zero-copy bridges between cantus tensors on the CPU and Eigen / xtensor.
#include <Eigen/Core>
#include <xtensor/xadapt.hpp>

#include "cantus/core/tensor.hpp"

namespace cantus {

template <class T>
using eigen_row_matrix = Eigen::Matrix<std::remove_const_t<T>, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A rank-2 CPU view as an Eigen map (row-major, any strides).
template <class T>
auto as_eigen(tensor_view<T, 2, cpu> v) {
  using mat = std::conditional_t<std::is_const_v<T>, const eigen_row_matrix<T>, eigen_row_matrix<T>>;
  using stride = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;
  return Eigen::Map<mat, Eigen::Unaligned, stride>(v.data(), v.extent(0), v.extent(1), stride(v.strides()[0], v.strides()[1]));
}
template <class T>
auto as_eigen(tensor<T, 2, cpu>& t) { return as_eigen(t.view()); }
template <class T>
auto as_eigen(const tensor<T, 2, cpu>& t) { return as_eigen(t.view()); }

// A rank-1 CPU view as an Eigen column vector map.
template <class T>
auto as_eigen_vector(tensor_view<T, 1, cpu> v) {
  using vec = std::conditional_t<std::is_const_v<T>, const Eigen::Matrix<std::remove_const_t<T>, Eigen::Dynamic, 1>,
                                 Eigen::Matrix<std::remove_const_t<T>, Eigen::Dynamic, 1>>;
  return Eigen::Map<vec, Eigen::Unaligned, Eigen::InnerStride<>>(v.data(), v.extent(0), Eigen::InnerStride<>(v.strides()[0]));
}

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

// Views of memory owned by Eigen or xtensor (which must outlive the view).
template <class Derived>
auto view_of(Eigen::PlainObjectBase<Derived>& m) {
  using T = typename Derived::Scalar;
  static_assert(Derived::IsRowMajor || Derived::ColsAtCompileTime == 1,
                "view_of: a column-major Eigen matrix is the transpose of a row-major tensor; use .transpose() or a RowMajor matrix");
  return tensor_view<T, 2, cpu>(m.data(), {static_cast<index_t>(m.rows()), static_cast<index_t>(m.cols())});
}
// An xtensor container of known rank (xt::xtensor<T, N>); for xt::xarray give the rank explicitly.
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
