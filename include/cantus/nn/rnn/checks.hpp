#pragma once
// What the recurrent layers (gru, lstm) share above the backend: argument checks naming the layer
// and the argument, and PyTorch's uniform initialisation drawn on the host.
#include <string>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/core/tensor.hpp"
#include "cantus/nn/init.hpp"

namespace cantus::nn::rnn_checks {

template <class V>
inline bool is_null(const V& v) { return v.data() == nullptr; }

template <std::size_t R, class V>
inline void require_shape(const std::string& where, const char* what, const V& v, const shape_t<R>& expected) {
  if (v.shape() != expected) throw_shape_mismatch(where, what, expected, v.shape());
  if (!v.is_contiguous())
    throw shape_error(detail::concat(where, ": ", what, " of shape ", shape_string(v.shape()), " must be contiguous"));
}

// U(-bound, bound) for every element, the same numbers on every backend.
template <class T, std::size_t R, class B>
void init_uniform(tensor<T, R, B>& t, double bound, random_stream rng) {
  std::vector<T> host(static_cast<std::size_t>(t.size()));
  init::uniform(tensor_view<T, 1>(host.data(), {t.size()}), -bound, bound, rng);
  backend_ops<B>::upload(t.data(), host.data(), host.size());
}

}  // namespace cantus::nn::rnn_checks
