#pragma once
// What every loss shares: accepting tensors or views of any rank, and the result type that carries
// the value together with the gradient the model's backward() starts from.
#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "cantus/core/error.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::nn {

// PyTorch's `reduction=` argument.
enum class reduction { mean, sum };

// A host tensor or tensor view (const or not), any rank.
template <class V>
concept host_array = requires(const V& v) {
  typename V::value_type;
  { V::rank } -> std::convertible_to<std::size_t>;
  v.data();
  v.shape();
  v.size();
};

template <class V>
using element_t = std::remove_const_t<typename V::value_type>;

// A scalar loss and d(loss)/d(input), shaped like the input.
template <class T, std::size_t Rank>
struct loss_result {
  T value{};
  tensor<T, Rank> grad;
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
