#pragma once
// Operations on tensor views, written once over backend_ops<B>: the backend is the views' own.
// Shapes are checked and a mismatch names the operation and both shapes.
#include <string_view>

#include "cantus/backend/backend.hpp"
#include "cantus/base/functors.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus {

namespace detail {
template <class A, class B>
void require_same_shape(std::string_view where, const A& a, const B& b) {
  if (a.shape() != b.shape()) throw_shape_mismatch(where, "operands to have equal shapes:", a.shape(), b.shape());
}
template <class V>
void require_contiguous(std::string_view where, const V& v) {
  if (!v.is_contiguous())
    throw shape_error(concat(where, ": needs a contiguous view, got shape ", shape_string(v.shape()), " with strides ",
                             shape_string(v.strides())));
}
}  // namespace detail

template <class T, std::size_t R, class B>
void fill(tensor_view<T, R, B> x, T value) {
  detail::require_contiguous("fill", x);
  backend_ops<B>::fill(x.data(), static_cast<std::size_t>(x.size()), value);
}

// y = f(x), element-wise; y may alias x.
template <class T, std::size_t R, class B, class F>
void map(tensor_view<const T, R, B> x, tensor_view<T, R, B> y, const F& f) {
  detail::require_same_shape("map", x, y);
  detail::require_contiguous("map", x);
  detail::require_contiguous("map", y);
  backend_ops<B>::map(x.data(), y.data(), static_cast<std::size_t>(x.size()), f);
}

// y = f(a, b), element-wise; y may alias a or b.
template <class T, std::size_t R, class B, class F>
void zip(tensor_view<const T, R, B> a, tensor_view<const T, R, B> b, tensor_view<T, R, B> y, const F& f) {
  detail::require_same_shape("zip", a, b);
  detail::require_same_shape("zip", a, y);
  detail::require_contiguous("zip", a);
  detail::require_contiguous("zip", b);
  detail::require_contiguous("zip", y);
  backend_ops<B>::zip(a.data(), b.data(), y.data(), static_cast<std::size_t>(a.size()), f);
}

template <class T, std::size_t R, class B>
void axpy(T alpha, tensor_view<const T, R, B> x, tensor_view<T, R, B> y) {
  detail::require_same_shape("axpy", x, y);
  detail::require_contiguous("axpy", x);
  detail::require_contiguous("axpy", y);
  backend_ops<B>::axpy(alpha, x.data(), y.data(), static_cast<std::size_t>(x.size()));
}

template <class T, std::size_t R, class B>
T sum(tensor_view<const T, R, B> x) {
  detail::require_contiguous("sum", x);
  return backend_ops<B>::sum(x.data(), static_cast<std::size_t>(x.size()));
}
template <class T, std::size_t R, class B>
T dot(tensor_view<const T, R, B> a, tensor_view<const T, R, B> b) {
  detail::require_same_shape("dot", a, b);
  detail::require_contiguous("dot", a);
  detail::require_contiguous("dot", b);
  return backend_ops<B>::dot(a.data(), b.data(), static_cast<std::size_t>(a.size()));
}
template <class T, std::size_t R, class B>
T max(tensor_view<const T, R, B> x) {
  detail::require_contiguous("max", x);
  return backend_ops<B>::max(x.data(), static_cast<std::size_t>(x.size()));
}

// c = alpha * op(a) * op(b) + beta * c for row-major matrices; rows may be padded (strided views).
template <class T, class B>
void matmul(tensor_view<const T, 2, B> a, tensor_view<const T, 2, B> b, tensor_view<T, 2, B> c,
            transpose ta = transpose::no, transpose tb = transpose::no, T alpha = T(1), T beta = T(0)) {
  const index_t m = ta == transpose::yes ? a.extent(1) : a.extent(0);
  const index_t k = ta == transpose::yes ? a.extent(0) : a.extent(1);
  const index_t kb = tb == transpose::yes ? b.extent(1) : b.extent(0);
  const index_t n = tb == transpose::yes ? b.extent(0) : b.extent(1);
  if (k != kb) throw_shape_mismatch("matmul", "inner dimensions to agree: op(a) and op(b) shapes", shape_t<2>{m, k}, shape_t<2>{kb, n});
  if (c.extent(0) != m || c.extent(1) != n) throw_shape_mismatch("matmul", "output", shape_t<2>{m, n}, c.shape());
  for (auto* v : {&a.strides(), &b.strides()})
    if ((*v)[1] != 1) throw shape_error("matmul: operands must have unit stride along their last dimension");
  if (c.strides()[1] != 1) throw shape_error("matmul: output must have unit stride along its last dimension");
  backend_ops<B>::gemm(ta, tb, m, n, k, alpha, a.data(), a.strides()[0], b.data(), b.strides()[0], beta, c.data(),
                       c.strides()[0]);
}

// The same for a batch of matrices: [batch, rows, cols] each.
template <class T, class B>
void batched_matmul(tensor_view<const T, 3, B> a, tensor_view<const T, 3, B> b, tensor_view<T, 3, B> c,
                    transpose ta = transpose::no, transpose tb = transpose::no, T alpha = T(1), T beta = T(0)) {
  const index_t batch = a.extent(0);
  if (b.extent(0) != batch || c.extent(0) != batch)
    throw_shape_mismatch("batched_matmul", "equal batch sizes: a and b", a.shape(), b.shape());
  const index_t m = ta == transpose::yes ? a.extent(2) : a.extent(1);
  const index_t k = ta == transpose::yes ? a.extent(1) : a.extent(2);
  const index_t kb = tb == transpose::yes ? b.extent(2) : b.extent(1);
  const index_t n = tb == transpose::yes ? b.extent(1) : b.extent(2);
  if (k != kb) throw_shape_mismatch("batched_matmul", "inner dimensions to agree: a and b shapes", a.shape(), b.shape());
  if (c.extent(1) != m || c.extent(2) != n) throw_shape_mismatch("batched_matmul", "output", shape_t<3>{batch, m, n}, c.shape());
  if (a.strides()[2] != 1 || b.strides()[2] != 1 || c.strides()[2] != 1)
    throw shape_error("batched_matmul: operands must have unit stride along their last dimension");
  backend_ops<B>::gemm_strided_batched(ta, tb, m, n, k, alpha, a.data(), a.strides()[1], a.strides()[0], b.data(),
                                       b.strides()[1], b.strides()[0], beta, c.data(), c.strides()[1], c.strides()[0],
                                       batch);
}

}  // namespace cantus
