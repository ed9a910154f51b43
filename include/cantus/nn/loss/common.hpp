#pragma once
// What every loss shares: accepting tensors or views of any rank, and the result type that carries
// the value together with the gradient the model's backward() starts from.
#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "cantus/base/error.hpp"
#include "cantus/core/tensor.hpp"
#include "cantus/nn/tt/losses.hpp"

namespace cantus::nn {

// PyTorch's `reduction=` argument.
enum class reduction { mean, sum };

// A tensor or tensor view (const or not), any rank, on any backend.
template <class V>
concept any_array = requires(const V& v) {
  typename V::value_type;
  { V::rank } -> std::convertible_to<std::size_t>;
  v.data();
  v.shape();
  v.size();
};

template <class V>
using element_t = std::remove_const_t<typename V::value_type>;
template <class V>
using backend_t = typename V::backend_type;

// A scalar loss and d(loss)/d(input), shaped like the input and on its backend.
template <class T, std::size_t Rank, class B = cpu>
struct loss_result {
  T value{};
  tensor<T, Rank, B> grad;
};

namespace loss_detail {
template <class V>
void require_contiguous(std::string_view where, std::string_view what, const V& v) {
  if constexpr (requires { v.is_contiguous(); })
    if (!v.is_contiguous())
      throw shape_error(detail::concat(where, ": ", what, " of shape ", shape_string(v.shape()), " must be contiguous"));
}
}  // namespace loss_detail

}  // namespace cantus::nn
