#pragma once
// Zero-copy bridges between cantus tensors on the CPU and Eigen. The xtensor bridges are opt-in, in
// cantus/core/xtensor_interop.hpp, so that nothing here needs xtensor.
#include <Eigen/Core>

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

// A view of memory owned by Eigen (which must outlive the view).
template <class Derived>
auto view_of(Eigen::PlainObjectBase<Derived>& m) {
  using T = typename Derived::Scalar;
  static_assert(Derived::IsRowMajor || Derived::ColsAtCompileTime == 1,
                "view_of: a column-major Eigen matrix is the transpose of a row-major tensor; use .transpose() or a RowMajor matrix");
  return tensor_view<T, 2, cpu>(m.data(), {static_cast<index_t>(m.rows()), static_cast<index_t>(m.cols())});
}

}  // namespace cantus
